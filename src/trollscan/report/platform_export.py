"""The list a reporter sends to a platform: one row per judged account with its label, score,
group and reasons, as CSV or JSON. Written to a temporary file and renamed, so a failed export
leaves no half-written file behind."""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from pathlib import Path
from urllib.parse import quote

from ..errors import BadFile, BadParameter

__all__ = ["EXPORT_COLUMNS", "profile_url", "export_rows", "render_accounts", "write_accounts"]

EXPORT_COLUMNS = ("platform", "account_id", "handle", "profile_url", "label", "score", "group", "reasons")

_PROFILE = {
    "facebook": ("https://www.facebook.com/profile.php?id={id}", "https://www.facebook.com/{handle}"),
    "instagram": (None, "https://www.instagram.com/{handle}/"),
    "vk": ("https://vk.com/id{id}", "https://vk.com/{handle}"),
    "ok": ("https://ok.ru/profile/{id}", "https://ok.ru/{handle}"),
    "twitter": ("https://x.com/i/user/{id}", "https://x.com/{handle}"),
    "telegram": (None, "https://t.me/{handle}"),
    "youtube": ("https://www.youtube.com/channel/{id}", "https://www.youtube.com/@{handle}"),
    "tiktok": (None, "https://www.tiktok.com/@{handle}"),
}


def profile_url(platform: str, account_id: str, handle: str | None = None, url: str | None = None) -> str:
    """The account's profile URL: the one collected, else one built from its numeric id or handle
    (empty when neither gives one)."""
    if url and url.lower().startswith(("https://", "http://")):
        return url
    by_id, by_handle = _PROFILE.get(platform, (None, None))
    if by_id and account_id and account_id.isdigit():
        return by_id.format(id=account_id)
    if by_handle and handle:
        return by_handle.format(handle=quote(handle.lstrip("@"), safe="._-"))
    return ""


def export_rows(accounts: list[dict], *, labels: tuple[str, ...] = ("fake", "doubtful")) -> list[dict]:
    """Rows in EXPORT_COLUMNS order for the accounts (platform, account_id, handle, url, label,
    score, group_id, reasons) whose label is in `labels`."""
    out = []
    for a in accounts:
        if a["label"] not in labels:
            continue
        out.append({"platform": a["platform"], "account_id": a["account_id"], "handle": a.get("handle") or "",
                    "profile_url": profile_url(a["platform"], a["account_id"], a.get("handle"), a.get("url")),
                    "label": a["label"], "score": round(float(a["score"]), 4),
                    "group": a.get("group_id"), "reasons": list(a.get("reasons") or [])})
    return out


def _cell(value) -> str:
    """A CSV cell a spreadsheet will not run: text starting with = + - @ or a control character
    gets a leading apostrophe (OWASP's advice against formula injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def render_accounts(rows: list[dict], fmt: str) -> str:
    """The export as text: CSV (reasons joined with "; ") or JSON (reasons as a list)."""
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, indent=1) + "\n"
    if fmt != "csv":
        raise BadParameter(f"Unknown export format {fmt!r}.", "Use --format csv or --format json.")
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(EXPORT_COLUMNS)
    for r in rows:
        w.writerow([_cell(r["reasons"] and "; ".join(r["reasons"]) or "") if c == "reasons" else
                    _cell("" if r[c] is None else r[c]) for c in EXPORT_COLUMNS])
    return buf.getvalue()


def write_accounts(rows: list[dict], path: Path, fmt: str) -> int:
    """Write the export to `path` atomically; the number of accounts written."""
    text = render_accounts(rows, fmt)
    path = Path(path)
    if path.is_dir():
        raise BadFile(f"{path} is a folder.", "Give a file name, e.g. --out fakes.csv.")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise BadFile(f"{folder} does not exist.", "Create the folder first, or write somewhere else.")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return len(rows)
