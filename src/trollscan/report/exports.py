"""Exports for other tools: GEXF 1.3 and GraphML for Gephi, FollowTheMoney entities for Aleph.

Each writer streams to a temporary file beside the target and renames it at the end, so a failed
export leaves no partial file. Text from social media is written as XML character data with the
characters XML 1.0 forbids removed, never as markup.

FollowTheMoney: entities as JSON lines ({"id", "schema", "properties": {name: [values]}}), the
format `ftm` and `alephclient write-entities` read, following the published schema: a
`UserAccount` per flagged or labelled account, an `Organization` per candidate operator group,
and `UnknownLink`s from accounts to their group and between accounts that acted together. The
`followthemoney` package is not used: it pulls in ICU (a C build), SQLAlchemy and mypy at run
time; its schema is small and stable enough to follow here, and a test checks every property
name against it. Person, Company and Address entities need an `entities` table, which the case
does not have yet.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import IO
from xml.sax.saxutils import escape, quoteattr

from .. import __version__
from ..errors import BadParameter
from ..store import Case
from ..store import report_data as rd
from .html import safe_url

__all__ = ["xml_text", "write_gexf", "write_graphml", "write_ftm", "ftm_id", "FTM_PROPERTIES", "node_id"]

_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

_NODE_ATTRS = (("platform", "string"), ("account_id", "string"), ("handle", "string"), ("name", "string"),
               ("created_at", "string"), ("status", "string"), ("group_id", "integer"), ("verdict", "string"),
               ("score", "double"), ("analyst_label", "string"), ("flagged", "boolean"), ("n_findings", "integer"),
               ("n_items", "integer"), ("first_at", "string"), ("last_at", "string"))
_EDGE_ATTRS = (("layer", "string"), ("n_items", "integer"), ("n_targets", "integer"), ("first_at", "string"),
               ("last_at", "string"), ("sentence", "string"))

# The FollowTheMoney properties written, per schema (from followthemoney/schema/*.yaml).
FTM_PROPERTIES = {
    "UserAccount": {"username", "service", "name", "alias", "summary", "description", "notes", "sourceUrl"},
    "Organization": {"name", "summary", "description", "notes"},
    "UnknownLink": {"subject", "object", "role", "startDate", "endDate", "summary", "description"},
}


def xml_text(value) -> str:
    """A value as XML-safe text: characters XML 1.0 forbids are dropped, `<>&` escaped by the caller."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("", str(value))


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


def ftm_id(*parts: str) -> str:
    """A stable entity id: the SHA-1 of the parts, like followthemoney's make_id."""
    return hashlib.sha1("\x1f".join(["trollscan", *parts]).encode("utf-8")).hexdigest()


def _entity(schema: str, entity_id: str, props: dict) -> str:
    clean = {k: [xml_text(x) for x in (v if isinstance(v, list) else [v]) if x not in (None, "", [])]
             for k, v in props.items()}
    clean = {k: v for k, v in clean.items() if v}
    unknown = set(clean) - FTM_PROPERTIES[schema]
    if unknown:
        raise ValueError(f"FollowTheMoney's {schema} has no properties {sorted(unknown)}")
    text = json.dumps({"id": entity_id, "schema": schema, "properties": clean}, ensure_ascii=False)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029") + "\n"  # one entity per line, always


def write_ftm(case: Case, path: Path, *, include: Callable[[dict], bool] | None = None) -> int:
    """FollowTheMoney entities (JSON lines) for the flagged and labelled accounts, their groups and
    the co-action links between them; the number of entities written."""
    keep = include or (lambda r: r["flagged"] or r["analyst"] is not None)
    nodes = [r for r in rd.read_export_nodes(case).to_pylist() if keep(r)]
    ids = {(r["platform"], r["account_id"]): ftm_id("account", r["platform"], r["account_id"]) for r in nodes}
    groups = {g["group_id"]: g for g in rd.read_groups(case, limit=1_000_000)}
    n = 0
    with _atomic(path) as f:
        for gid, g in sorted(groups.items()):
            f.write(_entity("Organization", ftm_id("group", str(gid)), {
                "name": f"trollscan candidate operator group {gid} ({g['platform']})",
                "summary": g.get("sentence"), "description": (
                    f"{g['size']} accounts found acting together by trollscan; layers: {', '.join(g['layers'])}; "
                    f"active {xml_text(g['first_at'])} to {xml_text(g['last_at'])}."),
                "notes": "A candidate, not a finding about a legal person: check the evidence before publishing."}))
            n += 1
        for r in nodes:
            state = [f"analyst label: {r['analyst']}" + (f" ({r['analyst_note']})" if r["analyst_note"] else "")
                     if r["analyst"] else None,
                     f"trollscan verdict: {r['verdict']} (score {r['score']:.2f}): {'; '.join(r['reasons'] or [])}"
                     if r["verdict"] else None]
            f.write(_entity("UserAccount", ids[(r["platform"], r["account_id"])], {
                "username": r["handle"] or r["account_id"], "service": r["platform"], "name": r["name"],
                "alias": r["account_id"] if r["handle"] else None, "summary": r["bio"],
                "sourceUrl": safe_url(r["url"]), "notes": state,
                "description": f"Account created {xml_text(r['created_at'])}." if r["created_at"] else None}))
            n += 1
            if r["group_id"] is not None and r["group_id"] in groups:
                f.write(_entity("UnknownLink", ftm_id("member", r["platform"], r["account_id"], str(r["group_id"])), {
                    "subject": ids[(r["platform"], r["account_id"])], "object": ftm_id("group", str(r["group_id"])),
                    "role": "member of candidate operator group", "startDate": r["first_at"], "endDate": r["last_at"]}))
                n += 1
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
        for (a, b), p in pairs.items():
            f.write(_entity("UnknownLink", ftm_id("link", *a, *b), {
                "subject": ids[a], "object": ids[b], "role": "acted together: " + ", ".join(p["layers"]),
                "startDate": p["first"], "endDate": p["last"], "description": " ".join(p["said"][:3])}))
            n += 1
    return n
