"""Whose photo, under whose name: an account that shows a photo of a real person (another account
of the case, or a person the reporter's gallery names) under a name that is not that person's
("uses a photo of Irina Stepanova under the name Айсулу Нурланова"), or under that person's own
name (impersonation).

This signal reads the photo findings (`photos.same_photo` when it tells the copy from the
original, `photos.gallery` when the gallery label says "real owner: NAME") and adds what the
names say about them, so in the verdicts it belongs to the photo family: one fact, not a second
independent reason (report/verdicts.py `FAMILIES`).
"""

from __future__ import annotations

import json
import re

import pyarrow as pa
from rapidfuzz.distance import Levenshtein

from ..evidence import evidence_table
from ..text.normalise import normalise
from .frame import check_option, names_of, signal_row

__all__ = ["name_photo_mismatch", "compare_names", "gallery_owner", "PHOTO_DETECTORS"]

PHOTO_DETECTORS = ("photos.same_photo", "photos.gallery")
_OWNER = re.compile(r"(?is)^\s*(?:real\s+owner|owner|photo\s+of|настоящий\s+владелец|владелец|владелица|фото)"
                    r"\s*[:=\-—]\s*(\S.*?)\s*$")


def gallery_owner(label: str | None) -> str | None:
    """The person a gallery label names as a photo's real owner: "real owner: Irina Stepanova" ->
    "Irina Stepanova" (also "owner", "photo of", "владелец", "владелица", "фото", with ":", "=", "-"
    or "—"); any other label (a stock site, a note) names no one."""
    m = _OWNER.match(label or "")
    return m.group(1)[:200] if m else None


def _tokens(name: str) -> list[str]:
    """A name as Latin words: normalised, Cyrillic transliterated, one-letter initials dropped."""
    return [t for t in normalise(name or "", transliterate=True).split() if len(t) > 1 and not t.isdigit()]


def _same_word(a: str, b: str, min_similarity: float) -> bool:
    """Two name words are the same when they are close, allowing a feminine ending (Nurlanov / Nurlanova)."""
    if a == b:
        return True
    a2, b2 = a.removesuffix("a"), b.removesuffix("a")
    return max(Levenshtein.normalized_similarity(a, b), Levenshtein.normalized_similarity(a2, b2)) >= min_similarity


def compare_names(shown: str | None, owner: str | None, *, min_similarity: float = 0.8) -> str | None:
    """How a display name relates to a photo owner's name: "same" (every word of the shorter name
    has its match in the other), "unrelated" (no word matches), "partial" (some do: a shared first
    name or surname, common among real people), or None when either has no name words. Names are
    compared as transliterated words with rapidfuzz, in any order ("Степанова Ирина" = "Irina Stepanova")."""
    a, b = _tokens(shown or ""), _tokens(owner or "")
    if not a or not b:
        return None
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    hits = sum(any(_same_word(s, t, min_similarity) for t in long) for s in short)
    return "same" if hits == len(short) else "unrelated" if hits == 0 else "partial"


def name_photo_mismatch(accounts: pa.Table, photo_evidence: pa.Table | None, *,
                        min_similarity: float = 0.8) -> pa.Table:
    """Accounts whose photo belongs to someone else, judged by the names.

    Reads:    accounts(platform, account_id, handle, name); photo_evidence (evidence rows of
              photos.same_photo and photos.gallery: detector, platform, account_ids, strength,
              item_ids, details)
    Evidence: the photo finding's items
    Sentence: "@aisulu_8080 uses a photo of Irina Stepanova (@irina.st) under the name Айсулу Нурланова."
              or "@irina_2 uses the photo and the name of Irina
              Stepanova (@irina.st): it may impersonate them." (the same detector; details say
              relation "same" for impersonation, "unrelated" for a stolen photo)
    Misleads: a person's second account or a page run in their name; a shared family photo; a
              nickname in place of a name; a gallery label that names the wrong person.

    A same-photo finding counts only when it tells the copy from the original (the details name
    the `original_account`); a gallery finding only when its label names a real owner. An account
    whose name shares only a first name or a surname with the owner gets no finding.
    """
    check_option("name_photo_mismatch", "min_similarity", min_similarity, low=0.5, high=1.0)
    if photo_evidence is None or not photo_evidence.num_rows:
        return evidence_table()
    display = {(p, a): n for p, a, n in zip(accounts["platform"].to_pylist(), accounts["account_id"].to_pylist(),
                                            accounts["name"].to_pylist())}
    handles = names_of(accounts)
    best: dict[tuple[str, str, str], dict] = {}  # (platform, account, relation) -> the strongest finding
    for row in photo_evidence.to_pylist():
        details = json.loads(row.get("details") or "{}")
        platform = row["platform"]
        if row["detector"] == "photos.same_photo":
            original = details.get("original_account")
            if not original or len(row["account_ids"] or []) != 1:
                continue  # which one is the copy is not known
            owner_name = display.get((platform, original))
            owner_ref = f" ({handles[(platform, original)]})" if handles.get((platform, original), original) \
                not in (owner_name, original) else ""
            source = {"owner_account": original}
        elif row["detector"] == "photos.gallery":
            owner_name, owner_ref = gallery_owner(details.get("label")), " (a gallery photo)"
            source = {"gallery_label": details.get("label"), "gallery_path": details.get("gallery_path")}
        else:
            continue
        account = row["account_ids"][0]
        shown = display.get((platform, account))
        relation = compare_names(shown, owner_name, min_similarity=min_similarity)
        if relation not in ("same", "unrelated"):
            continue
        who = handles.get((platform, account), account)
        if relation == "unrelated":
            strength = 0.8 * float(row["strength"])
            sentence = f"{who} uses a photo of {owner_name}{owner_ref} under the name {shown}."
        else:
            strength = 0.9 * float(row["strength"])
            sentence = f"{who} uses the photo and the name of {owner_name}{owner_ref}: it may impersonate them."
        key = (platform, account, relation)
        rank = (-strength, sentence)
        if key not in best or rank < best[key]["rank"]:
            best[key] = {"rank": rank, "row": signal_row(
                "name_photo_mismatch", platform, account, strength, row["item_ids"] or [], sentence,
                {"name": shown, "owner_name": owner_name, "relation": relation, "photo_detector": row["detector"],
                 **source})}
    return evidence_table([best[k]["row"] for k in sorted(best)])
