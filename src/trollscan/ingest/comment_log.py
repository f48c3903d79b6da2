"""A website's comment log as its owner exports it: comment, time, nickname, article, IP, user agent.

Comments become items (platform web), nicknames become accounts, and each comment's IP address and
user agent go to `access_log` only as keyed hashes: the address, the user agent and any e-mail are
never stored. Many "different" commenters behind one IP hash is what a site owner can see and a
platform cannot. Record numbers count CSV rows (the header is row 1).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator

import orjson

from ..errors import BadRecord, MissingColumns
from .base import REC, Adapter, Chunk, Context, rows_to_table
from .canonical import csv_header, read_csv_text
from .source import Source

__all__ = ["COMMENT_LOG", "COLUMNS"]

# role -> the header names that fill it (compared in lower case, spaces and dashes as underscores)
COLUMNS: dict[str, tuple[str, ...]] = {
    "comment_id": ("comment_id", "commentid", "id", "comment_no", "id_комментария", "ид"),
    "created_at": ("created_at", "time", "date", "datetime", "timestamp", "created", "posted_at",
                   "время", "дата"),
    "nickname": ("nickname", "nick", "author", "name", "user", "username", "user_name", "ник", "автор",
                 "имя"),
    "text": ("text", "comment", "body", "message", "content", "comment_text", "текст", "комментарий"),
    "article_url": ("article_url", "url", "page", "article", "page_url", "post_url", "статья", "страница"),
    "ip": ("ip", "ip_address", "remote_addr", "ipaddress", "client_ip", "ip_адрес"),
    "user_agent": ("user_agent", "ua", "device", "useragent", "http_user_agent", "браузер", "устройство"),
    "user_id": ("user_id", "userid", "author_id", "member_id", "uid"),
    "parent_id": ("parent_id", "reply_to", "parent", "in_reply_to", "parent_comment_id"),
    "email": ("email", "e_mail", "mail", "author_email", "user_email", "почта"),
}
_REQUIRED = ("comment_id", "created_at", "text", "ip")
# Columns that may identify a person or a machine: never stored, in any form but the two hashes.
_SENSITIVE = re.compile(
    r"(^|[^a-z])(ip|ipv4|ipv6|xff|ip_?addr\w*)([^a-z]|$)|forwarded|e_?mail|mail|phone|телефон|почта|"
    r"agent|cookie|session|token|password|пароль|passport|паспорт|iin|иин", re.IGNORECASE)


def _key(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


def _roles(header: list[str]) -> dict[str, str]:
    """role -> the header column that fills it (the first that matches)."""
    found: dict[str, str] = {}
    for role, names in COLUMNS.items():
        for column in header:
            if _key(column) in names and column not in found.values():
                found[role] = column
                break
    return found


def _sniff(source: Source) -> bool:
    if source.suffix not in (".csv", ".tsv", ".txt"):
        return False
    header, _ = csv_header(source)
    roles = _roles(header)
    return {"ip", "text", "created_at"} <= set(roles)


def _read(source: Source, ctx: Context) -> Iterator[Chunk]:
    header, delimiter = csv_header(source)
    roles = _roles(header)
    missing = [r for r in _REQUIRED if r not in roles]
    if "nickname" not in roles and "user_id" not in roles:
        missing.append("nickname")
    if missing:
        looked = "; ".join(f"{r}: {', '.join(COLUMNS[r][:4])}" for r in missing)
        raise MissingColumns(f"{source.name}: a comment log needs columns it lacks (looked for {looked}).",
                             "Rename the columns, or export the log with comment id, time, nickname, text and IP.")
    used = set(roles.values())
    kept = [c for c in header if c not in used and c.strip() and not _SENSITIVE.search(_key(c))]
    dropped = [c for c in header if c not in used and c.strip() and _SENSITIVE.search(_key(c))]
    ctx.notes.append("IP addresses and user agents are stored only as keyed hashes (access_log)")
    if "email" in roles or dropped:
        unstored = ", ".join(filter(None, [roles.get("email"), *dropped]))
        ctx.notes.append(f"columns not stored (personal data): {unstored}")
    if kept:
        ctx.notes.append(f"columns kept in items.extra (not in the data model): {', '.join(kept)}")
    record = 2
    for batch in read_csv_text(source, header, delimiter):
        columns = {name: batch.column(i).to_pylist() for i, name in enumerate(batch.schema.names)}
        items, accounts, access = [], {}, []
        for i in range(batch.num_rows):
            row = {name: values[i] for name, values in columns.items()}
            _add(source, ctx, record + i, row, roles, kept, items, accounts, access)
        record += batch.num_rows
        yield Chunk("items", rows_to_table("items", items))
        yield Chunk("accounts", rows_to_table("accounts", list(accounts.values())))
        yield Chunk("access_log", rows_to_table("access_log", access))


def _add(source: Source, ctx: Context, number: int, row: dict, roles: dict[str, str], kept: list[str],
         items: list, accounts: dict, access: list) -> None:
    def get(role: str) -> str | None:
        value = row.get(roles[role]) if role in roles else None
        return (value.strip() or None) if value is not None else None

    comment_id = get("comment_id")
    if comment_id is None:
        raise BadRecord(f"{source.name}, row {number}: the comment id is empty.",
                        "Every comment needs its id from the site's database.")
    nickname, user_id = get("nickname"), get("user_id")
    if user_id is not None:
        account_id = user_id
    elif nickname is not None:
        account_id = "nick:" + nickname.casefold()
    else:
        raise BadRecord(f"{source.name}, row {number}: comment {comment_id!r} has neither a nickname nor a user id.",
                        "Fill in the nickname (or the site's user id) of every comment.")
    created_at = get("created_at")
    parent = get("parent_id")
    item = {REC: number, "platform": "web", "item_id": comment_id, "kind": "reply" if parent else "comment",
            "account_id": account_id, "created_at": created_at, "parent_id": parent,
            "target_id": get("article_url"), "text": row.get(roles["text"])}
    extra = {c: row[c] for c in kept if row.get(c) not in (None, "")}
    if extra:
        item["extra"] = orjson.dumps(extra).decode()
    items.append(item)
    if account_id not in accounts:
        accounts[account_id] = {REC: number, "platform": "web", "account_id": account_id, "handle": nickname}
    access.append({REC: number, "platform": "web", "item_id": comment_id, "account_id": account_id,
                   "seen_at": created_at, "ip_hash": ctx.keyed_hash(_ip(get("ip"))),
                   "device_hash": ctx.keyed_hash(get("user_agent"))})


def _ip(value: str | None) -> str | None:
    """One spelling per address (IPv6 compressed, lower case), so equal addresses hash alike."""
    if value is None:
        return None
    try:
        return ipaddress.ip_address(value).compressed
    except ValueError:
        return value.lower()


COMMENT_LOG = Adapter("comment-log", "a website's comment log with IP and user agent (CSV); IPs stored hashed",
                      "row", _sniff, _read)
