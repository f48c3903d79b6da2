"""X/Twitter's information-operations archives: the hashed and unhashed `*_tweets` CSV files.

Twitter (now X) released the tweets of state-backed operations it took down as CSV, one row per
tweet with the author's profile repeated on each row. Ids of accounts with fewer than 5,000
followers are hashed (so are their handles and names); tweet ids are not.

Columns: tweetid, userid, user_display_name, user_screen_name, user_reported_location,
user_profile_description, user_profile_url, follower_count, following_count, account_creation_date,
account_language, tweet_language, tweet_text, tweet_time, tweet_client_name, in_reply_to_userid,
in_reply_to_tweetid, quoted_tweet_tweetid, is_retweet, retweet_userid, retweet_tweetid, latitude,
longitude, quote_count, reply_count, like_count, retweet_count, hashtags, urls, user_mentions,
poll_choices (older releases lack some of them).

Whole batches are mapped with Arrow compute: the archives hold millions of rows.
"""

from __future__ import annotations

from collections.abc import Iterator

import orjson
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import BadRecord, MissingColumns
from .base import REC, Adapter, Chunk, Context
from .canonical import csv_header, read_csv_text
from .source import Source

__all__ = ["IO_ARCHIVE"]

_REQUIRED = ("tweetid", "userid", "tweet_time")

# items column <- archive column, copied as they are
_ITEM_COLUMNS = {
    "item_id": "tweetid",
    "account_id": "userid",
    "created_at": "tweet_time",
    "text": "tweet_text",
    "language": "tweet_language",
    "client": "tweet_client_name",
    "hashtags": "hashtags",
    "urls": "urls",
    "mentions": "user_mentions",
    "like_count": "like_count",
    "reply_count": "reply_count",
    "share_count": "retweet_count",
    "quote_count": "quote_count",
}
# accounts column <- archive column
_ACCOUNT_COLUMNS = {
    "account_id": "userid",
    "handle": "user_screen_name",
    "name": "user_display_name",
    "location": "user_reported_location",
    "bio": "user_profile_description",
    "url": "user_profile_url",
    "followers_count": "follower_count",
    "following_count": "following_count",
    "created_at": "account_creation_date",
    "language": "account_language",
}
# read to decide kind, parent and position
_OTHER = ("is_retweet", "retweet_tweetid", "retweet_userid", "quoted_tweet_tweetid", "in_reply_to_tweetid",
          "in_reply_to_userid", "latitude", "longitude")
_KNOWN = set(_ITEM_COLUMNS.values()) | set(_ACCOUNT_COLUMNS.values()) | set(_OTHER)
_TRUE = ("true", "1")
_FALSE = ("false", "0")


def _sniff(source: Source) -> bool:
    if source.suffix not in (".csv", ".tsv", ".txt", ""):
        return False
    header, _ = csv_header(source)
    names = {h.lower() for h in header}
    return all(c in names for c in _REQUIRED)


def _read(source: Source, ctx: Context) -> Iterator[Chunk]:
    header, delimiter = csv_header(source)
    by_name = {h.lower(): h for h in header}
    missing = [c for c in _REQUIRED if c not in by_name]
    if missing:
        raise MissingColumns(
            f"{source.name}: no {', '.join(missing)} column{'s' if len(missing) > 1 else ''}; a Twitter "
            f"information-operations archive has {', '.join(_REQUIRED)} (found: {', '.join(header[:12])}).",
            "Give the release's *_tweets_csv_*.csv file (the users file has no tweets), "
            "or pass another --format.",
        )
    extra = [h for h in header if h.lower() not in _KNOWN]  # poll_choices and any newer column
    if [h for h in extra if h.lower() != "poll_choices"]:
        ctx.notes.append("columns kept in items.extra (not in the data model): "
                         + ", ".join(h for h in extra if h.lower() != "poll_choices"))
    record = 2  # the header is row 1
    emitted: dict[str, int] = {}  # account_id -> bit mask of the profile fields already given
    for batch in read_csv_text(source, header, delimiter):
        n = batch.num_rows
        if n == 0:
            continue
        cols = {name.lower(): batch.column(i) for i, name in enumerate(batch.schema.names)}
        rec = pa.array(range(record, record + n), pa.int64())
        items = _items(source, cols, rec, [(h, cols[h.lower()]) for h in extra])
        yield Chunk("items", items)
        accounts = _accounts(cols, rec, emitted)
        if accounts.num_rows:
            yield Chunk("accounts", accounts)
        record += n


def _col(cols: dict[str, pa.Array], name: str, n: int) -> pa.Array:
    found = cols.get(name)
    return found if found is not None else pa.nulls(n, pa.string())


def _items(source: Source, cols: dict[str, pa.Array], rec: pa.Array,
           extra: list[tuple[str, pa.Array]]) -> pa.Table:
    n = len(rec)
    get = lambda name: _col(cols, name, n)  # noqa: E731
    share = _flag(source, get("is_retweet"), rec)
    quote = pc.is_valid(get("quoted_tweet_tweetid"))
    reply = pc.is_valid(get("in_reply_to_tweetid"))
    which = pc.make_struct(share, quote, reply, field_names=["share", "quote", "reply"])
    kind = pc.case_when(which, *(pa.scalar(k) for k in ("share", "quote", "reply", "post")))
    parent = pc.case_when(which, get("retweet_tweetid"), get("quoted_tweet_tweetid"), get("in_reply_to_tweetid"))
    parent_account = pc.case_when(which, get("retweet_userid"), pa.scalar(None, pa.string()),
                                  get("in_reply_to_userid"))
    data = {"platform": pa.array(["twitter"] * n, pa.string()), "kind": kind,
            "parent_id": parent, "parent_account_id": parent_account}
    for ours, theirs in _ITEM_COLUMNS.items():
        if theirs in cols:
            data[ours] = cols[theirs]
    for axis in ("latitude", "longitude"):
        if axis in cols:
            data[axis] = _absent_to_null(cols[axis])
    if extra:
        data["extra"] = _extra_json(extra, n)
    data[REC] = rec
    return pa.table(data)


def _flag(source: Source, values: pa.Array, rec: pa.Array) -> pa.Array:
    """is_retweet as booleans; a value other than True/False/1/0/empty is an error naming its row."""
    low = pc.utf8_lower(pc.utf8_trim_whitespace(values))
    true = pc.is_in(low, value_set=pa.array(_TRUE))
    known = pc.or_(true, pc.is_in(low, value_set=pa.array(_FALSE)))
    bad = pc.and_(pc.is_valid(low), pc.invert(known))
    if pc.any(bad).as_py():
        i = pc.index(bad, True).as_py()
        raise BadRecord(f"{source.name}, row {rec[i].as_py()}: is_retweet {values[i].as_py()!r} is not True or False.",
                        "Fix the value or leave the cell empty.")
    return pc.fill_null(true, False)


def _absent_to_null(values: pa.Array) -> pa.Array:
    absent = pc.equal(pc.utf8_lower(pc.utf8_trim_whitespace(values)), "absent")
    return pc.if_else(pc.fill_null(absent, False), pa.scalar(None, pa.string()), values)


def _extra_json(extra: list[tuple[str, pa.Array]], n: int) -> pa.Array:
    """Columns with no canonical place, as a JSON object; built only for the (few) rows that have one."""
    present = None
    for _name, values in extra:
        has = pc.fill_null(pc.is_valid(values), False)
        present = has if present is None else pc.or_(present, has)
    rows = pc.indices_nonzero(present).to_pylist()
    if not rows:
        return pa.nulls(n, pa.string())
    taken = [(name, values.take(rows).to_pylist()) for name, values in extra]
    texts = [orjson.dumps({name: v[j] for name, v in taken if v[j] is not None}).decode()
             for j in range(len(rows))]
    out: list[str | None] = [None] * n
    for j, i in enumerate(rows):
        out[i] = texts[j]
    return pa.array(out, pa.string())


def _accounts(cols: dict[str, pa.Array], rec: pa.Array, emitted: dict[str, int]) -> pa.Table:
    """One row per author of the batch (the first non-empty value of each profile field), left out
    when earlier batches already gave every field this row has.

    The store merges accounts field by field, first non-empty value first, so a row that adds no
    field would change nothing; leaving it out saves staging one row per tweet.
    """
    data = {ours: cols[theirs] for ours, theirs in _ACCOUNT_COLUMNS.items() if theirs in cols}
    data[REC] = rec
    rows = pa.table(data)
    fields = [c for c in rows.column_names if c not in ("account_id", REC)]
    firsts = pa.TableGroupBy(rows, "account_id", use_threads=False).aggregate(
        [(c, "first") for c in (*fields, REC)])
    firsts = firsts.rename_columns([c.removesuffix("_first") for c in firsts.column_names])
    mask = pa.array([0] * firsts.num_rows, pa.int64())
    for bit, name in enumerate(fields):
        mask = pc.add(mask, pc.multiply(pc.cast(pc.is_valid(firsts[name]), pa.int64()), 1 << bit))
    keep = []
    for i, (account, given) in enumerate(zip(firsts["account_id"].to_pylist(), mask.to_pylist())):
        before = emitted.get(account)
        if before is None or given & ~before:
            keep.append(i)
            emitted[account] = (before or 0) | given
    if len(keep) < firsts.num_rows:
        firsts = firsts.take(pa.array(keep, pa.int64()))
    return firsts.append_column("platform", pa.array(["twitter"] * firsts.num_rows, pa.string()))


IO_ARCHIVE = Adapter(
    "twitter-io-archive",
    "X/Twitter information-operations archive (transparency release *_tweets CSV)",
    "row",
    _sniff,
    _read,
)
