"""twarc2 JSON Lines: Twitter/X API v2 responses as twarc2 writes them, raw or flattened.

`twarc2 search|timeline|conversation ...` writes one API response per line:
{"data": [tweets], "includes": {"users", "tweets", "media", "places"}, "meta", "__twarc"}.
`twarc2 flatten` rewrites that as one tweet per line with the referenced objects expanded in place:
"author", "in_reply_to_user", "referenced_tweets" (full tweets with their own "author"),
"attachments.media" and user objects merged into "entities.mentions".

Tweets become items, users accounts, attached photos and videos and profile photos media rows.
Tweet and user fields with no canonical column are kept in `extra` as JSON.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator

import orjson

from .. import settings
from ..errors import BadRecord
from .base import REC, Adapter, Chunk, Context, rows_to_table
from .canonical import json_lines
from .source import Source

__all__ = ["TWARC2", "TWARC2_FLAT"]

_KIND = {"retweeted": "share", "quoted": "quote", "replied_to": "reply"}  # in order of precedence
_TWEET_FIELDS = {"id", "text", "author_id", "created_at", "conversation_id", "in_reply_to_user_id",
                 "referenced_tweets", "entities", "public_metrics", "lang", "source", "geo", "attachments",
                 "note_tweet",
                 # added by `twarc2 flatten`: loaded as their own rows, or collection metadata
                 "author", "in_reply_to_user", "__twarc", "type"}
_USER_FIELDS = {"id", "username", "name", "created_at", "description", "location", "public_metrics",
                "verified", "profile_image_url", "url", "protected", "__twarc"}
_COUNTS = {"retweet_count": "share_count", "reply_count": "reply_count", "like_count": "like_count",
           "quote_count": "quote_count"}
_MEDIA_KIND = {"photo": "photo", "video": "video", "animated_gif": "video"}

_RESPONSE_START = re.compile(rb'^\s*\{\s*"(data|includes|errors|meta)"\s*:')


# -- detection ------------------------------------------------------------------------------------

def _first_object(source: Source) -> tuple[dict | None, bytes]:
    """The first line parsed when it fits in the sniffed head (API pages often do not), and its start."""
    if source.suffix not in (".jsonl", ".ndjson", ".json", ".txt", ""):
        return None, b""
    head = source.head.lstrip()
    if not head.startswith(b"{"):
        return None, b""
    first, newline, _rest = head.partition(b"\n")
    if newline or len(source.head) < settings.get("sniff_bytes"):  # a whole line, or the whole file
        try:
            obj = orjson.loads(first)
        except orjson.JSONDecodeError:
            return None, first
        return (obj if isinstance(obj, dict) else None), first
    return None, first


def _sniff_response(source: Source) -> bool:
    obj, first = _first_object(source)
    if obj is not None:
        return _is_response(obj)
    # a response longer than the head: it starts with one of the response's keys, and its first
    # entry reads like a tweet or a user
    return bool(_RESPONSE_START.match(first)) and (b'"author_id"' in first or b'"username"' in first
                                                   or b'"errors"' in first[:200])


def _is_response(obj: dict) -> bool:
    return isinstance(obj.get("data"), list) or (
        "data" not in obj and isinstance(obj.get("errors"), list) and ("__twarc" in obj or "title" in obj
                                                                        or "meta" in obj))


def _sniff_flat(source: Source) -> bool:
    obj, first = _first_object(source)
    if obj is not None:
        return _is_flat(obj)
    return (not _RESPONSE_START.match(first) and b'"author_id"' in first and b'"author"' in first
            and b'"text"' in first)


def _is_flat(obj: dict) -> bool:
    return all(k in obj for k in ("id", "text", "author_id")) and isinstance(obj.get("author"), dict)


# -- reading --------------------------------------------------------------------------------------

class _Batch:
    """Rows of one batch, with accounts, items and media each given once."""

    def __init__(self) -> None:
        self.items: dict[str, dict] = {}
        self.clashes: list[dict] = []  # a repeated item id with other content: the store reports it
        self.accounts: dict[str, dict] = {}
        self.media: dict[tuple, dict] = {}
        self.size = 0  # rows added, for handing over batches of a bounded size

    def add_item(self, row: dict) -> None:
        self.size += 1
        had = self.items.get(row["item_id"])
        if had is None:
            self.items[row["item_id"]] = row
        elif any(had.get(k) != row.get(k) for k in ("kind", "account_id", "created_at", "text")):
            self.clashes.append(row)

    def add_account(self, row: dict) -> None:
        self.size += 1
        had = self.accounts.get(row["account_id"])
        if had is None:
            self.accounts[row["account_id"]] = row
            return
        for key, value in row.items():  # first non-empty value wins, as in the store
            if had.get(key) in (None, "") and value not in (None, ""):
                had[key] = value

    def add_media(self, row: dict) -> None:
        key = (row["media_id"], row["kind"], row.get("account_id"), row.get("item_id"))
        self.media.setdefault(key, row)

    def chunks(self) -> Iterator[Chunk]:
        if self.items:
            yield Chunk("items", rows_to_table("items", [*self.items.values(), *self.clashes]))
        if self.accounts:
            yield Chunk("accounts", rows_to_table("accounts", self.accounts.values()))
        if self.media:
            yield Chunk("media", rows_to_table("media", self.media.values()))


def _records(source: Source, hint: str) -> Iterator[tuple[int, object]]:
    """json_lines with this format's hint on a broken line."""
    lines = json_lines(source)
    while True:
        try:
            yield next(lines)
        except StopIteration:
            return
        except BadRecord as exc:
            raise BadRecord(exc.message, hint) from None


def _batched(source: Source, hint: str, load) -> Iterator[Chunk]:
    """Feed each line to `load(number, obj, batch)`; hand over a batch every batch_rows rows."""
    limit = settings.get("batch_rows")
    batch = _Batch()
    for number, obj in _records(source, hint):
        if not isinstance(obj, dict):
            raise BadRecord(f"{source.name}, line {number}: a JSON {type(obj).__name__}, not an object.", hint)
        load(number, obj, batch)
        if batch.size >= limit:
            yield from batch.chunks()
            batch = _Batch()
    yield from batch.chunks()


def _read_response(source: Source, ctx: Context) -> Iterator[Chunk]:
    hint = "Each line must be one complete API response, as `twarc2 search` writes them."
    missing_media = partial_errors = 0

    def load(number: int, obj: dict, batch: _Batch) -> None:
        nonlocal missing_media, partial_errors
        data = obj.get("data")
        if data is None and isinstance(obj.get("errors"), list):
            ctx.skip("API error response")
            return
        if data is None and (obj.get("meta") or {}).get("result_count") == 0:
            ctx.skip("API response with no tweets")
            return
        if not isinstance(data, list):
            why = ("one tweet, as `twarc2 flatten` writes them; pass --format twarc2-flat"
                   if _is_flat(obj) else "no 'data' list")
            raise BadRecord(f"{source.name}, line {number}: not a twarc2 API response ({why}).", hint)
        partial_errors += len(obj.get("errors") or [])
        includes = obj.get("includes") or {}
        users = {u["id"]: u for u in includes.get("users") or [] if isinstance(u, dict) and "id" in u}
        media = {m["media_key"]: m for m in includes.get("media") or [] if isinstance(m, dict)
                 and "media_key" in m}
        tweets = {t["id"]: t for t in includes.get("tweets") or [] if isinstance(t, dict) and "id" in t}
        places = {p["id"]: p for p in includes.get("places") or [] if isinstance(p, dict) and "id" in p}
        for user in users.values():
            _user(user, number, batch)
        if not data:
            ctx.skip("API response with no tweets")
        for entry in data:
            if isinstance(entry, dict) and "username" in entry and "text" not in entry:
                _user(entry, number, batch)  # users lookups, followers, following
            elif isinstance(entry, dict) and "text" in entry:
                missing_media += _tweet(_with_place(entry, places), number, batch, ctx, tweets, media)
            else:
                ctx.skip("data entry that is neither a tweet nor a user")
        for tweet in tweets.values():
            missing_media += _tweet(_with_place(tweet, places), number, batch, ctx, tweets, media)

    yield from _batched(source, hint, load)
    if partial_errors:
        ctx.notes.append(f"the API reported {partial_errors} errors beside the data (tweets or users it "
                         "did not return, usually deleted, withheld or protected); they are not in the case")
    if missing_media:
        ctx.notes.append(f"{missing_media} attached media keys had no entry in includes.media; "
                         "their items list only the media they do have")


def _with_place(tweet: dict, places: dict) -> dict:
    """The tweet with its place merged into `geo`, as `twarc2 flatten` does."""
    geo = tweet.get("geo")
    place = places.get(geo.get("place_id")) if isinstance(geo, dict) else None
    return {**tweet, "geo": {**geo, **place}} if place else tweet


def _read_flat(source: Source, ctx: Context) -> Iterator[Chunk]:
    hint = "Each line must be one complete tweet, as `twarc2 flatten` writes them."

    def load(number: int, obj: dict, batch: _Batch) -> None:
        if not _is_flat(obj):
            why = ("an API response; pass --format twarc2" if "data" in obj or "errors" in obj
                   else "it needs id, text, author_id and author")
            raise BadRecord(f"{source.name}, line {number}: not a flattened tweet ({why}).", hint)
        _flat_tweet(obj, number, batch, ctx)

    yield from _batched(source, hint, load)


def _flat_tweet(tweet: dict, number: int, batch: _Batch, ctx: Context) -> None:
    refs = {r["id"]: r for r in tweet.get("referenced_tweets") or [] if isinstance(r, dict) and "id" in r}
    media = {m["media_key"]: m for m in (tweet.get("attachments") or {}).get("media") or []
             if isinstance(m, dict) and "media_key" in m}
    for user in (tweet.get("author"), tweet.get("in_reply_to_user")):
        if isinstance(user, dict) and "id" in user:
            _user(user, number, batch)
    for mention in (tweet.get("entities") or {}).get("mentions") or []:
        if isinstance(mention, dict) and "id" in mention and "created_at" in mention:  # a full user
            _user({k: v for k, v in mention.items() if k not in ("start", "end")}, number, batch)
    _tweet(tweet, number, batch, ctx, refs, media)
    for ref in refs.values():
        if "text" in ref:  # expanded; a deleted or withheld tweet stays {type, id}
            _flat_tweet({k: v for k, v in ref.items() if k != "type"}, number, batch, ctx)


def _tweet(tweet: dict, number: int, batch: _Batch, ctx: Context, tweets: dict, media: dict) -> int:
    """Add one tweet (and its media) to the batch; the number of its media keys not found."""
    item_id, author = _id(tweet.get("id")), _id(tweet.get("author_id"))
    if item_id is None or author is None:
        ctx.skip("tweet without id or author_id")
        return 0
    kind, parent, parent_account, others = "post", None, None, []
    refs = [r for r in tweet.get("referenced_tweets") or [] if isinstance(r, dict)]
    for ref_type in _KIND:
        ref = next((r for r in refs if r.get("type") == ref_type), None)
        if ref is not None:
            kind, parent = _KIND[ref_type], _id(ref.get("id"))
            others = [{"type": r.get("type"), "id": r.get("id")} for r in refs if r is not ref]
            break
    if kind == "reply":
        parent_account = _id(tweet.get("in_reply_to_user_id"))
    if parent_account is None and parent is not None:
        parent_account = _id((tweets.get(parent) or {}).get("author_id"))
    entities = tweet.get("entities") or {}
    metrics = tweet.get("public_metrics") or {}
    note = tweet.get("note_tweet") or {}
    urls_found, missing = [], 0
    for key in (tweet.get("attachments") or {}).get("media_keys") or []:
        item = media.get(key)
        url = _media_url(item) if item else None
        if url is None:
            missing += 1
            continue
        urls_found.append(url)
        batch.add_media({"platform": "twitter", "media_id": _sha256(url),
                         "kind": _MEDIA_KIND.get(item.get("type"), "other"),
                         "account_id": author, "item_id": item_id, "url": url, REC: number})
    point = ((tweet.get("geo") or {}).get("coordinates") or {}).get("coordinates")
    row = {
        "platform": "twitter",
        "item_id": item_id,
        "kind": kind,
        "account_id": author,
        "created_at": tweet.get("created_at"),
        "parent_id": parent,
        "parent_account_id": parent_account,
        "root_id": _id(tweet.get("conversation_id")),
        "text": note.get("text") or tweet.get("text"),
        "language": tweet.get("lang"),
        "urls": [u.get("expanded_url") or u.get("url") for u in entities.get("urls") or []
                 if isinstance(u, dict) and (u.get("expanded_url") or u.get("url"))],
        "hashtags": [h["tag"] for h in entities.get("hashtags") or [] if isinstance(h, dict) and h.get("tag")],
        "mentions": [_id(m.get("id")) or m.get("username") for m in entities.get("mentions") or []
                     if isinstance(m, dict) and (m.get("id") or m.get("username"))],
        "media": urls_found,
        "client": tweet.get("source"),
        **{ours: metrics.get(theirs) for theirs, ours in _COUNTS.items()},
        "latitude": point[1] if _is_point(point) else None,
        "longitude": point[0] if _is_point(point) else None,
        "extra": _extra(tweet, _TWEET_FIELDS - ({"in_reply_to_user_id"} if kind != "reply" else set()), {
            "referenced_tweets": others,
            "entities": _rest(entities, ("hashtags", "urls", "mentions")),
            "public_metrics": _rest(metrics, _COUNTS),
            "geo": _rest(tweet.get("geo") or {}, ("coordinates",)),
            "attachments": _rest(tweet.get("attachments") or {}, ("media_keys", "media")),
            "note_tweet": _rest(note, ("text",)),
        }),
        REC: number,
    }
    batch.add_item(row)
    return missing


def _user(user: dict, number: int, batch: _Batch) -> None:
    account_id = _id(user.get("id"))
    if account_id is None:
        return
    metrics = user.get("public_metrics") or {}
    avatar = user.get("profile_image_url") or None
    entities = user.get("entities") or {}
    site = next((u.get("expanded_url") for u in (entities.get("url") or {}).get("urls") or []
                 if isinstance(u, dict) and u.get("expanded_url")), None)
    protected = user.get("protected")
    batch.add_account({
        "platform": "twitter",
        "account_id": account_id,
        "handle": user.get("username"),
        "name": user.get("name"),
        "created_at": user.get("created_at"),
        "bio": user.get("description"),
        "location": user.get("location"),
        "url": site or user.get("url") or None,
        "followers_count": metrics.get("followers_count"),
        "following_count": metrics.get("following_count"),
        "items_count": metrics.get("tweet_count"),
        "verified": user.get("verified"),
        "avatar": avatar,
        "status": None if protected is None else "private" if protected else "active",
        "extra": _extra(user, _USER_FIELDS | {"entities"}, {
            "public_metrics": _rest(metrics, ("followers_count", "following_count", "tweet_count")),
            "entities": _rest(entities, ("url",) if site else ()),
        }),
        REC: number,
    })
    if avatar:
        batch.add_media({"platform": "twitter", "media_id": _sha256(avatar), "kind": "avatar",
                         "account_id": account_id, "url": avatar, REC: number})


def _media_url(media: dict) -> str | None:
    """A photo's URL; for a video or GIF its preview image, else its best MP4."""
    if media.get("url"):
        return media["url"]
    if media.get("preview_image_url"):
        return media["preview_image_url"]
    variants = [v for v in media.get("variants") or [] if isinstance(v, dict) and v.get("url")]
    variants.sort(key=lambda v: v.get("bit_rate") or 0, reverse=True)
    return variants[0]["url"] if variants else None


def _extra(obj: dict, mapped: Iterable[str], partly: dict[str, object]) -> str | None:
    """Fields of `obj` with no canonical column (and the unmapped rest of partly mapped ones), as JSON."""
    mapped = set(mapped)
    kept = {k: v for k, v in obj.items() if k not in mapped and k not in partly and v is not None}
    kept.update({k: v for k, v in partly.items() if v})
    return orjson.dumps(kept).decode() if kept else None


def _rest(obj: dict, mapped: Iterable[str]) -> dict:
    return {k: v for k, v in obj.items() if k not in mapped} if isinstance(obj, dict) else {}


def _is_point(point: object) -> bool:
    return isinstance(point, list) and len(point) == 2 and all(isinstance(x, (int, float)) for x in point)


def _id(value: object) -> str | None:
    if value is None or value == "":
        return None
    return str(value)


def _sha256(url: str) -> str:
    return hashlib.sha256(url.encode("utf-8")).hexdigest()


TWARC2 = Adapter("twarc2", "twarc2 JSON Lines: X/Twitter API v2 responses, one per line", "line",
                 _sniff_response, _read_response)
TWARC2_FLAT = Adapter("twarc2-flat", "twarc2 flatten output: one X/Twitter API v2 tweet per line", "line",
                      _sniff_flat, _read_flat)
