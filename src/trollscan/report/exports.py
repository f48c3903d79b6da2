"""Exports for other tools: GEXF 1.3 and GraphML for Gephi, FollowTheMoney entities for Aleph.

Each writer streams to a temporary file beside the target and renames it at the end, so a failed
export leaves no partial file. Text from social media is written as XML character data with the
characters XML 1.0 forbids removed, never as markup.

FollowTheMoney: entities as JSON lines ({"id", "schema", "properties": {name: [values]}}), the
format `ftm` and `alephclient write-entities` read, following the published schema (`ftm.py`): a
`UserAccount` per flagged or labelled account, an `Organization` per candidate operator group,
`UnknownLink`s from accounts to their group and between accounts that acted together; the
`Person`, `Company`, `Organization` and `Address` entities the reporter recorded (`trollscan
entities add`), with their ties as `Ownership`, `Directorship`, `Employment`, `Membership`,
`Associate`, `Family` or `UnknownLink` entities, an address as the `addressEntity` of what is
located there, and an account's recorded owner as its `owner`; and a `Person` per real owner of
a stolen photo named by a gallery label ("real owner: ..."), linked to the accounts that use the
photo. Every export is checked against the schema's rules before it replaces the target file.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import IO
from xml.sax.saxutils import escape, quoteattr

from .. import __version__
from ..errors import BadParameter
from ..signals.names import gallery_owner as photo_owner  # one reading of "real owner: NAME" labels
from ..store import Case
from ..store import report_data as rd
from .ftm import LINK_SCHEMATA, NOT_XML, FtmError, SCHEMATA, check_entities, entity_line, ftm_id, properties_of
from .html import safe_url

__all__ = ["xml_text", "write_gexf", "write_graphml", "write_ftm", "ftm_id", "FTM_PROPERTIES", "node_id", "photo_owner"]


_NODE_ATTRS = (("platform", "string"), ("account_id", "string"), ("handle", "string"), ("name", "string"),
               ("created_at", "string"), ("status", "string"), ("group_id", "integer"), ("verdict", "string"),
               ("score", "double"), ("analyst_label", "string"), ("flagged", "boolean"), ("n_findings", "integer"),
               ("n_items", "integer"), ("first_at", "string"), ("last_at", "string"))
_EDGE_ATTRS = (("layer", "string"), ("n_items", "integer"), ("n_targets", "integer"), ("first_at", "string"),
               ("last_at", "string"), ("sentence", "string"))

# The FollowTheMoney properties each schema allows (its own and its parents'), from ftm.SCHEMATA.
FTM_PROPERTIES = {schema: set(properties_of(schema)) for schema in SCHEMATA}


def xml_text(value) -> str:
    """A value as XML-safe text: characters XML 1.0 forbids are dropped, `<>&` escaped by the caller."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, bool):
        return "true" if value else "false"
    return NOT_XML.sub("", str(value))


def _rows(table) -> Iterator[dict]:
    """Rows of an Arrow table, a batch at a time (a big graph never becomes one list of dicts)."""
    for batch in table.to_batches(max_chunksize=65_536):
        yield from batch.to_pylist()


def node_id(platform: str, account_id: str) -> str:
    return f"{platform}:{account_id}"


@contextmanager
def _atomic(path: Path) -> Iterator[IO[str]]:
    path = Path(path)
    if not path.parent.is_dir():
        raise BadParameter(f"Cannot write {path}: the folder {path.parent} does not exist.", "Create it first.")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            yield f
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise BadParameter(f"Cannot write {path}: {exc.strerror}.", "Check the folder is writable.") from None
        raise


def _node_values(row: dict) -> dict:
    v = dict(row)
    v["analyst_label"] = v.pop("analyst")
    return v


def _label(row: dict) -> str:
    return f"@{row['handle']}" if row.get("handle") else (row.get("name") or row["account_id"])


def write_gexf(case: Case, path: Path) -> tuple[int, int]:
    """GEXF 1.3 (Gephi): accounts with their attributes and activity span, one edge per pair and
    layer (`kind`) with its weight and time span; the numbers of nodes and edges written."""
    nodes, edges = rd.read_export_nodes(case), rd.read_export_edges(case)
    with _atomic(path) as f:
        f.write('<?xml version="1.0" encoding="UTF-8"?>\n<gexf xmlns="http://gexf.net/1.3" '
                'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://gexf.net/1.3 '
                'http://gexf.net/1.3/gexf.xsd" version="1.3">\n')
        f.write(f'  <meta><creator>trollscan {escape(__version__)}</creator><description>Accounts that acted '
                f'together in case {escape(xml_text(case.meta("name")))}</description></meta>\n')
        f.write('  <graph defaultedgetype="undirected" mode="dynamic" timeformat="datetime">\n')
        for cls, attrs in (("node", _NODE_ATTRS), ("edge", _EDGE_ATTRS)):
            f.write(f'    <attributes class="{cls}" mode="static">\n')
            f.writelines(f'      <attribute id="{a}" title="{a}" type="{t}"/>\n' for a, t in attrs)
            f.write("    </attributes>\n")
        f.write("    <nodes>\n")
        for row in _rows(nodes):
            v = _node_values(row)
            spell = _spell(row["first_at"], row["last_at"])
            f.write(f'      <node id={quoteattr(xml_text(node_id(row["platform"], row["account_id"])))} '
                    f'label={quoteattr(xml_text(_label(row)))}{spell}>\n        <attvalues>')
            f.write("".join(f'<attvalue for="{a}" value={quoteattr(xml_text(v[a]))}/>' for a, _ in _NODE_ATTRS
                            if v.get(a) is not None))
            f.write("</attvalues>\n      </node>\n")
        f.write("    </nodes>\n    <edges>\n")
        for i, row in enumerate(_rows(edges)):
            f.write(f'      <edge id="{i}" source={quoteattr(xml_text(node_id(row["platform"], row["account_a"])))} '
                    f'target={quoteattr(xml_text(node_id(row["platform"], row["account_b"])))} '
                    f'kind={quoteattr(xml_text(row["layer"]))} weight="{row["weight"]!r}"'
                    f'{_spell(row["first_at"], row["last_at"])}>\n        <attvalues>')
            f.write("".join(f'<attvalue for="{a}" value={quoteattr(xml_text(row[a]))}/>' for a, _ in _EDGE_ATTRS
                            if row.get(a) is not None))
            f.write("</attvalues>\n      </edge>\n")
        f.write("    </edges>\n  </graph>\n</gexf>\n")
    return nodes.num_rows, edges.num_rows


def _spell(start, end) -> str:
    out = f' start="{xml_text(start)}"' if start else ""
    return out + (f' end="{xml_text(end)}"' if end else "")


_GRAPHML_TYPES = {"string": "string", "integer": "long", "double": "double", "boolean": "boolean"}


def write_graphml(case: Case, path: Path) -> tuple[int, int]:
    """GraphML (Gephi, igraph, networkx, R): the same nodes and edges as the GEXF, times as text."""
    nodes, edges = rd.read_export_nodes(case), rd.read_export_edges(case)
    with _atomic(path) as f:
        f.write('<?xml version="1.0" encoding="UTF-8"?>\n<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
                'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://graphml.graphdrawing'
                '.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n')
        f.write('  <key id="label" for="node" attr.name="label" attr.type="string"/>\n')
        f.writelines(f'  <key id="n_{a}" for="node" attr.name="{a}" attr.type="{_GRAPHML_TYPES[t]}"/>\n'
                     for a, t in _NODE_ATTRS)
        f.write('  <key id="weight" for="edge" attr.name="weight" attr.type="double"/>\n')
        f.writelines(f'  <key id="e_{a}" for="edge" attr.name="{a}" attr.type="{_GRAPHML_TYPES[t]}"/>\n'
                     for a, t in _EDGE_ATTRS)
        f.write('  <graph id="trollscan" edgedefault="undirected">\n')
        for row in _rows(nodes):
            v = _node_values(row)
            f.write(f'    <node id={quoteattr(xml_text(node_id(row["platform"], row["account_id"])))}>'
                    f'<data key="label">{escape(xml_text(_label(row)))}</data>')
            f.write("".join(f'<data key="n_{a}">{escape(xml_text(v[a]))}</data>' for a, _ in _NODE_ATTRS
                            if v.get(a) is not None))
            f.write("</node>\n")
        for i, row in enumerate(_rows(edges)):
            f.write(f'    <edge id="e{i}" source={quoteattr(xml_text(node_id(row["platform"], row["account_a"])))} '
                    f'target={quoteattr(xml_text(node_id(row["platform"], row["account_b"])))}>'
                    f'<data key="weight">{row["weight"]!r}</data>')
            f.write("".join(f'<data key="e_{a}">{escape(xml_text(row[a]))}</data>' for a, _ in _EDGE_ATTRS
                            if row.get(a) is not None))
            f.write("</edge>\n")
        f.write("  </graph>\n</graphml>\n")
    return nodes.num_rows, edges.num_rows


def _account_props(r: dict) -> dict:
    state = [f"analyst label: {r['analyst']}" + (f" ({r['analyst_note']})" if r.get("analyst_note") else "")
             if r.get("analyst") else None,
             f"trollscan verdict: {r['verdict']} (score {r['score']:.2f}): {'; '.join(r.get('reasons') or [])}"
             if r.get("verdict") else None]
    return {"username": r.get("handle") or r["account_id"], "service": r["platform"], "name": r.get("name"),
            "alias": r["account_id"] if r.get("handle") else None, "summary": r.get("bio"),
            "sourceUrl": safe_url(r.get("url")), "notes": state,
            "description": f"Account created {xml_text(r['created_at'])}." if r.get("created_at") else None}


def _ftm_entities(case: Case, keep: Callable[[dict], bool]) -> list[tuple[str, str, dict]]:
    """(schema, id, properties) of everything the FtM export holds, in a stable order."""
    from ..store.entities import read_entities, read_entity_links
    from ..store.results import read_query

    out: list[tuple[str, str, dict]] = []
    all_nodes = {(r["platform"], r["account_id"]): r for r in rd.read_export_nodes(case).to_pylist()}
    ties, recorded = read_entity_links(case), read_entities(case)
    gallery = read_query(case, "SELECT platform, account_ids[1] AS account_id, sentence, details FROM evidence "
                               "WHERE detector = 'photos.gallery' ORDER BY platform, account_id, sentence").to_pylist()
    owners = [(g, photo_owner(json.loads(g["details"] or "{}").get("label", ""))) for g in gallery]
    owners = [(g, name) for g, name in owners if name]
    wanted = {k for k, r in all_nodes.items() if keep(r)}
    wanted |= {(g["platform"], g["account_id"]) for g, _name in owners}
    for t in ties:
        for ref in (t["subject"], t["object"]):
            if ref.startswith("account:"):
                wanted.add(tuple(ref.split(":", 2)[1:]))
    account_id = {k: ftm_id("account", *k) for k in wanted}
    groups = {g["group_id"]: g for g in rd.read_groups(case, limit=1_000_000)}
    members_now = {}
    for k in all_nodes:
        gid = all_nodes[k]["group_id"]
        if gid is not None:
            members_now.setdefault(gid, set()).add(f"{k[0]}:{k[1]}")

    def ref_id(ref: str, members) -> str:
        kind, _, rest = ref.partition(":")
        if kind == "entity":
            return ftm_id("entity", rest)
        if kind == "account":
            return account_id[tuple(rest.split(":", 1))]
        recorded_members = set(members or [])  # the group as recorded: today's group holding most of it
        best = max(groups, key=lambda g: (len(members_now.get(g, set()) & recorded_members), -g), default=None)
        if best is not None and members_now.get(best, set()) & recorded_members:
            return ftm_id("group", str(best))
        gone = ftm_id("recorded-group", rest, *sorted(recorded_members))
        extra_groups[gone] = (rest, len(recorded_members))
        return gone

    extra_groups: dict[str, tuple[str, int]] = {}
    owner_of: dict[str, list[str]] = {}
    address_of: dict[str, list[str]] = {}
    links = []
    for n, t in enumerate(ties):
        a, b = ref_id(t["subject"], t["members"]), ref_id(t["object"], t["members"])
        where = f"{Path(t['source'] or '').name} row {t['source_record']}"
        if t["schema"] == "owner":
            owner_of.setdefault(b, []).append(a)
        elif t["schema"] == "address":
            address_of.setdefault(a, []).append(b)
        else:
            src, dst = LINK_SCHEMATA[t["schema"]]
            props = {src: a, dst: b, "startDate": t["start_date"], "endDate": t["end_date"],
                     "description": t["note"], "sourceUrl": t["source_url"], "recordId": where}
            props["relationship" if t["schema"] in ("Associate", "Family") else "role"] = t["role"]
            links.append((t["schema"], ftm_id("tie", t["source"] or "", str(t["source_record"]), str(n)), props))
    full = {ftm_id("entity", e["key"]): e["properties"].get("full", [e["name"]]) for e in recorded
            if e["schema"] == "Address"}
    for e in recorded:
        eid = ftm_id("entity", e["key"])
        props = dict(e["properties"], addressEntity=address_of.get(eid),
                     address=[x for a in address_of.get(eid, []) for x in full.get(a, [])] or e["properties"].get(
                         "address"))
        if e["schema"] == "Address":
            props.update(summary=e["note"], addressEntity=None, address=None)
        else:
            props.update(name=e["name"], notes=e["note"])
        out.append((e["schema"], eid, props))
    for gid, g in sorted(groups.items()):
        out.append(("Organization", ftm_id("group", str(gid)), {
            "addressEntity": address_of.get(ftm_id("group", str(gid))),
            "name": f"trollscan candidate operator group {gid} ({g['platform']})", "summary": g.get("sentence"),
            "description": (f"{g['size']} accounts found acting together by trollscan; layers: {', '.join(g['layers'])}; "
                            f"active {xml_text(g['first_at'])} to {xml_text(g['last_at'])}."),
            "notes": "A candidate, not a finding about a legal person: check the evidence before publishing."}))
    for gone, (label, size) in sorted(extra_groups.items()):
        out.append(("Organization", gone, {
            "addressEntity": address_of.get(gone),
            "name": f"operator group {label} as the reporter recorded it ({size} accounts)",
            "notes": "No group of the latest scan holds these accounts any more."}))
    for k in sorted(wanted):
        r = all_nodes.get(k) or rd.read_account(case, *k) or {"platform": k[0], "account_id": k[1]}
        props = _account_props(r)
        props["owner"] = owner_of.get(account_id[k])
        props["addressEntity"] = address_of.get(account_id[k])
        out.append(("UserAccount", account_id[k], props))
        if k in all_nodes and r.get("group_id") is not None and r["group_id"] in groups and keep(r):
            out.append(("UnknownLink", ftm_id("member", *k, str(r["group_id"])), {
                "subject": account_id[k], "object": ftm_id("group", str(r["group_id"])),
                "role": "member of candidate operator group", "startDate": r["first_at"], "endDate": r["last_at"]}))
    people: set[str] = set()
    for g, name in owners:
        pid = ftm_id("photo-owner", name.casefold())
        if pid not in people:
            people.add(pid)
            out.append(("Person", pid, {"name": name, "notes": "Named by a gallery label as the real owner of a "
                                        "photo that accounts of this case use: a victim, not a suspect."}))
        out.append(("UnknownLink", ftm_id("photo", pid, g["platform"], g["account_id"]), {
            "subject": pid, "object": account_id[(g["platform"], g["account_id"])],
            "role": "real owner of the photo used by", "description": g["sentence"]}))
    out += links
    out += _pair_links(case, {k: v for k, v in account_id.items() if k in all_nodes and keep(all_nodes[k])})
    return out




def _pair_links(case: Case, ids: dict) -> list[tuple[str, str, dict]]:
    pairs: dict[tuple, dict] = {}
    for e in _rows(rd.read_export_edges(case)):
        a, b = (e["platform"], e["account_a"]), (e["platform"], e["account_b"])
        if a in ids and b in ids:
            p = pairs.setdefault((a, b), {"layers": [], "first": e["first_at"], "last": e["last_at"], "said": []})
            p["layers"].append(e["layer"])
            p["first"] = min(x for x in (p["first"], e["first_at"]) if x) if (p["first"] or e["first_at"]) else None
            p["last"] = max(x for x in (p["last"], e["last_at"]) if x) if (p["last"] or e["last_at"]) else None
            if e["sentence"]:
                p["said"].append(e["sentence"])
    return [("UnknownLink", ftm_id("link", *a, *b), {
        "subject": ids[a], "object": ids[b], "role": "acted together: " + ", ".join(p["layers"]),
        "startDate": p["first"], "endDate": p["last"], "description": " ".join(p["said"][:3])})
        for (a, b), p in pairs.items()]


def write_ftm(case: Case, path: Path, *, include: Callable[[dict], bool] | None = None) -> int:
    """FollowTheMoney entities (JSON lines): the flagged and labelled accounts, their groups and
    co-action links; the reporter's recorded people, companies, addresses and ties; the real owners
    of stolen photos. Checked against the schema before the file is written; the number of entities."""
    keep = include or (lambda r: r["flagged"] or r["analyst"] is not None)
    lines = [entity_line(schema, eid, props) for schema, eid, props in _ftm_entities(case, keep)]
    problems = check_entities(json.loads(line) for line in lines)
    if problems:
        raise FtmError("The FollowTheMoney export breaks the schema: " + "; ".join(problems[:5]))
    with _atomic(path) as f:
        f.writelines(lines)
    return len(lines)
