"""The scan step of the per-account signals: read the canonical tables once, run every signal,
store each one's evidence under `signals.<name>`. It runs after the photo step, whose findings
`name_photo_mismatch` reads."""

from __future__ import annotations

import time
from collections.abc import Callable

from ..errors import BadParameter
from ..signals import SIGNALS, run_signal
from ..signals.names import PHOTO_DETECTORS
from ..store import Case
from ..store.results import read_query, write_results
from .summary import LayerSummary

__all__ = ["scan_signals", "read_signal_inputs"]

_READS = {
    "accounts": "SELECT platform, account_id, handle, name, created_at, bio, location, url FROM accounts",
    "items": ("SELECT platform, item_id, account_id, kind, created_at, target_id, parent_account_id, "
              "coalesce(length(trim(text)) > 0, false) AS has_text FROM items"),
    "relations": "SELECT platform, account_id, kind, other_id, added_at FROM relations",
    "media": "SELECT platform, account_id, kind, media_id, item_id, uploaded_at FROM media",
    "watchlist": "SELECT platform, target FROM watchlist",
    "photo_evidence": ("SELECT detector, platform, account_ids, strength, item_ids, details FROM evidence "
                       f"WHERE detector IN ({', '.join(repr(d) for d in PHOTO_DETECTORS)}) ORDER BY ALL"),
}


def read_signal_inputs(case: Case, names: list[str]) -> dict:
    """The canonical tables the given signals read, each read once."""
    wanted = {t for n in names for t in SIGNALS[n].reads}
    return {t: read_query(case, sql) for t, sql in _READS.items() if t in wanted}


def scan_signals(case: Case, fingerprint: str, *, signals: list[str] | None = None,
                 options: dict[str, dict] | None = None, progress: Callable[[str], None] | None = None
                 ) -> LayerSummary:
    """Run the per-account signals (all, or `signals`) and store their evidence; `options` gives
    per-signal options by name. `working_hours` reads hours in the case's time zone (meta
    `timezone`) unless its options say otherwise. One summary for all: `edges` counts evidence
    rows, `candidates` the accounts named, `top` the strongest sentence of the three strongest signals."""
    names = signals or list(SIGNALS)
    unknown = [n for n in names if n not in SIGNALS]
    if unknown:
        raise BadParameter(f"Unknown signal {unknown[0]!r}.", f"Signals: {', '.join(SIGNALS)}.")
    options = options or {}
    tables = read_signal_inputs(case, names)
    summary = LayerSummary("signals", None, actions=tables["items"].num_rows if "items" in tables else 0)
    flagged: set = set()
    top: list[tuple[float, str]] = []
    for name in names:
        signal = SIGNALS[name]
        if progress:
            progress(f"signals.{name}")
        opts = dict(options.get(name, {}))
        if "timezone" in signal.defaults and "timezone" not in opts:
            opts["timezone"] = case.meta("timezone") or "UTC"
        started = time.perf_counter()
        found = run_signal(signal, tables, **opts)
        seconds = time.perf_counter() - started
        write_results(case, detector=f"signals.{name}", params={**signal.defaults, **opts}, input_hash=fingerprint,
                      seconds=seconds, edges=None, evidence=found)
        summary.seconds += seconds
        summary.edges += found.num_rows
        flagged.update(zip(found["platform"].to_pylist(), (a[0] for a in found["account_ids"].to_pylist())))
        if found.num_rows:
            best = found.sort_by([("strength", "descending"), ("sentence", "ascending")]).slice(0, 1)
            top.append((best["strength"][0].as_py(), best["sentence"][0].as_py()))
    summary.candidates = len(flagged)  # accounts named by at least one signal
    summary.top = [s for _v, s in sorted(top, key=lambda t: (-t[0], t[1]))[:3]]
    return summary
