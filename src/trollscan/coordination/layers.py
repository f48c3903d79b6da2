"""Co-action layers: which items count as acting on which target, as one SQL query each.

Every query reads the canonical `items` (or `access_log`, or `relations`) table and returns actions:
(platform, account_id, target, ts: epoch seconds, or 0 when the time is unknown, item_id). The kernel in `window.py` then pairs
actions on one target within the layer's window. The SQL is plain enough to run on DuckDB and,
with the dialect notes in docs, on Spark SQL.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Layer", "LAYERS", "URL_SQL", "TEXT_SQL", "spark_dialect"]

# A URL without what differs between shares of one link: scheme and host case, the fragment,
# tracking parameters (utm_*, fbclid, gclid, yclid, igshid, mc_*, ref, si) and a trailing slash.
# Shorteners (bit.ly, t.co) are kept as they are: expanding them would need the network.
URL_SQL = r"""
trim(TRAILING '/' FROM regexp_replace(regexp_replace(regexp_replace(
    regexp_replace(lower(regexp_extract(url, '^[a-zA-Z]+://[^/?#]+', 0)) || substr(url, length(regexp_extract(url, '^[a-zA-Z]+://[^/?#]+', 0)) + 1),
                   '#.*$', ''),
    '([?&])(utm_[^=&]*|fbclid|gclid|yclid|igshid|mc_cid|mc_eid|ref|ref_src|si)=[^&]*', '\1', 'g'),
    '[?&]+$', ''), '\?&+', '?', 'g'))
"""
# Text without what copy-pasters vary: case, links, mentions, punctuation, emoji, spacing.
TEXT_SQL = r"""
trim(regexp_replace(regexp_replace(lower(text), 'https?://\S+|@[\p{L}\p{N}_]+', ' ', 'g'), '[^\p{L}\p{N}]+', ' ', 'g'))
"""


@dataclass(frozen=True)
class Layer:
    name: str
    doc: str  # what links two accounts, for docs and sentences
    verb: str  # "commented on the same {n} posts"
    window_s: int | None  # default window; None: at any time
    sql: str
    # What a pair must repeat: distinct "targets" (posts, links, texts), or "items" when the target
    # itself is one thing shared (an IP address), where what repeats is the actions on it.
    repeats: str = "targets"
    # Whether chance can explain the layer, so that edges are kept by the null model's FDR. Not for
    # a shared IP address: sharing one is the finding itself (and NAT, offices and families are
    # the caveats its sentence must be read with).
    null_model: bool = True
    # The same query in Spark SQL, for layers that have one (`scan --parquet` on a cluster).
    spark_sql: str | None = None
    table: str = "items"  # the canonical table it reads
    # Whether a target more than `max_target_accounts` accounts acted on is left out (a layer at any
    # time, where no window separates anything: a text hundreds of accounts wrote is a slogan or an
    # everyday phrase, not a tie between any two of them).
    bounded_by_accounts: bool = False


# Epoch seconds of a timestamp column, in DuckDB and in Spark SQL (session time zone UTC).
_EPOCH = {"duckdb": "CAST(floor(epoch({c})) AS BIGINT)",
          "spark": "CAST(floor(unix_micros(CAST({c} AS TIMESTAMP)) / 1000000) AS BIGINT)"}


def _items(kinds: str, target: str, dialect: str = "duckdb") -> str:
    ts = _EPOCH[dialect].format(c="created_at")
    return (f"SELECT platform, account_id, {target} AS target, {ts} AS ts, item_id "
            f"FROM items WHERE kind IN ({kinds}) AND created_at IS NOT NULL AND {target} IS NOT NULL")


def spark_dialect(sql: str) -> str:
    """A query of this module in Spark SQL's spelling: Spark replaces every match (DuckDB's 'g'
    flag), writes a group in a replacement `$1` (DuckDB: `\\1`), and reads a backslash in a string
    literal as an escape, so the regular expressions' backslashes are doubled."""
    return sql.replace(", 'g')", ")").replace("'\\1'", "'$1'").replace("\\", "\\\\")


# What differs between DuckDB and Spark SQL in the layers below, besides `spark_dialect`.
_SPELLING = {
    "duckdb": {"explode": "unnest", "size": "len", "join": "array_to_string",
               "lower": "list_transform({c}, lambda h: lower(h))"},
    "spark": {"explode": "explode", "size": "size", "join": "array_join", "lower": "transform({c}, h -> lower(h))"},
}


def _urls(dialect: str = "duckdb") -> str:
    ts, say = _EPOCH[dialect].format(c="created_at"), _SPELLING[dialect]
    url = URL_SQL if dialect == "duckdb" else spark_dialect(URL_SQL)
    return (f"SELECT platform, account_id, {url} AS target, ts, item_id FROM ("
            f"SELECT platform, account_id, {say['explode']}(urls) AS url, {ts} AS ts, item_id "
            "FROM items WHERE urls IS NOT NULL AND created_at IS NOT NULL) u WHERE url <> ''")


def _hashtags(dialect: str = "duckdb") -> str:
    ts, say = _EPOCH[dialect].format(c="created_at"), _SPELLING[dialect]
    lowered = say["lower"].format(c="hashtags")
    return (f"SELECT platform, account_id, {say['join']}({lowered}, ' ') AS target, {ts} AS ts, item_id FROM items "
            f"WHERE {say['size']}(hashtags) >= 2 AND created_at IS NOT NULL")


def _texts(dialect: str = "duckdb") -> str:
    ts = _EPOCH[dialect].format(c="created_at")
    text = TEXT_SQL if dialect == "duckdb" else spark_dialect(TEXT_SQL)
    return (f"SELECT platform, account_id, md5(t) AS target, ts, item_id FROM ("
            f"SELECT platform, account_id, {text} AS t, {ts} AS ts, "
            "item_id FROM items WHERE text IS NOT NULL AND created_at IS NOT NULL) x WHERE length(t) >= 20")


def _relations(dialect: str = "duckdb") -> str:
    ts = _EPOCH[dialect].format(c="added_at")
    return (f"SELECT platform, account_id, other_id AS target, coalesce({ts}, 0) AS ts, "
            "kind || ':' || other_id AS item_id "
            "FROM relations WHERE kind IN ('member', 'subscribed') AND account_id <> other_id")


def _access_log(dialect: str = "duckdb") -> str:
    ts = _EPOCH[dialect].format(c="seen_at")
    return (f"SELECT platform, account_id, ip_hash AS target, {ts} AS ts, item_id "
            "FROM access_log WHERE ip_hash IS NOT NULL AND seen_at IS NOT NULL")


LAYERS: dict[str, Layer] = {
    layer.name: layer
    for layer in [
        Layer("co_reply", "comments or replies under the same post within the window",
              "commented on the same {n} posts", 600, _items("'comment', 'reply'", "parent_id"),
              spark_sql=_items("'comment', 'reply'", "parent_id", "spark")),
        Layer("co_share", "shares, retweets or quotes of the same item within the window",
              "shared the same {n} items", 60, _items("'share', 'quote'", "parent_id"),
              spark_sql=_items("'share', 'quote'", "parent_id", "spark")),
        Layer("co_reaction", "reactions (likes) to the same item within the window",
              "reacted to the same {n} items", 300, _items("'reaction'", "parent_id"),
              spark_sql=_items("'reaction'", "parent_id", "spark")),
        Layer("co_url", "the same link (normalised) within the window",
              "posted the same {n} links", 300, _urls(), spark_sql=_urls("spark")),
        Layer("co_hashtags", "the same sequence of two or more hashtags within the window",
              "used the same hashtag sequence {n} times", 300, _hashtags(), spark_sql=_hashtags("spark")),
        Layer("co_text", "the same words (normalised text of 20+ characters) within the window",
              "wrote the same text {n} times", 3600, _texts(), spark_sql=_texts("spark")),
        Layer("same_text", "the same words (normalised text of 20+ characters) at any time",
              "wrote the same {n} texts", None, _texts(), spark_sql=_texts("spark"), bounded_by_accounts=True),
        # Memberships are not events in time: a pair repeats by sharing several groups, however far
        # apart they joined. A group everybody is in is weak evidence (rarity), and the null model
        # keeps only overlaps chance does not explain, so the many small organic groups stay quiet.
        Layer("shared_groups", "membership of, or subscription to, the same groups, pages or channels at any time",
              "are members of or subscribed to the same {n} groups, pages or channels", None,
              _relations(), spark_sql=_relations("spark"), table="relations"),
        Layer("shared_ip", "comments sent from the same IP address (site comment logs) at any time",
              "commented from the same IP address ({n} pairs of their comments)", None,
              _access_log(), repeats="items", null_model=False, spark_sql=_access_log("spark"), table="access_log"),
    ]
}
