"""A reporter's spreadsheet of accounts (CSV or XLSX): profile URL, name, label, notes, status.

Column names are free, in English or Russian ("ссылка на профиль", "источник фото", "примечание"),
and a title row or two may sit above the header. Each row is one account: its platform and id come
from the profile URL (`profile_url.py`); its label, with the notes and the author, becomes a row of
`labels`; a status with the date it was checked becomes a snapshot. Record numbers are spreadsheet
rows as Excel shows them (the first line of the file is row 1).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable, Iterator

import orjson

from .. import settings
from ..errors import BadFile, BadRecord, MissingColumns, TooLarge
from ..store.convert import PLATFORM_ALIASES
from ..store.schema import PLATFORMS
from .base import REC, Adapter, Chunk, Context, rows_to_table
from .profile_url import PROFILE_URL_EXAMPLES, parse_profile_url
from .source import Source

__all__ = ["SHEET_CSV", "SHEET_XLSX", "COLUMNS", "LABELS", "STATUSES", "open_workbook", "cell_text", "header_key",
           "find_roles", "csv_rows"]

HEADER_ROWS = 10  # the header is looked for in this many rows from the top

# role -> header names that fill it (compared in lower case, with _ as a space and ':' or '*' dropped)
COLUMNS: dict[str, tuple[str, ...]] = {
    "url": ("profile url", "profile", "profile link", "link", "url", "account url", "account link",
            "ссылка на профиль", "ссылка", "ссылка на аккаунт", "профиль", "аккаунт", "сілтеме",
            "профиль сілтемесі"),
    "name": ("name", "display name", "full name", "имя", "имя профиля", "имя в профиле", "фио", "аты",
             "аты-жөні"),
    "handle": ("handle", "username", "screen name", "логин", "ник"),
    "platform": ("platform", "social network", "network", "платформа", "соцсеть", "социальная сеть",
                 "желі"),
    "created_at": ("created", "created at", "account created", "date created", "дата создания",
                   "дата регистрации", "создан"),
    "photo_source": ("photo source", "source of photo", "источник фото", "источник фотографии",
                     "откуда фото", "фото"),
    "label": ("label", "verdict", "метка", "вердикт", "оценка", "вывод"),
    "note": ("notes", "note", "comment", "comments", "evidence", "примечание", "примечания",
             "комментарий", "комментарии", "доказательства", "ескерту"),
    "status": ("status", "account status", "статус", "статус аккаунта"),
    "checked_at": ("checked", "checked at", "checked on", "date checked", "last checked", "дата проверки",
                   "проверено", "проверен"),
    "author": ("author", "labeled by", "checked by", "автор", "проверил", "кто проверял"),
    "labeled_at": ("labeled at", "labelled at", "date", "дата", "дата метки"),
}
_SPECIFIC_URL = {"profile url", "profile", "profile link", "account url", "account link", "ссылка на профиль",
                 "ссылка на аккаунт", "профиль", "профиль сілтемесі"}

LABELS: dict[str, str] = {
    **dict.fromkeys(("fake", "confirmed", "confirmed fake", "bot", "фейк", "подтвержден", "подтверждён",
                     "подтверждено", "бот", "жалған"), "fake"),
    **dict.fromkeys(("doubtful", "suspicious", "unsure", "сомнительный", "сомнительная", "сомнительно",
                     "под вопросом", "подозрительный", "күмәнді"), "doubtful"),
    **dict.fromkeys(("real", "genuine", "not fake", "реальный", "реальная", "настоящий", "настоящая",
                     "не фейк", "живой", "нақты"), "real"),
}
STATUSES: dict[str, str] = {
    **dict.fromkeys(("active", "активен", "активна", "активный", "работает", "жив"), "active"),
    **dict.fromkeys(("removed", "deleted", "удален", "удалён", "удалена", "удалено"), "removed"),
    **dict.fromkeys(("suspended", "blocked", "banned", "заблокирован", "заблокирована", "блок"), "suspended"),
    **dict.fromkeys(("renamed", "переименован"), "renamed"),
    **dict.fromkeys(("private", "закрыт", "закрытый", "закрыта"), "private"),
    **dict.fromkeys(("unknown", "неизвестно"), "unknown"),
}
_PLATFORM_NAMES = {
    **PLATFORM_ALIASES, **{p: p for p in PLATFORMS},
    "фейсбук": "facebook", "фб": "facebook", "инстаграм": "instagram", "инста": "instagram",
    "вконтакте": "vk", "вк": "vk", "одноклассники": "ok", "ок": "ok", "телеграм": "telegram",
    "телеграмм": "telegram", "твиттер": "twitter", "ютуб": "youtube", "тикток": "tiktok",
}


def header_key(name: str) -> str:
    """A header cell as the column tables name it: lower case, one space between words, no `_:*`."""
    return re.sub(r"\s+", " ", name.replace("_", " ").strip().strip(":*").strip().lower())


def find_roles(header: list[str], columns: dict[str, tuple[str, ...]] = COLUMNS) -> dict[str, int]:
    """role -> the index of the first header cell that names it (`columns`: role -> header keys)."""
    found: dict[str, int] = {}
    keys = [header_key(h) for h in header]
    for role, names in columns.items():
        for i, key in enumerate(keys):
            if key in names and i not in found.values():
                found[role] = i
                break
    return found


def _find_header(rows: Iterable[list[str]]) -> tuple[int, list[str], dict[str, int], list[list[str]]] | None:
    """(row number, header, roles, rows after it) for the first of HEADER_ROWS rows naming a URL column."""
    rows = list(rows)
    for number, row in enumerate(rows[:HEADER_ROWS], start=1):
        roles = find_roles(row)
        if "url" in roles:
            return number, row, roles, rows[number:]
    return None


def _looks_like_sheet(found: tuple | None) -> bool:
    if found is None:
        return False
    _number, header, roles, after = found
    if header_key(header[roles["url"]]) in _SPECIFIC_URL or set(roles) - {"url", "name", "handle", "labeled_at"}:
        return True
    cells = [r[roles["url"]] for r in after[:HEADER_ROWS] if len(r) > roles["url"] and r[roles["url"]].strip()]
    return bool(cells) and all(parse_profile_url(c) is not None for c in cells)


# -- CSV ----------------------------------------------------------------------------------------------

def _csv_head(source: Source) -> tuple[str, tuple] | None:
    """The delimiter and the header found in the first rows of a CSV sheet, or None."""
    text = source.text_head()
    best = None
    for delimiter in (",", ";", "\t"):
        try:
            rows = []
            for row in csv.reader(io.StringIO(text), delimiter=delimiter):
                rows.append(row)
                if len(rows) >= 2 * HEADER_ROWS:
                    break
        except csv.Error:
            continue
        found = _find_header(rows)
        if found is not None:
            width = sum(1 for h in found[1] if h.strip())
            if best is None or width > best[0]:
                best = (width, delimiter, found)
    return (best[1], best[2]) if best else None


def _sniff_csv(source: Source) -> bool:
    if source.suffix not in (".csv", ".tsv", ".txt"):
        return False
    head = _csv_head(source)
    return head is not None and _looks_like_sheet(head[1])


def _read_csv(source: Source, ctx: Context) -> Iterator[Chunk]:
    head = _csv_head(source)
    if head is None:
        raise _no_url_column(source)
    delimiter = head[0]

    yield from _read_rows(source, ctx, csv_rows(source, delimiter))


def csv_rows(source: Source, delimiter: str) -> Iterator[list[str]]:
    """The rows of a CSV sheet; a broken row or a file that mixes encodings is named."""
    number = 0
    try:
        with source.open_text() as f:
            for number, row in enumerate(csv.reader(f, delimiter=delimiter), start=1):
                yield row
    except csv.Error as exc:
        raise BadRecord(f"{source.name}, row {number + 1}: cannot be read as CSV ({exc}).",
                        "A field holding the delimiter, a quote or a line break must be quoted.") from None
    except UnicodeDecodeError:
        found = source.first_bad_line()
        where = f"line {found[0]}" if found else f"row {number + 1}"
        raise BadFile(f"{source.name}, {where}: the text is not valid {source.encoding}; the file mixes "
                      "encodings.", "Re-save it as UTF-8, or pass --encoding.") from None


# -- XLSX -----------------------------------------------------------------------------------------------

def _sniff_xlsx(source: Source) -> bool:
    if source.suffix in (".xlsx", ".xlsm"):
        return True
    return source.head.startswith(b"PK\x03\x04") and b"xl/" in source.head[:4096] and source.compression is None


def _read_xlsx(source: Source, ctx: Context) -> Iterator[Chunk]:
    if source.compression is not None:
        raise BadFile(f"{source.name}: a compressed XLSX file ({source.compression}).",
                      "Decompress it first; an XLSX file is already compressed.")
    book = open_workbook(source)
    try:
        sheets = book.worksheets
        if not sheets:
            raise BadFile(f"{source.name}: the workbook has no worksheet.")
        if len(sheets) > 1:
            others = ", ".join(repr(s.title) for s in sheets[1:])
            ctx.notes.append(f"only the first sheet {sheets[0].title!r} was read; not read: {others}")
        sheet = sheets[0]
        sheet.reset_dimensions()  # a wrong stored size must not cut rows off
        try:
            yield from _read_rows(source, ctx, ([cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)))
        except (zipfile.BadZipFile, KeyError, ValueError, EOFError) as exc:
            raise BadFile(f"{source.name}: the workbook is damaged ({type(exc).__name__}).",
                          "Open it in Excel or LibreOffice and save it again.") from None
    finally:
        book.close()


def open_workbook(source: Source):
    """The workbook of an XLSX file, read-only, once its zip is checked (bomb, damage)."""
    import openpyxl  # only XLSX needs it

    _check_zip(source)
    try:
        return openpyxl.load_workbook(source.path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged or foreign file
        raise BadFile(f"{source.name}: not a readable XLSX workbook ({type(exc).__name__}).",
                      "Open it in Excel or LibreOffice and save it again as .xlsx, or export it as CSV.") from None


def _check_zip(source: Source) -> None:
    """Refuse a workbook whose parts would expand far beyond the file (a decompression bomb)."""
    try:
        with zipfile.ZipFile(source.path) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, OSError):
        raise BadFile(f"{source.name}: not an XLSX workbook, or a damaged one (not a readable zip archive).",
                      "Save the sheet from Excel or LibreOffice as .xlsx, or export it as CSV.") from None
    total = sum(i.file_size for i in infos)
    ratio, floor = settings.get("max_expand_ratio"), settings.get("max_expand_floor_bytes")
    if total > settings.get("max_decompressed_bytes") or (total > floor and total > ratio * max(source.size, 1)):
        raise TooLarge(f"{source.name}: the workbook expands to {total:,} bytes from {source.size:,}; "
                       "this looks like a decompression bomb.",
                       "If the file is genuine, raise TROLLSCAN_MAX_EXPAND_RATIO or export the sheet as CSV.")


def cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ") if value.time() != dt.time(0) else value.date().isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# -- rows -> tables -------------------------------------------------------------------------------------

def _no_url_column(source: Source) -> MissingColumns:
    return MissingColumns(
        f"{source.name}: no column with the profile URL in the first {HEADER_ROWS} rows "
        f"(looked for: {', '.join(COLUMNS['url'][:6])}...).",
        "Add a column named 'profile url' (or 'ссылка на профиль') with each account's profile URL.")


def _read_rows(source: Source, ctx: Context, rows: Iterator[list[str]]) -> Iterator[Chunk]:
    header = roles = None
    tables: dict[str, list[dict]] = {"accounts": [], "labels": [], "snapshots": []}
    batch, empty, pending = settings.get("batch_rows"), 0, 0
    for number, row in enumerate(rows, start=1):
        cells = [c.strip() if isinstance(c, str) else c for c in row]
        if header is None:
            if number > HEADER_ROWS:
                raise _no_url_column(source)
            found = find_roles(cells)
            if "url" in found:
                header, roles = cells, found
                if number > 1:
                    ctx.skip("title row above the header", number - 1)
            continue
        if not any(cells):
            empty += 1
            continue
        _row(source, number, cells, header, roles, tables)
        pending += 1
        if pending >= batch:
            yield from _flush(tables)
            pending = 0
    if header is None:
        raise _no_url_column(source)
    if empty:
        ctx.skip("empty row", empty)
    yield from _flush(tables)


def _flush(tables: dict[str, list[dict]]) -> Iterator[Chunk]:
    for table, rows in tables.items():
        if rows:
            yield Chunk(table, rows_to_table(table, rows))
            rows.clear()


def _row(source: Source, number: int, cells: list[str], header: list[str], roles: dict[str, int],
         tables: dict[str, list[dict]]) -> None:
    def get(role: str) -> str | None:
        i = roles.get(role)
        return (cells[i] or None) if i is not None and i < len(cells) else None

    where = f"{source.name}, row {number}"
    url = get("url")
    if url is None:
        raise BadRecord(f"{where}: the profile URL is empty.",
                        "Fill in each account's profile URL, or delete the row.")
    profile = parse_profile_url(url)
    if profile is None:
        raise BadRecord(f"{where}: {_show(url)} is not a profile URL trollscan knows.",
                        f"Use the address of the profile page, such as {PROFILE_URL_EXAMPLES}.")
    said = get("platform")
    if said is not None:
        platform = _PLATFORM_NAMES.get(said.lower())
        if platform is None:
            raise BadRecord(f"{where}: platform {_show(said)} is not one trollscan knows.",
                            f"Use one of: {', '.join(PLATFORMS)}, or leave it empty (the URL says it).")
        if platform != profile.platform:
            raise BadRecord(f"{where}: platform {_show(said)} does not match the URL {_show(url)} "
                            f"({profile.platform}).", "Correct the platform or the URL.")
    key = {"platform": profile.platform, "account_id": profile.account_id}
    used = set(roles.values())
    extra = {}
    if get("photo_source"):
        extra["photo_source"] = get("photo_source")
    for i, value in enumerate(cells):
        if i not in used and value:
            name = header[i] if i < len(header) and header[i] else f"column {i + 1}"
            extra.setdefault(name, value)
    label, status = get("label"), get("status")
    if get("note") and label is None:
        extra["note"] = get("note")
    if get("checked_at") and status is None:
        extra[header[roles["checked_at"]]] = get("checked_at")
    tables["accounts"].append({
        REC: number, **key, "handle": get("handle") or profile.handle, "name": get("name"),
        "created_at": get("created_at"), "url": profile.url,
        "extra": orjson.dumps(extra).decode() if extra else None,
    })
    if label is not None:
        value = LABELS.get(label.lower().strip(" .!"))
        if value is None:
            raise BadRecord(f"{where}: label {_show(label)} is not fake, doubtful or real.",
                            "Use fake (фейк, confirmed), doubtful (сомнительный) or real (реальный, настоящий).")
        tables["labels"].append({REC: number, **key, "label": value, "note": get("note"),
                                 "author": get("author") or source.path.name, "labeled_at": get("labeled_at")})
    if status is not None:
        checked = get("checked_at")
        if checked is None:
            raise BadRecord(f"{where}: status {_show(status)} has no date it was checked.",
                            "Add a 'checked' column (дата проверки) with the date you checked each account.")
        tables["snapshots"].append({REC: number, **key, "seen_at": checked,
                                    "status": STATUSES.get(status.lower(), status),
                                    "handle": get("handle") or profile.handle, "name": get("name")})


def _show(value: str, width: int = 80) -> str:
    return repr(value if len(value) <= width else value[:width] + "…")


SHEET_CSV = Adapter("sheet-csv", "a reporter's spreadsheet of accounts as CSV (profile URL, label, notes, status)",
                    "row", _sniff_csv, _read_csv)
SHEET_XLSX = Adapter("sheet-xlsx", "a reporter's spreadsheet of accounts as XLSX (first sheet)",
                     "row", _sniff_xlsx, _read_xlsx)
