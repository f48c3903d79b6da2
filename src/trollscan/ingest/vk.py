"""VK API responses as saved by a collection script: {"response": ...} envelopes, one or many per file.

Read: users.get (accounts with photo_max_orig, bdate, city, counters...), wall.get (posts, reposts, and
the `profiles`/`groups` of extended responses), wall.getComments (comments and their threads),
friends.get (friend relations), groups.get (membership relations) and likes.getList (like reactions).
A file may hold one response (pretty-printed or not) or paged responses one after another, one per
line. Error responses ({"error": ...}) are counted and skipped.

friends.get, groups.get and likes.getList do not say whose friends, groups or likes they list. A
response tells it in `"method"` and `"params"` beside `"response"` ({"method": "friends.get", "params":
{"user_id": 1}, "response": {...}}), or the file name does: friends.get_1.json, groups.get_1.json,
likes.getList_post_-1_5.json. wall.getComments needs owner_id and post_id the same way when its
comments do not carry them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import ijson

from ..errors import BadRecord
from .base import REC, Adapter, Chunk, Context
from .collect import Rows, as_id, as_text
from .media_link import MediaFiles
from .source import Source
from .vk_objects import (
    account_id,
    comment_id,
    comment_row,
    group_row,
    post_id,
    post_rows,
    user_row,
)

__all__ = ["VK"]

_START = re.compile(rb'^\s*\{\s*"(response|error|method|params)"\s*:')
_METHOD_IN_NAME = re.compile(r"(users|wall|friends|groups|likes)[._-]?(getcomments|getlist|get)", re.IGNORECASE)
_LIKED = re.compile(r"(post|comment|photo|video|note|market|topic_comment)[._-](-?[0-9]+)[._-]([0-9]+)")
_HINT = "Save each VK API response whole, as {\"response\": ...}, one response per line."
_COMMENTS_HINT = ("Save the request beside the response ({\"method\": \"wall.getComments\", \"params\": {\"owner_id\": "
                  "-1, \"post_id\": 5}, \"response\": ...}), or name the file for it: wall.getComments_-1_5.json.")
_OWNER_HINT = ("Save the request beside the response ({\"method\": \"friends.get\", \"params\": {\"user_id\": 1}, "
               "\"response\": ...}), or name the file for it: friends.get_1.json, likes.getList_post_-1_5.json.")


def _sniff(source: Source) -> bool:
    if source.suffix not in (".json", ".jsonl", ".ndjson", ".txt", ""):
        return False
    head = source.head.lstrip(b"\xef\xbb\xbf")
    match = _START.match(head)
    return bool(match) and (match.group(1) in (b"response", b"error") or b'"response"' in head)


def _read(source: Source, ctx: Context) -> Iterator[Chunk]:
    rows = Rows()
    files = MediaFiles(source.path.parent)
    number = 0
    with source.open_binary() as f:
        try:
            for number, obj in enumerate(ijson.items(f, "", multiple_values=True, use_float=True), start=1):
                if not isinstance(obj, dict) or not ("response" in obj or "error" in obj):
                    raise BadRecord(f"{source.name}, response {number}: not a VK API response (no \"response\" "
                                    "or \"error\").", _HINT)
                _response(source, ctx, rows, files, number, obj)
                if rows.full:
                    yield from rows.chunks()
        except ijson.JSONError as exc:
            text = str(exc).lower()
            reason = ("the file ends in the middle of it (truncated)" if "incomplete" in text or "premature" in text
                      else f"not valid JSON ({str(exc).splitlines()[0][:120]})")
            raise BadRecord(f"{source.name}, response {number + 1}: {reason}.", _HINT) from None
        except UnicodeDecodeError:
            raise BadRecord(f"{source.name}, response {number + 1}: the text is not valid UTF-8.", _HINT) from None
    yield from rows.chunks()


def _params(obj: dict) -> tuple[str | None, dict]:
    """The method and parameters a response says it answers (its own fields, or an error's request)."""
    params = obj.get("params") if isinstance(obj.get("params"), dict) else {}
    method = as_text(obj.get("method"))
    error = obj.get("error") if isinstance(obj.get("error"), dict) else {}
    for pair in error.get("request_params") or []:
        if isinstance(pair, dict) and pair.get("key") == "method":
            method = method or as_text(pair.get("value"))
    return (method.lower() if method else None), params


def _method(source: Source, obj: dict) -> str | None:
    method, _ = _params(obj)
    if method:
        return method
    named = _METHOD_IN_NAME.search(source.inner_name)
    if named:
        return f"{named.group(1)}.{named.group(2)}".lower()
    response = obj.get("response")
    if isinstance(response, list):
        return "users.get" if all(isinstance(u, dict) and "first_name" in u for u in response[:3]) else None
    items = response.get("items") if isinstance(response, dict) else None
    first = next((i for i in items or [] if isinstance(i, dict)), None)
    if first is None:
        return None
    if "post_id" in first or "parents_stack" in first:
        return "wall.getcomments"
    if "post_type" in first or "copy_history" in first or ("from_id" in first and "date" in first):
        return "wall.get"
    return None


def _response(source: Source, ctx: Context, rows: Rows, files: MediaFiles, number: int, obj: dict) -> None:
    if "response" not in obj:
        error = obj.get("error") if isinstance(obj.get("error"), dict) else {}
        ctx.skip(f"VK API error {as_text(error.get('error_code')) or '?'}: "
                 f"{(as_text(error.get('error_msg')) or 'no message')[:60]}")
        return
    method = _method(source, obj)
    response = obj["response"]
    where = f"{source.name}, response {number}"
    if method == "users.get":
        for user in response if isinstance(response, list) else []:
            if isinstance(user, dict):
                rows.account_and_avatar(user_row(user, number), files)
    elif method in ("wall.get", "wall.getbyid"):
        _wall(rows, files, number, response)
    elif method == "wall.getcomments":
        _comments(source, where, rows, files, number, obj, response)
    elif method in ("friends.get", "groups.get"):
        _memberships(source, where, rows, files, number, obj, method, response)
    elif method == "likes.getlist":
        _likes(source, where, rows, files, number, obj, response)
    elif method is None:
        raise BadRecord(f"{where}: cannot tell which VK method this response answers.",
                        "Save the method beside the response ({\"method\": \"wall.get\", \"response\": ...}) "
                        "or name the file for it (wall.get_1.json).")
    else:
        ctx.skip(f"response of VK method {method[:40]} (not read by trollscan)")


def _extended(rows: Rows, files: MediaFiles, number: int, response: dict) -> None:
    for user in response.get("profiles") or []:
        if isinstance(user, dict):
            rows.account_and_avatar(user_row(user, number), files)
    for group in response.get("groups") or []:
        if isinstance(group, dict):
            rows.account_and_avatar(group_row(group, number), files)


def _add(rows: Rows, files: MediaFiles, item: dict, media: list[tuple[str, str]]) -> None:
    rows.item(item)
    for kind, url in media:
        row = files.row(platform="vk", kind=kind, rec=item[REC], url=url, account_id=item["account_id"],
                        item_id=item["item_id"], uploaded_at=item.get("created_at"))
        if row is not None:
            rows.media(row)


def _wall(rows: Rows, files: MediaFiles, number: int, response: object) -> None:
    posts = response if isinstance(response, list) else (response.get("items") if isinstance(response, dict)
                                                          else None)
    if isinstance(response, dict):
        _extended(rows, files, number, response)
    for post in posts or []:
        if isinstance(post, dict):
            for item, media in post_rows(post, number):
                _add(rows, files, item, media)


def _comments(source: Source, where: str, rows: Rows, files: MediaFiles, number: int, obj: dict,
              response: object) -> None:
    if not isinstance(response, dict):
        raise BadRecord(f"{where}: a wall.getComments response must be an object with \"items\".", _HINT)
    _extended(rows, files, number, response)
    _, params = _params(obj)
    named = re.search(r"getcomments[._-](-?[0-9]+)[._-]([0-9]+)", source.inner_name, re.IGNORECASE)
    if named and not (params.get("owner_id") and params.get("post_id")):
        params = {"owner_id": named.group(1), "post_id": named.group(2), **params}
    for comment in response.get("items") or []:
        if not isinstance(comment, dict) or comment.get("deleted"):
            continue
        owner = as_id(comment.get("owner_id") or params.get("owner_id"))
        post = as_id(comment.get("post_id") or params.get("post_id"))
        if owner is None or post is None:
            raise BadRecord(f"{where}: comment {as_id(comment.get('id'))} does not say which wall post it "
                            "answers (no owner_id and post_id).", _COMMENTS_HINT)
        found = comment_row(comment, number, owner=owner, post=post)
        if found is None:
            continue
        _add(rows, files, *found)
        thread = comment.get("thread") if isinstance(comment.get("thread"), dict) else {}
        for answer in thread.get("items") or []:
            if isinstance(answer, dict) and not answer.get("deleted"):
                inner = comment_row(answer, number, owner=owner, post=post, thread_parent=found[0]["item_id"])
                if inner is not None:
                    _add(rows, files, *inner)


def _owner_from(source: Source, obj: dict, key: str) -> str | None:
    _, params = _params(obj)
    if as_id(params.get(key)):
        return as_id(params.get(key))
    stem = _METHOD_IN_NAME.sub("", source.inner_name.rsplit(".json", 1)[0])
    numbers = re.findall(r"-?[0-9]+", stem)
    return numbers[0] if len(numbers) == 1 else None


def _memberships(source: Source, where: str, rows: Rows, files: MediaFiles, number: int, obj: dict, method: str,
                 response: object) -> None:
    owner = account_id(_owner_from(source, obj, "user_id"))
    if owner is None:
        raise BadRecord(f"{where}: a {method} response does not say whose list it is.", _OWNER_HINT)
    items = response.get("items") if isinstance(response, dict) else response
    for entry in items if isinstance(items, list) else []:
        if method == "friends.get":
            row = user_row(entry, number) if isinstance(entry, dict) else None
            other = row["account_id"] if row else account_id(entry)
            rows.account_and_avatar(row, files)
            kind = "friend"
        else:
            row = group_row(entry, number) if isinstance(entry, dict) else None
            other = row["account_id"] if row else (f"club{as_id(entry)}" if as_id(entry) else None)
            rows.account_and_avatar(row, files)
            kind = "member"
        if other is not None:
            rows.relation({REC: number, "platform": "vk", "account_id": owner, "kind": kind, "other_id": other})


def _likes(source: Source, where: str, rows: Rows, files: MediaFiles, number: int, obj: dict,
           response: object) -> None:
    _, params = _params(obj)
    kind, owner, item = as_text(params.get("type")), as_id(params.get("owner_id")), as_id(params.get("item_id"))
    if not (kind and owner and item):
        named = _LIKED.search(source.inner_name)
        if named is None:
            raise BadRecord(f"{where}: a likes.getList response does not say what was liked.", _OWNER_HINT)
        kind, owner, item = named.groups()
    parent = comment_id(owner, item) if kind == "comment" else post_id(owner, item) if kind == "post" \
        else f"{kind}{owner}_{item}"
    items = response.get("items") if isinstance(response, dict) else response
    for entry in items if isinstance(items, list) else []:
        if isinstance(entry, dict):
            row = group_row(entry, number) if entry.get("type") in ("group", "page") else user_row(entry, number)
            liker = row["account_id"] if row else None
            rows.account_and_avatar(row, files)
        else:
            liker = account_id(entry)
        if liker is not None:
            rows.item({REC: number, "platform": "vk", "kind": "reaction", "item_id": f"{parent}/like/{liker}",
                       "account_id": liker, "parent_id": parent, "target_id": account_id(owner),
                       "reaction": "like"})


VK = Adapter("vk", "VK API JSON responses (users.get, wall.get, wall.getComments, friends.get, groups.get, "
             "likes.getList)", "response", _sniff, _read)
