"""The part of the FollowTheMoney model trollscan writes, and the checks an export must pass.

FollowTheMoney (FtM) is the entity model of Aleph / OpenAleph and OpenSanctions: each entity is
`{"id", "schema", "properties": {name: [text values]}}`. The schemata, their parents, and the
properties trollscan uses with their types are copied here from the published schema
(`followthemoney/schema/*.yaml`); the `followthemoney` package itself is not a dependency (it
pulls in ICU, SQLAlchemy and mypy). `check_entities` applies the rules that can be checked
offline: known schema, property allowed on it (or on a parent), value of the property's type,
entity references that point to an entity in the same export whose schema fits the range, and
the required properties of each schema.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable

__all__ = ["SCHEMATA", "LINK_SCHEMATA", "NOT_XML", "ftm_id", "is_a", "properties_of", "entity_line", "check_entities",
           "FtmError"]

# schema -> (parents, {property: type}); a type "entity:Range" is a reference to an entity of that range.
SCHEMATA: dict[str, tuple[tuple[str, ...], dict[str, str]]] = {
    "Thing": ((), {"name": "name", "summary": "text", "description": "text", "country": "country", "alias": "name",
                   "previousName": "name", "sourceUrl": "url", "publisher": "string", "keywords": "string",
                   "address": "address", "addressEntity": "entity:Address", "notes": "text",
                   "modifiedAt": "date", "retrievedAt": "date"}),
    "Interval": ((), {"startDate": "date", "endDate": "date", "date": "date", "summary": "text",
                      "description": "text", "recordId": "string", "sourceUrl": "url"}),
    "LegalEntity": (("Thing",), {"email": "email", "phone": "phone", "website": "url", "legalForm": "string",
                                 "incorporationDate": "date", "dissolutionDate": "date", "status": "string",
                                 "sector": "string", "registrationNumber": "identifier", "idNumber": "identifier",
                                 "taxNumber": "identifier", "innCode": "identifier", "jurisdiction": "country",
                                 "mainCountry": "country", "parent": "entity:LegalEntity"}),
    "Person": (("LegalEntity",), {"title": "string", "firstName": "string", "middleName": "string",
                                  "fatherName": "string", "lastName": "string", "birthDate": "date",
                                  "birthPlace": "string", "position": "string", "nationality": "country",
                                  "citizenship": "country", "gender": "gender", "political": "string"}),
    "Organization": (("LegalEntity",), {}),
    "Asset": (("Thing",), {}),
    "Company": (("Organization", "Asset"), {}),
    "Address": (("Thing",), {"full": "address", "remarks": "string", "street": "string", "city": "string",
                             "postalCode": "string", "region": "string", "latitude": "number",
                             "longitude": "number"}),
    "UserAccount": (("Thing",), {"owner": "entity:LegalEntity", "service": "string", "email": "email",
                                 "username": "string"}),
    "Interest": (("Interval",), {"role": "string", "status": "string"}),
    "Ownership": (("Interest",), {"owner": "entity:LegalEntity", "asset": "entity:Asset", "percentage": "string",
                                  "ownershipType": "string"}),
    "Employment": (("Interest",), {"employer": "entity:Organization", "employee": "entity:Person"}),
    "Directorship": (("Interest",), {"director": "entity:LegalEntity", "organization": "entity:Organization"}),
    "Membership": (("Interest",), {"member": "entity:LegalEntity", "organization": "entity:Organization"}),
    "Associate": (("Interval",), {"person": "entity:Person", "associate": "entity:Person",
                                  "relationship": "string"}),
    "Family": (("Interval",), {"person": "entity:Person", "relative": "entity:Person", "relationship": "string"}),
    "UnknownLink": (("Interest",), {"subject": "entity:Thing", "object": "entity:Thing"}),
}
_ABSTRACT = {"Thing", "Interval", "LegalEntity", "Asset", "Interest"}
_REQUIRED = {"Person": ("name",), "Organization": ("name",), "Company": ("name",), "UserAccount": ("username",),
             "Ownership": ("owner", "asset"), "Employment": ("employer", "employee"),
             "Directorship": ("director", "organization"), "Membership": ("member", "organization"),
             "Associate": ("person", "associate"), "Family": ("person", "relative"),
             "UnknownLink": ("subject", "object")}

# Link schemata: (source property, target property); FtM draws the edge source -> target.
LINK_SCHEMATA: dict[str, tuple[str, str]] = {
    "Ownership": ("owner", "asset"), "Employment": ("employee", "employer"),
    "Directorship": ("director", "organization"), "Membership": ("member", "organization"),
    "Associate": ("person", "associate"), "Family": ("person", "relative"), "UnknownLink": ("subject", "object"),
}

_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2}(T\d{2}(:\d{2}(:\d{2})?)?)?)?)?$")
_COUNTRY = re.compile(r"^[a-z]{2}(-[a-z0-9]{1,8})?$")
_ID = re.compile(r"^[0-9a-f]{40}$")
NOT_XML = re.compile(  # characters XML 1.0 forbids (also dropped from FtM text)
    "[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


class FtmError(ValueError):
    """An entity that breaks a rule of the FollowTheMoney schema (a bug in the writer, not bad input)."""


def ftm_id(*parts: str) -> str:
    """A stable entity id: the SHA-1 of the parts, like followthemoney's make_id."""
    return hashlib.sha1("\x1f".join(["trollscan", *parts]).encode("utf-8")).hexdigest()


def _ancestors(schema: str) -> list[str]:
    out = [schema]
    for parent in SCHEMATA[schema][0]:
        out += [a for a in _ancestors(parent) if a not in out]
    return out


def is_a(schema: str, other: str) -> bool:
    """Whether `schema` is `other` or extends it (Company is an Organization, a LegalEntity, an Asset...)."""
    return schema in SCHEMATA and other in _ancestors(schema)


def properties_of(schema: str) -> dict[str, str]:
    """Every property a schema has, its own and its parents', with its type."""
    props: dict[str, str] = {}
    for s in reversed(_ancestors(schema)):
        props.update(SCHEMATA[s][1])
    return props


def entity_line(schema: str, entity_id: str, props: dict) -> str:
    """One entity as a JSON line. Values become lists of text (None and empty dropped, characters
    XML and JSON-lines readers choke on removed); a property the schema lacks is a bug: FtmError."""
    if schema not in SCHEMATA or schema in _ABSTRACT:
        raise FtmError(f"FollowTheMoney has no concrete schema {schema!r}")
    clean = {k: [_text(x) for x in (v if isinstance(v, (list, tuple)) else [v]) if x not in (None, "")]
             for k, v in props.items()}
    clean = {k: list(dict.fromkeys(x for x in v if x)) for k, v in clean.items()}
    clean = {k: v for k, v in clean.items() if v}
    unknown = set(clean) - set(properties_of(schema))
    if unknown:
        raise FtmError(f"FollowTheMoney's {schema} has no properties {sorted(unknown)}")
    text = json.dumps({"id": entity_id, "schema": schema, "properties": clean}, ensure_ascii=False)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029") + "\n"  # one entity per line, always


def _text(value) -> str:
    if hasattr(value, "isoformat"):
        return value.isoformat(timespec="seconds") if hasattr(value, "hour") else value.isoformat()
    return NOT_XML.sub("", str(value)).strip()


def _value_ok(kind: str, value: str) -> bool:
    if kind == "date":
        return bool(_DATE.match(value))
    if kind == "country":
        return bool(_COUNTRY.match(value))
    if kind == "url":
        return value.lower().startswith(("http://", "https://")) and " " not in value
    if kind == "number":
        try:
            float(value)
        except ValueError:
            return False
        return True
    if kind == "gender":
        return value in ("male", "female", "other")
    if kind == "email":
        return "@" in value and " " not in value
    return isinstance(value, str)


def check_entities(entities: Iterable[dict]) -> list[str]:
    """The rules of the schema that `entities` break, as sentences (empty when all is well)."""
    entities = list(entities)
    problems = []
    by_id: dict[str, str] = {}
    for e in entities:
        if not isinstance(e.get("id"), str) or not _ID.match(e["id"]):
            problems.append(f"entity id {e.get('id')!r} is not a 40-character hex id")
        if e.get("id") in by_id:
            problems.append(f"entity id {e['id']} is used twice")
        by_id[e.get("id")] = e.get("schema")
    for e in entities:
        schema, where = e.get("schema"), f"{e.get('schema')} {e.get('id')}"
        if schema not in SCHEMATA or schema in _ABSTRACT:
            problems.append(f"{where}: unknown or abstract schema")
            continue
        allowed = properties_of(schema)
        props = e.get("properties") or {}
        for name in _REQUIRED.get(schema, ()):
            if not props.get(name):
                problems.append(f"{where}: the required property {name} is missing")
        for name, values in props.items():
            kind = allowed.get(name)
            if kind is None:
                problems.append(f"{where}: {schema} has no property {name}")
                continue
            if not isinstance(values, list) or not all(isinstance(v, str) and v for v in values):
                problems.append(f"{where}: {name} is not a list of non-empty texts")
                continue
            for v in values:
                if kind.startswith("entity:"):
                    target = by_id.get(v)
                    if target is None:
                        problems.append(f"{where}: {name} names {v}, which is not in the export")
                    elif not is_a(target, kind[7:]):
                        problems.append(f"{where}: {name} must be a {kind[7:]}, not a {target}")
                elif not _value_ok(kind, v):
                    problems.append(f"{where}: {name} value {v[:40]!r} is not a valid {kind}")
    return problems
