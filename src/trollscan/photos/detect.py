"""Findings about photos: one photo on several accounts of the case, and photos from the reporter's gallery.

Both detectors read the media table and the image pairs that `match.find_matches` found (or none:
the same file on two accounts is found from the sha256 alone), and return evidence rows.
"""

from __future__ import annotations

import json
from collections import defaultdict

import numpy as np
import pyarrow as pa

from ..evidence import evidence_table

__all__ = ["same_photo", "gallery_match", "EDGE_SCHEMA"]

EDGE_SCHEMA = pa.schema([("platform", pa.string()), ("layer", pa.string()), ("account_a", pa.string()),
                         ("account_b", pa.string()), ("weight", pa.float64()), ("n_targets", pa.int64()),
                         ("n_items", pa.int64()), ("first_at", pa.timestamp("us")), ("last_at", pa.timestamp("us"))])
_FULL_WEIGHT = 1.0 / np.log2(3)  # the edge weight that coordination.edges.strength maps to strength 1
_DELIBERATE = ("mirrored", "flipped", "rotated", "cropped")


def _pairs(matches: pa.Table) -> dict[str, list[tuple[str, dict]]]:
    """sha256 -> [(other sha256, the match seen from this side)]."""
    out: dict[str, list[tuple[str, dict]]] = defaultdict(list)
    for m in matches.to_pylist():
        out[m["sha_a"]].append((m["sha_b"], m))
        flipped = dict(m, copy={"a": "b", "b": "a"}.get(m["copy"], ""))
        out[m["sha_b"]].append((m["sha_a"], flipped))
    return out


def _strength(match: dict | None) -> float:
    if match is None:
        return 0.9  # the same file: strong, yet a default avatar or a meme is shared too (see max_accounts)
    if any(w in match["transformation"] for w in _DELIBERATE):
        return 1.0  # turned or cropped: somebody changed the photo so that it would not be recognised
    return 0.8 if "altered" in match["transformation"] else 0.9


def _what(use: dict) -> str:
    return "avatar" if use["kind"] == "avatar" else "photo"


def _how(match: dict) -> str:
    """What decided a match, in words: the PDQ distance of the whole pictures, or, for a pair checked
    after alignment, what agreed where the pictures overlap (never a whole-picture distance that
    did not decide it)."""
    basis = match.get("basis") or ("pdq" if match["method"] == "pdq" else "tiles")
    if basis == "pdq":
        return f"PDQ distance {match['distance']}"
    tiles = f"{match['tiles']} of 64 tiles agree" if match.get("tiles") is not None else \
        f"tile correlation {match['correlation']:.2f}"
    if basis == "aligned_pdq":
        return f"matched after alignment: PDQ distance {match['distance']} where they overlap, {tiles}"
    return f"matched after alignment: {tiles}"


def _components(shas: set[str], linked: dict[str, list]) -> dict[str, str]:
    parent = {s: s for s in shas}

    def find(s: str) -> str:
        while parent[s] != s:
            parent[s] = parent[parent[s]]
            s = parent[s]
        return s

    for s in sorted(shas):
        for other, _ in linked.get(s, []):
            if other in parent:
                a, b = find(s), find(other)
                if a != b:
                    parent[max(a, b)] = min(a, b)
    return {s: find(s) for s in shas}


def same_photo(media: pa.Table, matches: pa.Table, names: dict[tuple[str, str], str], *,
               max_accounts: int = 50) -> tuple[pa.Table, pa.Table, int]:
    """Account pairs whose avatars or photos are the same photo, as is or changed; (edges, evidence,
    photos left out for being on more than `max_accounts` accounts).

    Reads:    media (platform, media_id, kind, account_id, item_id, sha256, uploaded_at); matches
              (sha_a, sha_b, distance, transformation, copy, ...): image pairs that show one photo
    Evidence: the two media (the item they are attached to, else the media id); about the copier
              alone when a crop or the upload times tell the copy from the original, else both
    Sentence: "@aisulu_8080's avatar is a mirrored copy of @madina_8181's avatar (PDQ distance 12)." or, for a
              pair checked on its pixels, "... is a mirrored, cropped copy of ... (matched after alignment:
              64 of 64 tiles agree)."
    Misleads: default avatars, memes and stock pictures many people use (left out past max_accounts);
              one person's own accounts; a photographer's picture posted with permission.
    Edges:    between the accounts that use one photo, but not with its presumed owner (the one account
              that posted it before all others): the farm copied the photo of a real person, who is its
              victim, not one of its accounts. The owner is still named in the finding.
    """
    linked = _pairs(matches)
    uses: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for u in media.to_pylist():
        uses[(u["platform"], u["sha256"])].append(u)
    best: dict[tuple[str, str, str], dict] = {}
    owners: dict[str, dict[str, str]] = {}  # platform -> photo component -> its presumed owner
    crowded = 0
    for platform in sorted({p for p, _ in uses}):
        shas = {s for p, s in uses if p == platform}
        component = _components(shas, linked)
        accounts: dict[str, set[str]] = defaultdict(set)
        for s in shas:
            accounts[component[s]].update(u["account_id"] for u in uses[(platform, s)])
        owners[platform] = _owners(component, uses, platform)
        for s in sorted(shas):
            if len(accounts[component[s]]) > max_accounts:
                crowded += 1
                continue
            links = [(s, None)] + [(o, m) for o, m in linked.get(s, []) if (platform, o) in uses and o > s]
            for other, match in links:
                for u in uses[(platform, s)]:
                    for v in uses[(platform, other)]:
                        if u["account_id"] == v["account_id"] or (match is None and u["account_id"] > v["account_id"]):
                            continue
                        _note(best, platform, u, v, match, owners[platform].get(component[s]))
    edges, evidence = [], []
    for (platform, a, b), found in sorted(best.items()):
        evidence.append(_pair_evidence(platform, found, names))
        if not found["partners"]:
            continue  # the owner of the photo and one who copied it: a victim, not a partner
        edges.append({"platform": platform, "layer": "same_photo", "account_a": a, "account_b": b,
                      "weight": found["strength"] * _FULL_WEIGHT, "n_targets": len(found["shas"]),
                      "n_items": len(found["items"]), "first_at": found["first"], "last_at": found["last"]})
    return pa.Table.from_pylist(edges, schema=EDGE_SCHEMA), evidence_table(evidence), crowded


def _owners(component: dict[str, str], uses: dict, platform: str) -> dict[str, str]:
    """Photo component -> the account that posted it before every other account did (none when an
    upload time is unknown)."""
    first: dict[str, dict[str, object]] = defaultdict(dict)  # component -> account -> first upload
    unknown = set()
    for s, c in component.items():
        for u in uses[(platform, s)]:
            t, a = u["uploaded_at"], u["account_id"]
            if t is None:
                unknown.add(c)
            elif a not in first[c] or t < first[c][a]:
                first[c][a] = t
    out = {}
    for c, when in first.items():
        if c in unknown or len(when) < 2:
            continue
        (a, ta), (_b, tb) = sorted(when.items(), key=lambda kv: (kv[1], kv[0]))[:2]
        if ta < tb:
            out[c] = a
    return out


def _note(best: dict, platform: str, u: dict, v: dict, match: dict | None, owner: str | None) -> None:
    a, b = sorted((u["account_id"], v["account_id"]))
    key = (platform, a, b)
    strength = _strength(match)
    distance = 0 if match is None else match["distance"]
    found = best.setdefault(key, {"rank": None, "strength": 0.0, "distance": 999, "shas": set(), "items": set(),
                                  "first": None, "last": None, "partners": False})
    # two accounts that share a photo neither of them posted first: both took it from somewhere
    found["partners"] = found["partners"] or owner not in (a, b)
    found["shas"].update({u["sha256"], v["sha256"]})
    found["items"].update({u["item_id"] or u["media_id"], v["item_id"] or v["media_id"]})
    times = [t for t in (u["uploaded_at"], v["uploaded_at"], found["first"], found["last"]) if t is not None]
    found["first"], found["last"] = (min(times), max(times)) if times else (None, None)
    # the strongest, then closest pair of media; among equals the first by media id, whatever the rows' order
    rank = (-strength, distance, *sorted((u["media_id"], v["media_id"])), *sorted((u["sha256"], v["sha256"])))
    if found["rank"] is None or rank < found["rank"]:
        found.update(rank=rank, strength=strength, distance=distance, u=u, v=v, match=match)


def _copy_first(u: dict, v: dict, match: dict | None) -> tuple[dict, dict, bool]:
    """(copy, original, known): the cropped one is the copy; else the later upload; else by account
    id, and then which is the copy is not `known`."""
    if match is not None and match["copy"] in ("a", "b"):
        return ((u, v) if match["copy"] == "a" else (v, u)) + (True,)
    tu, tv = u["uploaded_at"], v["uploaded_at"]
    if tu is not None and tv is not None and tu != tv:
        return ((u, v) if tu > tv else (v, u)) + (True,)
    return ((u, v) if u["account_id"] > v["account_id"] else (v, u)) + (False,)


def _pair_evidence(platform: str, found: dict, names: dict) -> dict:
    u, v, match = found["u"], found["v"], found["match"]
    copy, original, known = _copy_first(u, v, match)
    if match is not None and match["sha_a"] != u["sha256"]:
        match = dict(match, sha_a=match["sha_b"], sha_b=match["sha_a"])
    who = lambda x: names.get((platform, x["account_id"]), x["account_id"])  # noqa: E731
    if match is None:
        sentence = f"{who(copy)}'s {_what(copy)} is the same file as {who(original)}'s {_what(original)}."
    else:
        kind = f"a {match['transformation']} copy" if match["transformation"] else "a re-encoded copy"
        sentence = f"{who(copy)}'s {_what(copy)} is {kind} of {who(original)}'s {_what(original)} ({_how(match)})."
    more = len(found["shas"]) - 2 if match is not None else len(found["shas"]) - 1
    if more > 0:
        sentence = sentence[:-1] + f"; they share {more} more photo{'s' if more > 1 else ''}."
    details = {"distance": found["distance"], "method": "exact" if match is None else match["method"],
               "transformation": "" if match is None else match["transformation"],
               "sha256": [copy["sha256"], original["sha256"]], "kinds": [copy["kind"], original["kind"]],
               "media_ids": [copy["media_id"], original["media_id"]], "shared_photos": len(found["shas"])}
    if match is not None:
        details.update(area=match["area"], correlation=match["correlation"], tiles=match.get("tiles"),
                       basis=match.get("basis"), angle=match.get("angle"))
    return {"detector": "photos.same_photo", "platform": platform,
            # when it is known which is the copy, the finding is about the copier: the owner of the
            # original is its victim, named in the sentence and the details, not a suspect
            "account_ids": [copy["account_id"]] if known else sorted({u["account_id"], v["account_id"]}),
            "strength": found["strength"], "item_ids": sorted(found["items"]), "sentence": sentence,
            "details": json.dumps(dict(details, original_account=original["account_id"] if known else None),
                                  sort_keys=True)}


def gallery_match(media: pa.Table, gallery: pa.Table, matches: pa.Table,
                  names: dict[tuple[str, str], str]) -> pa.Table:
    """Avatars and photos of the case that match a photo of the reporter's gallery.

    Reads:    media (as for same_photo); gallery (sha256, path, label); matches (image pairs)
    Evidence: the account's media and the gallery file
    Sentence: "The avatar of @x matches a gallery photo labelled 'real owner: Saule K.' (cropped; matched after
              alignment: 60 of 64 tiles agree)."
    Misleads: the real owner's own account; a gallery photo that is itself a stock picture.
    """
    refs: dict[str, list[dict]] = defaultdict(list)
    for g in gallery.to_pylist():
        refs[g["sha256"]].append(g)
    linked = _pairs(matches)
    best: dict[tuple[str, str, str], dict] = {}
    for u in media.to_pylist():
        hits = [(u["sha256"], None)] + linked.get(u["sha256"], [])
        for other, match in hits:
            for ref in refs.get(other, []):
                key = (u["platform"], u["account_id"], ref["label"])
                distance = 0 if match is None else match["distance"]
                rank = (distance, u["media_id"], u["item_id"] or "", ref["path"], ref["sha256"])  # a total order
                if key not in best or rank < best[key]["rank"]:
                    best[key] = {"u": u, "ref": ref, "match": match, "distance": distance, "rank": rank}
    rows = []
    for (platform, account, label), f in sorted(best.items()):
        u, ref, match = f["u"], f["ref"], f["match"]
        who = names.get((platform, account), account)
        how = "the same file" if match is None else f"{match['transformation'] or 're-encoded'}; {_how(match)}"
        sentence = (f"The {_what(u)} of {who} matches a gallery photo labelled {label!r} ({how}).")
        details = {"distance": f["distance"], "method": "exact" if match is None else match["method"],
                   "transformation": "" if match is None else match["transformation"], "label": label,
                   "gallery_path": ref["path"], "sha256": [u["sha256"], ref["sha256"]], "kind": u["kind"],
                   "media_id": u["media_id"]}
        rows.append({"detector": "photos.gallery", "platform": platform, "account_ids": [account],
                     "strength": 1.0 if match is None or match["method"] == "pdq" else 0.9,
                     "item_ids": [u["item_id"] or u["media_id"]], "sentence": sentence,
                     "details": json.dumps(details, sort_keys=True)})
    return evidence_table(rows)

