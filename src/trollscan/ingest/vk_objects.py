"""VK API objects (users, communities, wall posts, comments) as canonical rows.

Ids follow VK's own notation: a user is its number ("1234"), a community `club<N>` (what vk.com/club<N>
shows; VK writes it as the negative owner id -N). A wall post is `<owner_id>_<post_id>`, as in
vk.com/wall-1_5; a comment is `<owner_id>_c<comment_id>` (comment ids are unique per wall).
"""

from __future__ import annotations

import re

from .base import REC
from .collect import as_count, as_id, as_text, json_text

__all__ = ["account_id", "comment_id", "comment_row", "group_row", "post_id", "post_rows", "user_row"]

_HASHTAG = re.compile(r"#(\w+)")
_MENTION = re.compile(r"\[(id|club|public|event)([0-9]+)\|")
_STATUS = {"deleted": "removed", "banned": "suspended"}


def account_id(value: object) -> str | None:
    """A user id as its number, a community (negative id) as club<N>."""
    text = as_id(value)
    if text is None or not re.fullmatch(r"-?[0-9]+", text):
        return None
    return f"club{text[1:]}" if text.startswith("-") else text


def post_id(owner: object, post: object) -> str | None:
    owner, post = as_id(owner), as_id(post)
    return f"{owner}_{post}" if owner and post else None


def comment_id(owner: object, comment: object) -> str | None:
    owner, comment = as_id(owner), as_id(comment)
    return f"{owner}_c{comment}" if owner and comment else None


def _photo_url(photo: object) -> str | None:
    """The largest size of a VK photo object (sizes[], orig_photo, or the old photo_NNN fields)."""
    if not isinstance(photo, dict):
        return None
    orig = photo.get("orig_photo")
    if isinstance(orig, dict) and orig.get("url"):
        return as_text(orig["url"])
    sizes = [s for s in photo.get("sizes") or [] if isinstance(s, dict) and s.get("url")]
    if sizes:
        best = max(sizes, key=lambda s: (as_count(s.get("width")) or 0) * (as_count(s.get("height")) or 0))
        return as_text(best["url"])
    for key in ("photo_2560", "photo_1280", "photo_807", "photo_604", "photo_130", "photo_75"):
        if photo.get(key):
            return as_text(photo[key])
    return None


def user_row(user: dict, rec: int) -> dict | None:
    """An account from a users.get / friends.get user object (with whatever fields were asked for)."""
    uid = account_id(user.get("id"))
    if uid is None or uid.startswith("club"):
        return None
    counters = user.get("counters") if isinstance(user.get("counters"), dict) else {}
    handle = as_text(user.get("screen_name") or user.get("domain"))
    if handle and re.fullmatch(r"id[0-9]+", handle):
        handle = None
    name = " ".join(p for p in (as_text(user.get("first_name")), as_text(user.get("last_name"))) if p) or None
    city = user.get("city") if isinstance(user.get("city"), dict) else {}
    country = user.get("country") if isinstance(user.get("country"), dict) else {}
    status = _STATUS.get(str(user.get("deactivated") or ""))
    if status is None and "is_closed" in user:
        status = "private" if user.get("is_closed") is True else "active"
    last_seen = user.get("last_seen") if isinstance(user.get("last_seen"), dict) else {}
    return {
        REC: rec, "platform": "vk", "account_id": uid, "handle": handle, "name": name,
        "bio": as_text(user.get("about")) or as_text(user.get("status")),
        "location": ", ".join(p for p in (as_text(city.get("title")), as_text(country.get("title"))) if p) or None,
        "url": f"https://vk.com/{handle or 'id' + uid}",
        "followers_count": as_count(user.get("followers_count")) or as_count(counters.get("followers")),
        "following_count": as_count(counters.get("friends")),
        "items_count": as_count(counters.get("posts")),
        "verified": bool(user["verified"]) if isinstance(user.get("verified"), (int, bool)) else None,
        "avatar": as_text(user.get("photo_max_orig") or user.get("photo_400_orig") or user.get("photo_200_orig")
                          or user.get("photo_max") or user.get("photo_200") or user.get("photo_100")),
        "status": status,
        "extra": json_text({"bdate": user.get("bdate"), "sex": user.get("sex"), "status": user.get("status")
                            if user.get("about") else None, "home_town": user.get("home_town"),
                            "site": user.get("site"), "last_seen": last_seen.get("time"),
                            "last_seen_platform": last_seen.get("platform"),
                            "counters": {k: v for k, v in counters.items() if k not in ("followers", "friends",
                                                                                         "posts")}}),
    }


def group_row(group: dict, rec: int) -> dict | None:
    """An account from a community object (groups.get extended, the `groups` of a wall response)."""
    gid = as_id(group.get("id"))
    if gid is None or not gid.lstrip("-").isdigit():
        return None
    gid = gid.lstrip("-")
    handle = as_text(group.get("screen_name"))
    status = _STATUS.get(str(group.get("deactivated") or ""))
    return {REC: rec, "platform": "vk", "account_id": f"club{gid}", "handle": handle,
            "name": as_text(group.get("name")), "bio": as_text(group.get("description")),
            "url": f"https://vk.com/{handle or 'club' + gid}",
            "followers_count": as_count(group.get("members_count")),
            "verified": bool(group["verified"]) if isinstance(group.get("verified"), (int, bool)) else None,
            "avatar": as_text(group.get("photo_200") or group.get("photo_100")),
            "status": status or ("private" if group.get("is_closed") in (1, 2) else None),
            "extra": json_text({"type": group.get("type")})}


def _text_parts(text: str | None) -> tuple[list[str] | None, list[str] | None]:
    if not text:
        return None, None
    tags = _HASHTAG.findall(text)
    mentions = [n if kind == "id" else f"club{n}" for kind, n in _MENTION.findall(text)]
    return tags or None, mentions or None


def _attachments(obj: dict) -> tuple[list[tuple[str, str]], list[str]]:
    """(kind, url) of attached photos and videos, and the URLs of attached links."""
    media, links = [], []
    for att in obj.get("attachments") or []:
        if not isinstance(att, dict):
            continue
        kind, body = att.get("type"), att.get(att.get("type")) if isinstance(att.get("type"), str) else None
        if not isinstance(body, dict):
            continue
        if kind == "photo" and _photo_url(body):
            media.append(("photo", _photo_url(body)))
        elif kind == "video" and as_id(body.get("owner_id")) and as_id(body.get("id")):
            media.append(("video", f"https://vk.com/video{as_id(body['owner_id'])}_{as_id(body['id'])}"))
        elif kind == "link" and body.get("url"):
            links.append(as_text(body["url"]))
    return media, [u for u in links if u]


def post_rows(post: dict, rec: int) -> list[tuple[dict, list[tuple[str, str]]]]:
    """A wall post and the posts it reposts (copy_history), each as (item, media); [] without ids."""
    item_id = post_id(post.get("owner_id") or post.get("to_id"), post.get("id"))
    author = account_id(post.get("from_id") or post.get("owner_id"))
    if item_id is None or author is None:
        return []
    history = [p for p in post.get("copy_history") or [] if isinstance(p, dict)]
    originals = [r for p in history[:1] for r in post_rows(p, rec)]
    text = as_text(post.get("text"))
    tags, mentions = _text_parts(text)
    media, links = _attachments(post)
    point = str((post.get("geo") or {}).get("coordinates") or "").split() if isinstance(post.get("geo"), dict) \
        else []
    source = post.get("post_source") if isinstance(post.get("post_source"), dict) else {}
    original = originals[0][0] if originals else None
    item = {
        REC: rec, "platform": "vk", "item_id": item_id, "kind": "share" if original else "post",
        "account_id": author, "created_at": as_text(post.get("date")),
        "parent_id": original["item_id"] if original else None,
        "parent_account_id": original["account_id"] if original else None,
        "target_id": account_id(post.get("owner_id") or post.get("to_id")),
        "text": text, "hashtags": tags, "mentions": mentions, "urls": links or None,
        "media": [u for _k, u in media] or None,
        "client": as_text(source.get("platform") or source.get("type")),
        "like_count": as_count(post.get("likes")), "reply_count": as_count(post.get("comments")),
        "share_count": as_count(post.get("reposts")),
        "latitude": point[0] if len(point) == 2 else None, "longitude": point[1] if len(point) == 2 else None,
        "extra": json_text({"views": as_count(post.get("views")), "signer_id": as_id(post.get("signer_id")),
                            "is_pinned": post.get("is_pinned") or None,
                            "marked_as_ads": post.get("marked_as_ads") or None,
                            "post_type": post.get("post_type") if post.get("post_type") != "post" else None}),
    }
    return [(item, media), *originals]


def comment_row(comment: dict, rec: int, *, owner: str, post: str, thread_parent: str | None = None
                ) -> tuple[dict, list[tuple[str, str]]] | None:
    """A comment of wall.getComments (or an answer in its thread) as (item, media); None without ids."""
    item_id = comment_id(owner, comment.get("id"))
    author = account_id(comment.get("from_id"))
    if item_id is None or author is None:
        return None
    reply_to = comment_id(owner, comment.get("reply_to_comment")) if comment.get("reply_to_comment") else None
    parent = reply_to or thread_parent
    text = as_text(comment.get("text"))
    tags, mentions = _text_parts(text)
    media, links = _attachments(comment)
    item = {
        REC: rec, "platform": "vk", "item_id": item_id, "kind": "reply" if parent else "comment",
        "account_id": author, "created_at": as_text(comment.get("date")),
        "parent_id": parent or post_id(owner, post), "root_id": post_id(owner, post),
        "parent_account_id": account_id(comment.get("reply_to_user")),
        "target_id": account_id(owner), "text": text, "hashtags": tags, "mentions": mentions,
        "urls": links or None, "media": [u for _k, u in media] or None,
        "like_count": as_count(comment.get("likes")),
        "reply_count": as_count(comment.get("thread")),
    }
    return item, media
