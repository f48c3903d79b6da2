"""Meta Content Library exports: Facebook and Instagram posts, pages, groups and profiles.

Researchers with Meta Content Library access download search results as CSV from the web UI, or save
Content Library API results (the Researcher Platform's Python or R client) as CSV or JSON. Columns use
the API field names of Meta's data dictionary, nested fields with dots (a CSV column
`post_owner.name`, a JSON object {"post_owner": {"name": ...}}): id, creation_time, text, lang,
post_owner.{id,name,username,type}, surface.{id,name,type}, statistics.{reaction_count,like_count,
comment_count,share_count,views}, multimedia, link_attachment.link. Page, group and profile exports
(id, name, username, about, description, verification_status, page_categories, followers_count,
member_count, creation_time) become accounts.

Meta Content Library ids are its own: they cannot be matched with ids from other tools. Facebook and
Instagram files look alike; the adapter tells them apart by Instagram's like_count (or the file name),
or takes --platform.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import ijson
import orjson

from ..errors import BadRecord, MissingColumns
from .base import REC, Adapter, Chunk, Context
from .canonical import csv_header, read_csv_text
from .collect import Rows, as_count, as_id, as_text, json_text, slices
from .instagram_node import tags_in
from .media_link import MediaFiles
from .source import Source

__all__ = ["MCL_CSV", "MCL_JSON", "flatten"]

_HINT = "Give the file as Meta Content Library (or its API client) saved it, with the data dictionary's field names."
_POST_FIELDS = {"id", "creation_time", "text", "lang", "post_owner.id", "post_owner.name", "post_owner.username",
                "post_owner.type", "surface.id", "surface.name", "surface.type", "statistics.reaction_count",
                "statistics.like_count", "statistics.comment_count", "statistics.share_count", "statistics.views",
                "multimedia", "link_attachment.link"}
_ACCOUNT_MARKS = {"verification_status", "page_categories", "member_count", "privacy", "followers_count", "about"}


def flatten(obj: dict, prefix: str = "") -> dict:
    """Nested objects as one level with dotted names; lists stay values."""
    out: dict = {}
    for key, value in obj.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            out.update(flatten(value, name + "."))
        else:
            out[name] = value
    return out


def _kind(fields: set[str]) -> str | None:
    if "post_owner.id" in fields and "creation_time" in fields:
        return "post"
    if {"id", "name"} <= fields and fields & _ACCOUNT_MARKS:
        return "account"
    return None


def _platform(source: Source, ctx: Context, fields: set[str]) -> str:
    if ctx.platform in ("facebook", "instagram"):
        return ctx.platform
    name = source.inner_name.lower()
    if "instagram" in name or "_ig_" in name or name.startswith("ig_"):
        return "instagram"
    if "facebook" in name or "_fb_" in name or name.startswith("fb_"):
        return "facebook"
    if "statistics.like_count" in fields and "statistics.reaction_count" not in fields:
        return "instagram"
    return "facebook"


# -- CSV ----------------------------------------------------------------------------------------------

def _sniff_csv(source: Source) -> bool:
    if source.suffix not in (".csv", ".tsv", ".txt"):
        return False
    fields = {h.strip().lower() for h in csv_header(source)[0]}
    return _kind(fields) == "post" or (_kind(fields) == "account" and "verification_status" in fields)


def _read_csv(source: Source, ctx: Context) -> Iterator[Chunk]:
    header, delimiter = csv_header(source)
    fields = {h.strip().lower() for h in header}
    kind = _kind(fields)
    if kind is None:
        raise MissingColumns(f"{source.name}: neither a posts export (id, creation_time, post_owner.id) nor a "
                             "pages/groups export (id, name, verification_status).", _HINT)
    platform = _platform(source, ctx, fields)
    files = MediaFiles(source.path.parent)
    rows = Rows()
    record = 2
    for batch in slices(read_csv_text(source, header, delimiter)):
        columns = {name.strip().lower(): batch.column(i).to_pylist() for i, name in enumerate(batch.schema.names)}
        for i in range(batch.num_rows):
            _record({k: v[i] for k, v in columns.items()}, record + i, f"{source.name}, row {record + i}",
                    kind, platform, rows, files)
            if rows.full:
                yield from rows.chunks()
        record += batch.num_rows
    yield from rows.chunks()


# -- JSON -----------------------------------------------------------------------------------------------

def _sniff_json(source: Source) -> bool:
    if source.suffix not in (".json", ".jsonl", ".ndjson"):
        return False
    head = source.head.lstrip()
    return (head.startswith((b"[", b"{")) and b'"post_owner' in head and b'"creation_time"' in head) or (
        head.startswith((b"[", b"{")) and b'"verification_status"' in head and b'"name"' in head)


def _read_json(source: Source, ctx: Context) -> Iterator[Chunk]:
    files = MediaFiles(source.path.parent)
    rows = Rows()
    array = source.head.lstrip().startswith(b"[")
    number = 0
    with source.open_binary() as f:
        records = ijson.items(f, "item", use_float=True) if array else \
            ijson.items(f, "", multiple_values=True, use_float=True)
        kind = platform = None
        try:
            for number, obj in enumerate(records, start=1):
                if not isinstance(obj, dict):
                    raise BadRecord(f"{source.name}, record {number}: a record is not a JSON object.", _HINT)
                flat = {k.lower(): v for k, v in flatten(obj).items()}
                if kind is None:
                    kind = _kind(set(flat))
                    if kind is None:
                        raise BadRecord(f"{source.name}, record {number}: neither a post (id, creation_time, "
                                        "post_owner) nor a page or group (id, name, verification_status).", _HINT)
                    platform = _platform(source, ctx, set(flat))
                _record(flat, number, f"{source.name}, record {number}", kind, platform, rows, files)
                if rows.full:
                    yield from rows.chunks()
        except ijson.JSONError as exc:
            raise BadRecord(f"{source.name}, record {number + 1}: not valid JSON "
                            f"({str(exc).splitlines()[0][:120]}).", _HINT) from None
    yield from rows.chunks()


# -- records --------------------------------------------------------------------------------------------

def _record(row: dict, rec: int, where: str, kind: str, platform: str, rows: Rows, files: MediaFiles) -> None:
    if kind == "post":
        _post(row, rec, where, platform, rows, files)
    else:
        account = _account(row, rec, platform)
        if account is None:
            raise BadRecord(f"{where}: the page, group or profile has no id.", _HINT)
        rows.account_and_avatar(account, files)


def _list(value: object) -> list:
    if isinstance(value, list):
        return value
    if isinstance(value, str) and value.strip().startswith("["):
        try:
            parsed = orjson.loads(value)
        except orjson.JSONDecodeError:
            return []
        return parsed if isinstance(parsed, list) else []
    return []


def _post(row: dict, rec: int, where: str, platform: str, rows: Rows, files: MediaFiles) -> None:
    item_id, owner = as_id(row.get("id")), as_id(row.get("post_owner.id"))
    if item_id is None or owner is None:
        raise BadRecord(f"{where}: the post has no id or no post_owner.id.", _HINT)
    text = as_text(row.get("text"))
    tags, mentions = tags_in(text)
    surface = as_id(row.get("surface.id"))
    media = []
    for entry in _list(row.get("multimedia")):
        if isinstance(entry, dict) and entry.get("url"):
            kind = "video" if str(entry.get("type", "")).lower() == "video" else "photo"
            media.append((kind, as_text(entry["url"])))
    link = as_text(row.get("link_attachment.link"))
    item = {
        REC: rec, "platform": platform, "item_id": item_id, "kind": "share" if row.get("shared_post_id") else "post",
        "account_id": owner, "created_at": as_text(row.get("creation_time")),
        "parent_id": as_id(row.get("shared_post_id")),
        "target_id": surface if surface and surface != owner else None,
        "text": text, "language": as_text(row.get("lang")), "hashtags": tags, "mentions": mentions,
        "urls": [link] if link else None, "media": [u for _k, u in media] or None,
        "like_count": as_count(row.get("statistics.reaction_count") if row.get("statistics.reaction_count")
                               not in (None, "") else row.get("statistics.like_count")),
        "reply_count": as_count(row.get("statistics.comment_count")),
        "share_count": as_count(row.get("statistics.share_count")),
        "extra": json_text({"views": as_count(row.get("statistics.views")), "match_type": row.get("match_type"),
                            "is_branded_content": row.get("is_branded_content"),
                            "surface": as_text(row.get("surface.name")), "surface_type": row.get("surface.type"),
                            "owner_type": row.get("post_owner.type"),
                            **{k: v for k, v in row.items() if k not in _POST_FIELDS and k.startswith("statistics.")
                               and v not in (None, "")}}),
    }
    rows.item(item)
    owner_handle = as_text(row.get("post_owner.username"))
    rows.account({REC: rec, "platform": platform, "account_id": owner, "handle": owner_handle,
                  "name": as_text(row.get("post_owner.name")),
                  "extra": json_text({"type": row.get("post_owner.type")})})
    if surface and surface != owner and row.get("surface.name"):
        rows.account({REC: rec, "platform": platform, "account_id": surface, "name": as_text(row.get("surface.name")),
                      "extra": json_text({"type": row.get("surface.type")})})
    for kind, url in media:
        found = files.row(platform=platform, kind=kind, rec=rec, url=url, account_id=owner, item_id=item_id,
                          uploaded_at=item["created_at"])
        if found is not None:
            rows.media(found)


def _account(row: dict, rec: int, platform: str) -> dict | None:
    account_id = as_id(row.get("id"))
    if account_id is None:
        return None
    verification = str(row.get("verification_status") or row.get("is_verified") or "").strip().lower()
    city, country = as_text(row.get("location.city")), as_text(row.get("location.country"))
    return {
        REC: rec, "platform": platform, "account_id": account_id, "handle": as_text(row.get("username")),
        "name": as_text(row.get("name")),
        "bio": as_text(row.get("about")) or as_text(row.get("description")) or as_text(row.get("bio")),
        "created_at": as_text(row.get("creation_time")),
        "location": ", ".join(p for p in (city, country) if p) or None,
        "followers_count": as_count(row.get("followers_count") if row.get("followers_count") not in (None, "")
                                    else row.get("member_count") or row.get("members_count")
                                    or row.get("likes_count")),
        "verified": True if re.fullmatch(r"verified|true|1|blue_verified", verification) else
        False if verification in ("not_verified", "false", "0", "unverified") else None,
        "avatar": as_text(row.get("profile_picture_url")),
        "extra": json_text({k: row.get(k) for k in ("page_categories", "privacy", "website", "type")}),
    }


MCL_CSV = Adapter("meta-content-library", "Meta Content Library CSV: Facebook/Instagram posts, pages or groups",
                  "row", _sniff_csv, _read_csv)
MCL_JSON = Adapter("meta-content-library-json", "Meta Content Library JSON or JSON Lines (API client results)",
                   "record", _sniff_json, _read_json)
