"""Zeeschuimer captures and 4CAT NDJSON datasets: Instagram, TikTok, Facebook and Threads items as the
platform's web app received them.

Zeeschuimer (a browser extension) exports one captured item per line:
{"nav_index", "item_id", "timestamp_collected", "source_platform", "source_platform_url", "source_url",
"user_agent", "data": <the platform's own object>}. 4CAT, after the upload, offers the same items as
NDJSON with the capture fields moved into "__import_meta". Both are read here.

`source_platform` says which module captured the item (instagram.com, instagram-comments, tiktok.com,
tiktok-comments, facebook.com, facebook-comments, threads.net...). Instagram and Threads objects are
mapped by `instagram_node.py` (Threads profiles are Instagram accounts: platform instagram, client
"threads"), Facebook's by `facebook_story.py`, TikTok's here. Items from other platforms are counted and
skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import orjson

from .. import settings
from ..errors import BadRecord
from .base import REC, Adapter, Chunk, Context
from .canonical import json_lines
from .collect import Rows, as_count, as_id, as_text, json_text
from .facebook_story import feedback_rows, story_rows
from .instagram_node import comment_rows, post_rows, tags_in
from .media_link import MediaFiles
from .source import Source

__all__ = ["ZEESCHUIMER"]

_HINT = "Each line must be one item as Zeeschuimer exports it (or a 4CAT NDJSON dataset download)."
_CAPTURE = re.compile(rb'"(timestamp_collected|source_platform|__import_meta)"\s*:')
_PLATFORMS = (("threads", "threads"), ("instagram", "instagram"), ("tiktok", "tiktok"), ("facebook", "facebook"))


# -- detection ------------------------------------------------------------------------------------

def _first_line(source: Source) -> bytes:
    head = source.head
    if b"\n" in head or len(head) < settings.get("sniff_bytes"):
        return head.split(b"\n", 1)[0]
    limit = settings.get("read_block_bytes")
    with source.open_binary(progress=False) as f:
        return f.readline(limit)


def _sniff(source: Source) -> bool:
    if source.suffix not in (".ndjson", ".jsonl", ".json", ".txt", ""):
        return False
    if not source.head.lstrip().startswith(b"{"):
        return False
    first = _first_line(source)
    if _CAPTURE.search(first) is None:
        return False
    try:
        obj = orjson.loads(first)
    except orjson.JSONDecodeError:
        return False
    return isinstance(obj, dict) and _envelope(obj) is not None


def _envelope(obj: dict) -> tuple[dict, dict] | None:
    """(capture metadata, the platform's object) of a line, or None when it is neither shape."""
    if isinstance(obj.get("data"), dict) and "source_platform" in obj and "timestamp_collected" in obj:
        return obj, obj["data"]
    meta = obj.get("__import_meta")
    if isinstance(meta, dict) and "source_platform" in meta:
        return meta, {k: v for k, v in obj.items() if k != "__import_meta"}
    return None


# -- reading --------------------------------------------------------------------------------------

def _read(source: Source, ctx: Context) -> Iterator[Chunk]:
    rows = Rows()
    files = MediaFiles(source.path.parent)
    lines = json_lines(source)
    while True:
        try:
            number, obj = next(lines)
        except StopIteration:
            break
        except BadRecord as exc:
            raise BadRecord(exc.message, _HINT) from None
        found = _envelope(obj) if isinstance(obj, dict) else None
        if found is None:
            raise BadRecord(f"{source.name}, line {number}: not a Zeeschuimer item (no \"data\" with "
                            "\"source_platform\", and no \"__import_meta\").", _HINT)
        meta, data = found
        _item(source, ctx, rows, files, number, str(meta.get("source_platform") or ""), data)
        if rows.full:
            yield from rows.chunks()
    yield from rows.chunks()


def _platform(source_platform: str) -> str | None:
    lowered = source_platform.lower()
    return next((ours for word, ours in _PLATFORMS if word in lowered), None)


def _item(source: Source, ctx: Context, rows: Rows, files: MediaFiles, number: int, captured_by: str,
          data: dict) -> None:
    platform = _platform(captured_by)
    if platform is None:
        ctx.skip(f"item captured from {captured_by[:40] or 'an unnamed platform'} (not read by trollscan)")
        return
    if platform == "tiktok":
        ok = _tiktok_comment(data, number, rows, files) if "cid" in data else _tiktok(data, number, rows, files)
    elif platform == "facebook":
        ok = _facebook(data, number, rows, files, ctx)
    elif platform == "instagram" and ("comment_id" in data or ("post_id" in data and "taken_at" not in data)):
        ok = _instagram_comment(data, number, rows, files)
    else:
        if data.get("product_type") == "ad":
            ctx.skip("Instagram ad")
            return
        ok = _instagram(data, number, rows, files, client="threads" if platform == "threads" else None)
    if not ok:
        raise BadRecord(f"{source.name}, line {number}: the {captured_by} item has no id or no author id.",
                        "Capture it again with an up-to-date Zeeschuimer; its format may have changed.")


def _media(rows: Rows, files: MediaFiles, platform: str, item: dict, kind: str, url: str | None,
           rec: int) -> None:
    if url:
        row = files.row(platform=platform, kind=kind, rec=rec, url=url, account_id=item["account_id"],
                        item_id=item["item_id"], uploaded_at=item.get("created_at"))
        if row is not None:
            rows.media(row)


def _instagram(data: dict, number: int, rows: Rows, files: MediaFiles, *, client: str | None) -> bool:
    post = post_rows(data, number, client=client)
    if post is None:
        return False
    rows.item(post.item)
    rows.account_and_avatar(post.account, files)
    for kind, url in post.media:
        _media(rows, files, "instagram", post.item, kind, url, number)
    return True


def _instagram_comment(data: dict, number: int, rows: Rows, files: MediaFiles) -> bool:
    found = comment_rows(data, number, post_id=as_id(data.get("post_id")), target_id=None)
    if found is None:
        return False
    item, account = found
    rows.item(item)
    rows.account_and_avatar(account, files)
    return True


def _facebook(data: dict, number: int, rows: Rows, files: MediaFiles, ctx: Context) -> bool:
    if data.get("__typename") == "Feedback" or "comment_rendering_instance_for_feed_location" in data:
        found = False
        for item, author in feedback_rows(data, number):
            rows.item(item)
            rows.account_and_avatar(author, files)
            found = True
        if not found:
            ctx.skip("Facebook comments capture with no readable comment")
        return True
    story = story_rows(data, number)
    if story is None:
        return False
    item, author, photos = story
    rows.item(item)
    rows.account_and_avatar(author, files)
    for url in photos:
        _media(rows, files, "facebook", item, "photo", url, number)
    return True


def _tiktok_author(data: dict, number: int) -> dict | None:
    author = data.get("author")
    stats = data.get("authorStats") if isinstance(data.get("authorStats"), dict) else {}
    if isinstance(author, dict):
        account_id = as_id(author.get("id") or author.get("uid"))
        handle = as_text(author.get("uniqueId") or author.get("unique_id"))
        avatar = author.get("avatarLarger") or author.get("avatarMedium") or author.get("avatarThumb")
        name, bio = as_text(author.get("nickname")), as_text(author.get("signature"))
        verified, private = author.get("verified"), author.get("privateAccount")
    else:  # older captures: the author's handle, with its id beside it
        account_id, handle, avatar = as_id(data.get("authorId")), as_text(author), None
        name = bio = verified = private = None
    if account_id is None:
        return None
    return {REC: number, "platform": "tiktok", "account_id": account_id, "handle": handle, "name": name,
            "bio": bio, "verified": verified if isinstance(verified, bool) else None,
            "avatar": as_text(avatar) if isinstance(avatar, str) else _first_url(avatar),
            "url": f"https://www.tiktok.com/@{handle}" if handle else None,
            "followers_count": as_count(stats.get("followerCount")),
            "following_count": as_count(stats.get("followingCount")),
            "items_count": as_count(stats.get("videoCount")),
            "status": "private" if private is True else None}


def _first_url(value: object) -> str | None:
    urls = value.get("url_list") if isinstance(value, dict) else None
    return as_text(urls[0]) if isinstance(urls, list) and urls else None


def _tiktok(data: dict, number: int, rows: Rows, files: MediaFiles) -> bool:
    account = _tiktok_author(data, number)
    item_id = as_id(data.get("id"))
    if account is None or item_id is None:
        return False
    stats = data.get("stats") if isinstance(data.get("stats"), dict) else {}
    text = as_text(data.get("desc"))
    extras = [e for e in data.get("textExtra") or [] if isinstance(e, dict)]
    tags = [as_text(c.get("title")) for c in data.get("challenges") or [] if isinstance(c, dict)] or \
        [as_text(e.get("hashtagName")) for e in extras if e.get("hashtagName")]
    mentions = [as_text(e.get("userUniqueId")) for e in extras if e.get("userUniqueId")] or tags_in(text)[1]
    music = data.get("music") if isinstance(data.get("music"), dict) else {}
    item = {
        REC: number, "platform": "tiktok", "item_id": item_id, "kind": "post", "account_id": account["account_id"],
        "created_at": as_text(data.get("createTime")), "text": text,
        "hashtags": [t for t in tags if t] or None, "mentions": [m for m in mentions or [] if m] or None,
        "like_count": as_count(stats.get("diggCount")), "reply_count": as_count(stats.get("commentCount")),
        "share_count": as_count(stats.get("shareCount")),
        "extra": json_text({"plays": as_count(stats.get("playCount")), "saves": as_count(stats.get("collectCount")),
                            "music": as_text(music.get("title")), "music_author": as_text(music.get("authorName")),
                            "location": as_text(data.get("locationCreated")), "is_ad": data.get("isAd") or None}),
    }
    video = data.get("video") if isinstance(data.get("video"), dict) else {}
    photos = [_first_url(i.get("imageURL")) for i in (data.get("imagePost") or {}).get("images") or []
              if isinstance(i, dict)]
    media = [("photo", p) for p in photos if p] or ([("video", as_text(video.get("playAddr")))]
                                                    if video.get("playAddr") else [])
    item["media"] = [url for _k, url in media] or None
    rows.item(item)
    rows.account_and_avatar(account, files)
    for kind, url in media:
        _media(rows, files, "tiktok", item, kind, url, number)
    return True


def _tiktok_comment(data: dict, number: int, rows: Rows, files: MediaFiles) -> bool:
    user = data.get("user") if isinstance(data.get("user"), dict) else {}
    account_id, item_id, post_id = as_id(user.get("uid") or user.get("id")), as_id(data.get("cid")), \
        as_id(data.get("aweme_id"))
    if account_id is None or item_id is None:
        return False
    handle = as_text(user.get("unique_id"))
    account = {REC: number, "platform": "tiktok", "account_id": account_id, "handle": handle,
               "name": as_text(user.get("nickname")), "avatar": _first_url(user.get("avatar_thumb")),
               "url": f"https://www.tiktok.com/@{handle}" if handle else None}
    reply_to = as_id(data.get("reply_id"))
    parent = reply_to if reply_to not in (None, "0") else None
    text = as_text(data.get("text"))
    tags, mentions = tags_in(text)
    rows.item({REC: number, "platform": "tiktok", "item_id": item_id, "kind": "reply" if parent else "comment",
               "account_id": account_id, "created_at": as_text(data.get("create_time")),
               "parent_id": parent or post_id, "root_id": post_id, "text": text, "hashtags": tags,
               "mentions": mentions, "language": as_text(data.get("comment_language")),
               "like_count": as_count(data.get("digg_count")),
               "reply_count": as_count(data.get("reply_comment_total"))})
    rows.account_and_avatar(account, files)
    return True


ZEESCHUIMER = Adapter("zeeschuimer", "Zeeschuimer or 4CAT NDJSON: Instagram, TikTok, Facebook, Threads items",
                      "line", _sniff, _read)
