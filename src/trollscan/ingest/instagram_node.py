"""Instagram's own objects (posts, comments, profiles) as rows: shared by the Instaloader and Zeeschuimer
adapters, which both keep what Instagram's web app received.

Two shapes of post exist: the older GraphQL node (`__typename` GraphImage/GraphVideo/GraphSidecar,
`shortcode`, `taken_at_timestamp`, `owner`, `edge_media_to_caption`, as Instaloader stores it) and the
newer item-list object (`pk`, `code`, `taken_at`, `user`, `caption.text`, `image_versions2`,
`carousel_media`, as the web app and Threads receive it). Posts are keyed by their numeric media id
(`pk`), which comments also name; the shortcode is kept in `extra`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .base import REC
from .collect import as_count, as_id, as_text, json_text

__all__ = ["Post", "comment_rows", "post_rows", "profile_row", "shortcode_pk", "tags_in", "user_row"]

_HASHTAG = re.compile(r"#(\w+)")
_MENTION = re.compile(r"@([\w.]+)")


@dataclass
class Post:
    item: dict
    account: dict | None
    media: list[tuple[str, str]] = field(default_factory=list)  # (photo|video, url), in the post's order


def tags_in(text: str | None) -> tuple[list[str] | None, list[str] | None]:
    """Hashtags and @mentions written in a caption or comment, in order."""
    if not text:
        return None, None
    tags = _HASHTAG.findall(text)
    mentions = [m.rstrip(".") for m in _MENTION.findall(text)]
    return tags or None, mentions or None


def user_row(user: object, rec: int, platform: str = "instagram") -> dict | None:
    """An account from an Instagram user object (owner, user, comment author), in any of its spellings."""
    if not isinstance(user, dict):
        return None
    account_id = as_id(user.get("pk") or user.get("pk_id") or user.get("id"))
    if account_id is None:
        return None
    handle = as_text(user.get("username") or user.get("unique_id"))
    private = user.get("is_private")
    return {
        REC: rec, "platform": platform, "account_id": account_id, "handle": handle,
        "name": as_text(user.get("full_name") or user.get("nickname")),
        "verified": user.get("is_verified") if isinstance(user.get("is_verified"), bool) else user.get("verified"),
        "avatar": as_text(user.get("profile_pic_url_hd") or user.get("profile_pic_url") or user.get("avatar_thumb")),
        "url": f"https://www.instagram.com/{handle}" if handle else None,
        "status": "private" if private is True else None,
    }


def profile_row(node: dict, rec: int) -> dict | None:
    """An account from a profile node (Instaloader's <profile>_<id>.json), with its counts and bio."""
    row = user_row(node, rec)
    if row is None:
        return None
    row.update(
        bio=as_text(node.get("biography")),
        followers_count=as_count(node.get("edge_followed_by") or node.get("follower_count")),
        following_count=as_count(node.get("edge_follow") or node.get("following_count")),
        items_count=as_count(node.get("edge_owner_to_timeline_media") or node.get("media_count")),
        status="private" if node.get("is_private") is True else "active",
        extra=json_text({k: node.get(k) for k in ("external_url", "category_name", "business_category_name",
                                                   "is_business_account", "is_professional_account")}),
    )
    return row


def _caption(node: dict) -> str | None:
    caption = node.get("caption")
    if isinstance(caption, dict):
        return as_text(caption.get("text"))
    if isinstance(caption, str):
        return caption or None
    edges = (node.get("edge_media_to_caption") or {}).get("edges") or []
    if edges and isinstance(edges[0], dict):
        return as_text((edges[0].get("node") or {}).get("text"))
    return None


def _best(candidates: object) -> str | None:
    if isinstance(candidates, list) and candidates and isinstance(candidates[0], dict):
        return as_text(candidates[0].get("url") or candidates[0].get("src"))
    return None


def _one_media(node: dict) -> tuple[str, str] | None:
    video = node.get("video_url") or _best(node.get("video_versions"))
    if video and (node.get("is_video") or node.get("media_type") == 2 or node.get("__typename") == "GraphVideo"):
        return "video", video
    photo = node.get("display_url") or _best((node.get("image_versions2") or {}).get("candidates"))
    return ("photo", photo) if photo else None


def _media(node: dict) -> list[tuple[str, str]]:
    children = node.get("carousel_media")
    if not isinstance(children, list):
        edges = (node.get("edge_sidecar_to_children") or {}).get("edges")
        children = [e.get("node") for e in edges if isinstance(e, dict)] if isinstance(edges, list) else None
    if children:
        return [m for m in (_one_media(c) for c in children if isinstance(c, dict)) if m]
    one = _one_media(node)
    return [one] if one else []


def post_rows(node: dict, rec: int, *, platform: str = "instagram", client: str | None = None) -> Post | None:
    """A post (its item, author and media); None when it has no id or no author id."""
    item_id = as_id(node.get("pk")) or (as_id(node.get("id")) or "").split("_")[0] or None
    account = user_row(node.get("user") or node.get("owner"), rec, platform)
    if item_id is None or account is None:
        return None
    text = _caption(node)
    tags, mentions = tags_in(text)
    location = node.get("location") if isinstance(node.get("location"), dict) else {}
    threads = node.get("text_post_app_info") if isinstance(node.get("text_post_app_info"), dict) else {}
    reply_to = threads.get("reply_to_author") if isinstance(threads.get("reply_to_author"), dict) else None
    code = as_text(node.get("code") or node.get("shortcode"))
    item = {
        REC: rec, "platform": platform, "item_id": item_id, "kind": "reply" if reply_to else "post",
        "account_id": account["account_id"],
        "created_at": as_text(node.get("taken_at") or node.get("taken_at_timestamp")),
        "parent_account_id": as_id(reply_to.get("pk") or reply_to.get("id")) if reply_to else None,
        "text": text, "hashtags": tags, "mentions": mentions, "client": client,
        "like_count": as_count(node.get("like_count") if "like_count" in node else
                               node.get("edge_media_preview_like") or node.get("edge_liked_by")),
        "reply_count": as_count(threads.get("direct_reply_count") if "direct_reply_count" in threads else
                                node.get("comment_count") if "comment_count" in node else
                                node.get("edge_media_to_comment") or node.get("edge_media_preview_comment")),
        "share_count": as_count(threads.get("repost_count")),
        "quote_count": as_count(threads.get("quote_count")),
        "latitude": location.get("lat"), "longitude": location.get("lng"),
        "extra": json_text({
            "shortcode": code, "product_type": node.get("product_type"), "location": location.get("name"),
            "accessibility_caption": node.get("accessibility_caption"),
            "views": node.get("play_count") or node.get("view_count") or node.get("video_view_count"),
            "reply_to": reply_to.get("username") if reply_to else None,
        }),
    }
    post = Post(item, account, _media(node))
    item["media"] = [url for _kind, url in post.media] or None
    return post


def comment_rows(comment: dict, rec: int, *, post_id: str | None, target_id: str | None,
                 parent_id: str | None = None) -> tuple[dict, dict] | None:
    """A comment (or an answer to one, when `parent_id` names it) and its author; None without ids."""
    comment_id = as_id(comment.get("pk") or comment.get("id"))
    account = user_row(comment.get("owner") or comment.get("user"), rec)
    if comment_id is None or account is None:
        return None
    parent = parent_id or as_id(comment.get("parent_comment_id"))
    text = as_text(comment.get("text"))
    tags, mentions = tags_in(text)
    item = {
        REC: rec, "platform": "instagram", "item_id": comment_id, "kind": "reply" if parent else "comment",
        "account_id": account["account_id"],
        "created_at": as_text(comment.get("created_at") or comment.get("created_at_utc")),
        "parent_id": parent or post_id, "root_id": post_id, "target_id": target_id,
        "text": text, "hashtags": tags, "mentions": mentions,
        "like_count": as_count(comment.get("likes_count") if "likes_count" in comment else
                               comment.get("comment_like_count") if "comment_like_count" in comment else
                               comment.get("edge_liked_by")),
        "reply_count": as_count(comment.get("child_comment_count")),
    }
    return item, account


_SHORTCODE = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def shortcode_pk(code: str) -> str | None:
    """The numeric media id a post's shortcode encodes (instagram.com/p/<shortcode>), as text."""
    code = code[:11]  # longer codes (private posts) carry a suffix after the id
    if not code or any(c not in _SHORTCODE for c in code):
        return None
    value = 0
    for c in code:
        value = value * 64 + _SHORTCODE.index(c)
    return str(value)
