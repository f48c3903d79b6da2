"""The files beside the canonical tables: the farms' Telegram chats, the news site's comment log,
and the truth (truth.csv, media_truth.csv, farms.json, story.json)."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np

from .world import LOCAL_OFFSET_S, World

__all__ = ["write_chats", "write_site", "write_truth"]

_LOCAL = timezone(timedelta(seconds=LOCAL_OFFSET_S))


def _local(t: int) -> str:
    return datetime.fromtimestamp(t, _LOCAL).replace(tzinfo=None).isoformat()


def _post_url(world: World, account_id: str, item_id: str) -> str:
    return f"https://www.facebook.com/{account_id}/posts/{item_id}"


def write_chats(world: World, inp: Path, account_ids: np.ndarray, item_ids: np.ndarray) -> list[Path]:
    files = []
    author = world.items.get("author", np.int64)
    names = world.accounts.get("name")
    for farm in sorted(world.chats):
        chat = world.chats[farm]
        ordered = sorted(chat["messages"], key=lambda m: (m["time"], m.get("post", -1), str(m.get("text", ""))))
        number = {id(m): k + 1 for k, m in enumerate(ordered)}
        messages = []
        for m in ordered:
            msg = {"id": number[id(m)], "type": "message", "date": _local(m["time"]),
                   "date_unixtime": str(m["time"]), "from": names[m["from"]], "from_id": account_ids[m["from"]]}
            if "post" in m:
                url = _post_url(world, account_ids[author[m["post"]]], str(item_ids[m["post"]]))
                msg["text"] = [m["order"] + " ", {"type": "link", "text": url}]
                msg["text_entities"] = [{"type": "plain", "text": m["order"] + " "}, {"type": "link", "text": url}]
            else:
                msg["reply_to_message_id"] = number[id(m["reply_to"])]
                msg["text"] = m["text"]
                msg["text_entities"] = [{"type": "plain", "text": m["text"]}]
            messages.append(msg)
        folder = inp / "telegram" / farm
        folder.mkdir(parents=True, exist_ok=True)
        doc = {"name": chat["name"], "type": "private_supergroup", "id": chat["id"], "messages": messages}
        path = folder / "result.json"
        path.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        files.append(path)
    return files


def write_site(world: World, inp: Path) -> list[Path]:
    if not world.site_comments:
        return []
    rows = sorted(world.site_comments, key=lambda c: (c["time"], c["nick"], c["text"]))
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["comment_id", "created_at", "nickname", "text", "article_url", "ip", "user_agent"])
    for k, c in enumerate(rows):
        w.writerow([100_001 + k, _local(c["time"]).replace("T", " ") + "+06:00", c["nick"], c["text"], c["url"],
                    c["ip"], c["ua"]])
    path = inp / "site_comments.csv"
    path.write_text(buf.getvalue(), encoding="utf-8")
    return [path]


def write_truth(world: World, out: Path, account_ids: np.ndarray, item_ids: np.ndarray,
                 media: list[dict]) -> list[Path]:
    a = world.accounts
    rows = sorted(zip(a.get("platform"), account_ids, a.get("is_fake"), a.get("operator"), a.get("farm"),
                      a.get("persona")), key=lambda r: (r[0], r[1]))
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["platform", "account_id", "is_fake", "operator", "farm", "persona"])
    for platform, account_id, fake, operator, farm, persona in rows:
        w.writerow([platform, account_id, "true" if fake else "false", operator or "", farm or "", persona])
    truth = out / "truth.csv"
    truth.write_text(buf.getvalue(), encoding="utf-8")
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    # column names the canonical media table does not use, so that no ingest mistakes this file for data
    w.writerow(["media_sha256", "use", "used_by", "in_item", "file", "person", "person_account_id", "photo",
                "transform"])
    owner = {key: who for who, key in world.avatar_of.items()}
    for m in sorted(media, key=lambda m: (account_ids[m["account"]], m["kind"], m["sha"])):
        in_case = owner.get(m["person"])
        w.writerow([m["sha"], m["kind"], account_ids[m["account"]], str(item_ids[m["item"]]) if m["item"] >= 0 else "",
                    m["path"], m["person"], account_ids[in_case] if in_case is not None else "", m["photo"],
                    m["transform"]])
    media_truth = out / "media_truth.csv"
    media_truth.write_text(buf.getvalue(), encoding="utf-8")
    farms = {}
    for name in sorted(world.farms):
        farm = world.farms[name]
        spec = farm["spec"]
        farms[name] = {
            "clients": list(spec.clients),
            "watched_pages": {c: sorted(account_ids[world.pages[c]].tolist()) for c in
                              sorted({c for op in farm["operators"] for c in op["clients"] + tuple(op["switch_to"])})},
            "telegram_chat_id": world.chats[name]["id"] if name in world.chats else None,
            "site_ips": farm.get("site_ips", []),
            "operators": [{"operator": op["operator"], "clients": list(op["clients"]),
                           "switch_at": _local(op["switch_at"]) + "+06:00" if op["switch_at"] else None,
                           "switch_to": list(op["switch_to"]),
                           "accounts": sorted(account_ids[op["accounts"]].tolist()),
                           "telegram": account_ids[op["telegram"]] if "telegram" in op else None,
                           "site_nicknames": sorted(account_ids[op["site_nicks"]].tolist()) if "site_nicks" in op else [],
                           "typos": [list(t) for t in op["typos"]]} for op in farm["operators"]],
        }
    files = [truth, media_truth, out / "farms.json"]
    (out / "farms.json").write_text(json.dumps(farms, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                                    encoding="utf-8")
    if world.story:
        s = world.story
        story = {"query": s["query"], "first_poster": account_ids[s["first_poster"]],
                 "first_post": str(item_ids[s["first_post"]]), "first_post_at": s["first_post_at"],
                 "planted_groups": "the persona column of truth.csv", "agendas": s.get("agendas", {})}
        (out / "story.json").write_text(json.dumps(story, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        files.append(out / "story.json")
    return files
