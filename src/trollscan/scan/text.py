"""The text step of a scan: copied words (identical and near-identical texts), shared misspellings
and, when an embedding model is given, the same talking points in other words; per platform, stored
as one run per detector with its edges and text families."""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import BadParameter
from ..evidence import evidence_table
from ..store import Case
from ..store.results import read_names, read_query
from ..store.texts import TextRun, read_texts, write_text_results
from ..text.families import FamilyResult, text_families
from ..text.findings import (
    EDGE_SCHEMA,
    FAMILY_ROWS,
    NEAR_DUPLICATE,
    SAME_TALKING_POINT,
    SAME_TEXT,
    SHARED_MISSPELLING,
    family_findings,
    misspelling_findings,
)
from ..text.misspellings import shared_misspellings
from ..text.normalise import normalise_texts
from ..text.semantic import Embedder
from ..text.talking_points import MIN_COSINE, talking_points
from .summary import LayerSummary

__all__ = ["scan_text", "MIN_SHARED_POINTS"]

# Two accounts are tied in the graph by talking points only when they made at least this many
# different ones in other words: on the simulated nurbots and evasive cases (scale 0.3), 165 of 165
# and 7 of 10 such pairs are two fakes; of the pairs that share one point, 78 % and 13 % (docs/text.md).
MIN_SHARED_POINTS = 3


def scan_text(case: Case, fingerprint: str, *, progress: Callable[[str], None] | None = None, min_chars: int = 20,
              min_similarity: float = 0.8, min_accounts: int = 2, max_edge_accounts: int = 200,
              min_edge_strength: float = 0.3, max_typo_accounts: int = 10, transliterate: bool = False, workers: int = 1, seed: int = 1,
              semantic: Embedder | None = None, min_cosine: float = MIN_COSINE) -> LayerSummary:
    """Find families of copied words and shared misspellings in every platform's texts and store
    them (detectors text.same_text, text.near_duplicate, text.shared_misspelling; edge layers
    same_text_family, near_text_family, shared_misspelling). With a `semantic` model, also
    talking-point families: texts at least `min_cosine` alike in meaning that are not near
    duplicates of each other (detector text.same_talking_point, layer same_talking_point). Without
    one, nothing of that runs, and earlier talking-point results are cleared."""
    if min_accounts < 2:
        raise BadParameter(f"The 'min_accounts' parameter of scan_text must be an int >= 2; got {min_accounts}.")
    if max_typo_accounts < 2:
        raise BadParameter(f"The 'max_typo_accounts' parameter of scan_text must be an int >= 2; got {max_typo_accounts}.")
    if progress:
        progress("text")
    started = time.perf_counter()
    texts = read_texts(case)
    summary = LayerSummary("text", None, actions=texts.num_rows, threshold=min_similarity)
    found = {d: {"evidence": [], "edges": [], "families": []} for d in (SAME_TEXT, NEAR_DUPLICATE, SHARED_MISSPELLING)}
    if semantic is not None or _stored(case, SAME_TALKING_POINT):
        found[SAME_TALKING_POINT] = {"evidence": [], "edges": [], "families": []}
    offset = tp_offset = 0
    for platform in sorted(set(texts["platform"].to_pylist())) if texts.num_rows else []:
        mine = texts.filter(pc.equal(texts["platform"], platform))
        result = text_families(mine["text"], min_chars=min_chars, min_similarity=min_similarity,
                               transliterate=transliterate, workers=workers, seed=seed)
        summary.candidates += result.candidates
        rows = result.members["row"]
        members = pa.table({"family_id": pc.add(result.members["family_id"], offset),
                            "item_id": mine["item_id"].take(rows), "account_id": mine["account_id"].take(rows),
                            "created_at": mine["created_at"].take(rows), "text": mine["text"].take(rows),
                            "normalised": result.members["normalised"], "similarity": result.members["similarity"]})
        if members.num_rows:
            offset = int(pc.max(members["family_id"]).as_py())
        names = read_names(case, platform, members["account_id"].to_pylist())
        evidence, edges, families = family_findings(platform, members, names, min_accounts=min_accounts,
                                                    max_edge_accounts=max_edge_accounts,
                                                    min_edge_strength=min_edge_strength)
        for d in (SAME_TEXT, NEAR_DUPLICATE):
            found[d]["evidence"].append(evidence[d])
            found[d]["edges"].append(edges[d])
            found[d]["families"].append(families[d])
        if semantic is not None:
            points = _talking_point_members(mine, result, semantic, min_cosine=min_cosine, min_chars=min_chars,
                                            seed=seed, offset=tp_offset)
            if points.num_rows:
                tp_offset = int(pc.max(points["family_id"]).as_py())
            names = read_names(case, platform, points["account_id"].to_pylist())
            evidence, edges, families = family_findings(platform, points, names, min_accounts=min_accounts,
                                                        max_edge_accounts=max_edge_accounts, min_edge_strength=0.0,
                                                        talking_point=semantic.name)
            ties = edges[SAME_TALKING_POINT]  # one shared point is chance; several are a brief
            edges[SAME_TALKING_POINT] = ties.filter(pc.greater_equal(ties["n_targets"], MIN_SHARED_POINTS))
            for part, table in (("evidence", evidence), ("edges", edges), ("families", families)):
                found[SAME_TALKING_POINT][part].append(table[SAME_TALKING_POINT])
        typos = shared_misspellings(mine["text"], mine["account_id"], max_accounts=max_typo_accounts)
        typo_names = read_names(case, platform, [a for accs in typos["accounts"].to_pylist() for a in accs])
        ev, ed = misspelling_findings(platform, typos, mine, typo_names)
        found[SHARED_MISSPELLING]["evidence"].append(ev)
        found[SHARED_MISSPELLING]["edges"].append(ed)
    params = {"min_chars": min_chars, "min_similarity": min_similarity, "min_accounts": min_accounts,
              "max_edge_accounts": max_edge_accounts, "min_edge_strength": min_edge_strength, "transliterate": transliterate, "seed": seed,
              "shingle": 4, "num_perm": 64, "bands": 16}
    runs = []
    for detector, parts in found.items():
        run_params = dict(params, max_typo_accounts=max_typo_accounts) if detector == SHARED_MISSPELLING else params
        if detector == SAME_TALKING_POINT:
            run_params = dict(params, model=semantic.name if semantic else "off", min_cosine=min_cosine,
                              min_shared_points=MIN_SHARED_POINTS)
        runs.append(TextRun(detector, run_params,
                            evidence=pa.concat_tables(parts["evidence"]) if parts["evidence"] else evidence_table(),
                            edges=pa.concat_tables(parts["edges"]) if parts["edges"] else EDGE_SCHEMA.empty_table(),
                            families=pa.concat_tables(parts["families"]) if parts["families"] else
                            FAMILY_ROWS.empty_table()))
    summary.seconds = time.perf_counter() - started
    write_text_results(case, runs, input_hash=fingerprint, seconds=summary.seconds)
    summary.edges = sum(r.edges.num_rows for r in runs)
    everything = pa.concat_tables([r.evidence for r in runs])
    if everything.num_rows:
        summary.top = everything.sort_by([("strength", "descending")])["sentence"].to_pylist()[:3]
    return summary


def _stored(case: Case, detector: str) -> bool:
    return read_query(case, "SELECT count(*) AS n FROM runs WHERE detector = ?", [detector])["n"][0].as_py() > 0


def _talking_point_members(mine: pa.Table, copies: FamilyResult, semantic: Embedder, *, min_cosine: float,
                           min_chars: int, seed: int, offset: int) -> pa.Table:
    """Talking-point family members of one platform's texts (rows in time order), in the columns
    `family_findings` reads. Texts shorter than `min_chars` normalised characters are left out, as
    the copied-words families leave them out; pairs inside one copied-words family are never linked."""
    normalised = normalise_texts(mine["text"])
    vectors = semantic.embed(mine["text"])
    vectors[pc.less(pc.utf8_length(normalised), min_chars).to_numpy(zero_copy_only=False)] = 0
    exclude = np.full(mine.num_rows, -1, dtype=np.int64)
    exclude[copies.members["row"].to_numpy()] = copies.members["family_id"].to_numpy()
    found = talking_points(vectors, exclude=exclude, words=normalised, embed=semantic.embed, min_cosine=min_cosine,
                           seed=seed)
    rows = pa.array(found.members["row"].to_numpy())
    return pa.table({"family_id": pc.add(found.members["family_id"], offset), "item_id": mine["item_id"].take(rows),
                     "account_id": mine["account_id"].take(rows), "created_at": mine["created_at"].take(rows),
                     "text": mine["text"].take(rows), "normalised": normalised.take(rows),
                     "similarity": found.members["similarity"]})
