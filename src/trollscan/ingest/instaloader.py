"""Instaloader's download folders: post metadata, comments, profile metadata and the pictures beside them.

`instaloader --comments PROFILE` writes, in a folder named for the profile:
- `<date>_UTC.json.xz` (or `.json` with --no-compress-json): {"node": <GraphQL post>, "instaloader": {"node_type":
  "Post", ...}}, with the post's pictures as `<date>_UTC.jpg` (a carousel: `<date>_UTC_1.jpg`, `_2.jpg`...)
  and videos as `.mp4`;
- `<date>_UTC_comments.json`: a JSON list of comments, each with its `answers`;
- `<profile>_<id>.json.xz`: {"node": <profile>, "instaloader": {"node_type": "Profile"}}, and the profile
  pictures as `<date>_UTC_profile_pic.jpg`;
- `<date>_UTC.txt` captions and an `id` file, which repeat what the JSON holds (left out of folder loads).

Posts and comments become items, owners and commenters accounts, pictures media rows with the file's
sha256 (or the URL when the picture was not downloaded).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import ijson
import orjson

from .. import settings
from ..errors import BadFile, BadRecord, TooLarge, TrollscanError
from .base import Adapter, Chunk, Context
from .collect import Rows
from .instagram_node import comment_rows, post_rows, profile_row
from .media_link import MediaFiles
from .source import Source

__all__ = ["INSTALOADER", "INSTALOADER_COMMENTS", "companion_file"]

_NODE_START = re.compile(rb'^\s*\{\s*"node"\s*:\s*\{')
_NODE_KEYS = re.compile(rb'"(instaloader|shortcode|__typename|edge_followed_by|taken_at_timestamp)"')
_PROFILE_FILE = re.compile(r"^(.+)_([0-9]+)\.json(\.xz)?$")
_PROFILE_PIC = re.compile(r"^([0-9]{4}-[0-9]{2}-[0-9]{2})_([0-9]{2})-([0-9]{2})-([0-9]{2})_UTC_profile_pic\.jpg$")
_JSON = re.compile(r"\.json(\.xz)?$")
_PHOTO_SUFFIXES = (".jpg", ".png", ".webp", ".heic")
_HINT = "Download the profile again with Instaloader (it writes one JSON file per post)."


def companion_file(path: Path) -> bool:
    """Instaloader's caption `.txt`, location `.txt` and `id` files: they repeat what its JSON files hold."""
    name = path.name
    if name == "id":
        return any(_PROFILE_FILE.match(p.name) for p in path.parent.glob("*.json*"))
    if not name.endswith(".txt"):
        return False
    stem = name[:-4].removesuffix("_location")
    for suffix in (".json", ".json.xz"):
        sibling = path.parent / f"{stem}{suffix}"
        if sibling.is_file():
            try:
                return bool(_NODE_START.match(Source(sibling).head))
            except TrollscanError:
                return False
    return False


# -- detection ------------------------------------------------------------------------------------

def _sniff(source: Source) -> bool:
    if source.suffix != ".json":
        return False
    head = source.head
    return bool(_NODE_START.match(head)) and _NODE_KEYS.search(head) is not None


def _sniff_comments(source: Source) -> bool:
    if not source.inner_name.endswith("_comments.json"):
        return False
    head = source.head.lstrip()
    return head.startswith(b"[") and (head[1:].lstrip().startswith(b"]") or b'"owner"' in head)


# -- one post or profile ----------------------------------------------------------------------------

def _document(source: Source) -> dict:
    limit = settings.get("read_block_bytes")
    with source.open_binary() as f:
        data = f.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(f"{source.name}: the JSON document is longer than the {limit:,} bytes accepted.",
                       "If it is genuine, raise TROLLSCAN_READ_BLOCK_BYTES.")
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        reason = "the file is cut short (truncated JSON)" if not data.rstrip().endswith(b"}") else \
            str(exc).split(":")[0]
        raise BadRecord(f"{source.name}, object 1: not valid JSON: {reason}.", _HINT) from None
    if not isinstance(doc, dict) or not isinstance(doc.get("node"), dict):
        raise BadRecord(f"{source.name}, object 1: no \"node\" object; not an Instaloader metadata file.", _HINT)
    return doc


def _node_type(doc: dict) -> str:
    said = (doc.get("instaloader") or {}).get("node_type") if isinstance(doc.get("instaloader"), dict) else None
    if said:
        return str(said)
    node = doc["node"]
    if "shortcode" in node or "taken_at_timestamp" in node:
        return "Post"
    return "Profile" if "username" in node else "unknown"


def _read(source: Source, ctx: Context) -> Iterator[Chunk]:
    doc = _document(source)
    node, kind = doc["node"], _node_type(doc)
    files = MediaFiles(source.path.parent)
    rows = Rows()
    if kind in ("Post", "StoryItem"):
        _post(source, node, rows, files)
    elif kind == "Profile":
        _profile(source, node, rows, files)
    else:
        ctx.skip(f"Instaloader {kind[:40]} metadata (not a post or a profile)")
    yield from rows.chunks()


def _post(source: Source, node: dict, rows: Rows, files: MediaFiles) -> None:
    post = post_rows(node, 1)
    if post is None:
        raise BadRecord(f"{source.name}, object 1: the post has no id or no owner id.", _HINT)
    rows.item(post.item)
    rows.account_and_avatar(post.account, files)
    stem = _JSON.sub("", source.path.name)
    folder = source.path.parent
    for number, (kind, url) in enumerate(post.media, start=1):
        base = stem if len(post.media) == 1 else f"{stem}_{number}"
        suffixes = (".mp4",) if kind == "video" else _PHOTO_SUFFIXES
        on_disk = next((folder / (base + s) for s in suffixes if (folder / (base + s)).is_file()), None)
        row = files.row(platform="instagram", kind=kind, rec=1, url=url, path=on_disk,
                        account_id=post.item["account_id"], item_id=post.item["item_id"],
                        uploaded_at=post.item["created_at"])
        if row is not None:
            rows.media(row)


def _profile(source: Source, node: dict, rows: Rows, files: MediaFiles) -> None:
    account = profile_row(node, 1)
    if account is None:
        raise BadRecord(f"{source.name}, object 1: the profile has no id.", _HINT)
    rows.account_and_avatar(account, files)
    folder = source.path.parent
    profiles = [p for p in folder.glob("*.json*") if _PROFILE_FILE.match(p.name)]
    if len(profiles) != 1:  # pictures in a folder shared by several profiles cannot be told apart
        return
    for pic in sorted(folder.glob("*_UTC_profile_pic.jpg")):
        match = _PROFILE_PIC.match(pic.name)
        when = f"{match[1]} {match[2]}:{match[3]}:{match[4]}" if match else None
        row = files.row(platform="instagram", kind="avatar", rec=1, path=pic, account_id=account["account_id"],
                        uploaded_at=when)
        if row is not None:
            rows.media(row)


# -- comments ---------------------------------------------------------------------------------------

def _post_of(source: Source) -> tuple[str | None, str | None]:
    """The id and owner id of the post the comments answer, from its metadata file beside them."""
    stem = source.inner_name.removesuffix("_comments.json")
    for suffix in (".json", ".json.xz"):
        sibling = source.path.parent / f"{stem}{suffix}"
        if sibling.is_file():
            doc = _document(Source(sibling))
            post = post_rows(doc["node"], 1)
            if post is not None:
                return post.item["item_id"], post.item["account_id"]
    return None, None


def _read_comments(source: Source, ctx: Context) -> Iterator[Chunk]:
    post_id, owner = _post_of(source)
    if post_id is None:
        ctx.notes.append("the post these comments answer has no metadata file beside them "
                         f"({source.inner_name.removesuffix('_comments.json')}.json); they are loaded without it")
    files = MediaFiles(source.path.parent)
    rows = Rows()
    number = 0
    with source.open_binary() as f:
        try:
            for number, comment in enumerate(ijson.items(f, "item", use_float=True), start=1):
                if not isinstance(comment, dict):
                    raise BadRecord(f"{source.name}, comment {number}: a comment is not a JSON object.", _HINT)
                _comment(source, ctx, rows, files, comment, number, post_id, owner)
                if rows.full:
                    yield from rows.chunks()
        except ijson.JSONError as exc:
            reason = ("the file ends in the middle of it (truncated download)"
                      if "incomplete" in str(exc).lower() or "premature" in str(exc).lower()
                      else f"not valid JSON ({str(exc).splitlines()[0][:120]})")
            raise BadRecord(f"{source.name}, comment {number + 1}: {reason}.", _HINT) from None
        except UnicodeDecodeError:
            raise BadFile(f"{source.name}, comment {number + 1}: the text is not valid UTF-8.", _HINT) from None
    yield from rows.chunks()


def _comment(source: Source, ctx: Context, rows: Rows, files: MediaFiles, comment: dict, number: int,
             post_id: str | None, owner: str | None) -> None:
    found = comment_rows(comment, number, post_id=post_id, target_id=owner)
    if found is None:
        raise BadRecord(f"{source.name}, comment {number}: the comment has no id or no owner id.", _HINT)
    item, account = found
    rows.item(item)
    rows.account_and_avatar(account, files)
    for answer in comment.get("answers") or []:
        if not isinstance(answer, dict):
            ctx.skip("answer that is not a JSON object")
            continue
        found = comment_rows(answer, number, post_id=post_id, target_id=owner, parent_id=item["item_id"])
        if found is None:
            raise BadRecord(f"{source.name}, comment {number}: an answer has no id or no owner id.", _HINT)
        answer_item, answer_account = found
        answer_item["parent_account_id"] = item["account_id"]
        rows.item(answer_item)
        rows.account_and_avatar(answer_account, files)


INSTALOADER = Adapter("instaloader", "Instaloader post or profile metadata (<date>_UTC.json.xz, <profile>_<id>.json.xz)",
                      "object", _sniff, _read)
INSTALOADER_COMMENTS = Adapter("instaloader-comments", "Instaloader comments of a post (<date>_UTC_comments.json)",
                               "comment", _sniff_comments, _read_comments)
