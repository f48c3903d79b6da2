"""Writing results to files for other tools."""

from __future__ import annotations

from pathlib import Path

import pyarrow.csv as pv

from ..errors import BadParameter
from .case import Case, fetch_arrow

__all__ = ["write_edges_csv"]


def write_edges_csv(case: Case, path: Path, *, layer: str | None = None) -> int:
    """The account graph, one row per pair and layer, as CSV; the number of rows written."""
    table = fetch_arrow(
        case.con, "SELECT platform, account_a, account_b, layer, weight, n_items, n_targets, first_at, last_at "
        "FROM edges WHERE $layer IS NULL OR layer = $layer ORDER BY layer, weight DESC, account_a, account_b",
        {"layer": layer})
    if layer is not None and table.num_rows == 0:
        known = [r[0] for r in case.con.execute("SELECT DISTINCT layer FROM edges ORDER BY 1").fetchall()]
        if layer not in known:
            raise BadParameter(f"No edges of layer {layer!r} in the case.",
                               f"Layers with edges: {', '.join(known) or 'none; run trollscan scan first'}.")
    try:
        pv.write_csv(table, path)
    except OSError as exc:
        raise BadParameter(f"Cannot write {path}: {exc.strerror}.", "Check the folder exists and is writable.") from None
    return table.num_rows
