"""Typing text in Arrow gives exactly what the loader's SQL gives for the same cells."""

import csv
import io
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trollscan.ingest import ingest_files
from trollscan.store import init_case

from ..conftest import dump_tables

word = st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters=",[]'\"\\"),
               min_size=0, max_size=6)
list_cell = st.one_of(
    st.lists(word, max_size=4).map(lambda xs: "[" + ", ".join(xs) + "]"),
    st.lists(word, max_size=4).map(lambda xs: "[" + ", ".join(f"'{x}'" for x in xs) + "]"),
    st.just(""), st.just("[]"))
time_cell = st.datetimes().map(lambda d: d.replace(microsecond=0)).flatmap(
    lambda d: st.sampled_from([d.strftime("%Y-%m-%d %H:%M:%S"), d.strftime("%Y-%m-%d %H:%M"),
                               d.strftime("%Y-%m-%d")]))
count_cell = st.one_of(st.integers(-10**12, 10**12).map(str), st.just(""))
row = st.tuples(list_cell, list_cell, time_cell, count_cell)


def _load(rows: list[tuple], typing: str, monkeypatch) -> dict:
    monkeypatch.setenv("TROLLSCAN_ARROW_TYPING", typing)
    with tempfile.TemporaryDirectory() as tmp:
        out = io.StringIO()
        w = csv.writer(out, lineterminator="\n")
        w.writerow(["platform", "item_id", "kind", "account_id", "hashtags", "urls", "created_at", "like_count"])
        w.writerows(["vk", str(i), "post", "a", *r] for i, r in enumerate(rows))
        f = Path(tmp) / "items.csv"
        f.write_text(out.getvalue(), encoding="utf-8")
        with init_case(Path(tmp) / "case") as case:
            ingest_files(case, [f])
            return dump_tables(case)


@settings(max_examples=int(__import__('os').environ.get('HYPOTHESIS_EXAMPLES', 30)), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(rows=st.lists(row, min_size=1, max_size=20))
def test_arrow_typing_equals_sql_typing(rows, monkeypatch) -> None:
    assert _load(rows, "1", monkeypatch) == _load(rows, "0", monkeypatch)
