"""CrowdTangle exports, still held by many newsrooms after CrowdTangle closed in August 2024.

- The dashboard's CSV download ("Download" on a list or a saved search): for Facebook pages and groups
  the columns Page Name (or Group Name), User Name, Facebook Id, Page Category, Page Admin Top Country,
  Page Description, Page Created, Followers at Posting, Post Created, Type, Likes, Comments, Shares, Love,
  Wow, Haha, Sad, Angry, Care, Post Views, URL, Message, Link, Final Link, Image Text, Link Text,
  Description, Sponsor Id, Sponsor Name...; for Instagram Account, User Name, Followers at Posting, Post
  Created, Type, Likes, Comments, Views, URL, Link, Photo, Title, Description...
  Times are written in the dashboard's time zone with its abbreviation ("2019-02-07 10:15:00 EST").
- The API's JSON (/posts, /posts/search, /links): {"status": 200, "result": {"posts": [...]}}, one
  response per line or one per file; each post has platformId, date (UTC), message, postUrl, account{...},
  statistics.actual{...}, media[], expandedLinks[].

Posts become items and pages, groups and Instagram accounts become accounts. Facebook reactions of all
kinds are summed into like_count. Instagram posts are keyed by the media id their shortcode encodes, as
in the Instaloader and Zeeschuimer adapters; Instagram accounts by their user name (CrowdTangle gives no id).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import ijson

from ..errors import BadRecord, MissingColumns
from .base import REC, Adapter, Chunk, Context
from .canonical import csv_header, read_csv_text
from .collect import Rows, as_count, as_id, as_text, json_text, slices
from .instagram_node import shortcode_pk
from .media_link import MediaFiles
from .source import Source

__all__ = ["CROWDTANGLE_API", "CROWDTANGLE_CSV", "ZONE_OFFSETS"]

# Time zone abbreviations the dashboard writes, and their UTC offsets.
ZONE_OFFSETS = {"UTC": "+00:00", "GMT": "+00:00", "EST": "-05:00", "EDT": "-04:00", "CST": "-06:00",
                "CDT": "-05:00", "MST": "-07:00", "MDT": "-06:00", "PST": "-08:00", "PDT": "-07:00",
                "BST": "+01:00", "CET": "+01:00", "CEST": "+02:00", "EET": "+02:00", "EEST": "+03:00",
                "MSK": "+03:00", "AQTT": "+05:00", "UZT": "+05:00", "ALMT": "+06:00", "KGT": "+06:00",
                "QYZT": "+06:00", "AEST": "+10:00", "AEDT": "+11:00", "JST": "+09:00", "HKT": "+08:00"}
_REACTIONS = ("Likes", "Love", "Wow", "Haha", "Sad", "Angry", "Care")
_API_REACTIONS = ("likeCount", "loveCount", "wowCount", "hahaCount", "sadCount", "angryCount", "careCount",
                  "thankfulCount", "favoriteCount")
_STAMP = re.compile(r"^\s*([0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}(?::[0-9]{2})?)\s+([A-Za-z]{2,5})\s*$")
_FB_POST = re.compile(r"/(?:posts|permalink|videos|photos/[^/]+|reel)/([0-9]+)|story_fbid=([0-9]+)|fbid=([0-9]+)")
_IG_POST = re.compile(r"instagram\.com/(?:[^/]+/)?(?:p|reel|tv)/([A-Za-z0-9_-]+)")
_KNOWN = {"page name", "group name", "account", "user name", "facebook id", "page category", "page admin top country",
          "page description", "page created", "followers at posting", "post created", "post created date",
          "post created time", "likes", "comments", "shares", *(r.lower() for r in _REACTIONS), "url", "message",
          "link", "final link", "photo", "description", "title"}
_HINT = "Give the CSV file as CrowdTangle's dashboard downloaded it."


def _utc(value: str | None, where: str) -> str | None:
    """A dashboard time with its zone abbreviation as ISO text with an offset."""
    if not value:
        return None
    match = _STAMP.match(value)
    if match is None:
        return value  # ISO, or epoch: the store reads it (or says which record it cannot)
    offset = ZONE_OFFSETS.get(match.group(2).upper())
    if offset is None:
        raise BadRecord(f"{where}: the time {value!r} has a time zone trollscan does not know ({match.group(2)}).",
                        "Re-download the export with the dashboard set to UTC.")
    return f"{match.group(1)}{offset}"


# -- the dashboard's CSV ----------------------------------------------------------------------------

def _sniff_csv(source: Source) -> bool:
    if source.suffix not in (".csv", ".tsv", ".txt"):
        return False
    names = {h.lower() for h in csv_header(source)[0]}
    return "post created" in names and ("total interactions" in names or "facebook id" in names)


def _read_csv(source: Source, ctx: Context) -> Iterator[Chunk]:
    header, delimiter = csv_header(source)
    names = {h.lower(): h for h in header}
    if "url" not in names or "post created" not in names:
        raise MissingColumns(f"{source.name}: a CrowdTangle export needs the URL and Post Created columns.", _HINT)
    instagram = "facebook id" not in names
    if instagram and "user name" not in names:
        raise MissingColumns(f"{source.name}: a CrowdTangle export needs Facebook Id (Facebook) or "
                             "User Name (Instagram).", _HINT)
    rest = [h for h in header if h.lower() not in _KNOWN]
    files = MediaFiles(source.path.parent)
    rows = Rows()
    record = 2
    for batch in slices(read_csv_text(source, header, delimiter)):
        columns = {name.lower(): batch.column(i).to_pylist() for i, name in enumerate(batch.schema.names)}
        for i in range(batch.num_rows):
            row = {key: values[i] for key, values in columns.items()}
            where = f"{source.name}, row {record + i}"
            if instagram:
                _instagram_row(row, record + i, where, rows, files, rest)
            else:
                _facebook_row(row, record + i, where, rows, rest)
            if rows.full:
                yield from rows.chunks()
        record += batch.num_rows
    yield from rows.chunks()


def _extra(row: dict, rest: list[str], **more) -> str | None:
    return json_text({**more, **{name: row.get(name.lower()) for name in rest}})


def _facebook_row(row: dict, rec: int, where: str, rows: Rows, rest: list[str]) -> None:
    page, url = as_id(row.get("facebook id")), as_text(row.get("url"))
    if page is None or url is None:
        raise BadRecord(f"{where}: the post has no Facebook Id or no URL.", _HINT)
    found = _FB_POST.search(url)
    number = next((g for g in found.groups() if g), None) if found else None
    reactions = [as_count(row.get(r.lower())) for r in _REACTIONS]
    links = [u for u in dict.fromkeys((as_text(row.get("link")), as_text(row.get("final link")))) if u]
    rows.item({
        REC: rec, "platform": "facebook", "item_id": f"{page}_{number}" if number else url, "kind": "post",
        "account_id": page, "created_at": _utc(as_text(row.get("post created")), where), "target_id": page,
        "text": as_text(row.get("message")), "urls": links or None,
        "like_count": sum(r for r in reactions if r is not None) if any(r is not None for r in reactions) else None,
        "reply_count": as_count(row.get("comments")), "share_count": as_count(row.get("shares")),
        "extra": _extra(row, rest, url=url, description=row.get("description")),
    })
    rows.account({
        REC: rec, "platform": "facebook", "account_id": page, "handle": as_text(row.get("user name")),
        "name": as_text(row.get("page name") or row.get("group name")),
        "bio": as_text(row.get("page description")), "location": as_text(row.get("page admin top country")),
        "created_at": _utc(as_text(row.get("page created")), where),
        "followers_count": as_count(row.get("followers at posting")),
        "url": f"https://www.facebook.com/{page}",
        "extra": json_text({"category": row.get("page category")}),
    })


def _instagram_row(row: dict, rec: int, where: str, rows: Rows, files: MediaFiles, rest: list[str]) -> None:
    handle, url = as_text(row.get("user name")), as_text(row.get("url"))
    if handle is None or url is None:
        raise BadRecord(f"{where}: the post has no User Name or no URL.", _HINT)
    code = _IG_POST.search(url)
    item_id = (shortcode_pk(code.group(1)) if code else None) or url
    account = handle.lstrip("@").lower()
    photo = as_text(row.get("photo"))
    item = {
        REC: rec, "platform": "instagram", "item_id": item_id, "kind": "post", "account_id": account,
        "created_at": _utc(as_text(row.get("post created")), where),
        "text": as_text(row.get("description")) or as_text(row.get("message")),
        "urls": [as_text(row.get("link"))] if as_text(row.get("link")) else None, "media": [photo] if photo else None,
        "like_count": as_count(row.get("likes")), "reply_count": as_count(row.get("comments")),
        "extra": _extra(row, rest, url=url, shortcode=code.group(1) if code else None, title=row.get("title")),
    }
    rows.item(item)
    rows.account({REC: rec, "platform": "instagram", "account_id": account, "handle": handle.lstrip("@"),
                  "name": as_text(row.get("account")), "followers_count": as_count(row.get("followers at posting")),
                  "url": f"https://www.instagram.com/{handle.lstrip('@')}"})
    if photo:
        media = files.row(platform="instagram", kind="photo", rec=rec, url=photo, account_id=account,
                          item_id=item_id, uploaded_at=item["created_at"])
        if media is not None:
            rows.media(media)


# -- the API's JSON -----------------------------------------------------------------------------------

def _sniff_api(source: Source) -> bool:
    if source.suffix not in (".json", ".jsonl", ".ndjson", ".txt", ""):
        return False
    head = source.head.lstrip()
    return bool(re.match(rb'\{\s*"status"\s*:\s*[0-9]+\s*,\s*"result"\s*:\s*\{', head)) and b'"posts"' in head


def _read_api(source: Source, ctx: Context) -> Iterator[Chunk]:
    files = MediaFiles(source.path.parent)
    rows = Rows()
    number = 0
    hint = "Save each CrowdTangle API response whole, one per line."
    with source.open_binary() as f:
        try:
            for number, response in enumerate(ijson.items(f, "", multiple_values=True, use_float=True), start=1):
                result = response.get("result") if isinstance(response, dict) else None
                if not isinstance(result, dict) or not isinstance(result.get("posts", []), list):
                    raise BadRecord(f"{source.name}, response {number}: not a CrowdTangle API response "
                                    "(no result.posts list).", hint)
                for post in result.get("posts") or []:
                    if isinstance(post, dict):
                        _api_post(post, number, f"{source.name}, response {number}", rows, files)
                if rows.full:
                    yield from rows.chunks()
        except ijson.JSONError as exc:
            raise BadRecord(f"{source.name}, response {number + 1}: not valid JSON "
                            f"({str(exc).splitlines()[0][:120]}).", hint) from None
    yield from rows.chunks()


def _api_post(post: dict, rec: int, where: str, rows: Rows, files: MediaFiles) -> None:
    account = post.get("account") if isinstance(post.get("account"), dict) else {}
    platform = "instagram" if str(post.get("platform") or account.get("platform") or "").lower() == "instagram" \
        else "facebook"
    handle = as_text(account.get("handle"))
    owner = as_id(account.get("platformId")) if platform == "facebook" else (handle or "").lower() or None
    url = as_text(post.get("postUrl"))
    code = _IG_POST.search(url or "")
    item_id = (shortcode_pk(code.group(1)) if platform == "instagram" and code else None) \
        or as_id(post.get("platformId")) or url
    if owner is None or item_id is None:
        raise BadRecord(f"{where}: a post has no platformId or no account.", "Save the API responses whole.")
    actual = (post.get("statistics") or {}).get("actual") or {}
    reactions = [as_count(actual.get(k)) for k in _API_REACTIONS]
    photos = [as_text(m.get("full") or m.get("url")) for m in post.get("media") or []
              if isinstance(m, dict) and m.get("type") == "photo"]
    links = [as_text(x.get("expanded") or x.get("original")) for x in post.get("expandedLinks") or []
             if isinstance(x, dict)] or ([as_text(post.get("link"))] if post.get("link") and post.get("type")
                                         not in ("photo", "album", "status") else [])
    item = {
        REC: rec, "platform": platform, "item_id": item_id, "kind": "post", "account_id": owner,
        "created_at": as_text(post.get("date")), "target_id": owner if platform == "facebook" else None,
        "text": as_text(post.get("message")) or as_text(post.get("description")),
        "language": as_text(post.get("languageCode")), "urls": [u for u in links if u] or None,
        "media": [p for p in photos if p] or None,
        "like_count": sum(r for r in reactions if r is not None) if any(r is not None for r in reactions) else None,
        "reply_count": as_count(actual.get("commentCount")), "share_count": as_count(actual.get("shareCount")),
        "extra": json_text({"url": url, "type": post.get("type"), "crowdtangle_id": as_id(post.get("id"))}),
    }
    rows.item(item)
    rows.account_and_avatar({
        REC: rec, "platform": platform, "account_id": owner, "handle": handle, "name": as_text(account.get("name")),
        "bio": as_text(account.get("pageDescription")), "location": as_text(account.get("pageAdminTopCountry")),
        "created_at": as_text(account.get("pageCreatedDate")), "url": as_text(account.get("url")),
        "followers_count": as_count(account.get("subscriberCount")),
        "verified": account.get("verified") if isinstance(account.get("verified"), bool) else None,
        "avatar": as_text(account.get("profileImage")),
        "extra": json_text({"type": account.get("accountType"), "category": account.get("pageCategory")}),
    }, files)
    for photo in item["media"] or []:
        media = files.row(platform=platform, kind="photo", rec=rec, url=photo, account_id=owner, item_id=item_id,
                          uploaded_at=item["created_at"])
        if media is not None:
            rows.media(media)



CROWDTANGLE_CSV = Adapter("crowdtangle", "CrowdTangle dashboard CSV download (Facebook or Instagram posts)", "row",
                          _sniff_csv, _read_csv)
CROWDTANGLE_API = Adapter("crowdtangle-api", "CrowdTangle API JSON responses (/posts, /posts/search)", "response",
                          _sniff_api, _read_api)
