"""GEXF, GraphML and FollowTheMoney exports: parseable, complete, and hostile text kept as text."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import igraph as ig
import pytest
from typer.testing import CliRunner

from trollscan.cli import app
from trollscan.errors import BadParameter
from trollscan.report.exports import FTM_PROPERTIES, write_ftm, write_gexf, write_graphml, xml_text
from trollscan.store import open_case
from tests.unit.web.hostile import CLOSE, SCRIPT, SVG, build_hostile_case

G = "{http://gexf.net/1.3}"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    return build_hostile_case(tmp_path_factory.mktemp("hostile") / "case")


def test_gexf_has_attributes_time_spans_and_exact_hostile_names(hostile: Path, tmp_path: Path) -> None:
    with open_case(hostile) as c:
        nodes, edges = write_gexf(c, tmp_path / "g.gexf")
    graph = ET.parse(tmp_path / "g.gexf").getroot().find(f"{G}graph")
    assert graph.get("mode") == "dynamic" and graph.get("timeformat") == "datetime"
    node_els = graph.find(f"{G}nodes").findall(f"{G}node")
    assert len(node_els) == nodes == 4  # the accounts findings name; the bystanders are left out
    by_id = {n.get("id"): n for n in node_els}
    closer = by_id[f"facebook:{CLOSE}"]
    values = {v.get("for"): v.get("value") for v in closer.iter(f"{G}attvalue")}
    assert values["account_id"] == CLOSE and values["group_id"] == "1" and closer.get("start", "").startswith("2019-02")
    assert by_id["facebook:1001"].get("label") == "@aisulu_8080"
    assert {v.get("value") for v in by_id["facebook:1001"].iter(f"{G}attvalue") if v.get("for") == "name"} == {SCRIPT}
    edge_els = graph.find(f"{G}edges").findall(f"{G}edge")
    assert len(edge_els) == edges == 4
    assert all(e.get("kind") == "co_reply" and e.get("start") and e.get("end") and float(e.get("weight")) > 0
               for e in edge_els)


def test_graphml_loads_in_igraph_with_weights(hostile: Path, tmp_path: Path) -> None:
    with open_case(hostile) as c:
        write_graphml(c, tmp_path / "g.graphml")
    g = ig.Graph.Read_GraphML(str(tmp_path / "g.graphml"))
    assert g.vcount() == 4 and g.ecount() == 4
    assert sorted(g.es["weight"]) == [0.3, 0.4, 0.5, 0.9]
    assert SVG in g.vs["label"][g.vs["account_id"].index("1002")]


def test_xml_text_drops_characters_xml_forbids() -> None:
    assert xml_text("a\x00b\x1bc\ud800d\ufffee\tf") == "abcde\tf"


def test_ftm_entities_follow_the_schema_and_link_up(hostile: Path, tmp_path: Path) -> None:
    with open_case(hostile) as c:
        n = write_ftm(c, tmp_path / "e.json")
    entities = [json.loads(line) for line in (tmp_path / "e.json").read_text(encoding="utf-8").splitlines()]
    assert len(entities) == n
    ids = {e["id"] for e in entities}
    for e in entities:
        assert set(e["properties"]) <= FTM_PROPERTIES[e["schema"]]
        assert all(isinstance(v, list) and all(isinstance(x, str) for x in v) for v in e["properties"].values())
        if e["schema"] == "UnknownLink":
            assert e["properties"]["subject"][0] in ids and e["properties"]["object"][0] in ids
    accounts = {e["properties"]["service"][0] + "/" + (e["properties"].get("alias") or e["properties"]["username"])[0]
                for e in entities if e["schema"] == "UserAccount"}
    assert "facebook/2000" not in accounts and "facebook/1005" not in accounts  # not flagged
    assert sum(e["schema"] == "Organization" for e in entities) == 1
    assert sum(e["schema"] == "UnknownLink" and e["properties"]["role"][0].startswith("member") for e in entities) == 4
    assert not any("javascript:" in v for e in entities for v in e["properties"].get("sourceUrl", []))


def test_export_commands_and_edges_still_work(hostile: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    for command, name in (("gexf", "g.gexf"), ("graphml", "g.graphml"), ("ftm", "e.json"), ("edges", "e.csv")):
        result = runner.invoke(app, ["export", command, "--case", str(hostile), "--out", str(tmp_path / name)])
        assert result.exit_code == 0, result.output
        assert (tmp_path / name).stat().st_size > 100


def test_failed_export_leaves_no_file(hostile: Path, tmp_path: Path) -> None:
    with open_case(hostile) as c, pytest.raises(BadParameter, match="does not exist"):
        write_gexf(c, tmp_path / "missing" / "g.gexf")
    (tmp_path / "taken").mkdir()  # the target is a folder: the rename at the end fails
    with open_case(hostile) as c, pytest.raises(BadParameter, match="Cannot write"):
        write_graphml(c, tmp_path / "taken")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken"] and not list((tmp_path / "taken").iterdir())
