"""Reading a story out of a case: the items that carry it, the links among its spreaders, what
else they share, how they post; and writing its findings. The only DuckDB I/O of `trollscan spread`.

The set-heavy work (the items a query names by id, link or hashtag, the reshare closure, the
co-sharing pairs, per-account cadence) is one SQL query each, plain enough for Spark SQL too. Texts
are read in batches and matched in `spread.match` (with `trollscan.text`'s normalisation).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc

from ..coordination.layers import URL_SQL
from .case import Case, fetch_arrow, temp_table
from .results import input_fingerprint, write_results

if TYPE_CHECKING:
    from ..spread.query import StoryQuery

__all__ = ["MATCH_SCHEMA", "read_story_items", "read_named_items", "read_seed_items", "read_text_batches", "read_follow_links",
           "read_co_sharing", "read_cadence", "read_group_tags",
           "read_timezone", "write_spread_results", "read_last_spread_params", "DOMAIN_SQL"]

# The host of a link, lower case, without "www." (what "domains" of a group counts).
DOMAIN_SQL = r"lower(regexp_extract(url, '^[a-zA-Z][a-zA-Z0-9+.-]*://(?:www\.)?([^/?#:@]+)', 1))"

_URL = URL_SQL.strip()


def read_timezone(case: Case) -> str:
    """The case's local time zone (meta key `timezone`), UTC when unset."""
    return case.meta("timezone") or "UTC"


def _normalised(case: Case, values: tuple[str, ...], expr: str, column: str) -> list[str]:
    if not values:
        return []
    rows = case.con.execute(f"SELECT DISTINCT {expr} AS v FROM (SELECT unnest(?::VARCHAR[]) AS {column}) "
                            "WHERE v IS NOT NULL AND v <> '' ORDER BY v", [list(values)]).fetchall()
    return [r[0] for r in rows]


def read_named_items(case: Case, query: StoryQuery) -> dict[str, str | None]:
    """The items the query names (`item:ID`, or a one-word phrase that is an item id of the case):
    item id -> its text (None without one)."""
    ids = sorted(set(query.item_ids) | {p for p in query.phrases if " " not in p})
    if not ids:
        return {}
    rows = case.con.execute("SELECT item_id, any_value(text ORDER BY platform) FROM items "
                            "WHERE item_id IN (SELECT unnest(?::VARCHAR[])) GROUP BY item_id ORDER BY 1",
                            [ids]).fetchall()
    return {item_id: text for item_id, text in rows}


# How each story item matched the query.
MATCH_SCHEMA = pa.schema([("platform", pa.string()), ("item_id", pa.string()), ("match", pa.string()),
                          ("similarity", pa.float64()), ("match_of", pa.string())])


def read_seed_items(case: Case, query: StoryQuery, named: dict[str, str | None]) -> pa.Table:
    """The items that carry the story by id, link or hashtag (a one-word phrase matches that hashtag
    too): platform, item_id, match ('item', 'link' or 'hashtag'), similarity (1), match_of (the
    item, the normalised link or the hashtag)."""
    tags = sorted(set(query.hashtags) | {p.lower().lstrip("#") for p in query.phrases
                                         if " " not in p and not p.endswith("*")})
    params = {"items": sorted(named), "urls": _normalised(case, query.urls, _URL, "url"), "tags": tags}
    if not any(params.values()):
        return MATCH_SCHEMA.empty_table()
    return fetch_arrow(case.con, f"""
        SELECT platform, item_id, m.match, 1.0::DOUBLE AS similarity, m.match_of FROM (
            SELECT platform, item_id,
                   CASE WHEN list_contains($items::VARCHAR[], item_id)
                             THEN {{'match': 'item', 'match_of': 'item:' || item_id}}
                        WHEN len(u) > 0 THEN {{'match': 'link', 'match_of': u[1]}}
                        WHEN len(h) > 0 THEN {{'match': 'hashtag', 'match_of': '#' || h[1]}} END AS m
            FROM (SELECT platform, item_id,
                         CASE WHEN len($urls::VARCHAR[]) > 0 AND urls IS NOT NULL THEN
                              list_sort(list_intersect(list_transform(urls, lambda url: {_URL}), $urls::VARCHAR[]))
                              ELSE [] END AS u,
                         CASE WHEN len($tags::VARCHAR[]) > 0 AND hashtags IS NOT NULL THEN
                              list_sort(list_intersect(list_transform(hashtags, lambda t: lower(t)), $tags::VARCHAR[]))
                              ELSE [] END AS h
                  FROM items WHERE kind <> 'reaction'))
        WHERE m IS NOT NULL ORDER BY platform, item_id""", params).cast(MATCH_SCHEMA)


def read_text_batches(case: Case, *, batch_rows: int = 200_000) -> Iterator[pa.RecordBatch]:
    """(platform, item_id, text) of every item with a text (reactions left out), in batches, read as
    they are used (so only one batch of raw texts is in memory). Run no other query on the case
    until the last batch is read."""
    relation = case.con.sql("SELECT platform, item_id, text FROM items WHERE kind <> 'reaction' AND text IS NOT NULL "
                            "AND text <> ''")
    reader = getattr(relation, "to_arrow_reader", None) or relation.fetch_arrow_reader  # DuckDB 2 renamed it
    yield from reader(batch_rows)


def read_story_items(case: Case, matches: pa.Table) -> pa.Table:
    """Every item that carries the story: those that match it (`matches`: platform, item_id, match,
    similarity, match_of; `matched` true), and every share, quote or reply below them (reactions
    left out), in time order, with their authors' profile, the analyst's latest label and the latest
    verdict.

    `parent_state`: 'story' (the parent carries the story too), 'outside' (the parent is in the case
    but does not carry it), 'missing' (the platform names a parent the case lacks: deleted or not
    collected), NULL (no parent).
    """
    con = case.con
    con.register("_story_matches", matches.select(["platform", "item_id", "match", "similarity", "match_of"]))
    try:
        con.execute("CREATE OR REPLACE TEMP TABLE _story_seed AS SELECT * FROM _story_matches")
    finally:
        con.unregister("_story_matches")
    try:
        con.execute("""
            CREATE OR REPLACE TEMP TABLE _story AS
            WITH RECURSIVE story(platform, item_id) AS (
                SELECT platform, item_id FROM _story_seed
                UNION
                SELECT i.platform, i.item_id FROM items i JOIN story s
                    ON i.platform = s.platform AND i.parent_id = s.item_id
                WHERE i.kind <> 'reaction')
            SELECT DISTINCT platform, item_id FROM story""")
        return fetch_arrow(con, """
            WITH lab AS (SELECT platform, account_id, arg_max(label, (coalesce(labeled_at, '-infinity'::TIMESTAMP),
                                source_id, source_record)) AS label FROM labels GROUP BY ALL),
                 ver AS (SELECT platform, account_id, arg_max(label, run_id) AS verdict FROM verdicts GROUP BY ALL)
            SELECT i.platform, i.item_id, i.kind, i.account_id, i.created_at, i.parent_id, i.parent_account_id,
                   i.root_id, i.target_id, i.text, i.language, i.urls, i.hashtags,
                   m.item_id IS NOT NULL AS matched, m.match, m.similarity, m.match_of,
                   CASE WHEN i.parent_id IS NULL THEN NULL WHEN ps.item_id IS NOT NULL THEN 'story'
                        WHEN p.item_id IS NOT NULL THEN 'outside' ELSE 'missing' END AS parent_state,
                   a.handle, a.name, a.verified, a.followers_count, a.bio, a.status AS account_status,
                   lab.label, ver.verdict
            FROM _story s JOIN items i ON i.platform = s.platform AND i.item_id = s.item_id
            LEFT JOIN _story_seed m ON m.platform = i.platform AND m.item_id = i.item_id
            LEFT JOIN _story ps ON ps.platform = i.platform AND ps.item_id = i.parent_id
            LEFT JOIN items p ON p.platform = i.platform AND p.item_id = i.parent_id
            LEFT JOIN accounts a ON a.platform = i.platform AND a.account_id = i.account_id
            LEFT JOIN lab ON lab.platform = i.platform AND lab.account_id = i.account_id
            LEFT JOIN ver ON ver.platform = i.platform AND ver.account_id = i.account_id
            ORDER BY i.created_at NULLS LAST, i.platform, i.item_id""")
    finally:
        con.execute("DROP TABLE IF EXISTS _story_seed")
        con.execute("DROP TABLE IF EXISTS _story")


def _accounts(spreaders: pa.Table) -> pa.Table:
    return spreaders.select(["platform", "account_id"]).group_by(["platform", "account_id"]).aggregate([])


def read_follow_links(case: Case, spreaders: pa.Table) -> pa.Table:
    """Who could see whom among the spreaders: (platform, account_id, other_id) when account_id
    follows, subscribes to or is friends with other_id (friendship counts both ways)."""
    with temp_table(case, "_spread_acc", _accounts(spreaders)):
        return fetch_arrow(case.con, """
            WITH r AS (SELECT platform, account_id, other_id FROM relations WHERE kind IN ('follow', 'subscribed', 'friend')
                       UNION SELECT platform, other_id, account_id FROM relations WHERE kind = 'friend')
            SELECT DISTINCT r.platform, r.account_id, r.other_id FROM r
            SEMI JOIN _spread_acc a ON a.platform = r.platform AND a.account_id = r.account_id
            SEMI JOIN _spread_acc b ON b.platform = r.platform AND b.account_id = r.other_id
            WHERE r.account_id <> r.other_id
            ORDER BY 1, 2, 3""")


def read_co_sharing(case: Case, spreaders: pa.Table, *, max_target_accounts: int = 500, min_shared: int = 2,
                    max_share: float = 0.9, neighbours: int = 5) -> pa.Table:
    """Pairs of spreaders that shared the same things anywhere in the case: the same item (shared,
    quoted or answered), the same link (normalised), the same hashtag. Each thing counts by how rare
    it is among the spreaders (ln(spreaders / its sharers)). Sharing the story's origins (its items
    with no parent in the story) is what makes a spreader, so they do not count; nor does a thing
    shared by more than `max_share` of the spreaders. A thing shared by
    more than `max_target_accounts` links its sharers along `neighbours` random cycles (each a
    hashed order of them), not all pairs, with the weight scaled so that each sharer gets the same
    total: a sparse random graph with the same communities, whose pairs grow linearly, not
    quadratically, with a crowded thing. Rows: platform, account_a <
    account_b, weight, n_targets (at least `min_shared`, or a link through a crowded thing)."""
    origins = spreaders.filter(pc.invert(pc.fill_null(pc.equal(spreaders["parent_state"], "story"), False)))
    with temp_table(case, "_spread_acc", _accounts(spreaders)), \
            temp_table(case, "_spread_origins", origins.select(["platform", "item_id"])):
        return fetch_arrow(case.con, f"""
            WITH mine AS (SELECT i.* FROM items i SEMI JOIN _spread_acc a
                          ON a.platform = i.platform AND a.account_id = i.account_id),
            acts AS (
                SELECT platform, account_id, 'p:' || parent_id AS target FROM mine m
                    WHERE parent_id IS NOT NULL AND kind IN ('share', 'quote', 'reply', 'comment')
                    AND NOT EXISTS (SELECT 1 FROM _spread_origins o WHERE o.platform = m.platform
                                    AND o.item_id = m.parent_id)
                UNION
                SELECT platform, account_id, 'u:' || {_URL} FROM (
                    SELECT platform, account_id, unnest(urls) AS url FROM mine WHERE urls IS NOT NULL)
                    WHERE url IS NOT NULL AND url <> ''
                UNION
                SELECT platform, account_id, 'h:' || lower(h) FROM (
                    SELECT platform, account_id, unnest(hashtags) AS h FROM mine WHERE hashtags IS NOT NULL)
                    WHERE h IS NOT NULL AND h <> ''),
            n AS (SELECT platform, count(*) AS n FROM _spread_acc GROUP BY platform),
            t AS (SELECT t.platform, target, count(*) AS k FROM acts t JOIN n ON n.platform = t.platform
                  GROUP BY t.platform, target, n.n HAVING count(*) >= 2 AND count(*) <= greatest(2, $max_share * n.n)),
            w AS (SELECT a.platform, a.account_id, a.target, t.k, ln(n.n / t.k) AS w
                  FROM acts a JOIN t ON t.platform = a.platform AND t.target = a.target
                  JOIN n ON n.platform = a.platform),
            cw AS (SELECT w.*, o, row_number() OVER (PARTITION BY w.platform, w.target, o
                                                     ORDER BY hash(w.account_id, w.target, o), w.account_id) AS r
                   FROM w, range(1, $nb + 1) AS s(o) WHERE w.k > $max_k),
            small AS (SELECT x.platform, least(x.account_id, y.account_id) AS a, greatest(x.account_id, y.account_id) AS b,
                             x.w, false AS sampled FROM w x JOIN w y ON x.platform = y.platform AND x.target = y.target
                             AND x.account_id < y.account_id WHERE x.k <= $max_k),
            crowded AS (SELECT x.platform, least(x.account_id, y.account_id) AS a, greatest(x.account_id, y.account_id) AS b,
                               x.w * (x.k - 1) / (2.0 * $nb) AS w, true AS sampled
                        FROM cw x JOIN cw y ON y.platform = x.platform AND y.target = x.target AND y.o = x.o
                        AND y.r = x.r % x.k + 1)
            SELECT platform, a AS account_a, b AS account_b, sum(w) AS weight, count(*) AS n_targets
            FROM (SELECT * FROM small UNION ALL SELECT * FROM crowded)
            GROUP BY platform, a, b HAVING count(*) >= $min_shared OR bool_or(sampled)
            ORDER BY 1, 2, 3""", {"max_k": max_target_accounts, "min_shared": min_shared, "max_share": max_share,
                                  "nb": neighbours})


def read_cadence(case: Case, spreaders: pa.Table, tz: str) -> pa.Table:
    """How each spreader posts in the rest of the case (its items outside the story, whose own hours
    say nothing of the account's rhythm), in the case's local time: items, distinct local hours of
    the day, share of items between 00:00 and 06:00, most items in one minute, median seconds
    between consecutive items, items per active day. Spreaders with no other item have no row."""
    with temp_table(case, "_spread_acc", _accounts(spreaders)), \
            temp_table(case, "_spread_items", spreaders.select(["platform", "item_id"])):
        return fetch_arrow(case.con, """
            WITH mine AS (
                SELECT i.platform, i.account_id, i.created_at, timezone($tz, i.created_at::TIMESTAMPTZ) AS local_at
                FROM items i SEMI JOIN _spread_acc a ON a.platform = i.platform AND a.account_id = i.account_id
                ANTI JOIN _spread_items s ON s.platform = i.platform AND s.item_id = i.item_id
                WHERE i.created_at IS NOT NULL),
            gaps AS (SELECT platform, account_id, local_at,
                            epoch(created_at) - epoch(lag(created_at) OVER (PARTITION BY platform, account_id
                                                                             ORDER BY created_at)) AS gap_s
                     FROM mine),
            per_minute AS (SELECT platform, account_id, max(c) AS max_per_minute FROM (
                               SELECT platform, account_id, date_trunc('minute', local_at), count(*) AS c FROM mine
                               GROUP BY ALL) GROUP BY ALL)
            SELECT g.platform, g.account_id, count(*) AS items, count(DISTINCT hour(local_at)) AS hours,
                   avg(CASE WHEN hour(local_at) < 6 THEN 1.0 ELSE 0.0 END) AS night_share,
                   any_value(pm.max_per_minute) AS max_per_minute, median(gap_s) AS median_gap_s,
                   count(*) / count(DISTINCT local_at::DATE) AS per_day
            FROM gaps g JOIN per_minute pm ON pm.platform = g.platform AND pm.account_id = g.account_id
            GROUP BY g.platform, g.account_id ORDER BY 1, 2""", {"tz": tz})


def read_group_tags(case: Case, members: pa.Table, *, limit: int = 5) -> pa.Table:
    """Per group (members: platform, account_id, group_id), its members' most used hashtags and link
    domains anywhere in the case, counted by how many members used them. Rows: group_id, kind
    ('hashtag' or 'domain'), value, accounts."""
    with temp_table(case, "_spread_members", members.select(["platform", "account_id", "group_id"])):
        return fetch_arrow(case.con, f"""
            WITH mine AS (SELECT m.group_id, i.account_id, i.urls, i.hashtags FROM items i
                          JOIN _spread_members m ON m.platform = i.platform AND m.account_id = i.account_id
                          WHERE i.urls IS NOT NULL OR i.hashtags IS NOT NULL),
            used AS (SELECT DISTINCT group_id, account_id, 'hashtag' AS kind, lower(h) AS value FROM (
                         SELECT group_id, account_id, unnest(hashtags) AS h FROM mine) WHERE h <> ''
                     UNION
                     SELECT DISTINCT group_id, account_id, 'domain', {DOMAIN_SQL} FROM (
                         SELECT group_id, account_id, unnest(urls) AS url FROM mine)),
            counted AS (SELECT group_id, kind, value, count(*) AS accounts FROM used
                        WHERE value IS NOT NULL AND value <> '' GROUP BY ALL)
            SELECT group_id, kind, value, accounts FROM counted
            QUALIFY row_number() OVER (PARTITION BY group_id, kind ORDER BY accounts DESC, value) <= $limit
            ORDER BY group_id, kind, accounts DESC, value""", {"limit": limit})


def write_spread_results(case: Case, *, params: dict, seconds: float, evidence: pa.Table) -> int:
    """Store the story's findings as the results of detector 'spread' (replacing the last story's)."""
    return write_results(case, detector="spread", params=params, input_hash=input_fingerprint(case),
                         seconds=seconds, edges=None, evidence=evidence)


def read_last_spread_params(case: Case) -> dict | None:
    """The parameters (terms, options) of the last story traced in this case, or None: what the
    report needs to trace it again for its "How the story spread" section."""
    rows = case.con.execute("SELECT params FROM runs WHERE detector = 'spread' ORDER BY run_id DESC LIMIT 1").fetchall()
    return json.loads(rows[0][0]) if rows else None
