"""Shared test helpers: fresh cases, canonical table dumps and golden files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from trollscan.store import TABLES, init_case


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true",
                     help="Rewrite the expected outputs of golden tests; review the diff before committing.")


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return request.config.getoption("--update-golden")


@pytest.fixture
def case(tmp_path: Path):
    c = init_case(tmp_path / "case")
    yield c
    c.close()


def dump_tables(case, *, provenance: bool = True) -> dict[str, list[dict]]:
    """Every canonical table of `case` as sorted JSON-ready rows (empty tables left out)."""
    out: dict[str, list[dict]] = {}
    for name, spec in TABLES.items():
        cols = [c for c in spec.names if provenance or c not in ("source_id", "source_record")]
        rows = case.con.execute(
            f"SELECT {', '.join(cols)} FROM {name} ORDER BY {', '.join(cols[:len(spec.key) + 1])}, "
            f"source_id, source_record"
        ).fetchall()
        if rows:
            out[name] = [
                {c: (v.isoformat() if hasattr(v, "isoformat") else v) for c, v in zip(cols, row)
                 if v is not None}
                for row in rows
            ]
    return out


def check_golden(expected_file: Path, actual: dict, update: bool) -> None:
    """Compare `actual` with the JSON in `expected_file`; rewrite it under --update-golden."""
    text = json.dumps(actual, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    if update or not expected_file.exists():
        if not update:
            pytest.fail(f"{expected_file} is missing; run pytest --update-golden and review it.")
        expected_file.write_text(text, encoding="utf-8")
        return
    assert json.loads(expected_file.read_text(encoding="utf-8")) == actual
