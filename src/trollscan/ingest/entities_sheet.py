"""A reporter's sheet of the people, companies and addresses behind a farm, and their ties.

What reporters learn besides the accounts: who owns a stolen photo, who administers the farm,
the agency and its director, the client that pays, the office address (the seeds name LLPs
registered at one address, a deputy director whose posts the bots serve, the real owners of
stolen photos). They keep it in a spreadsheet; `trollscan entities add FILE` loads it.

Two kinds of sheet (CSV, or worksheets of one XLSX workbook), told apart by their header:

- **entities**: `id` (the reporter's own short key), `type` (person, company, organization,
  address), `name`, and any of: country, address, street, city, postal code, region, registration
  number, jurisdiction, incorporation date, position, birth date, website, alias, source url, note.
- **links**: `from`, `relation`, `to`, and any of: role, start, end, note, source url. `from` and
  `to` are an entity id of a sheet, an account (its profile URL, or `platform:account_id`), or
  `group N` (an operator group found by the last scan). The relation says which FollowTheMoney
  link it becomes (see RELATIONS); an unknown relation is an `UnknownLink` with that role.

Headers may be in English or Russian. Parsing is pure (no case is read): references are resolved
and checked against the case by `store.entities`. Record numbers are rows as a spreadsheet shows them.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

from ..errors import BadFile, BadRecord, MissingColumns
from ..report.ftm import is_a, properties_of
from ..store.schema import PLATFORMS
from .profile_url import parse_profile_url
from .sheet import cell_text, csv_rows, find_roles, header_key as _key, open_workbook
from .source import Source

__all__ = ["looks_like_entities_sheet", "read_entities_sheet", "add_entities_sheets", "parse_reference", "link_schema", "check_link", "TYPES",
           "RELATIONS", "ENTITY_COLUMNS", "LINK_COLUMNS", "MAX_ROWS"]

MAX_ROWS = 100_000  # a sheet of entities is hand-made: more rows than this is the wrong file
_HEADER_ROWS = 10

TYPES: dict[str, str] = {
    **dict.fromkeys(("person", "people", "individual", "human", "человек", "лицо", "физлицо", "персона", "адам"),
                    "Person"),
    **dict.fromkeys(("company", "llp", "llc", "ltd", "business", "firm", "компания", "тоо", "ооо", "фирма",
                     "предприятие", "серіктестік"), "Company"),
    **dict.fromkeys(("organization", "organisation", "org", "agency", "party", "foundation", "ngo", "government body",
                     "организация", "агентство", "партия", "фонд", "ведомство", "ұйым"), "Organization"),
    **dict.fromkeys(("address", "office", "location", "place", "адрес", "офис", "место", "мекенжай"), "Address"),
}

# header -> FtM property (for the schemata that have it); "note" and "id"/"type"/"name" are kept apart.
ENTITY_COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("id", "key", "entity id", "ид", "код", "ключ"),
    "type": ("type", "kind", "schema", "тип", "вид", "түрі"),
    "name": ("name", "full name", "title", "имя", "название", "наименование", "фио", "аты"),
    "country": ("country", "страна", "ел"),
    "address": ("address", "адрес", "мекенжай"),
    "street": ("street", "улица", "көше"),
    "city": ("city", "town", "город", "қала"),
    "postalCode": ("postal code", "postcode", "zip", "индекс"),
    "region": ("region", "province", "oblast", "область", "регион", "облыс"),
    "registrationNumber": ("registration number", "reg number", "bin", "бин", "регистрационный номер", "огрн"),
    "jurisdiction": ("jurisdiction", "юрисдикция"),
    "incorporationDate": ("incorporation date", "registered on", "дата регистрации"),
    "position": ("position", "job", "должность", "лауазым"),
    "birthDate": ("birth date", "date of birth", "дата рождения"),
    "website": ("website", "site", "сайт"),
    "alias": ("alias", "other name", "also known as", "aka", "другое имя", "псевдоним"),
    "sourceUrl": ("source url", "source", "source link", "источник", "ссылка на источник"),
    "note": ("note", "notes", "comment", "evidence", "примечание", "комментарий", "ескерту"),
}
LINK_COLUMNS: dict[str, tuple[str, ...]] = {
    "from": ("from", "subject", "who", "кто", "от"),
    "relation": ("relation", "relationship", "link", "tie", "связь", "отношение", "байланыс"),
    "to": ("to", "object", "whom", "what", "кому", "с кем", "к"),
    "role": ("role", "роль", "рөлі"),
    "start": ("start", "start date", "since", "from date", "с", "начало", "дата начала"),
    "end": ("end", "end date", "until", "to date", "по", "конец", "дата окончания"),
    "sourceUrl": ENTITY_COLUMNS["sourceUrl"],
    "note": ENTITY_COLUMNS["note"],
}

# relation words -> (schema, role written when the sheet gives none). "address" and "owner" are
# properties (addressEntity of the subject; owner of a UserAccount), not link entities.
RELATIONS: dict[str, tuple[str, str]] = {
    **dict.fromkeys(("owns", "owner", "owner of", "founder", "co-founder", "shareholder", "владеет", "владелец",
                     "учредитель", "соучредитель"), ("Ownership", "owner")),
    **dict.fromkeys(("director", "director of", "head", "head of", "heads", "runs company", "директор",
                     "руководитель", "глава"), ("Directorship", "director")),
    **dict.fromkeys(("works for", "employee", "employee of", "employed by", "staff", "работает в", "сотрудник"),
                    ("Employment", "employee")),
    **dict.fromkeys(("member", "member of", "член", "состоит в"), ("Membership", "member")),
    **dict.fromkeys(("associate", "friend", "knows", "partner", "друг", "знакомый", "партнёр", "партнер"),
                    ("Associate", "associate")),
    **dict.fromkeys(("relative", "family", "brother", "sister", "родственник", "брат", "сестра"),
                    ("Family", "relative")),
    **dict.fromkeys(("address", "located at", "registered at", "office at", "адрес", "зарегистрирован по адресу",
                     "находится по адресу"), ("address", "")),
    **dict.fromkeys(("operates", "runs", "admin", "administers", "manages", "controls", "operator", "управляет",
                     "администрирует", "админ", "оператор"), ("UnknownLink", "operates")),
    **dict.fromkeys(("client", "client of", "customer", "pays", "paid", "ordered", "заказчик", "клиент", "платит"),
                    ("UnknownLink", "client: pays for")),
    **dict.fromkeys(("photo owner", "real owner of photo", "photo of", "photo stolen from", "владелец фото",
                     "фото принадлежит", "чье фото"), ("UnknownLink", "real owner of the photo used by")),
}


def _kind(header: list[str]) -> tuple[str, dict[str, int]] | None:
    links = find_roles(header, LINK_COLUMNS)
    if {"from", "relation", "to"} <= set(links):
        return "links", links
    ents = find_roles(header, ENTITY_COLUMNS)
    if {"id", "type", "name"} <= set(ents):
        return "entities", ents
    return None


def looks_like_entities_sheet(source: Source) -> bool:
    """Whether a text file's first row is the header of an entities or links sheet."""
    line = source.text_head().lstrip("\ufeff").split("\n", 1)[0]
    try:
        first = next(csv.reader([line], delimiter=max(",;\t", key=line.count)))
    except (csv.Error, StopIteration):
        return False
    return _kind(first) is not None


def read_entities_sheet(path: Path) -> tuple[list[dict], list[dict]]:
    """The entities and links of a CSV or XLSX file: (entities, links), each row with `record`
    (its row) and `where` (file and row, for messages). A bad row fails the whole file."""
    path = Path(path)
    if not path.is_file():
        raise BadFile(f"{path}: no such file.", "Give the path of the entities sheet (CSV or XLSX).")
    source = Source(path)
    entities: list[dict] = []
    links: list[dict] = []
    found = 0
    for title, rows in _tables(source):
        name = source.name + (f" (sheet {title!r})" if title else "")
        header, kind, roles = None, None, {}
        for number, row in enumerate(rows, start=1):
            cells = [c.strip() for c in row]
            if kind is None:
                if number > _HEADER_ROWS:
                    break
                got = _kind(cells)
                if got:
                    kind, roles = got
                    header = cells
                continue
            if not any(cells):
                continue
            if len(entities) + len(links) >= MAX_ROWS:
                raise BadFile(f"{name}: more than {MAX_ROWS:,} rows; an entities sheet is written by hand.",
                              "Check that this is the right file.")
            get = lambda role: (cells[roles[role]] if role in roles and roles[role] < len(cells) else "")  # noqa: E731
            where = f"{name}, row {number}"
            if kind == "entities":
                entities.append(_entity(get, where, number))
            else:
                links.append(_link(get, where, number))
        if header is not None:
            found += 1
    if not found:
        raise MissingColumns(
            f"{source.name}: no entities or links header in the first {_HEADER_ROWS} rows of any sheet.",
            "An entities sheet needs the columns id, type, name; a links sheet needs from, relation, to.")
    keys = {}
    for e in entities:
        if e["key"] in keys:
            raise BadRecord(f"{e['where']}: the id {e['key']!r} is already used in {keys[e['key']]}.",
                            "Give every person, company and address its own id.")
        keys[e["key"]] = e["where"]
    return entities, links


def _tables(source: Source) -> Iterator[tuple[str | None, Iterator[list[str]]]]:
    if source.suffix in (".xlsx", ".xlsm") or source.head.startswith(b"PK\x03\x04"):
        yield from _workbook(source)
        return
    yield None, _csv_rows(source)


def _csv_rows(source: Source) -> Iterator[list[str]]:
    first = source.head.decode("utf-8", errors="ignore").split("\n", _HEADER_ROWS)[:_HEADER_ROWS]
    return csv_rows(source, max(",;\t", key=lambda d: sum(line.count(d) for line in first)))


def _workbook(source: Source) -> Iterator[tuple[str, Iterator[list[str]]]]:
    book = open_workbook(source)
    try:
        for sheet in book.worksheets:
            sheet.reset_dimensions()
            yield sheet.title, ([cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True))
    finally:
        book.close()


def _date(value: str, where: str, column: str) -> str | None:
    """An ISO date (YYYY, YYYY-MM or YYYY-MM-DD) from what a sheet holds (also DD.MM.YYYY)."""
    value = value.strip()
    if not value:
        return None
    if re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", value):
        return value
    m = re.fullmatch(r"(\d{4}-\d{2}-\d{2})[ T]\d{2}:\d{2}(:\d{2})?", value)
    if m:
        return m.group(1)
    for fmt in ("%d.%m.%Y", "%d/%m/%Y", "%m.%Y"):
        try:
            parsed = dt.datetime.strptime(value, fmt)
        except ValueError:
            continue
        return parsed.strftime("%Y-%m" if fmt == "%m.%Y" else "%Y-%m-%d")
    raise BadRecord(f"{where}: {column} {value[:40]!r} is not a date.", "Write it as 2019-02-07, 07.02.2019 or 2019.")


def _entity(get, where: str, record: int) -> dict:
    key, kind, name = get("id"), get("type"), get("name")
    for col, value in (("id", key), ("type", kind), ("name", name)):
        if not value:
            raise BadRecord(f"{where}: the {col} is empty.", "Every entity needs an id, a type and a name.")
    try:  # an id a `from` / `to` cell would read as a group or an account could never be linked to
        named = parse_reference(key, where)["kind"]
    except BadRecord:
        named = None
    if len(key) > 200 or any(ord(c) < 32 for c in key) or ":" in key or named != "entity":
        raise BadRecord(f"{where}: the id {key[:60]!r} cannot be used.",
                        "Use a short key without ':' that does not start with 'group', e.g. smmnetwork or ayazhan_t.")
    schema = TYPES.get(_key(kind))
    if schema is None:
        raise BadRecord(f"{where}: the type {kind[:40]!r} is not known.",
                        "Use person, company, organization or address.")
    allowed = properties_of(schema)
    props: dict[str, list[str]] = {}
    for prop in ENTITY_COLUMNS:
        value = get(prop) if prop not in ("id", "type", "name", "note") else ""
        if not value:
            continue
        if prop == "address" and schema == "Address":
            prop = "full"
        if prop not in allowed:
            raise BadRecord(f"{where}: a {kind} has no {prop}.", f"Leave that cell empty for a {schema}.")
        kind_of = allowed[prop]
        if kind_of == "date":
            value = _date(value, where, prop)
        elif kind_of == "country":
            if not re.fullmatch(r"[A-Za-z]{2}", value):
                raise BadRecord(f"{where}: the {prop} {value[:40]!r} is not a two-letter country code.",
                                "Write it as an ISO code: kz, kg, ru.")
            value = value.lower()
        elif kind_of == "url" and not re.match(r"https?://\S+$", value, re.I):
            raise BadRecord(f"{where}: the {prop} {value[:60]!r} is not an http(s) address.",
                            "Give the full address, starting with https://.")
        props[prop] = [value]
    if schema == "Address":
        props.setdefault("full", [name])
    return {"key": key, "schema": schema, "name": name, "properties": props, "note": get("note") or None,
            "record": record, "where": where}


def _link(get, where: str, record: int) -> dict:
    subject, relation, obj = get("from"), get("relation"), get("to")
    for col, value in (("from", subject), ("relation", relation), ("to", obj)):
        if not value:
            raise BadRecord(f"{where}: the {col} is empty.", "Every link needs from, relation and to.")
    schema, default_role = RELATIONS.get(_key(relation), ("UnknownLink", relation.strip()))
    url = get("sourceUrl")
    if url and not re.match(r"https?://\S+$", url, re.I):
        raise BadRecord(f"{where}: the source url {url[:60]!r} is not an http(s) address.",
                        "Give the full address, starting with https://.")
    return {"schema": schema, "subject": parse_reference(subject, where), "object": parse_reference(obj, where),
            "role": get("role") or default_role or None, "start_date": _date(get("start"), where, "start"),
            "end_date": _date(get("end"), where, "end"), "note": get("note") or None, "source_url": url or None,
            "record": record, "where": where}


def parse_reference(text: str, where: str) -> dict:
    """What a `from` / `to` cell names: {"kind": "entity", "key"}, {"kind": "account", "platform",
    "account_id"} (a profile URL or platform:account_id) or {"kind": "group", "group_id"}."""
    text = text.strip()
    m = re.fullmatch(r"(?:group|группа|топ)\s*#?\s*(\d{1,9})", text, re.I)
    if m:
        return {"kind": "group", "group_id": int(m.group(1)), "text": text}
    profile = parse_profile_url(text) if ("/" in text or "." in text) else None
    if profile is not None:
        return {"kind": "account", "platform": profile.platform, "account_id": profile.account_id, "text": text}
    platform, sep, account = text.partition(":")
    if sep and platform.lower() in PLATFORMS and account and not account.startswith("//"):
        return {"kind": "account", "platform": platform.lower(), "account_id": account.lstrip("@"), "text": text}
    if "://" in text or text.lower().startswith("www."):
        raise BadRecord(f"{where}: {text[:80]!r} is not a profile address trollscan can read.",
                        "Give the account as its profile URL (https://www.facebook.com/NAME) or platform:account_id.")
    return {"kind": "entity", "key": text, "text": text}


def link_schema(reference: dict, entity_schemata: dict[str, str]) -> str | None:
    """The FtM schema a reference stands for: an entity's own, UserAccount, or Organization for a group."""
    if reference["kind"] == "account":
        return "UserAccount"
    if reference["kind"] == "group":
        return "Organization"
    return entity_schemata.get(reference["key"])


# link schema -> (range of `from`, range of `to`), as the FtM schema defines the two ends
_ENDS = {"Ownership": ("LegalEntity", "Asset"), "Employment": ("Person", "Organization"),
         "Directorship": ("LegalEntity", "Organization"), "Membership": ("LegalEntity", "Organization"),
         "Associate": ("Person", "Person"), "Family": ("Person", "Person"), "address": ("Thing", "Address"),
         "owner": ("LegalEntity", "UserAccount"), "UnknownLink": ("Thing", "Thing")}


def check_link(link: dict, entity_schemata: dict[str, str]) -> dict:
    """The link with its schema settled: an unknown entity id, or ends the FollowTheMoney schema does
    not allow (a company employed by a person...), fail with the row; `owns` an account becomes the
    account's owner."""
    ends = []
    for side, ref in (("from", link["subject"]), ("to", link["object"])):
        schema = link_schema(ref, entity_schemata)
        if schema is None:
            raise BadRecord(f"{link['where']}: {side} {ref['text'][:80]!r} is not an id of the entities sheet, "
                            "a profile URL, platform:account_id or 'group N'.",
                            "Add the entity to the entities sheet first (or load that sheet in the same command).")
        ends.append(schema)
    schema = link["schema"]
    if schema == "Ownership" and ends[1] == "UserAccount":
        schema = "owner"
    want = _ENDS[schema]
    if not (is_a(ends[0], want[0]) and is_a(ends[1], want[1])):
        raise BadRecord(f"{link['where']}: a {schema} link goes from a {want[0]} to a {want[1]}; this row links a "
                        f"{ends[0]} to a {ends[1]}.",
                        "Swap from and to, change an entity's type, or use a relation such as 'operates' or a "
                        "free word (an UnknownLink).")
    return {**link, "schema": schema}


def add_entities_sheets(case, paths: list[Path]) -> list[dict]:
    """Load entities sheets into `case`: every file is read and checked first, then all are written
    in one transaction (files that define entities before files that only link them), each with its
    own `sources` row. Per file: path, entities, links, replaced, already, and accounts named that the
    case does not hold (kept as named)."""
    from ..store.entities import (read_entity_schemata, read_group_member_ids, ref_text, resolve_account,
                                  write_entities)

    parsed = [(Path(p), *read_entities_sheet(Path(p))) for p in paths]
    known = read_entity_schemata(case)
    for _path, entities, _links in parsed:
        known.update({e["key"]: e["schema"] for e in entities})
    out, sheets = [], []
    accounts: dict[tuple[str, str], tuple[str, bool]] = {}
    groups: dict[int, list[str] | None] = {}
    for path, entities, links in sorted(parsed, key=lambda t: not t[1]):
        checked, missing = [], 0
        for link in links:
            link = check_link(link, known)
            if link["subject"]["kind"] == link["object"]["kind"] == "group":
                raise BadRecord(f"{link['where']}: a link between two operator groups cannot be recorded.",
                                "Link each group to the person, company or account behind it instead.")
            members = None
            for side in ("subject", "object"):
                ref = dict(link[side])
                if ref["kind"] == "account":  # accounts and groups repeat down a sheet: each is read once
                    key = (ref["platform"], ref["account_id"])
                    if key not in accounts:
                        accounts[key] = resolve_account(case, *key)
                    ref["account_id"], held = accounts[key]
                    missing += not held
                elif ref["kind"] == "group":
                    if ref["group_id"] not in groups:
                        groups[ref["group_id"]] = read_group_member_ids(case, ref["group_id"])
                    members = groups[ref["group_id"]]
                    if members is None:
                        raise BadRecord(f"{link['where']}: the case has no group {ref['group_id']}.",
                                        "Group numbers come from the last trollscan scan; see trollscan groups.")
                link[side] = ref_text(ref)
            checked.append({**link, "members": members})
        sheets.append((path, entities, checked))
        out.append({"path": str(path), "accounts_not_in_case": missing})
    for row, counts in zip(out, write_entities(case, sheets)):
        row.update(counts)
    return out
