"""How text from input files becomes typed values: the SQL macros and helpers the loader uses."""

from __future__ import annotations

__all__ = ["PLATFORM_ALIASES", "PARSE_TS", "PARSE_LIST", "quote", "show", "keep_one_per_key"]

PLATFORM_ALIASES = {
    "x": "twitter", "x.com": "twitter", "twitter.com": "twitter", "fb": "facebook",
    "facebook.com": "facebook", "ig": "instagram", "insta": "instagram", "instagram.com": "instagram",
    "vkontakte": "vk", "vk.com": "vk", "odnoklassniki": "ok", "ok.ru": "ok", "tg": "telegram",
    "t.me": "telegram", "yt": "youtube", "youtube.com": "youtube", "tiktok.com": "tiktok",
    "site": "web", "website": "web",
}

# Text that is a timestamp: ISO 8601 (any offset), a date, Twitter's classic format, epoch seconds
# or milliseconds. `fmt` is the user's --date-format, tried first when given.
PARSE_TS = """
CREATE OR REPLACE TEMP MACRO _ts(s, fmt, tz) AS (
    CASE WHEN s IS NULL OR trim(s) = '' THEN NULL
    WHEN tz IS NOT NULL AND NOT regexp_matches(trim(s), '(Z|[+-][0-9]{2}:?[0-9]{2}|[+-][0-9]{2})$')
         AND NOT regexp_full_match(trim(s), '[0-9]{9,13}(\\.[0-9]+)?') THEN
        CAST(timezone(tz, coalesce(CAST(try_strptime(trim(s), fmt) AS TIMESTAMP),
                                   try_cast(trim(s) AS TIMESTAMP))) AS TIMESTAMP)
    ELSE coalesce(
        CAST(try_strptime(trim(s), fmt) AS TIMESTAMP),
        CAST(try_cast(trim(s) AS TIMESTAMPTZ) AS TIMESTAMP),
        CAST(try_strptime(trim(s), '%a %b %d %H:%M:%S %z %Y') AS TIMESTAMP),
        CASE WHEN regexp_full_match(trim(s), '[0-9]{9,10}(\\.[0-9]+)?')
             THEN CAST(to_timestamp(CAST(trim(s) AS DOUBLE)) AS TIMESTAMP) END,
        CASE WHEN regexp_full_match(trim(s), '[0-9]{12,13}')
             THEN CAST(to_timestamp(CAST(trim(s) AS DOUBLE) / 1000) AS TIMESTAMP) END
    ) END
)
"""
# A list cell: a JSON array, or a bracketed list ([a, b] or ['a', 'b']) as in Twitter's archives.
PARSE_LIST = """
CREATE OR REPLACE TEMP MACRO _list(s) AS (
    CASE WHEN s IS NULL OR trim(s) IN ('', '[]') THEN
        CASE WHEN trim(s) = '[]' THEN CAST([] AS VARCHAR[]) END
    WHEN json_valid(s) AND json_type(CAST(s AS JSON)) = 'ARRAY' THEN
        from_json(s, '["VARCHAR"]')
    ELSE list_filter(
        list_transform(string_split(regexp_replace(trim(s), '^\\[|\\]$', '', 'g'), ','),
                       lambda e: trim(trim(e), '''" ')),
        lambda e: e <> '')
    END
)
"""


def quote(name: str) -> str:
    """Quote an identifier we made ourselves (never a name taken from user data)."""
    return '"' + name.replace('"', '""') + '"'


def show(value: object, width: int = 60) -> str:
    """A value from user data, quoted and cut short, safe to put in a message."""
    text = value if isinstance(value, str) else str(value)
    text = repr(text if len(text) <= width else text[:width] + "…")
    return text


def keep_one_per_key(con, spec, where: str) -> None:
    """Rows of `spec`'s table matching `where` that share a key become one, the earliest
    (`source_id`, `source_record`) kept; for a merge table, its empty fields take the later rows'
    values. `where` is the loader's own SQL, never user text."""
    t = spec.name
    keys = ", ".join(quote(k) for k in spec.key)
    order = "source_id, source_record"
    if spec.merge:
        cols = ", ".join(
            quote(c.name) if c.name in spec.key else
            f"arg_min({quote(c.name)}, ({order})) FILTER (WHERE {quote(c.name)} IS NOT NULL) AS {quote(c.name)}"
            for c in spec.columns)
        con.execute(f"CREATE OR REPLACE TEMP TABLE _merged AS SELECT {cols} FROM {t} WHERE {where} GROUP BY ALL")
        con.execute(f"DELETE FROM {t} WHERE {where}")
        con.execute(f"INSERT INTO {t} SELECT * FROM _merged")
        con.execute("DROP TABLE _merged")
    else:
        con.execute(f"DELETE FROM {t} WHERE rowid IN (SELECT rowid FROM {t} WHERE {where} QUALIFY "
                    f"row_number() OVER (PARTITION BY {keys} ORDER BY {order}) > 1)")
