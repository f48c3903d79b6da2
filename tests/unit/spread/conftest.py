"""Helpers for the spread tests: small cases loaded from canonical Parquet tables built inline."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from trollscan.ingest import ingest_files

T0 = datetime(2020, 2, 7, 23, 0, 0)

_ITEM_TYPES = {"urls": pa.list_(pa.string()), "hashtags": pa.list_(pa.string()), "created_at": pa.timestamp("s")}


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def item(item_id: str, account: str, seconds: float | None, kind: str = "post", *, text: str | None = None,
         parent: str | None = None, urls: list[str] | None = None, hashtags: list[str] | None = None,
         platform: str = "twitter", target: str | None = None, language: str | None = None) -> dict:
    return {"platform": platform, "item_id": item_id, "kind": kind, "account_id": account,
            "created_at": None if seconds is None else at(seconds), "parent_id": parent, "text": text,
            "urls": urls, "hashtags": hashtags, "target_id": target, "language": language}


@pytest.fixture
def load(case, tmp_path: Path):
    """load(items=[...], relations=[...], accounts=[...]) writes canonical Parquet files and ingests them."""
    counter = [0]

    def _load(*, items: list[dict] = (), relations: list[dict] = (), accounts: list[dict] = ()):
        counter[0] += 1
        folder = tmp_path / f"in{counter[0]}"
        folder.mkdir()
        files = []
        for name, rows in (("items", items), ("relations", relations), ("accounts", accounts)):
            if not rows:
                continue
            cols = sorted({k for r in rows for k in r})
            schema = pa.schema([(c, _ITEM_TYPES.get(c, pa.string())) for c in cols])
            table = pa.Table.from_pylist([{c: r.get(c) for c in cols} for r in rows], schema=schema)
            path = folder / f"{name}.parquet"
            pq.write_table(table, path)
            files.append(path)
        ingest_files(case, files)
        return case

    return _load
