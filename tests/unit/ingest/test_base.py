import threading

import pyarrow as pa
import pytest

from trollscan.errors import BadRecord
from trollscan.ingest.base import Chunk, read_ahead, rebatch


def _chunks(n: int, fail_at: int | None = None):
    for i in range(n):
        if i == fail_at:
            raise BadRecord(f"x.csv, row {i}: broken.")
        yield Chunk("items", pa.table({"_rec": [i]}))


def test_read_ahead_yields_every_chunk_in_order() -> None:
    assert [c.data["_rec"][0].as_py() for c in read_ahead(_chunks(10))] == list(range(10))


def test_read_ahead_raises_the_readers_error_in_the_caller() -> None:
    with pytest.raises(BadRecord, match="row 3: broken"):
        list(read_ahead(_chunks(10, fail_at=3)))


def test_read_ahead_thread_stops_when_loading_stops_early() -> None:
    chunks = read_ahead(_chunks(1000))
    next(chunks)
    chunks.close()
    assert not [t for t in threading.enumerate() if t.name == "trollscan-reader"]


def test_rebatch_joins_small_batches_and_keeps_every_row() -> None:
    small = [pa.record_batch({"a": list(range(i * 10, i * 10 + 10))}) for i in range(25)]
    out = list(rebatch(small, 100))
    assert [b.num_rows for b in out] == [100, 100, 50]
    assert [x for b in out for x in b["a"].to_pylist()] == list(range(250))
