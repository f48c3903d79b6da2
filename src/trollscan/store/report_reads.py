"""More of what the report and the web app read (`report_data` is at its size limit): the gallery
photo shown beside a match, and the state of the case a kept profile depends on.
"""

from __future__ import annotations

import hashlib
import os
import stat

from .case import Case
from .report_data import MAX_MEDIA_BYTES

__all__ = ["read_gallery_files", "read_case_state"]

_SHA = frozenset("0123456789abcdef")

def read_gallery_files(case: Case, shas: list[str]) -> dict[str, bytes]:
    """The bytes of the reporter's gallery photos, by sha256. Only a path the gallery table holds is
    read (never one from a request), only when it is a regular file (a link is not followed) of at
    most MAX_MEDIA_BYTES, and only when its bytes still hash to that sha256: a file changed or
    replaced since `gallery add` is left out."""
    wanted = sorted({s for s in shas if isinstance(s, str) and len(s) == 64 and set(s) <= _SHA})
    if not wanted:
        return {}
    rows = case.con.execute("SELECT sha256, path FROM gallery WHERE list_contains(?, sha256) ORDER BY added_at, path",
                            [wanted]).fetchall()
    out: dict[str, bytes] = {}
    for sha, path in rows:
        if sha in out:
            continue
        try:
            info = os.lstat(path)
            if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_MEDIA_BYTES:
                continue
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
            with os.fdopen(fd, "rb") as f:
                data = f.read(MAX_MEDIA_BYTES + 1)
        except (OSError, ValueError):
            continue
        if len(data) <= MAX_MEDIA_BYTES and hashlib.sha256(data).hexdigest() == sha:
            out[sha] = data
    return out


def read_case_state(case: Case) -> tuple:
    """What a computed profile depends on: the runs, labels, watch list, sources and time zone. Equal
    states give equal profiles, so a profile can be kept until the state changes."""
    return tuple(case.con.execute(
        "SELECT (SELECT string_agg(run_id::VARCHAR, ',' ORDER BY run_id) FROM runs), (SELECT count(*) FROM labels), "
        "(SELECT max(source_id) FROM sources), (SELECT count(*) FROM watchlist), "
        "(SELECT max(added_at) FROM watchlist), (SELECT value FROM meta WHERE key = 'timezone')").fetchall()[0])
