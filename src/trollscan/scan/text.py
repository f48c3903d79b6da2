"""The text step of a scan: copied words (identical and near-identical texts) and shared
misspellings, per platform, stored as three detectors' runs with their edges and text families."""

from __future__ import annotations

import time
from collections.abc import Callable

import pyarrow as pa
import pyarrow.compute as pc

from ..errors import BadParameter
from ..evidence import evidence_table
from ..store import Case
from ..store.results import read_names
from ..store.texts import TextRun, read_texts, write_text_results
from ..text.families import text_families
from ..text.findings import (
    EDGE_SCHEMA,
    FAMILY_ROWS,
    NEAR_DUPLICATE,
    SAME_TEXT,
    SHARED_MISSPELLING,
    family_findings,
    misspelling_findings,
)
from ..text.misspellings import shared_misspellings
from .summary import LayerSummary

__all__ = ["scan_text"]


def scan_text(case: Case, fingerprint: str, *, progress: Callable[[str], None] | None = None, min_chars: int = 20,
              min_similarity: float = 0.8, min_accounts: int = 2, max_edge_accounts: int = 200,
              min_edge_strength: float = 0.3, max_typo_accounts: int = 10, transliterate: bool = False, workers: int = 1, seed: int = 1
              ) -> LayerSummary:
    """Find families of copied words and shared misspellings in every platform's texts and store
    them (detectors text.same_text, text.near_duplicate, text.shared_misspelling; edge layers
    same_text_family, near_text_family, shared_misspelling)."""
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
    offset = 0
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
