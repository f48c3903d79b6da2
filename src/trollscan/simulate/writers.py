"""Write a simulated world: the canonical tables and photos under input/ (the chats, the site log and
the truth are written by `sidecars`).

Ids are given here: accounts and items are numbered in order of creation time (as platforms do),
so the files depend on the seed alone. Every table is written sorted.
"""

from __future__ import annotations

import hashlib
import json
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pv
import pyarrow.parquet as pq

from .images import encode
from .sidecars import write_chats, write_site, write_truth
from .world import World

__all__ = ["assign_ids", "write_world"]

def _numbered(rng: np.random.Generator, when: np.ndarray, base: int, max_gap: int) -> np.ndarray:
    """Increasing numeric ids in order of `when` (ties by position)."""
    order = np.lexsort((np.arange(len(when)), when))
    ids = np.empty(len(when), np.int64)
    ids[order] = base + np.cumsum(rng.integers(1, max_gap, len(when)))
    return ids


def assign_ids(world: World) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Account ids (text), account numbers (-1 for accounts with a fixed id) and item ids (numbers:
    their text is the id), all by creation time."""
    rng = world.rng
    created = world.accounts.get("created_at", np.int64)
    numbered = np.array([i not in world.fixed_id for i in range(len(created))], bool)
    account_ids = np.empty(len(created), object)
    base = 100_000_000_000_000 if world.platform != "twitter" else 2_000_000_000
    ids = _numbered(rng, created[numbered], base, 40_000)
    account_ids[numbered] = ids.astype(str).astype(object)
    account_num = np.full(len(created), -1, np.int64)
    account_num[numbered] = ids
    for i, value in world.fixed_id.items():
        account_ids[i] = value
    when = world.items.get("created_at", np.int64)
    base = 1_000_000_000_000_000 if world.platform != "twitter" else 1_200_000_000_000_000_000
    return account_ids, account_num, _numbered(rng, when, base, 5_000)


def _ts(seconds: np.ndarray) -> pa.Array:
    return pa.array(np.asarray(seconds, np.int64), pa.int64()).cast(pa.timestamp("s"))


_BATCH_ROWS = 1 << 20


def _csv_ready(table: pa.Table) -> pa.Table:
    """List columns as JSON text, which the canonical CSV reader takes."""
    columns = {}
    for field in table.schema:
        col = table.column(field.name)
        if pa.types.is_list(field.type):
            columns[field.name] = pa.array([None if v is None else json.dumps(v, ensure_ascii=False)
                                            for v in col.to_pylist()], pa.string())
        else:
            columns[field.name] = col
    return pa.table(columns)


class _Writer:
    """One canonical table written batch by batch (Parquet row groups, or CSV)."""

    def __init__(self, folder: Path, name: str, fmt: str) -> None:
        self.path = folder / f"{name}.{fmt}"
        self.fmt = fmt
        self.writer = None

    def __enter__(self) -> _Writer:
        return self

    def write(self, table: pa.Table) -> None:
        if self.fmt == "csv":
            table = _csv_ready(table)
        if self.writer is None:
            self.writer = (pq.ParquetWriter(self.path, table.schema, compression="zstd") if self.fmt == "parquet"
                           else pv.CSVWriter(self.path, table.schema))
        self.writer.write_table(table)

    def __exit__(self, *exc: object) -> None:
        if self.writer is not None:
            self.writer.close()


def _write_table(table: pa.Table, folder: Path, name: str, fmt: str) -> Path:
    with _Writer(folder, name, fmt) as w:
        w.write(table)
    return w.path


_POOL_MIN_JOBS = 2000  # fewer photos than this are drawn in this process


def _encode(args: tuple) -> bytes:
    return encode(*args)


def _encoded(jobs: list[tuple], workers: int) -> list[bytes]:
    """JPEG bytes for each job, in order; in several processes when there are many (same bytes either way)."""
    if workers <= 1 or len(jobs) < _POOL_MIN_JOBS:
        return [encode(*job) for job in jobs]
    with ProcessPoolExecutor(workers) as pool:
        return list(pool.map(_encode, jobs, chunksize=256))


def _images(world: World, folder: Path, images: bool, workers: int) -> tuple[list[dict], int]:
    """Media rows (one per use), image files written once per distinct content; the bytes written."""
    uses = sorted(world.media)
    keys = [(person, number, transform, account if transform != "none" else -1)
            for person, number, transform, account, _i, _k, _a in uses]
    distinct = sorted(set(keys))
    cache, written = {}, 0
    if images:
        (folder / "images").mkdir(parents=True, exist_ok=True)
        jobs = [(person, number, transform, world.seed, str(account)) for person, number, transform, account in distinct]
        for key, data in zip(distinct, _encoded(jobs, workers)):
            sha = hashlib.sha256(data).hexdigest()
            path = f"images/{sha[:20]}.jpg"
            target = folder / path
            if not target.exists():
                target.write_bytes(data)
                written += len(data)
            cache[key] = (sha, path, len(data))
    else:
        for key in distinct:
            url = "https://scontent.example/{}_{}_{}_{}.jpg".format(*key)
            cache[key] = (hashlib.sha256(url.encode()).hexdigest(), url, None)
    if images:  # the originals of photos stolen from outside the case: what a reverse image search finds
        outside = sorted({(p, n) for p, n, t, _a in distinct if p.startswith("x")})
        if outside:
            (folder.parent / "gallery").mkdir(exist_ok=True)
        for (person, number), data in zip(outside, _encoded([(p, n, "none", world.seed, "") for p, n in outside],
                                                            workers)):
            (folder.parent / "gallery" / f"{person}_{number}.jpg").write_bytes(data)
    rows = []
    for key, (person, number, transform, account, item, kind, at) in zip(keys, uses):
        sha, path, size = cache[key]
        rows.append({"person": person, "photo": number, "transform": transform, "account": account, "item": item,
                     "kind": kind, "at": at, "sha": sha, "path": path, "bytes": size})
    return rows, written


def write_world(world: World, out: Path, *, fmt: str = "parquet", images: bool = True, workers: int = 1) -> dict:
    """Write everything; the counts and sizes for the summary."""
    inp = out / "input"
    inp.mkdir(parents=True, exist_ok=True)
    account_ids, account_num, item_ids = assign_ids(world)
    a = world.accounts
    platform_of = a.get("platform")
    on_platform = platform_of == world.platform
    media, image_bytes = _images(world, inp, images, workers)
    on_disk = images
    # items, in order of time (which is the order of their ids), written in batches
    it = world.items
    author = it.get("author", np.int64)
    parent = it.get("parent", np.int64)
    target = it.get("target", np.int64)
    when = it.get("created_at", np.int64)
    account_text = pa.array(account_ids, pa.string())
    columns = {"kind": it.get_arrow("kind"), "text": it.get_arrow("text"),
               "hashtags": it.get_arrow("hashtags", pa.list_(pa.string())), "media": _media_lists(media, len(author)),
               "reaction": it.get_arrow("reaction")}
    urls = it.get_arrow("urls", pa.list_(pa.string()))
    if urls.null_count < len(urls):  # only the spread preset's agenda posts carry links
        columns["urls"] = urls
    order = np.argsort(item_ids, kind="stable")
    files = []
    with _Writer(inp, "items", fmt) as w:
        for start in range(0, len(order), _BATCH_ROWS):
            idx = order[start:start + _BATCH_ROWS]
            p = parent[idx]
            none = p < 0
            parent_id = pa.array(item_ids[np.maximum(p, 0)], mask=none).cast(pa.string())
            take = pa.array(idx)
            w.write(pa.table({
                "platform": pa.repeat(world.platform, len(idx)),
                "item_id": pa.array(item_ids[idx]).cast(pa.string()),
                "kind": columns["kind"].take(take),
                "account_id": account_text.take(pa.array(author[idx])),
                "created_at": _ts(when[idx]),
                "parent_id": parent_id,
                "parent_account_id": account_text.take(pa.array(author[np.maximum(p, 0)], mask=none)),
                "root_id": parent_id,
                "target_id": account_text.take(pa.array(target[idx])),
                "text": columns["text"].take(take),
                "hashtags": columns["hashtags"].take(take),
                "media": columns["media"].take(take),
                "reaction": columns["reaction"].take(take),
                **({"urls": columns["urls"].take(take)} if "urls" in columns else {}),
            }))
        files.append(w.path)
    n_items = len(order)
    del columns, order
    # relations, by account, kind and the other end
    r = world.relations
    other = r.get("other", np.int64)
    rel_account = r.get("account", np.int64)
    rel_kind = r.get("kind")
    other_name = r.get("other_name")
    named = other < 0
    names, codes = np.unique(other_name[named].astype(str), return_inverse=True)
    other_key = account_num[np.maximum(other, 0)]
    other_key[named] = -1 - codes
    kinds, kind_code = np.unique(rel_kind.astype(str), return_inverse=True)
    order = np.lexsort((other_key, kind_code, account_num[rel_account]))
    added = r.get("added_at", np.int64)
    with _Writer(inp, "relations", fmt) as w:
        for start in range(0, len(order), _BATCH_ROWS):
            idx = order[start:start + _BATCH_ROWS]
            o = other[idx]
            w.write(pa.table({
                "platform": pa.repeat(world.platform, len(idx)),
                "account_id": account_text.take(pa.array(rel_account[idx])),
                "kind": pa.array(kinds[kind_code[idx]], pa.string()),
                "other_id": pc.if_else(pa.array(o >= 0), account_text.take(pa.array(np.maximum(o, 0))),
                                       pa.array(other_name[idx], pa.string())),
                "added_at": _ts(added[idx])}))
        files.append(w.path)
    n_relations = len(order)
    # accounts, with counts as the platform shows them
    n = a.n
    account = rel_account
    following = np.bincount(account, minlength=n) + np.bincount(other[(other >= 0) & (rel_kind == "friend")],
                                                                 minlength=n)
    followers = np.bincount(other[other >= 0], minlength=n) + np.bincount(account[rel_kind == "friend"], minlength=n)
    posts = np.bincount(author[it.get("kind") == "post"], minlength=n)
    del other_key, kind_code, order
    avatar = np.full(n, None, object)
    for m in media:
        if m["kind"] == "avatar":
            avatar[m["account"]] = m["path"]
    keep = np.flatnonzero(on_platform)
    accounts = pa.table({
        "platform": pa.array([world.platform] * len(keep)),
        "account_id": pa.array(account_ids[keep], pa.string()),
        "handle": pa.array(a.get("handle")[keep], pa.string()),
        "name": pa.array(a.get("name")[keep], pa.string()),
        "created_at": _ts(a.get("created_at", np.int64)[keep]),
        "bio": pa.array(a.get("bio")[keep], pa.string()),
        "location": pa.array(a.get("location")[keep], pa.string()),
        "followers_count": pa.array(followers[keep], pa.int64()),
        "following_count": pa.array(following[keep], pa.int64()),
        "items_count": pa.array(posts[keep], pa.int64()),
        "avatar": pa.array(avatar[keep], pa.string()),
        "status": pa.array(a.get("status")[keep], pa.string()),
    }).sort_by("account_id")
    media_table = pa.table({
        "platform": pa.array([world.platform] * len(media)),
        "media_id": pa.array([m["sha"] for m in media], pa.string()),
        "kind": pa.array([m["kind"] for m in media], pa.string()),
        "account_id": pa.array([account_ids[m["account"]] for m in media], pa.string()),
        "item_id": pa.array([str(item_ids[m["item"]]) if m["item"] >= 0 else None for m in media], pa.string()),
        "url": pa.array([None if on_disk else m["path"] for m in media], pa.string()),
        "path": pa.array([m["path"] if on_disk else None for m in media], pa.string()),
        "sha256": pa.array([m["sha"] if on_disk else None for m in media], pa.string()),
        "bytes": pa.array([m["bytes"] for m in media], pa.int64()),
        "uploaded_at": _ts(np.array([m["at"] for m in media], np.int64)),
    }).sort_by([("account_id", "ascending"), ("kind", "ascending"), ("media_id", "ascending")])
    files = [_write_table(accounts, inp, "accounts", fmt)] + files + [_write_table(media_table, inp, "media", fmt)]
    if world.preset.takedown:
        files.append(_write_table(_snapshots(world, account_ids), inp, "snapshots", fmt))
    files += write_chats(world, inp, account_ids, item_ids)
    files += write_site(world, inp)
    files += write_truth(world, out, account_ids, item_ids, media)
    return {"files": files, "image_bytes": image_bytes, "images": len({m["sha"] for m in media}) if images else 0,
            "rows": {"accounts": accounts.num_rows, "items": n_items, "relations": n_relations,
                     "media": media_table.num_rows, "site_comments": len(world.site_comments),
                     "chat_messages": sum(len(c["messages"]) for c in world.chats.values())}}


def _snapshots(world: World, account_ids: np.ndarray) -> pa.Table:
    """A check some weeks after the window, after the reporters' list went to the platform: most fakes
    are removed, a few remain; a sample of real accounts is seen active."""
    days, share = world.preset.takedown
    rng = np.random.default_rng([world.seed, 99])
    a = world.accounts
    on = np.flatnonzero(a.get("platform") == world.platform)
    fake = a.get("is_fake").astype(bool)[on]
    seen = on[fake | (rng.random(len(on)) < 0.05)]
    removed = a.get("is_fake").astype(bool)[seen] & (rng.random(len(seen)) < share)
    table = pa.table({"platform": pa.array([world.platform] * len(seen)),
                      "account_id": pa.array(account_ids[seen], pa.string()),
                      "seen_at": _ts(np.full(len(seen), world.t1 + days * 86_400)),
                      "status": pa.array(np.where(removed, "removed", "active"), pa.string())})
    return table.sort_by("account_id")


def _media_lists(media: list[dict], n: int) -> pa.Array:
    """The items' `media` column: the paths of the photos attached to each item (null for most)."""
    attached = sorted((m["item"], m["path"]) for m in media if m["item"] >= 0)
    counts = np.zeros(n, np.int64)
    for item, _path in attached:
        counts[item] += 1
    offsets = np.concatenate([[0], np.cumsum(counts)])
    values = pa.array([path for _item, path in attached], pa.string())
    return pa.ListArray.from_arrays(pa.array(offsets, pa.int32()), values, mask=pa.array(counts == 0))
