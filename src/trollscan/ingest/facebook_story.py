"""Facebook's web-app objects as Zeeschuimer captures them: feed stories (posts) and comment feedback.

A feed story keeps its content under `comet_sections.content.story` (post_id, actors, message.text,
attachments, wwwURL), its time under `comet_sections.context_layout...metadata[].story.creation_time`
and its counts under `comet_sections.feedback`. A comments capture is a `Feedback` object whose
`comment_rendering_instance_for_feed_location.comments.edges` hold the comments (legacy_fbid,
created_time, body.text, author, comment_parent). These objects are deep and change often, so values
are looked up by name within a bounded depth rather than by a fixed path.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator

from .base import REC
from .collect import as_count, as_id, as_text, json_text

__all__ = ["feedback_rows", "find_key", "story_rows"]

_MAX_DEPTH = 40
_GROUP = re.compile(r"/groups/([^/?#]+)")
_HASHTAG = re.compile(r"#(\w+)")


def find_key(obj: object, key: str, depth: int = _MAX_DEPTH) -> object:
    """The first value under `key` found depth-first in nested dicts and lists (None when absent)."""
    stack = [(obj, 0)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, dict):
            if key in node and node[key] is not None:
                return node[key]
            if level < depth:
                stack.extend((v, level + 1) for v in reversed(list(node.values())) if isinstance(v, (dict, list)))
        elif isinstance(node, list) and level < depth:
            stack.extend((v, level + 1) for v in reversed(node) if isinstance(v, (dict, list)))
    return None


def _all(obj: object, key: str, depth: int = _MAX_DEPTH) -> Iterator[object]:
    stack = [(obj, 0)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, dict):
            if node.get(key) is not None:
                yield node[key]
            if level < depth:
                stack.extend((v, level + 1) for v in reversed(list(node.values())) if isinstance(v, (dict, list)))
        elif isinstance(node, list) and level < depth:
            stack.extend((v, level + 1) for v in reversed(node) if isinstance(v, (dict, list)))


def _actor(actor: object, rec: int) -> dict | None:
    if not isinstance(actor, dict):
        return None
    account_id = as_id(actor.get("id"))
    if account_id is None:
        return None
    picture = find_key(actor, "profile_picture_depth_0", 2) or find_key(actor, "profile_picture", 2)
    return {REC: rec, "platform": "facebook", "account_id": account_id, "name": as_text(actor.get("name")),
            "url": as_text(actor.get("url")),
            "avatar": as_text(picture.get("uri")) if isinstance(picture, dict) else None,
            "extra": json_text({"type": actor.get("__typename")})}


def story_rows(post: dict, rec: int) -> tuple[dict, dict, list[str]] | None:
    """A feed story as (item, author, photo URLs); None when it has no post id or no author."""
    sections = post.get("comet_sections") if isinstance(post.get("comet_sections"), dict) else {}
    story = find_key(sections.get("content"), "story", 3)
    story = story if isinstance(story, dict) else post
    post_id = as_id(story.get("post_id") or post.get("post_id"))
    actors = story.get("actors") or post.get("actors")
    author = _actor(actors[0] if isinstance(actors, list) and actors else None, rec)
    if post_id is None or author is None:
        return None
    message = story.get("message")
    text = as_text(message.get("text")) if isinstance(message, dict) else as_text(message)
    created = find_key(sections.get("context_layout"), "creation_time") or find_key(post, "creation_time")
    url = as_text(story.get("wwwURL") or story.get("url"))
    where = find_key(sections.get("context_layout"), "url")
    group = _GROUP.search(str(where or url or ""))
    to = story.get("to") if isinstance(story.get("to"), dict) else None
    target = as_id(to.get("id")) if to else (f"group:{group.group(1)}" if group else None)
    attachments = story.get("attachments") or []
    photos: list[str] = []
    for key in ("photo_image", "viewer_image", "image"):
        for found in _all(attachments, key):
            uri = as_text(found.get("uri")) if isinstance(found, dict) else None
            if uri and uri not in photos:
                photos.append(uri)
    links = [as_text(w.get("url")) for w in _all(attachments, "web_link") if isinstance(w, dict)]
    feedback = sections.get("feedback") or post.get("feedback")
    tags = _HASHTAG.findall(text or "")
    item = {
        REC: rec, "platform": "facebook", "item_id": post_id, "kind": "post", "account_id": author["account_id"],
        "created_at": as_text(created), "target_id": target, "text": text, "hashtags": tags or None,
        "urls": [u for u in links if u] or None, "media": photos or None,
        "like_count": as_count(find_key(feedback, "reaction_count")),
        "reply_count": as_count(find_key(feedback, "total_comment_count") or find_key(feedback, "comment_count")),
        "share_count": as_count(find_key(feedback, "share_count")),
        "extra": json_text({"url": url, "to": as_text(to.get("name")) if to else None}),
    }
    return item, author, photos


def _decoded(value: object) -> str | None:
    """A GraphQL id (base64 of 'comment:123_456' or 'feedback:123') as its readable text."""
    text = as_id(value)
    if text is None or text.isdigit() or ":" in text:
        return text
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return text


def feedback_rows(feedback: dict, rec: int) -> Iterator[tuple[dict, dict]]:
    """(item, author) for each comment in a Feedback capture, replies included."""
    decoded = _decoded(feedback.get("id")) or ""
    post_id = decoded.split(":", 1)[1] if decoded.startswith("feedback:") else None
    instance = feedback.get("comment_rendering_instance_for_feed_location") or {}
    edges = (instance.get("comments") or {}).get("edges") if isinstance(instance, dict) else None
    yield from _comments(edges, rec, post_id, None, 0)


def _comments(edges: object, rec: int, post_id: str | None, parent: str | None,
              depth: int) -> Iterator[tuple[dict, dict]]:
    if not isinstance(edges, list) or depth > 5:
        return
    for edge in edges:
        node = edge.get("node") if isinstance(edge, dict) else None
        if not isinstance(node, dict):
            continue
        author = _actor(node.get("author"), rec)
        decoded = _decoded(node.get("id")) or ""
        comment_id = as_id(node.get("legacy_fbid")) or (decoded.split(":", 1)[1] if ":" in decoded else None)
        if author is None or comment_id is None:
            continue
        body = node.get("body")
        text = as_text(body.get("text")) if isinstance(body, dict) else None
        up = node.get("comment_parent")
        parent_id = as_id(up.get("legacy_fbid")) if isinstance(up, dict) else parent
        tags = _HASHTAG.findall(text or "")
        item = {
            REC: rec, "platform": "facebook", "item_id": comment_id, "kind": "reply" if parent_id else "comment",
            "account_id": author["account_id"], "created_at": as_text(node.get("created_time")),
            "parent_id": parent_id or post_id, "root_id": post_id, "text": text, "hashtags": tags or None,
            "like_count": as_count(find_key(node.get("feedback"), "reactors", 2)),
        }
        yield item, author
        replies = find_key(node.get("feedback"), "replies_connection", 3)
        if isinstance(replies, dict):
            yield from _comments(replies.get("edges"), rec, post_id, comment_id, depth + 1)
