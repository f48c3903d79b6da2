"""A tiny case whose names, bios, comments, ids and paths are attacks: shared by the report,
export, web-app and browser tests. Each script payload would set `window.__pwned` or change the
page title if it ever ran."""

from __future__ import annotations

import io
import json
from datetime import datetime
from pathlib import Path

import pyarrow as pa
from PIL import Image

from trollscan.evidence import evidence_table
from trollscan.store import init_case
from trollscan.store.results import write_results

SCRIPT = "<script>window.__pwned = 'script'; document.title = 'PWNED'</script>"
IMG = "<img src=x onerror=\"window.__pwned='onerror'; document.title='PWNED'\">"
SVG = "\"><svg onload=\"window.__pwned='svg'\">"
CLOSE = "</script><script>window.__pwned='close'</script><!--"
JS_URL = "javascript:window.__pwned='url'"
SEPARATORS = "line\u2028separator\u2029end"
PAYLOADS = (SCRIPT, IMG, SVG, CLOSE, JS_URL)

# (account_id, handle, name, bio, url)
ACCOUNTS = [
    ("1001", "aisulu_8080", SCRIPT, IMG, JS_URL),
    ("1002", SVG, "Мадина " + IMG, SCRIPT + SEPARATORS, "https://example.org/madina"),
    ("1003", "erlan", "Ерлан", CLOSE, None),
    (CLOSE, "closer", "Closer", "bio", None),
    ("1005", "plain", "Plain Person", "ordinary bio", None),
    ("2000", "bystander", "Bystander", None, None),
]
GROUP = ["1001", "1002", "1003", CLOSE]


def _jpeg(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(out, format="JPEG")
    return out.getvalue()


def build_hostile_case(root: Path) -> Path:
    """Create the case in `root` (a new folder) and return it."""
    case = init_case(root, name="hostile " + SCRIPT, tz="Asia/Almaty")
    con = case.con
    photos = root / "photos"
    photos.mkdir()
    (photos / "a.jpg").write_bytes(_jpeg((200, 30, 30)))
    (photos / "b.jpg").write_bytes(_jpeg((30, 30, 200)))
    (photos / "evil.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg' onload='window.__pwned=1'/>")
    (root.parent / "outside.jpg").write_bytes(_jpeg((0, 200, 0)))
    con.execute("INSERT INTO sources VALUES (1, ?, 'x', 1, 'canonical-csv', now()::TIMESTAMP, '{}', 'test')",
                [str(root / "input.csv")])
    for n, (aid, handle, name, bio, url) in enumerate(ACCOUNTS, start=1):
        con.execute("INSERT INTO accounts (platform, account_id, handle, name, created_at, bio, url, followers_count, "
                    "following_count, status, source_id, source_record) VALUES ('facebook', ?, ?, ?, ?, ?, ?, 3, 4, "
                    "'active', 1, ?)", [aid, handle, name, datetime(2018, 8, n, 3, 0), bio, url, n])
    items = []
    for k in range(24):
        for j, aid in enumerate(GROUP):
            items.append((f"c{k}-{j}", aid, datetime(2019, 2, 1 + k % 20, 9 + j, 5 * j), f"post{k % 3}",
                          [SCRIPT, IMG, CLOSE, "Молодцы! " + SVG][j]))
    items.append(("x1", "2000", datetime(2019, 2, 3, 22, 0), "post9", "an ordinary comment"))
    for n, (iid, aid, ts, target, text) in enumerate(items, start=1):
        con.execute("INSERT INTO items (platform, item_id, kind, account_id, created_at, target_id, text, source_id, "
                    "source_record) VALUES ('facebook', ?, 'comment', ?, ?, ?, ?, 1, ?)",
                    [iid, aid, ts, target if n % 5 else IMG, text, n])
    media = [("m-a", "avatar", "1001", "photos/a.jpg"), ("m-b", "avatar", "1002", "photos/b.jpg"),
             ("m-svg", "avatar", "1003", "photos/evil.svg"), ("m-up", "avatar", CLOSE, "../outside.jpg"),
             ("m-etc", "photo", CLOSE, "../../../../../../etc/passwd")]
    for n, (mid, kind, aid, path) in enumerate(media, start=1):
        con.execute("INSERT INTO media (platform, media_id, kind, account_id, path, source_id, source_record) "
                    "VALUES ('facebook', ?, ?, ?, ?, 1, ?)", [mid, kind, aid, path, n])
    edges = pa.table({
        "platform": ["facebook"] * 4, "layer": ["co_reply"] * 4, "account_a": ["1001", "1001", "1002", "1002"],
        "account_b": ["1002", "1003", "1003", CLOSE], "weight": [0.9, 0.5, 0.4, 0.3], "n_targets": [3, 3, 2, 2],
        "n_items": [10, 8, 6, 4], "first_at": [datetime(2019, 2, 1)] * 4, "last_at": [datetime(2019, 2, 20)] * 4})
    evidence = evidence_table([
        {"detector": "coaction.co_reply", "platform": "facebook", "account_ids": ["1001", "1002"], "strength": 0.9,
         "item_ids": ["c0-0", "c0-1", "c1-0"], "sentence": f"@aisulu_8080 and {SVG} commented together {SCRIPT}",
         "details": json.dumps({"layer": "co_reply", "note": IMG})},
        {"detector": "coaction.co_reply", "platform": "facebook", "account_ids": ["1002", CLOSE], "strength": 0.3,
         "item_ids": ["c2-1", "c2-3"], "sentence": f"{SVG} and closer commented together {CLOSE}", "details": "{}"},
    ])
    write_results(case, detector="coaction.co_reply", params={}, input_hash="t", seconds=0.1, edges=edges,
                  evidence=evidence)
    groups = pa.table({"group_id": pa.array([1], pa.int32()), "platform": ["facebook"], "size": pa.array([4], pa.int32()),
                       "cohesion": [0.8], "layers": [["co_reply"]], "first_at": [datetime(2019, 2, 1)],
                       "last_at": [datetime(2019, 2, 20)], "top_targets": [["post0", IMG]]})
    members = pa.table({"group_id": pa.array([1] * 4, pa.int32()), "platform": ["facebook"] * 4,
                        "account_id": sorted(GROUP)})
    group_ev = evidence_table([{"detector": "groups", "platform": "facebook", "account_ids": sorted(GROUP),
                                "strength": 0.7, "item_ids": ["c0-0"], "sentence": f"4 accounts {IMG} act as one group.",
                                "details": "{}"}])
    write_results(case, detector="groups", params={}, input_hash="t", seconds=0.1, edges=None, evidence=group_ev,
                  groups=groups, members=members)
    photo_ev = evidence_table([{"detector": "photos.reused_avatar", "platform": "facebook", "account_ids": ["1001", "1002"],
                                "strength": 0.8, "item_ids": [], "sentence": f"The avatars match {SCRIPT}",
                                "details": json.dumps({"media_ids": ["m-a", "m-b"]})},
                               {"detector": "text.same_text", "platform": "facebook", "account_ids": ["1001", "1003"],
                                "strength": 0.6, "item_ids": ["c3-0", "c3-2"], "sentence": "Same words.",
                                "details": "{}"}])
    write_results(case, detector="photos.reused_avatar", params={}, input_hash="t", seconds=0.1, edges=None,
                  evidence=photo_ev)
    con.execute("INSERT INTO text_families VALUES (99, 1, 'facebook', 'c3-0', '1001', '2019-02-04 09:00', 1.0), "
                "(99, 1, 'facebook', 'c3-2', '1003', '2019-02-04 11:10', 0.93)")
    con.execute("INSERT INTO verdicts VALUES (99, 'facebook', '1001', 0.93, 'fake', ?, 1)", [[f"reason {IMG}"]])
    case.close()
    return root


GALLERY_LABEL = "real owner: Irina " + SCRIPT


def add_photo_findings(root: Path) -> str:
    """Give the hostile case a gallery photo (in a folder beside it) that @aisulu_8080's avatar
    matches, and a same-photo finding about the copier 1002 whose original is 1001's avatar; the
    gallery photo's sha256."""
    import hashlib

    from trollscan.store import open_case
    from trollscan.store.images import write_gallery

    folder = root.parent / "gallery"
    folder.mkdir(exist_ok=True)
    out = io.BytesIO()
    Image.new("RGB", (50, 40), (10, 160, 90)).save(out, format="PNG")
    (folder / "irina.png").write_bytes(out.getvalue())
    sha = hashlib.sha256(out.getvalue()).hexdigest()
    avatar = hashlib.sha256((root / "photos" / "a.jpg").read_bytes()).hexdigest()
    copy = hashlib.sha256((root / "photos" / "b.jpg").read_bytes()).hexdigest()
    with open_case(root) as c:
        write_gallery(c, [{"sha256": sha, "path": str(folder / "irina.png"), "label": GALLERY_LABEL}])
        found = evidence_table([
            {"detector": "photos.gallery", "platform": "facebook", "account_ids": ["1001"], "strength": 1.0,
             "item_ids": ["m-a"], "sentence": f"The avatar of @aisulu_8080 matches a gallery photo labelled "
                                              f"{GALLERY_LABEL!r}.",
             "details": json.dumps({"label": GALLERY_LABEL, "sha256": [avatar, sha], "media_id": "m-a",
                                    "kind": "avatar"})},
            {"detector": "photos.same_photo", "platform": "facebook", "account_ids": ["1002"], "strength": 0.9,
             "item_ids": [], "sentence": "1002's avatar is a cropped copy of @aisulu_8080's avatar.",
             "details": json.dumps({"sha256": [copy, avatar], "media_ids": ["m-b", "m-a"],
                                    "original_account": "1001"})}])
        write_results(c, detector="photos.test", params={}, input_hash="t", seconds=0.1, edges=None, evidence=found)
    return sha
