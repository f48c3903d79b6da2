"""What every adapter is: a name, a detector and a reader that yields canonical chunks."""

from __future__ import annotations

import hashlib
import queue
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

import pyarrow as pa

from ..store.schema import TABLES
from .source import Source

__all__ = ["Chunk", "Context", "Adapter", "rows_to_table", "rebatch", "read_ahead", "REC", "RESTART"]

REC = "_rec"  # the record-number column every chunk carries


@dataclass(frozen=True)
class Chunk:
    """Rows of one canonical table. Columns are canonical names (any subset) plus `_rec`.

    Values may be strings (the store converts and checks them, naming the record on failure)
    or already typed Arrow columns.
    """

    table: str
    data: pa.Table
    extra: tuple[str, ...] = ()  # source column names staged as _x0, _x1... (kept as JSON in `extra`)


# Yielded by a reader that must start its file again (a fast path gave up): the store forgets
# the rows of the file read so far. The reader clears what it put in its Context first.
RESTART = Chunk("", pa.table({}))


@dataclass
class Context:
    """What an adapter may know about the load beyond its file."""

    hash_key: bytes = b""
    platform: str | None = None  # --platform, for files that do not say
    date_format: str | None = None  # --date-format, strptime syntax
    skipped: Counter = field(default_factory=Counter)  # reason -> records skipped
    notes: list[str] = field(default_factory=list)  # things the summary should tell the user

    def skip(self, reason: str, n: int = 1) -> None:
        """Record that `n` records were not loaded and why; the summary lists them."""
        self.skipped[reason] += n

    def keyed_hash(self, value: str | None) -> str | None:
        """A keyed BLAKE2b hash: equal inputs match inside this case, the input cannot be read back."""
        if value is None or value == "":
            return None
        return hashlib.blake2b(value.encode("utf-8"), key=self.hash_key, digest_size=16).hexdigest()


@dataclass(frozen=True)
class Adapter:
    name: str  # the --format value
    title: str  # one line for `trollscan formats`
    unit: str  # what its record numbers count: line, row, message
    sniff: Callable[[Source], bool]
    read: Callable[[Source, Context], Iterator[Chunk]]

    def locate(self, record: int) -> str:
        return f"{self.unit} {record}"


def rows_to_table(table: str, rows: Iterable[dict]) -> pa.Table:
    """Build a chunk table from dict rows (with `_rec`); columns follow the canonical order.

    Scalars become strings (typed later by the store); list columns stay lists of strings.
    """
    spec = TABLES[table]
    rows = list(rows)
    present = {k for row in rows for k in row}
    columns: dict[str, pa.Array] = {}
    for col in spec.columns:
        if col.name not in present:
            continue
        values = [row.get(col.name) for row in rows]
        if col.type == "VARCHAR[]":
            columns[col.name] = pa.array(
                [None if v is None else [str(x) for x in v] for v in values], type=pa.list_(pa.string())
            )
        else:
            columns[col.name] = pa.array(
                [None if v is None else v if isinstance(v, str) else _scalar_text(v) for v in values],
                type=pa.string(),
            )
    columns[REC] = pa.array([row[REC] for row in rows], type=pa.int64())
    return pa.table(columns)


def _scalar_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def rebatch(batches: Iterable[pa.RecordBatch], rows: int) -> Iterator[pa.RecordBatch]:
    """Join a reader's small batches (one per read block) into batches of at least `rows` rows:
    the store appends large batches in parallel, small ones one at a time."""
    held: list[pa.RecordBatch] = []
    count = 0
    for batch in batches:
        held.append(batch)
        count += batch.num_rows
        if count >= rows:
            yield pa.concat_batches(held) if len(held) > 1 else held[0]
            held, count = [], 0
    if held:
        yield pa.concat_batches(held) if len(held) > 1 else held[0]


def read_ahead(chunks: Iterator[Chunk], depth: int = 2) -> Iterator[Chunk]:
    """Make the next chunks in a second thread while the store loads this one (both release the GIL)."""
    ready: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(entry: tuple) -> bool:
        while not stop.is_set():
            try:
                ready.put(entry, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def work() -> None:
        try:
            for chunk in chunks:
                if not put(("chunk", chunk)):
                    return
            put(("end", None))
        except BaseException as exc:  # handed to the reading thread, raised there
            put(("error", exc))
        finally:
            chunks.close()

    worker = threading.Thread(target=work, name="trollscan-reader", daemon=True)
    worker.start()
    try:
        while True:
            what, value = ready.get()
            if what == "chunk":
                yield value
            elif what == "end":
                return
            else:
                raise value
    finally:
        stop.set()
        worker.join()
