"""One account, one id: joining the accounts a source could only name by their handle.

Some exports name an account by its stable id (Instaloader, Zeeschuimer and the Meta Content
Library give Instagram's numeric id), others only by its handle (a CrowdTangle Instagram CSV, a
reporter's sheet of instagram.com/NAME links). Left apart, one account would be two, and the two
halves of its activity would never meet in a co-action pair. The data model keys an account by
its stable id when one is known, so a load that learns an id for a handle moves every row of the
handle-keyed account onto that id, in the load's own transaction.

A handle is joined only when exactly one id is known for it, from the profiles or from the
snapshots of renamed accounts: a handle that two accounts have held (a farm renames and recycles
them) stays apart, and the load says so. Each join is kept in `account_aliases`, so later
exports that name the handle land on the id too.
"""

from __future__ import annotations

import duckdb

from .convert import keep_one_per_key, quote as _q
from .schema import TABLES

__all__ = ["ACCOUNT_COLUMNS", "join_aliases"]

# Columns that hold an account id of the row's platform. `items.target_id` and `relations.other_id`
# can also be pages, groups or items, whose ids a handle must not be mistaken for, so only an
# account's own columns move.
ACCOUNT_COLUMNS: dict[str, tuple[str, ...]] = {
    "items": ("account_id", "parent_account_id"),
    "relations": ("account_id",),
    "media": ("account_id",),
    "access_log": ("account_id",),
    "snapshots": ("account_id",),
    "labels": ("account_id",),
}

# Accounts keyed by their handle: the id is the handle in lower case and is not a number.
_BY_HANDLE = """
SELECT platform, account_id AS alias FROM accounts
WHERE account_id = lower(ltrim(coalesce(handle, account_id), '@'))
  AND NOT regexp_full_match(account_id, '[0-9]+')
"""

# Handles known for accounts keyed otherwise, now or earlier (snapshots keep old handles).
_KNOWN = """
SELECT platform, lower(ltrim(handle, '@')) AS alias, account_id FROM accounts
WHERE handle IS NOT NULL AND account_id <> lower(ltrim(handle, '@'))
UNION
SELECT platform, lower(ltrim(handle, '@')), account_id FROM snapshots
WHERE handle IS NOT NULL AND account_id <> lower(ltrim(handle, '@'))
UNION
SELECT platform, alias, account_id FROM account_aliases
"""


def join_aliases(con: duckdb.DuckDBPyConnection, first_source: int) -> tuple[int, list[str]]:
    """Move handle-keyed accounts onto their known ids, inside the caller's transaction.

    Returns the number of accounts joined and notes for the load summary (handles left apart).
    """
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _alias_candidates AS
        SELECT h.platform, h.alias, list(DISTINCT k.account_id ORDER BY k.account_id) AS ids
        FROM ({_BY_HANDLE}) h JOIN ({_KNOWN}) k USING (platform, alias)
        GROUP BY ALL""")
    notes = [
        f"{platform} handle {alias!r} was held by {len(ids)} accounts ({', '.join(ids[:3])}): "
        "rows that name it by the handle were left apart."
        for platform, alias, ids in con.execute(
            "SELECT * FROM _alias_candidates WHERE len(ids) > 1 ORDER BY ALL LIMIT 20").fetchall()
    ]
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _aliases AS
        SELECT platform, alias, ids[1] AS account_id FROM _alias_candidates WHERE len(ids) = 1""")
    joined = con.execute("SELECT count(*) FROM _aliases").fetchall()[0][0]
    if joined:
        for table, columns in ACCOUNT_COLUMNS.items():
            for column in columns:
                con.execute(
                    f"UPDATE {table} AS t SET {_q(column)} = a.account_id FROM _aliases a "
                    f"WHERE t.platform = a.platform AND t.{_q(column)} = a.alias")
        con.execute("UPDATE accounts AS t SET account_id = a.account_id FROM _aliases a "
                    "WHERE t.platform = a.platform AND t.account_id = a.alias")
        _merge_older(con, first_source)
        con.execute(f"""
            INSERT INTO account_aliases
            SELECT platform, alias, account_id, {int(first_source)}, now()::TIMESTAMP FROM _aliases
            WHERE (platform, alias) NOT IN (SELECT (platform, alias) FROM account_aliases)""")
    con.execute("DROP TABLE _alias_candidates")
    con.execute("DROP TABLE _aliases")
    return joined, notes


def _merge_older(con: duckdb.DuckDBPyConnection, first_source: int) -> None:
    """Rows stored before this load that now share a key become one (the load settles its own)."""
    old = f"source_id < {int(first_source)}"
    for name in ("accounts", *ACCOUNT_COLUMNS):
        spec = TABLES[name]
        keys = ", ".join(_q(k) for k in spec.key)
        touched = f"{old} AND ({keys}) IN (SELECT ({keys}) FROM {name} WHERE {old} GROUP BY ALL HAVING count(*) > 1)"
        if con.execute(f"SELECT count(*) FROM {name} WHERE {touched}").fetchall()[0][0]:
            keep_one_per_key(con, spec, touched)
