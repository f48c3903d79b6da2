"""Co-action as relational queries only: the same edges as `co_action_edges`, for engines that
join at scale (Spark) and as a cross-check of the vectorised kernel.

`co_action_edges` pairs actions in numpy and lets the engine count; here the engine does all of
it, so the work spreads over a cluster. The queries are written in the SQL both DuckDB and Spark
SQL read; the runner of each engine registers the input view `actions(account, target, ts, row)`
and binds the `$name` parameters (Spark: `:name`). Scores, thresholds and links are the same as
the kernel's, bit for bit: rarity is summed in integer units, and the null model's shuffle is the
integer hash permutation of `edges.shuffle_keys`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .edges import _P, _RARITY_UNIT, _SHRINK, MAX_TARGET_PAIRS, CoActionResult, _fdr_threshold

__all__ = ["SqlRunner", "ViewMaker", "co_action_relational", "ACTIONS_SQL", "CROWD_SQL", "ACCOUNTS_OF", "NO_ACCOUNTS",
           "PAIRS_OF", "SHUFFLE_SQL"]

# run(sql, parameters by name) -> result, over the engine's registered views
SqlRunner = Callable[[str, Mapping[str, object]], pa.Table]
# define(name, query or table, parameters): a view (or cached table) the next queries can read
ViewMaker = Callable[[str, "str | pa.Table", Mapping[str, object]], None]

# Per target: its actions (n), the pairs they make within the window (p: the actions at each
# time with each other and with the target's later actions in the window; the same account twice
# included, as the kernel's `pairs_per_target` counts them), and its accounts (k). {frame}: the
# window's end, `w FOLLOWING` or `UNBOUNDED FOLLOWING`. {k} and {accounts}: ACCOUNTS_OF when the
# layer is bounded by accounts, else NO_ACCOUNTS (k is 0, and not counted).
CROWD_SQL = """
SELECT c.target, c.n, c.p, {k} AS k FROM (
    SELECT target, sum(n) AS n, sum(p) AS p FROM (
        SELECT target, n, n * (s - n) + CAST(n * (n - 1) / 2 AS BIGINT) AS p FROM (
            SELECT target, n, sum(n) OVER (PARTITION BY target ORDER BY ts RANGE BETWEEN CURRENT ROW AND {frame}) AS s
            FROM (SELECT target, ts, count(*) AS n FROM {source} GROUP BY target, ts) g) w) t
    GROUP BY target) c{accounts}
"""
ACCOUNTS_OF = {"k": "d.k",
               "accounts": "\nJOIN (SELECT target, count(DISTINCT account) AS k FROM {source} GROUP BY target) d "
                           "ON d.target = c.target"}
NO_ACCOUNTS = {"k": "CAST(0 AS BIGINT)", "accounts": ""}
# The actions kept: targets with at most $max_actions actions, $max_pairs pairs within the
# window and $max_accounts accounts (the kernel's `crowded_targets`).
ACTIONS_SQL = """
SELECT a.account, a.target, a.ts, a.row FROM {source} a
JOIN (SELECT target FROM {crowd} WHERE n <= $max_actions AND p <= $max_pairs AND k <= $max_accounts) c
ON a.target = c.target
"""

# Every pair of actions by two accounts on one target, each unordered pair once, within the window
# ({window}: a condition on x.ts and y.ts, or TRUE), oriented so that account_a < account_b.
PAIRS_OF = """
SELECT CASE WHEN x.account < y.account THEN x.account ELSE y.account END AS account_a,
       CASE WHEN x.account < y.account THEN y.account ELSE x.account END AS account_b,
       x.target AS t, x.ts AS ts_i, y.ts AS ts_j,
       CASE WHEN x.account < y.account THEN x.row ELSE y.row END AS row_a,
       CASE WHEN x.account < y.account THEN y.row ELSE x.row END AS row_b
FROM {acts} x JOIN {acts} y ON x.target = y.target AND x.account <> y.account
     AND (y.ts > x.ts OR (y.ts = x.ts AND y.account > x.account)) AND {window}
"""

# Per pair: distinct targets, co-actions, summed target rarity (integer units), first and last
# time, and the score; only pairs repeating at least $min times ({count}: the layer's rule). The
# rarity of a target is that of the actions as observed, also when {acts} are the null model's.
SCORE_SQL = """
WITH rarity AS (SELECT target, CAST(round((1.0 / log2(1 + count(*))) * {unit}) AS BIGINT) AS r
                FROM (SELECT DISTINCT target, account FROM kept_actions) GROUP BY target),
degree AS (SELECT account, count(*) AS d FROM (SELECT DISTINCT target, account FROM {acts}) GROUP BY account),
per_t AS (SELECT account_a, account_b, t, count(*) AS n, min(ts_i) AS first_ts, max(ts_j) AS last_ts
          FROM ({pairs}) GROUP BY account_a, account_b, t),
per_pair AS (
    SELECT p.account_a, p.account_b, count(*) AS n_targets, CAST(sum(p.n) AS BIGINT) AS n_items,
           CAST(sum(r.r) AS BIGINT) AS rarity, min(p.first_ts) AS first_ts, max(p.last_ts) AS last_ts
    FROM per_t p JOIN rarity r ON p.t = r.target
    GROUP BY p.account_a, p.account_b HAVING {count} >= $min)
SELECT p.account_a, p.account_b, p.n_targets, p.n_items, p.first_ts, p.last_ts,
       {raw} / sqrt((CAST(da.d AS DOUBLE) + {shrink}) * (CAST(db.d AS DOUBLE) + {shrink})) AS weight
FROM per_pair p JOIN degree da ON da.account = p.account_a JOIN degree db ON db.account = p.account_b
"""

# The null model's actions: the accounts of the kept actions, moved from the action at position k
# (in row order) to the action ranked k by the shuffle key of `edges.shuffle_keys`.
SHUFFLE_SQL = """
WITH pos AS (SELECT account, target, ts, row, CAST(row_number() OVER (ORDER BY row) AS BIGINT) - 1 AS k
             FROM kept_actions),
h0 AS (SELECT target, ts, row, k, (k % {p} * 48271 + $salt) % {p} AS x FROM pos),
h1 AS (SELECT target, ts, row, k, ((x * x + 12345) % {p} * 69621 + 1) % {p} AS x FROM h0),
keyed AS (SELECT target, ts, row, CAST(row_number() OVER (ORDER BY (x * x + 54321) % {p}, k) AS BIGINT) - 1 AS rank
           FROM h1)
SELECT o.account, s.target, s.ts, s.row FROM keyed s JOIN pos o ON s.rank = o.k
"""

# For each kept pair, its first $limit action pairs: earliest first, then by rows (as LINKS_SQL).
LINKS_OF = """
SELECT account_a, account_b, row_a, row_b, ts FROM (
    SELECT p.account_a, p.account_b, p.row_a, p.row_b, least(p.ts_i, p.ts_j) AS ts,
           row_number() OVER (PARTITION BY p.account_a, p.account_b
                              ORDER BY least(p.ts_i, p.ts_j), p.row_a, p.row_b) AS rank
    FROM ({pairs}) p JOIN kept_pairs k ON p.account_a = k.account_a AND p.account_b = k.account_b)
WHERE rank <= $limit
"""


# Engines differ in what they mark NOT NULL; the results have one schema whatever ran them.
_EDGES = pa.schema([("account_a", pa.string()), ("account_b", pa.string()), ("weight", pa.float64()),
                    ("n_targets", pa.int64()), ("n_items", pa.int64()), ("first_ts", pa.int64()),
                    ("last_ts", pa.int64())])
_LINKS = pa.schema([("account_a", pa.string()), ("account_b", pa.string()), ("row_a", pa.int64()),
                    ("row_b", pa.int64())])


def _window(window_s: int | None) -> str:
    return "TRUE" if window_s is None else "y.ts - x.ts <= $window"


def _score_sql(acts: str, window_s: int | None, repeats: str) -> str:
    count = "count(*)" if repeats == "targets" else "CAST(sum(p.n) AS BIGINT)"
    raw = f"CAST(p.rarity AS DOUBLE) / {_RARITY_UNIT!r}"
    if repeats == "items":  # one shared target (an IP address): each co-action on it counts
        raw = f"{raw} * CAST(p.n_items AS DOUBLE) / CAST(greatest(p.n_targets, 1) AS DOUBLE)"
    pairs = PAIRS_OF.format(acts=acts, window=_window(window_s))
    return SCORE_SQL.format(acts=acts, pairs=pairs, count=count, raw=raw, unit=repr(_RARITY_UNIT),
                            shrink=repr(_SHRINK))


def co_action_relational(
    run: SqlRunner,
    define: ViewMaker,
    *,
    window_s: int | None,
    min_targets: int = 2,
    fdr: float | None = 0.01,
    null_rounds: int = 2,
    seed: int = 1,
    repeats: str = "targets",
    links_per_edge: int = 10,
    max_target_actions: int = 5000,
    max_target_pairs: int = MAX_TARGET_PAIRS,
    max_target_accounts: int | None = None,
) -> CoActionResult:
    """Edges between accounts of the engine's view `actions(account, target, ts, row)`, with the
    parameters and results of `co_action_edges` (links give the `row` values of the actions).

    `row` identifies an action and orders actions: the input row number, or any unique sortable key
    (a cluster has no row numbers: `scan --parquet` uses the item id and the account id).

    `run(sql, params)` returns a query's result; `define(name, sql_or_table, params)` makes a
    view (or a cached table) of a query or an Arrow table for the next queries.
    """
    bounded = max_target_accounts is not None
    params = {"max_actions": max_target_actions, "max_pairs": max_target_pairs, "min": min_targets,
              "window": window_s, "limit": links_per_edge, "max_accounts": max_target_accounts if bounded else 0}
    params = {k: v for k, v in params.items() if v is not None}
    # the window as a frame bound: an int checked by the caller, never user text
    accounts = {k: v.format(source="actions") for k, v in (ACCOUNTS_OF if bounded else NO_ACCOUNTS).items()}
    crowd = CROWD_SQL.format(source="actions", frame="UNBOUNDED FOLLOWING" if window_s is None
                             else f"{int(window_s)} FOLLOWING", **accounts)
    define("target_crowd", crowd, params)  # read twice: by the actions kept and by the count left out
    define("kept_actions", ACTIONS_SQL.format(source="actions", crowd="target_crowd"), params)
    left_out = run("SELECT count(*) AS n, CAST(coalesce(sum(CASE WHEN k > $max_accounts THEN 1 ELSE 0 END), 0) "
                   "AS BIGINT) AS many FROM target_crowd WHERE n > $max_actions OR p > $max_pairs OR k > $max_accounts",
                   params)
    crowded, many = left_out["n"][0].as_py(), left_out["many"][0].as_py()
    observed = run(_score_sql("kept_actions", window_s, repeats), params)
    threshold, null_mean = 0.0, 0.0
    if fdr is not None and observed.num_rows:
        nulls = []
        for round_ in range(null_rounds):
            salt = (seed * 1009 + round_ * 7919) % _P
            define("shuffled_actions", SHUFFLE_SQL.format(p=_P), {"salt": salt})
            null = run(_score_sql("shuffled_actions", window_s, repeats), params)
            nulls.append(np.sort(null["weight"].to_numpy()))
        threshold, null_mean = _fdr_threshold(np.sort(observed["weight"].to_numpy()), nulls, fdr)
    kept = observed.filter(pc.greater_equal(observed["weight"], threshold))
    edges = kept.select(list(_EDGES.names)).cast(_EDGES).sort_by(
        [("weight", "descending"), ("account_a", "ascending"), ("account_b", "ascending")])
    if edges.num_rows:
        define("kept_pairs", edges.select(["account_a", "account_b"]), {})
        pairs = PAIRS_OF.format(acts="kept_actions", window=_window(window_s))
        links = run(LINKS_OF.format(pairs=pairs), params)
    else:
        links = pa.table({"account_a": pa.array([], pa.string()), "account_b": pa.array([], pa.string()),
                          "row_a": pa.array([], pa.int64()), "row_b": pa.array([], pa.int64()),
                          "ts": pa.array([], pa.int64())})
    links = links.sort_by([("account_a", "ascending"), ("account_b", "ascending"), ("ts", "ascending"),
                           ("row_a", "ascending"), ("row_b", "ascending")]).drop_columns(["ts"])
    links = links.cast(pa.schema([_LINKS.field(0), _LINKS.field(1), ("row_a", links.schema.field("row_a").type),
                                  ("row_b", links.schema.field("row_b").type)]))
    return CoActionResult(edges, links, threshold, observed.num_rows, null_mean, int(crowded), int(many))
