"""Every tunable of trollscan: name, default, unit and help.

A setting can be overridden with an environment variable `TROLLSCAN_<NAME>` (upper case).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from .errors import BadParameter

__all__ = ["Setting", "SETTINGS", "get"]


@dataclass(frozen=True)
class Setting:
    name: str
    default: int
    unit: str
    help: str


SETTINGS: dict[str, Setting] = {
    s.name: s
    for s in [
        Setting("batch_rows", 262_144, "rows",
                "Rows handed from a reader to the store at a time (the store appends big batches in parallel)."),
        Setting("read_block_bytes", 4 << 20, "bytes",
                "Bytes a CSV or JSON reader takes at a time; also the longest record accepted."),
        Setting("max_field_bytes", 1_000_000, "bytes",
                "Longest text accepted in one field (a comment, a bio), in UTF-8 bytes; longer fails the load."),
        Setting("max_expand_ratio", 200, "times",
                "Largest decompressed/compressed size ratio accepted once past max_expand_floor_bytes."),
        Setting("max_expand_floor_bytes", 64 << 20, "bytes",
                "Decompressed bytes a compressed file may always produce before the ratio is checked."),
        Setting("max_decompressed_bytes", 200 << 30, "bytes",
                "Most bytes one compressed file may expand to."),
        Setting("store_memory_mb", 2048, "MiB",
                "Memory DuckDB may use before spilling to disk; bounds peak memory of a load."),
        Setting("store_threads", 0, "threads", "DuckDB worker threads; 0 means one per core."),
        Setting("arrow_typing", 1, "0 or 1",
                "Convert text columns of common shapes (lists, numbers, times) in Arrow; 0 sends all through SQL."),
        Setting("sniff_bytes", 65_536, "bytes", "Bytes read from the start of a file to detect its format."),
    ]
}


def get(name: str) -> int:
    """The value of setting `name`, from `TROLLSCAN_<NAME>` when set, else its default."""
    setting = SETTINGS[name]
    raw = os.environ.get(f"TROLLSCAN_{name.upper()}")
    if raw is None:
        return setting.default
    try:
        value = int(raw)
    except ValueError:
        raise BadParameter(
            f"TROLLSCAN_{name.upper()} must be an integer number of {setting.unit}; got {raw!r}.",
            f"{setting.help} Default: {setting.default}.",
        ) from None
    if value < 0:
        raise BadParameter(f"TROLLSCAN_{name.upper()} must be >= 0; got {value}.")
    return value
