"""The reporter's entities sheet and the FollowTheMoney entities it becomes: people, companies,
addresses and their ties, checked against the published schema's rules."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from trollscan.cli import app
from trollscan.errors import BadRecord, MissingColumns
from trollscan.evidence import evidence_table
from trollscan.ingest.entities_sheet import add_entities_sheets, read_entities_sheet
from trollscan.report.exports import photo_owner, write_ftm
from trollscan.report.ftm import check_entities, ftm_id
from trollscan.store import open_case
from trollscan.store.entities import read_account_ties, read_entities, read_entity_links
from trollscan.store.results import write_results
from tests.unit.web.hostile import SCRIPT, build_hostile_case

# What the seeds tell: an LLP and its head, a second LLP at the same office, the agency that
# co-founded the first, the real owner of a stolen photo, the client whose page the bots serve.
ENTITIES = f"""id,type,name,country,registration number,position,note,source url
smm,company,SMMNETWORK LLP,kz,123456789012,,co-founded by Kazakhstan Today Agency,https://example.org/smm
kt,organization,Kazakhstan Today Agency,kz,,,,
ayazhan,person,Turgymbayeva Ayazhan,kz,,head of SMMNETWORK,,
visionpro,company,VISION PRO LLP,kz,,,,
office,address,"Mukanov str., 241, Almaty",kz,,,registered address of two LLPs,
irina,person,Irina Stepanova,ru,,,"{SCRIPT}",
client,organization,Foundation of the First President,kz,,,the page the bots serve,
"""
LINKS = """from,relation,to,role,start,note
ayazhan,director,smm,head,2018,
kt,owns,smm,co-founder,,
ayazhan,director,visionpro,,05.03.2017,
visionpro,located at,office,,,
smm,operates,group 1,,,admins named by a former employee
irina,photo owner,facebook:1002,,,
client,client,smm,,2019-02,
smm,owns,https://www.facebook.com/aisulu_8080,,,
"""


@pytest.fixture
def loaded(tmp_path: Path) -> Path:
    root = build_hostile_case(tmp_path / "case")
    (tmp_path / "entities.csv").write_text(ENTITIES, encoding="utf-8")
    (tmp_path / "links.csv").write_text(LINKS, encoding="utf-8")
    with open_case(root) as c:
        done = add_entities_sheets(c, [tmp_path / "links.csv", tmp_path / "entities.csv"])
    assert [(r["entities"], r["links"]) for r in done] == [(7, 0), (0, 8)]  # entities first, whatever the order
    return root


def _export(root: Path, out: Path) -> dict[str, dict]:
    with open_case(root) as c:
        n = write_ftm(c, out)
    entities = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(entities) == n and check_entities(entities) == []
    return {e["id"]: e for e in entities}


def test_entities_sheet_is_stored_with_its_rows_and_loading_it_again_adds_nothing(loaded: Path, tmp_path: Path) -> None:
    with open_case(loaded) as c:
        entities, links = read_entities(c), read_entity_links(c)
        again = add_entities_sheets(c, [tmp_path / "entities.csv", tmp_path / "links.csv"])
        assert [r["already"] for r in again] == [True, True]
        assert len(read_entities(c)) == 7 and len(read_entity_links(c)) == 8
    office = next(e for e in entities if e["key"] == "office")
    assert office["schema"] == "Address" and office["properties"]["full"] == ["Mukanov str., 241, Almaty"]
    assert office["source"].endswith("entities.csv") and office["source_record"] == 6
    owns = next(x for x in links if x["subject"] == "entity:smm" and x["schema"] == "owner")
    assert owns["object"] == "account:facebook:1001"  # the profile URL's handle resolved to the case's id
    group = next(x for x in links if x["object"] == "group:1")
    assert sorted(group["members"]) == sorted(f"facebook:{a}" for a in ("1001", "1002", "1003",
                                                                          "</script><script>window.__pwned='close'</script><!--"))
    assert next(x for x in links if x["schema"] == "Directorship" and x["subject"] == "entity:ayazhan"
                and x["object"] == "entity:visionpro")["start_date"] == "2017-03-05"


def test_ftm_export_writes_people_companies_addresses_and_links_in_the_schema_direction(loaded: Path,
                                                                                      tmp_path: Path) -> None:
    by_id = _export(loaded, tmp_path / "e.json")
    eid = lambda key: ftm_id("entity", key)  # noqa: E731
    assert by_id[eid("ayazhan")]["schema"] == "Person" and by_id[eid("smm")]["schema"] == "Company"
    assert by_id[eid("client")]["schema"] == "Organization" and by_id[eid("office")]["schema"] == "Address"
    assert by_id[eid("irina")]["properties"]["notes"] == [SCRIPT]  # kept as text, exactly
    assert by_id[eid("visionpro")]["properties"]["addressEntity"] == [eid("office")]
    assert by_id[eid("visionpro")]["properties"]["address"] == ["Mukanov str., 241, Almaty"]
    directs = [e for e in by_id.values() if e["schema"] == "Directorship"]
    assert {(e["properties"]["director"][0], e["properties"]["organization"][0]) for e in directs} == {
        (eid("ayazhan"), eid("smm")), (eid("ayazhan"), eid("visionpro"))}
    owns = [e for e in by_id.values() if e["schema"] == "Ownership"]
    assert [(e["properties"]["owner"], e["properties"]["asset"], e["properties"]["role"]) for e in owns] == [
        ([eid("kt")], [eid("smm")], ["co-founder"])]
    account = by_id[ftm_id("account", "facebook", "1001")]
    assert account["properties"]["owner"] == [eid("smm")]
    operates = next(e for e in by_id.values() if e["properties"].get("role") == ["operates"])
    assert operates["properties"]["object"] == [ftm_id("group", "1")]
    assert operates["properties"]["recordId"] == ["links.csv row 6"]
    photo = next(e for e in by_id.values() if e["properties"].get("role") == ["real owner of the photo used by"])
    assert photo["properties"]["subject"] == [eid("irina")]
    assert photo["properties"]["object"] == [ftm_id("account", "facebook", "1002")]


def test_a_recorded_group_follows_its_members_to_the_group_of_a_later_scan(loaded: Path, tmp_path: Path) -> None:
    import pyarrow as pa

    with open_case(loaded) as c:  # a re-scan renumbers the group: 1 becomes 7
        groups = pa.table({"group_id": pa.array([7], pa.int32()), "platform": ["facebook"],
                           "size": pa.array([3], pa.int32()), "cohesion": [0.5], "layers": [["co_reply"]],
                           "first_at": [None], "last_at": [None], "top_targets": [[]]})
        members = pa.table({"group_id": pa.array([7] * 3, pa.int32()), "platform": ["facebook"] * 3,
                            "account_id": ["1001", "1002", "1003"]})
        write_results(c, detector="groups", params={}, input_hash="t", seconds=0.1, edges=None,
                      evidence=evidence_table([]), groups=groups, members=members)
    by_id = _export(loaded, tmp_path / "e.json")
    operates = next(e for e in by_id.values() if e["properties"].get("role") == ["operates"])
    assert operates["properties"]["object"] == [ftm_id("group", "7")]


def test_gallery_label_naming_a_real_owner_becomes_a_person_linked_to_the_copier(tmp_path: Path) -> None:
    root = build_hostile_case(tmp_path / "case")
    with open_case(root) as c:
        found = evidence_table([{"detector": "photos.gallery", "platform": "facebook", "account_ids": ["1003"],
                                 "strength": 1.0, "item_ids": ["m-svg"], "sentence": "The avatar of erlan matches.",
                                 "details": json.dumps({"label": "real owner: Irina Stepanova"})},
                                {"detector": "photos.gallery", "platform": "facebook", "account_ids": ["1001"],
                                 "strength": 1.0, "item_ids": ["m-a"], "sentence": "Stock.",
                                 "details": json.dumps({"label": "stock site"})}])
        write_results(c, detector="photos.gallery", params={}, input_hash="t", seconds=0.1, edges=None, evidence=found)
    by_id = _export(root, tmp_path / "e.json")
    people = [e for e in by_id.values() if e["schema"] == "Person"]
    assert [p["properties"]["name"] for p in people] == [["Irina Stepanova"]]
    link = next(e for e in by_id.values() if e["properties"].get("subject") == [people[0]["id"]])
    assert link["properties"]["object"] == [ftm_id("account", "facebook", "1003")]
    assert photo_owner("Real owner: Saule K.") == "Saule K." and photo_owner("stock site") is None


def test_an_xlsx_workbook_holds_entities_and_links_on_two_sheets(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    first = book.active
    first.title = "люди и компании"
    for row in (["Реестр"], [], ["ид", "тип", "название", "страна"], ["mc", "организация", "Media Center", "kg"],
                ["nk", "человек", "Nurkan Kerimbayev", "KG"]):
        first.append(row)
    links = book.create_sheet("связи")
    for row in (["кто", "связь", "кому", "роль"], ["nk", "работает в", "mc", "deputy head"]):
        links.append(row)
    book.save(tmp_path / "book.xlsx")
    entities, ties = read_entities_sheet(tmp_path / "book.xlsx")
    assert [(e["schema"], e["name"], e["properties"]["country"], e["record"]) for e in entities] == [
        ("Organization", "Media Center", ["kg"], 4), ("Person", "Nurkan Kerimbayev", ["kg"], 5)]
    assert [(t["schema"], t["role"]) for t in ties] == [("Employment", "deputy head")]


@pytest.mark.parametrize(("entities", "links", "message"), [
    ("id,type,name\nx,spaceship,X\n", "", "row 2: the type 'spaceship' is not known"),
    ("id,type,name,birth date\nx,company,X,1990\n", "", "row 2: a company has no birthDate"),
    ("id,type,name,country\nx,person,X,Kazakhstan\n", "", "row 2: the country 'Kazakhstan' is not a two-letter"),
    ("id,type,name,incorporation date\nx,company,X,yesterday\n", "", "row 2: incorporationDate 'yesterday' is not a date"),
    ("id,type,name\nx,person,X\nx,company,Y\n", "", "row 3: the id 'x' is already used in"),
    ("id,type,name\ngroup1,company,G\n", "", "row 2: the id 'group1' cannot be used"),  # read as group 1 in links
    ("id,type,name\np,person,P\n", "from,relation,to\ngroup 1,operates,group 1\n",
     "row 2: a link between two operator groups cannot be recorded"),
    ("id,type,name\nvk.com/id5,person,V\n", "", "row 2: the id 'vk.com/id5' cannot be used"),  # read as an account
    ("id,type,name\np,person,P\nc,company,C\n", "from,relation,to\nc,works for,p\n",
     "row 2: a Employment link goes from a Person to a Organization; this row links a Company to a Person"),
    ("id,type,name\np,person,P\n", "from,relation,to\np,operates,nobody\n", "row 2: to 'nobody' is not an id"),
    ("id,type,name\np,person,P\n", "from,relation,to\np,operates,group 99\n", "row 2: the case has no group 99"),
    ("id,type,name\np,person,P\n", "from,relation,to\np,operates,https://example.org/x\n",
     "row 2: 'https://example.org/x' is not a profile address"),
])
def test_a_bad_row_fails_the_sheet_naming_file_and_row_and_changes_nothing(tmp_path: Path, entities: str, links: str,
                                                                           message: str) -> None:
    root = build_hostile_case(tmp_path / "case")
    files = [tmp_path / "e.csv"]
    files[0].write_text(entities, encoding="utf-8")
    if links:
        files.append(tmp_path / "l.csv")
        files[1].write_text(links, encoding="utf-8")
    with open_case(root) as c:
        with pytest.raises(BadRecord) as raised:
            add_entities_sheets(c, files)
        assert message in raised.value.message and raised.value.message.startswith(str(tmp_path))
        assert read_entities(c) == [] and read_entity_links(c) == []


def test_a_sheet_without_either_header_is_refused(tmp_path: Path) -> None:
    (tmp_path / "x.csv").write_text("profile url,label\nhttps://facebook.com/x,fake\n", encoding="utf-8")
    with pytest.raises(MissingColumns, match="needs the columns id, type, name"):
        read_entities_sheet(tmp_path / "x.csv")


def test_check_entities_names_each_broken_rule() -> None:
    a, b = "a" * 40, "b" * 40
    problems = check_entities([
        {"id": a, "schema": "Person", "properties": {"name": ["P"], "birthDate": ["soon"], "colour": ["red"]}},
        {"id": b, "schema": "Employment", "properties": {"employee": [b], "employer": ["c" * 40]}},
        {"id": "short", "schema": "Thing", "properties": {}},
    ])
    text = "\n".join(problems)
    for expected in ("birthDate value 'soon' is not a valid date", "Person has no property colour",
                     "employee must be a Person, not a Employment", "employer names " + "c" * 40,
                     "'short' is not a 40-character hex id", "Thing short: unknown or abstract schema"):
        assert expected in text


def test_account_ties_name_the_entities_behind_an_account_and_its_group(loaded: Path) -> None:
    with open_case(loaded) as c:
        ties = read_account_ties(c, "facebook", "1002")
    assert [(t["schema"], t["role"], t["name"], t["via_group"]) for t in ties] == [
        ("UnknownLink", "real owner of the photo used by", "Irina Stepanova", False),
        ("UnknownLink", "operates", "SMMNETWORK LLP", True)]


def test_entities_commands_add_and_list(tmp_path: Path) -> None:
    root = build_hostile_case(tmp_path / "case")
    (tmp_path / "entities.csv").write_text(ENTITIES, encoding="utf-8")
    (tmp_path / "links.csv").write_text(LINKS, encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(app, ["entities", "add", str(tmp_path / "entities.csv"), str(tmp_path / "links.csv"),
                                 "--case", str(root)])
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())  # the console wraps long lines
    assert "7 entities (0 replaced) and 0 links" in said and "0 entities (0 replaced) and 8 links" in said
    listed = " ".join(runner.invoke(app, ["entities", "list", "--case", str(root)]).output.split())
    assert "smm: Company SMMNETWORK LLP" in listed and "entity:ayazhan --Directorship: head--> entity:smm" in listed
    bad = runner.invoke(app, ["entities", "add", str(tmp_path / "missing.csv"), "--case", str(root)])
    assert bad.exit_code == 1 and "missing.csv: no such file." in " ".join(bad.output.split())


def test_an_address_recorded_for_an_account_or_a_group_is_exported(tmp_path: Path) -> None:
    root = build_hostile_case(tmp_path / "case")
    (tmp_path / "entities.csv").write_text(ENTITIES, encoding="utf-8")
    (tmp_path / "links.csv").write_text("from,relation,to\nfacebook:1002,located at,office\ngroup 1,located at,office\n",
                                        encoding="utf-8")
    with open_case(root) as c:
        add_entities_sheets(c, [tmp_path / "entities.csv", tmp_path / "links.csv"])
    by_id = _export(root, tmp_path / "e.json")
    office = [ftm_id("entity", "office")]
    assert by_id[ftm_id("account", "facebook", "1002")]["properties"]["addressEntity"] == office
    assert by_id[ftm_id("group", "1")]["properties"]["addressEntity"] == office


def test_going_back_to_an_earlier_version_of_a_sheet_loads_it_again(tmp_path: Path) -> None:
    root = build_hostile_case(tmp_path / "case")
    sheet = tmp_path / "entities.csv"
    versions = ["id,type,name\na,person,Alice\n", "id,type,name\na,person,Alice Changed\n"]
    with open_case(root) as c:
        for text in (*versions, versions[0]):
            sheet.write_text(text, encoding="utf-8")
            done = add_entities_sheets(c, [sheet])
        assert done[0]["already"] is False and [e["name"] for e in read_entities(c)] == ["Alice"]
        copy = tmp_path / "copy.csv"  # the same bytes under another name: nothing new
        copy.write_text(versions[0], encoding="utf-8")
        assert add_entities_sheets(c, [copy])[0]["already"] is True
