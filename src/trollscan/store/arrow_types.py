"""Typing text columns in Arrow, before they reach SQL, when every value has a common shape.

The loader's SQL conversion handles every shape and names the first bad value, but it is slow on
millions of rows (list cells above all). A text column of a chunk whose values *all* parse here
with one plain rule is converted here instead; any other chunk keeps its text, so the SQL
conversion (and its error message) decides. Both give the same values: a test checks it.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from .schema import Table

__all__ = ["type_text_columns"]

# The shapes exports commonly use: Twitter's archives write '2019-05-30 14:01'.
_TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d")
_NUMBERS = {"BIGINT": pa.int64(), "DOUBLE": pa.float64()}
# What DuckDB's trim() removes: the space separators (Unicode category Zs), not tabs or newlines.
_SPACES = " \xa0\u1680" + "".join(chr(c) for c in range(0x2000, 0x200B)) + "\u202f\u205f\u3000"


def type_text_columns(data: pa.Table, spec: Table, *, times: bool = True) -> pa.Table:
    """`data` with its text columns of list, number and (when `times`) time type converted where
    every value of the column parses; the others are left as text."""
    for i, name in enumerate(data.column_names):
        if name not in spec.names or not pa.types.is_string(data.column(i).type):
            continue
        want = spec.column(name).type
        if want not in ("VARCHAR[]", "TIMESTAMP", *_NUMBERS):
            continue  # text stays text: no copy of its buffers
        column = data.column(i).combine_chunks()
        if want == "VARCHAR[]":
            converted = _as_list(column)
        elif want in _NUMBERS:
            converted = _as_number(column, _NUMBERS[want])
        elif want == "TIMESTAMP" and times:
            converted = _as_time(column)
        else:
            continue
        if converted is not None:
            data = data.set_column(i, name, converted)
    return data


def _as_time(values: pa.Array) -> pa.Array | None:
    for fmt in _TIME_FORMATS:
        try:
            return pc.strptime(values, format=fmt, unit="us")
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            continue
    return None


def _as_number(values: pa.Array, to: pa.DataType) -> pa.Array | None:
    try:
        return pc.cast(values, to)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None


def _as_list(values: pa.Array) -> pa.Array | None:
    """`[a, b]` and `['a', 'b']` cells, split as the loader's SQL splits them; None when a cell could
    be a JSON array with escapes or quoted commas (the SQL decodes those)."""
    if pc.any(pc.match_substring(values, '"')).as_py() or pc.any(pc.match_substring(values, "\\")).as_py():
        return None
    cell = pc.utf8_trim(values, characters=_SPACES)
    cell = pc.if_else(pc.starts_with(cell, "["), pc.utf8_slice_codeunits(cell, 1), cell)
    cell = pc.if_else(pc.ends_with(cell, "]"), pc.utf8_slice_codeunits(cell, 0, -1), cell)
    parts = pc.split_pattern(cell, ",")
    flat = pc.utf8_trim(pc.utf8_trim(pc.list_flatten(parts), characters=_SPACES), characters="'\" ")
    keep = pc.not_equal(flat, "")
    counts = pc.cumulative_sum(pc.cast(keep, pa.int32()))
    offsets = pc.take(pa.concat_arrays([pa.array([0], pa.int32()), counts]), parts.offsets)
    return pa.ListArray.from_arrays(offsets, flat.filter(keep), mask=pc.is_null(values))
