"""Telegram Desktop's chat export, `result.json`: one channel or group, streamed message by message.

The document is {"name", "type", "id", "messages": [...]}. Messages become items (posts in a
channel, comments in a group, replies, shares), each recent reactor becomes a reaction item, and
photos saved next to the export are hashed into `media`. Record numbers count messages (1-based).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import ijson
import orjson

from .. import settings
from ..errors import BadFile, BadRecord
from .base import REC, Adapter, Chunk, Context, rows_to_table
from .source import Source

__all__ = ["TELEGRAM"]

_MESSAGES = re.compile(rb'"messages"\s*:\s*\[')
_CHAT_TYPE = re.compile(
    rb'"type"\s*:\s*"(?:public|private)_(?:channel|supergroup|group)"|"type"\s*:\s*"(?:personal_chat|bot_chat|'
    rb'saved_messages)"')
_NOT_INCLUDED = "(File not included"
_VIDEO = {"video_file", "video_message", "animation"}
_SCALARS = {"string", "number", "boolean", "null"}
_KEPT = ("forwarded_from", "saved_from", "reply_to_peer_id", "author", "edited", "edited_unixtime", "media_type", "duration_seconds",
         "sticker_emoji", "poll", "location_information", "contact_information")


def _sniff(source: Source) -> bool:
    if source.suffix != ".json":
        return False
    head = source.head.lstrip(b"\xef\xbb\xbf")
    return (head.lstrip().startswith(b"{") and _MESSAGES.search(head) is not None
            and _CHAT_TYPE.search(head) is not None)


def _read(source: Source, ctx: Context) -> Iterator[Chunk]:
    rows: dict[str, list[dict]] = {t: [] for t in ("accounts", "items", "media")}
    state = _State(source, ctx)
    batch = settings.get("batch_rows")
    pending = 0
    for number, message, chat in _messages(source):
        if state.chat is None:
            state.chat = chat
            state.add_chat_account(rows, number)
        pending += state.add(number, message, rows)
        if pending >= batch:
            yield from _flush(rows)
            pending = 0
    yield from _flush(rows)
    if state.local_times:
        ctx.notes.append(f"{state.local_times} messages have no date_unixtime: their times are the exporting "
                         "computer's local time, read as UTC")
    if state.reaction_times:
        ctx.notes.append(f"{state.reaction_times} reaction times are the exporting computer's local time, "
                         "read as UTC")
    if state.not_included:
        ctx.notes.append(f"{state.not_included} photos or files were not included in the export; "
                         "re-export with media to hash them")


def _flush(rows: dict[str, list[dict]]) -> Iterator[Chunk]:
    for table, batch in rows.items():
        if batch:
            yield Chunk(table, rows_to_table(table, batch))
            batch.clear()


class _Chat:
    def __init__(self, name: str | None, kind: str | None, chat_id: str) -> None:
        self.name, self.kind, self.id = name, kind, chat_id

    @property
    def is_channel(self) -> bool:
        return "channel" in (self.kind or "")


def _messages(source: Source) -> Iterator[tuple[int, dict, _Chat]]:
    """(position, message, chat) for each message, streamed; a broken document names the message."""
    header: dict[str, object] = {}
    number = 0
    chat = None
    with source.open_binary() as f:
        events = ijson.parse(f, use_float=True)
        try:
            for prefix, event, value in events:
                if prefix in ("name", "type", "id") and event in _SCALARS:
                    header[prefix] = value
                elif prefix == "messages" and event == "start_array":
                    chat = _chat(source, header)
                elif prefix == "messages.item" and event == "start_map":
                    number += 1
                    builder = ijson.ObjectBuilder()
                    builder.event(event, value)
                    for prefix, event, value in events:
                        builder.event(event, value)
                        if prefix == "messages.item" and event == "end_map":
                            break
                    yield number, builder.value, chat
                elif prefix == "messages.item":
                    raise BadRecord(f"{source.name}, message {number + 1}: a message is not a JSON object.",
                                    "Export the chat again with Telegram Desktop (JSON format).")
        except ijson.JSONError as exc:
            where = f"message {number}" if number else "before the first message"
            if any(w in str(exc).lower() for w in ("incomplete", "premature eof")):
                reason = "the file ends in the middle of it (truncated export)" if number else \
                    "the file ends there (truncated export)"
            else:
                reason = f"not valid JSON ({str(exc).splitlines()[0][:120]})"
            raise BadRecord(f"{source.name}, {where}: {reason}.",
                            "Export the chat again with Telegram Desktop, and let the export finish.") from None
        except UnicodeDecodeError:
            raise BadRecord(f"{source.name}, message {number}: the text is not valid UTF-8.",
                            "Export the chat again with Telegram Desktop (JSON format).") from None
    if chat is None:
        raise BadFile(f"{source.name}: no \"messages\" list; this is not a Telegram chat export.",
                      "Export one chat or channel with Telegram Desktop: Export chat history, format JSON.")


def _chat(source: Source, header: dict) -> _Chat:
    chat_id = header.get("id")
    if chat_id is None or isinstance(chat_id, bool):
        raise BadFile(f"{source.name}: the export gives no chat \"id\" before its messages.",
                      "Export the chat again with a recent Telegram Desktop (it writes name, type and id first).")
    if isinstance(chat_id, float) and chat_id.is_integer():
        chat_id = int(chat_id)
    return _Chat(_text(header.get("name")), _text(header.get("type")), str(chat_id))


class _State:
    """What one export has produced so far: accounts seen, notes to give."""

    def __init__(self, source: Source, ctx: Context) -> None:
        self.source, self.ctx = source, ctx
        self.folder = source.path.parent.resolve()
        self.chat: _Chat | None = None
        self.accounts: set[str] = set()
        self.local_times = self.reaction_times = self.not_included = 0

    def add(self, number: int, msg: dict, rows: dict[str, list[dict]]) -> int:
        """Add the rows of message `number`; the count of rows added."""
        kind = msg.get("type")
        if kind == "service":
            self.ctx.skip(f"service message: {msg.get('action') or 'unknown action'}")
            return 0
        if kind != "message":
            self.ctx.skip(f"message of type {str(kind)[:40]!r}")
            return 0
        chat = self.chat
        msg_id = msg.get("id")
        if msg_id is None or isinstance(msg_id, (dict, list, bool)):
            raise BadRecord(f"{self.source.name}, message {number}: the message has no id.",
                            "Export the chat again with Telegram Desktop (JSON format).")
        item_id = f"{chat.id}/{_int_text(msg_id)}"
        account_id = _text(msg.get("from_id")) or (f"channel{chat.id}" if chat.is_channel else None)
        if account_id is None:
            raise BadRecord(f"{self.source.name}, message {number}: message {item_id} has no from_id.",
                            "Export the chat again with a recent Telegram Desktop, which names each author.")
        added = self._account(rows, number, account_id, _text(msg.get("from")))
        item = {REC: number, "platform": "telegram", "item_id": item_id, "account_id": account_id,
                "target_id": chat.id, "kind": "post" if chat.is_channel else "comment"}
        if msg.get("reply_to_message_id") is not None:
            item["kind"] = "reply"
            peer = re.search(r"[0-9]+$", _text(msg.get("reply_to_peer_id")) or "")  # a reply into another chat
            item["parent_id"] = f"{peer.group() if peer else chat.id}/{_int_text(msg['reply_to_message_id'])}"
        if msg.get("forwarded_from") is not None or msg.get("forwarded_from_id") is not None:
            item["kind"] = "share"
        item["created_at"] = self._time(msg)
        entities = _entities(msg)
        item["text"] = "".join(e.get("text", "") for e in entities) or None
        item["urls"] = _nonempty([e.get("href") or e.get("text") for e in entities
                                  if e.get("type") in ("link", "text_link")])
        item["hashtags"] = _nonempty([e.get("text", "").lstrip("#") for e in entities if e.get("type") == "hashtag"])
        item["mentions"] = _nonempty([_mention(e) for e in entities if e.get("type") in ("mention", "mention_name")])
        item["client"] = _text(msg.get("via_bot"))
        media = self._media(rows, number, msg, item)
        item["media"] = media or None
        reactions = msg.get("reactions") or []
        if reactions:
            counts = [r.get("count") or 0 for r in reactions if isinstance(r, dict)]
            if not all(isinstance(c, (int, float)) for c in counts):
                raise BadRecord(f"{self.source.name}, message {number}: a reaction count is not a number.",
                                "Export the chat again with Telegram Desktop (JSON format).")
            item["like_count"] = int(sum(counts))
        extra = {k: msg[k] for k in _KEPT if msg.get(k) is not None}
        if extra:
            item["extra"] = _json(extra)
        rows["items"].append(item)
        offset = _local_offset(msg)
        return 1 + added + len(media) + self._reactions(rows, number, reactions, item, offset)

    def _account(self, rows: dict[str, list[dict]], number: int, account_id: str, name: str | None) -> int:
        if account_id in self.accounts:
            return 0
        self.accounts.add(account_id)
        rows["accounts"].append({REC: number, "platform": "telegram", "account_id": account_id, "name": name})
        return 1

    def add_chat_account(self, rows: dict[str, list[dict]], number: int) -> None:
        """A channel is an account (it writes the posts): numbered with the first message."""
        if self.chat.is_channel:
            self._account(rows, number, f"channel{self.chat.id}", self.chat.name)

    def _time(self, msg: dict) -> str | None:
        unix = msg.get("date_unixtime")
        if unix not in (None, ""):
            return _int_text(unix)
        if msg.get("date"):
            self.local_times += 1
        return _text(msg.get("date"))

    def _media(self, rows: dict[str, list[dict]], number: int, msg: dict, item: dict) -> list[str]:
        found = []
        for field, kind in (("photo", "photo"), ("file", None)):
            path = _text(msg.get(field))
            if not path:
                continue
            if path.startswith(_NOT_INCLUDED):
                self.not_included += 1
                continue
            if kind is None:
                kind = "video" if msg.get("media_type") in _VIDEO else "other"
            found.append(path)
            row = {REC: number, "platform": "telegram", "kind": kind, "account_id": item["account_id"],
                   "item_id": item["item_id"], "path": path, "uploaded_at": item["created_at"]}
            on_disk = self._file(path)
            if on_disk is not None:
                digest, size = on_disk
                row.update(media_id=digest, sha256=digest, bytes=size)
            else:  # the path alone, qualified by the chat: "photos/photo_1.jpg" recurs in every export
                row["media_id"] = hashlib.sha256(f"telegram:{self.chat.id}/{path}".encode()).hexdigest()
            rows["media"].append(row)
        return found

    def _file(self, path: str) -> tuple[str, int] | None:
        """sha256 and size of a file of the export, when it lies inside the export's folder."""
        full = (self.folder / path).resolve()
        if not full.is_relative_to(self.folder) or not full.is_file():
            return None
        with full.open("rb") as f:
            digest = hashlib.file_digest(f, "sha256").hexdigest()
        return digest, full.stat().st_size

    def _reactions(self, rows: dict[str, list[dict]], number: int, reactions: list, item: dict,
                   offset: timedelta | None) -> int:
        added = 0
        for reaction in reactions:
            if not isinstance(reaction, dict):
                continue
            emoji = _text(reaction.get("emoji") or reaction.get("document_id") or reaction.get("type"))
            for recent in reaction.get("recent") or []:
                reactor = _text(recent.get("from_id")) if isinstance(recent, dict) else None
                if reactor is None:
                    self.ctx.skip("recent reaction without from_id")
                    continue
                added += 1 + self._account(rows, number, reactor, _text(recent.get("from")))
                rows["items"].append({
                    REC: number, "platform": "telegram", "kind": "reaction",
                    "item_id": f"{item['item_id']}/reaction/{reactor}/{emoji}",
                    "account_id": reactor, "parent_id": item["item_id"],
                    "parent_account_id": item["account_id"], "target_id": item["target_id"],
                    "reaction": emoji, "created_at": self._reaction_time(recent, offset),
                })
        return added

    def _reaction_time(self, recent: dict, offset: timedelta | None) -> str | None:
        """A reactor's time in UTC: its epoch when given, else its local date shifted by the offset
        the message's own local date and epoch show (the exporting computer's time zone)."""
        if recent.get("date_unixtime") not in (None, ""):
            return _int_text(recent["date_unixtime"])
        local = _text(recent.get("date"))
        if local is None:
            return None
        if offset is not None:
            try:
                return (datetime.fromisoformat(local) - offset).isoformat()
            except ValueError:
                pass  # the store reports a date it cannot read, naming the message
        self.reaction_times += 1
        return local


def _local_offset(msg: dict) -> timedelta | None:
    """How far the export's local dates are ahead of UTC, from a message that has both."""
    try:
        local = datetime.fromisoformat(str(msg["date"]))
        utc = datetime.fromtimestamp(int(str(msg["date_unixtime"])), timezone.utc).replace(tzinfo=None)
    except (KeyError, ValueError, OverflowError, OSError):
        return None
    return None if local.tzinfo else local - utc


def _entities(msg: dict) -> list[dict]:
    """The message text as a list of entities {"type", "text", "href"?}; plain strings become type plain."""
    if isinstance(msg.get("text_entities"), list):
        raw = msg["text_entities"]
    elif isinstance(msg.get("text"), list):
        raw = msg["text"]
    else:
        raw = [msg.get("text") or ""]
    out = []
    for part in raw:
        if isinstance(part, str):
            out.append({"type": "plain", "text": part})
        elif isinstance(part, dict):
            out.append({k: v if k == "user_id" else _text(v) or "" for k, v in part.items()})
    return out


def _mention(entity: dict) -> str | None:
    if entity.get("type") == "mention_name" and entity.get("user_id") is not None:
        return f"user{_int_text(entity['user_id'])}"
    return entity.get("text", "").lstrip("@") or None


def _nonempty(values: list) -> list[str] | None:
    kept = [v for v in values if v]
    return kept or None


def _int_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _text(value: object) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return _int_text(value) if isinstance(value, (int, float)) else str(value)


def _json(value: dict) -> str:
    return orjson.dumps(value).decode()


TELEGRAM = Adapter("telegram", "Telegram Desktop chat or channel export (result.json)", "message",
                   _sniff, _read)
