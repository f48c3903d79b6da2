"""Golden tests: each folder here holds `input/` files, optional `options.json` and `expected.json`.

The input is ingested into a fresh case (auto-detected unless options name a format) and every
canonical table is compared with `expected.json`. Regenerate with `pytest --update-golden` and
review the diff.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from trollscan.ingest import detect, ingest_files
from trollscan.ingest.source import Source

from ..conftest import check_golden, dump_tables

HERE = Path(__file__).parent
CASES = sorted(p.name for p in HERE.iterdir() if (p / "input").is_dir())


@pytest.mark.parametrize("name", CASES)
def test_golden_ingest(name: str, case, update_golden: bool) -> None:
    folder = HERE / name
    options = json.loads((folder / "options.json").read_text()) if (folder / "options.json").exists() else {}
    expected_formats = options.pop("detects_as", None)
    inputs = sorted((folder / "input").iterdir())
    # keyed hashes (access_log) depend on the case's random key: pin it so outputs are stable
    (case.root / ".secret" / "hash.key").write_bytes(b"golden-test-key-not-secret-00000")
    if expected_formats:
        assert {p.name: detect(Source(p)).name for p in inputs} == expected_formats
    ingest_files(case, inputs, **options)
    check_golden(folder / "expected.json", dump_tables(case), update_golden)
