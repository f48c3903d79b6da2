"""Invariants of loading: order, splitting and repetition of input change nothing."""

import csv
import io
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trollscan.ingest import ingest_files
from trollscan.store import init_case

from ..conftest import dump_tables

HEADER = ["platform", "item_id", "kind", "account_id", "created_at", "text", "hashtags"]

texts = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\r"), max_size=40)
item = st.fixed_dictionaries({
    "platform": st.sampled_from(["vk", "facebook", "twitter"]),
    "kind": st.sampled_from(["post", "comment", "reply"]),
    "account_id": st.sampled_from(["a", "b", "c", "Ä", "дд"]),
    "created_at": st.datetimes(min_value=__import__("datetime").datetime(2010, 1, 1),
                               max_value=__import__("datetime").datetime(2030, 1, 1)).map(
        lambda d: d.replace(microsecond=0).isoformat(sep=" ")),
    "text": texts,
    "hashtags": st.lists(st.text("abcабв_", min_size=1, max_size=5), max_size=3).map(
        lambda xs: "[" + ", ".join(xs) + "]"),
})
items = st.lists(item, min_size=1, max_size=25).map(
    lambda rows: [dict(r, item_id=str(i)) for i, r in enumerate(rows)])


def _csv(rows: list[dict]) -> str:
    out = io.StringIO()
    w = csv.DictWriter(out, HEADER, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    return out.getvalue()


def _load(parts: list[list[dict]], *, repeat: bool = False) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        files = []
        for i, part in enumerate(parts):
            f = root / f"items_{i}.csv"
            f.write_text(_csv(part), encoding="utf-8")
            files.append(f)
        with init_case(root / "case") as case:
            ingest_files(case, files)
            if repeat:
                ingest_files(case, files)
            return dump_tables(case, provenance=False)


quick = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@quick
@given(items, st.randoms(use_true_random=False))
def test_row_order_changes_nothing(rows: list[dict], rnd) -> None:
    shuffled = rows[:]
    rnd.shuffle(shuffled)
    assert _load([rows]) == _load([shuffled])


@quick
@given(items, st.integers(min_value=0, max_value=25))
def test_splitting_a_file_in_two_changes_nothing(rows: list[dict], cut: int) -> None:
    parts = [rows[:cut], rows[cut:]]
    assert _load([rows]) == _load([p for p in parts if p])


@quick
@given(items)
def test_ingesting_twice_changes_nothing(rows: list[dict]) -> None:
    assert _load([rows]) == _load([rows], repeat=True)


@quick
@given(items)
def test_text_comes_back_exactly_as_written(rows: list[dict]) -> None:
    stored = {r["item_id"]: r.get("text") for r in _load([rows])["items"]}
    assert stored == {r["item_id"]: (r["text"] or None) for r in rows}
