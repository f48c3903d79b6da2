"""The canonical tables of a case: columns, types, keys and allowed values.

This module is the single source of the data model: the DDL, the loader's conversions and
checks, and `docs/data-model.md` (a test keeps the document in step) all read it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "SCHEMA_VERSION",
    "PLATFORMS",
    "Column",
    "Table",
    "TABLES",
    "ddl",
    "results_ddl",
    "analysis_ddl",
    "render_data_model",
]

SCHEMA_VERSION = 4

PLATFORMS = ("facebook", "instagram", "vk", "ok", "twitter", "telegram", "youtube", "tiktok", "web")
ITEM_KINDS = ("post", "comment", "reply", "share", "quote", "reaction")
RELATION_KINDS = ("friend", "follow", "member", "subscribed", "like")
MEDIA_KINDS = ("avatar", "photo", "video", "other")
STATUSES = ("active", "removed", "suspended", "renamed", "private", "unknown")
LABELS = ("fake", "doubtful", "real")


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # a DuckDB type: VARCHAR, BIGINT, DOUBLE, BOOLEAN, TIMESTAMP, VARCHAR[]
    doc: str
    required: bool = False
    values: tuple[str, ...] = ()  # allowed values, when the column is an enumeration


@dataclass(frozen=True)
class Table:
    name: str
    doc: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]  # what makes a row the same row: re-ingesting it adds nothing
    # Columns that define what a keyed row *is*: two rows with one key that differ here are a
    # conflict (an error), while differences elsewhere (like counts fetched later) are merged.
    identity: tuple[str, ...] = ()
    merge: bool = False  # rows with one key combine field by field (first non-empty value wins)
    provenance: bool = field(default=True)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def _platform() -> Column:
    return Column("platform", "VARCHAR", "Where the data comes from.", True, PLATFORMS)


def _extra() -> Column:
    return Column("extra", "VARCHAR",
                  "Fields of the source with no canonical column, as a JSON object, so nothing is lost.")


_PROVENANCE = (
    Column("source_id", "INTEGER", "The ingested file the row came from (`sources.source_id`).", True),
    Column("source_record", "BIGINT",
           "Where in that file: the line, row or message number its format counts in.", True),
)

TABLES: dict[str, Table] = {
    t.name: t
    for t in [
        Table(
            "accounts",
            "One row per account on a platform: the profile as collected.",
            (
                _platform(),
                Column("account_id", "VARCHAR",
                       "The platform's stable id (numeric id when known, else the handle in lower case).",
                       True),
                Column("handle", "VARCHAR", "Screen name / username, without '@'."),
                Column("name", "VARCHAR", "Display name."),
                Column("created_at", "TIMESTAMP", "When the account was created (UTC)."),
                Column("bio", "VARCHAR", "Profile description."),
                Column("location", "VARCHAR", "Location as the account states it."),
                Column("language", "VARCHAR", "Account language, as the source gives it."),
                Column("url", "VARCHAR", "Profile URL."),
                Column("followers_count", "BIGINT", "Followers / subscribers at collection time."),
                Column("following_count", "BIGINT", "Accounts it follows / friends at collection time."),
                Column("items_count", "BIGINT", "Posts the platform says it has written."),
                Column("verified", "BOOLEAN", "Platform verification badge."),
                Column("avatar", "VARCHAR", "Profile photo: URL or file path (hashed in `media`)."),
                Column("status", "VARCHAR", "Status when collected.", values=STATUSES),
                _extra(),
                *_PROVENANCE,
            ),
            key=("platform", "account_id"),
            merge=True,
        ),
        Table(
            "items",
            "Everything an account writes or does: posts, comments, replies, shares, quotes, reactions.",
            (
                _platform(),
                Column("item_id", "VARCHAR", "The platform's id of the item.", True),
                Column("kind", "VARCHAR", "What the item is.", True, ITEM_KINDS),
                Column("account_id", "VARCHAR", "Author (`accounts.account_id`).", True),
                Column("created_at", "TIMESTAMP", "When it was written (UTC)."),
                Column("parent_id", "VARCHAR",
                       "The item it answers, shares, quotes or reacts to."),
                Column("parent_account_id", "VARCHAR", "Author of the parent item, when known: a load fills it in from the parent item when the case holds it."),
                Column("root_id", "VARCHAR", "The post that starts the thread, when known."),
                Column("target_id", "VARCHAR",
                       "Where it appeared: page, group, channel, chat or article URL."),
                Column("text", "VARCHAR", "The text, as written."),
                Column("language", "VARCHAR", "Language as the source gives it."),
                Column("urls", "VARCHAR[]", "URLs in the item, expanded when the source expands them."),
                Column("hashtags", "VARCHAR[]", "Hashtags without '#', in order of appearance."),
                Column("mentions", "VARCHAR[]", "Mentioned accounts (ids or handles, as the source gives)."),
                Column("media", "VARCHAR[]", "Attached photos and videos: URLs or file paths."),
                Column("reaction", "VARCHAR", "For reactions: like, love, angry, a emoji..."),
                Column("client", "VARCHAR", "App or client that posted it, when known."),
                Column("like_count", "BIGINT", "Likes/reactions at collection time."),
                Column("reply_count", "BIGINT", "Replies/comments at collection time."),
                Column("share_count", "BIGINT", "Shares/retweets/forwards at collection time."),
                Column("quote_count", "BIGINT", "Quotes at collection time."),
                Column("latitude", "DOUBLE", "Geotag latitude."),
                Column("longitude", "DOUBLE", "Geotag longitude."),
                _extra(),
                *_PROVENANCE,
            ),
            key=("platform", "item_id"),
            identity=("kind", "account_id", "created_at", "text"),
        ),
        Table(
            "relations",
            "Links between an account and another account, page or group.",
            (
                _platform(),
                Column("account_id", "VARCHAR", "The account the relation starts from.", True),
                Column("kind", "VARCHAR",
                       "friend (mutual), follow, member (of a group), subscribed (to a page or channel), "
                       "like (of a page).", True, RELATION_KINDS),
                Column("other_id", "VARCHAR", "The account, page or group at the other end.", True),
                Column("added_at", "TIMESTAMP", "When the relation was made, when known (UTC)."),
                *_PROVENANCE,
            ),
            key=("platform", "account_id", "kind", "other_id"),
            merge=True,
        ),
        Table(
            "media",
            "Photos and other files: where they are and their content hash.",
            (
                _platform(),
                Column("media_id", "VARCHAR",
                       "Content-hash id: sha256 of the file when on disk, else of the URL.", True),
                Column("kind", "VARCHAR", "avatar, photo, video or other.", True, MEDIA_KINDS),
                Column("account_id", "VARCHAR", "Account it belongs to (its avatar, its upload)."),
                Column("item_id", "VARCHAR", "Item it is attached to."),
                Column("url", "VARCHAR", "Where the platform serves it."),
                Column("path", "VARCHAR", "File on disk, when the export has it."),
                Column("sha256", "VARCHAR", "sha256 of the file bytes, when on disk."),
                Column("bytes", "BIGINT", "File size."),
                Column("uploaded_at", "TIMESTAMP", "When it was uploaded, when known (UTC)."),
                *_PROVENANCE,
            ),
            key=("platform", "media_id", "kind", "account_id", "item_id"),
            merge=True,
        ),
        Table(
            "access_log",
            "A site owner's record of who wrote each comment: IP and device, only as keyed hashes.",
            (
                _platform(),
                Column("item_id", "VARCHAR", "The comment (`items.item_id`).", True),
                Column("account_id", "VARCHAR", "The commenter (`accounts.account_id`).", True),
                Column("seen_at", "TIMESTAMP", "When the comment was sent (UTC)."),
                Column("ip_hash", "VARCHAR",
                       "Keyed BLAKE2b hash of the IP address; the address itself is never stored."),
                Column("device_hash", "VARCHAR", "Keyed BLAKE2b hash of the user agent / device id."),
                *_PROVENANCE,
            ),
            key=("platform", "item_id"),
            identity=("account_id", "ip_hash", "device_hash"),
        ),
        Table(
            "snapshots",
            "An account's status as seen on a date: follow it through takedowns and renames.",
            (
                _platform(),
                Column("account_id", "VARCHAR", "The account.", True),
                Column("seen_at", "TIMESTAMP", "When the status was checked (UTC).", True),
                Column("status", "VARCHAR", "What was seen.", True, STATUSES),
                Column("handle", "VARCHAR", "Handle seen at that date (for renames)."),
                Column("name", "VARCHAR", "Display name seen at that date."),
                Column("note", "VARCHAR", "Free text."),
                *_PROVENANCE,
            ),
            key=("platform", "account_id", "seen_at", "status"),
            merge=True,
        ),
        Table(
            "labels",
            "An analyst's judgement of an account. It always wins over a computed verdict.",
            (
                _platform(),
                Column("account_id", "VARCHAR", "The account.", True),
                Column("label", "VARCHAR", "The judgement.", True, LABELS),
                Column("note", "VARCHAR", "Why: the evidence in the analyst's words."),
                Column("author", "VARCHAR", "Who labelled it."),
                Column("labeled_at", "TIMESTAMP", "When (UTC)."),
                *_PROVENANCE,
            ),
            key=("platform", "account_id", "label", "author", "labeled_at"),
            merge=True,
        ),
    ]
}

_BOOKKEEPING = """
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL);
CREATE TABLE IF NOT EXISTS sources (
    source_id INTEGER PRIMARY KEY,
    path VARCHAR NOT NULL,
    sha256 VARCHAR NOT NULL,
    bytes BIGINT NOT NULL,
    format VARCHAR NOT NULL,
    ingested_at TIMESTAMP NOT NULL,
    rows_added VARCHAR NOT NULL,
    trollscan_version VARCHAR NOT NULL
);
"""


# What trollscan computes (schema 2). Each run of a detector is a row of `runs`; its findings
# carry the run_id, so a result can always be traced to its parameters, version and input.
RESULTS = """
CREATE TABLE IF NOT EXISTS runs (
    run_id INTEGER PRIMARY KEY,
    detector VARCHAR NOT NULL,
    version VARCHAR NOT NULL,
    params VARCHAR NOT NULL,
    input_hash VARCHAR NOT NULL,
    started_at TIMESTAMP NOT NULL,
    seconds DOUBLE NOT NULL,
    rows BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS evidence (
    run_id INTEGER NOT NULL,
    detector VARCHAR NOT NULL,
    platform VARCHAR NOT NULL,
    account_ids VARCHAR[] NOT NULL,
    strength DOUBLE NOT NULL,
    item_ids VARCHAR[] NOT NULL,
    sentence VARCHAR NOT NULL,
    details VARCHAR
);
CREATE TABLE IF NOT EXISTS edges (
    run_id INTEGER NOT NULL,
    platform VARCHAR NOT NULL,
    layer VARCHAR NOT NULL,
    account_a VARCHAR NOT NULL,
    account_b VARCHAR NOT NULL,
    weight DOUBLE NOT NULL,
    n_targets BIGINT NOT NULL,
    n_items BIGINT NOT NULL,
    first_at TIMESTAMP,
    last_at TIMESTAMP
);
CREATE TABLE IF NOT EXISTS groups (
    run_id INTEGER NOT NULL,
    group_id INTEGER NOT NULL,
    platform VARCHAR NOT NULL,
    size INTEGER NOT NULL,
    cohesion DOUBLE NOT NULL,
    layers VARCHAR[] NOT NULL,
    first_at TIMESTAMP,
    last_at TIMESTAMP,
    top_targets VARCHAR[] NOT NULL
);
CREATE TABLE IF NOT EXISTS group_members (
    run_id INTEGER NOT NULL,
    group_id INTEGER NOT NULL,
    platform VARCHAR NOT NULL,
    account_id VARCHAR NOT NULL
);
"""


# What the detectors keep between runs and what the analyst adds (schema 3): photo hashes are
# computed once per file and reused; the gallery and watch list are the reporter's own inputs;
# text families and verdicts are results, tied to a run like the tables above. Schema 4 adds
# tables to this block only (each `IF NOT EXISTS`, so the same statements upgrade a schema-3 case).
ANALYSIS = """
CREATE TABLE IF NOT EXISTS images (
    sha256 VARCHAR PRIMARY KEY,
    width INTEGER,
    height INTEGER,
    format VARCHAR,
    error VARCHAR,
    hashed_at TIMESTAMP NOT NULL,
    hasher VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS image_hashes (
    sha256 VARCHAR NOT NULL,
    view VARCHAR NOT NULL,
    pdq BLOB NOT NULL,
    quality INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS gallery (
    sha256 VARCHAR NOT NULL,
    path VARCHAR NOT NULL,
    label VARCHAR NOT NULL,
    added_at TIMESTAMP NOT NULL
);
CREATE TABLE IF NOT EXISTS watchlist (
    platform VARCHAR,
    target VARCHAR NOT NULL,
    note VARCHAR,
    added_at TIMESTAMP NOT NULL
);
CREATE TABLE IF NOT EXISTS text_families (
    run_id INTEGER NOT NULL,
    family_id INTEGER NOT NULL,
    platform VARCHAR NOT NULL,
    item_id VARCHAR NOT NULL,
    account_id VARCHAR NOT NULL,
    created_at TIMESTAMP,
    similarity DOUBLE NOT NULL
);
CREATE TABLE IF NOT EXISTS verdicts (
    run_id INTEGER NOT NULL,
    platform VARCHAR NOT NULL,
    account_id VARCHAR NOT NULL,
    score DOUBLE NOT NULL,
    label VARCHAR NOT NULL,
    reasons VARCHAR[] NOT NULL,
    group_id INTEGER
);
CREATE TABLE IF NOT EXISTS account_aliases (
    platform VARCHAR NOT NULL,
    alias VARCHAR NOT NULL,
    account_id VARCHAR NOT NULL,
    source_id INTEGER NOT NULL,
    joined_at TIMESTAMP NOT NULL
);
CREATE TABLE IF NOT EXISTS entities (
    entity_key VARCHAR NOT NULL,
    schema VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    properties VARCHAR NOT NULL,
    note VARCHAR,
    source_id INTEGER NOT NULL,
    source_record BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS entity_links (
    schema VARCHAR NOT NULL,
    subject VARCHAR NOT NULL,
    object VARCHAR NOT NULL,
    role VARCHAR,
    start_date VARCHAR,
    end_date VARCHAR,
    note VARCHAR,
    source_url VARCHAR,
    members VARCHAR[],
    source_id INTEGER NOT NULL,
    source_record BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS photo_matches (
    sha_a VARCHAR NOT NULL,
    sha_b VARCHAR NOT NULL,
    settings VARCHAR NOT NULL,
    matched BOOLEAN NOT NULL,
    distance INTEGER,
    method VARCHAR,
    transformation VARCHAR,
    copy VARCHAR,
    area DOUBLE,
    correlation DOUBLE,
    tiles INTEGER,
    basis VARCHAR,
    angle DOUBLE,
    checked_at TIMESTAMP NOT NULL
);
"""


def _statements(sql: str) -> list[str]:
    return [s.strip() for s in sql.split(";") if s.strip()]


def results_ddl() -> list[str]:
    """The tables of computed results (added in schema 2)."""
    return _statements(RESULTS)


def analysis_ddl() -> list[str]:
    """Photo hashes, gallery, watch list, text families and verdicts (added in schema 3)."""
    return _statements(ANALYSIS)


def ddl() -> list[str]:
    """The statements that create an empty case at SCHEMA_VERSION."""
    statements = _statements(_BOOKKEEPING) + results_ddl() + analysis_ddl()
    for table in TABLES.values():
        cols = ",\n    ".join(
            f"{c.name} {c.type}{' NOT NULL' if c.required else ''}" for c in table.columns
        )
        statements.append(f"CREATE TABLE IF NOT EXISTS {table.name} (\n    {cols}\n)")
    return statements


def render_data_model() -> str:
    """docs/data-model.md, from the definitions above (a test keeps the file in step)."""
    lines = [
        "# The data model of a case",
        "",
        "A case is a folder: `case.duckdb` (an embedded DuckDB database holding the tables below) and",
        "`.secret/hash.key` (the key of the case's keyed hashes; leave it out when you share a case).",
        f"This page describes case schema {SCHEMA_VERSION}. It is generated from "
        "`src/trollscan/store/schema.py`; run `python -m trollscan.store.schema > docs/data-model.md` after a change.",
        "",
        "Conventions:",
        "- Times (`*_at`) are UTC `TIMESTAMP`s. Input times with an offset (and epoch seconds) are converted; times "
        "without one are taken as UTC, or in the zone named by `trollscan ingest --timezone` (for exports in local time).",
        "- Ids (`*_id`) are text, exactly as the platform gives them (numeric ids stay text; hashed ids stay hashed).",
        "- One account, one id: an account a source names only by its handle (a CrowdTangle Instagram CSV, an "
        "instagram.com/NAME link) is moved onto its stable id as soon as a load learns it (from a profile or a "
        "snapshot's handle), in items, relations, media, the access log, snapshots and labels; each join is kept "
        "in `account_aliases`. A handle that two accounts have held is left apart, and the load says so.",
        f"- `platform` is one of: {', '.join(PLATFORMS)}. Common aliases (x, fb, ig, vkontakte, "
        "odnoklassniki, tg...) are accepted on input.",
        "- Every row carries its provenance: `source_id` (a row of `sources`: file path, sha256, format, when)",
        "  and `source_record` (the line, row or message of that file). Evidence can always be traced back to the file.",
        "- The key of a table is what makes two rows the same row. Loading a row whose key is already in the case "
        "adds nothing; for tables marked *merge*, missing fields of the stored row are filled in from the new one.",
        "  For tables with *identity* columns, two rows with one key that differ there are an error within one load",
        "  (an id must name one thing), and the stored row is kept (and counted in the summary) across loads.",
        "- Source fields with no column here are kept as a JSON object in `extra` (accounts, items).",
        "",
    ]
    for table in TABLES.values():
        lines += [f"## `{table.name}`", "", table.doc, "",
                  f"Key: {', '.join(f'`{k}`' for k in table.key)}"
                  + (" (*merge*)" if table.merge else "")
                  + (f"; identity: {', '.join(f'`{c}`' for c in table.identity)}" if table.identity else "")
                  + ".", "",
                  "| column | type | required | meaning |", "| --- | --- | --- | --- |"]
        for c in table.columns:
            doc = c.doc + (f" One of: {', '.join(f'`{v}`' for v in c.values)}." if c.values else "")
            lines.append(f"| `{c.name}` | {c.type} | {'yes' if c.required else ''} | {doc} |")
        lines.append("")
    lines += [
        "## Bookkeeping",
        "",
        "- `meta(key, value)`: `schema_version`, `case_id`, `name`, `timezone` (the case's local time zone, "
        "used for working hours), `created_at`, `created_by`.",
        "- `sources`: one row per ingested file: `source_id`, `path`, `sha256` (the same bytes are never loaded "
        "twice), `bytes`, `format`, `ingested_at`, `rows_added` (JSON), `trollscan_version`.",
        "",
        "## Results",
        "",
        "What `trollscan scan` computes. Each detector run is a row of `runs` (detector, version, parameters as JSON,",
        "a hash of its input, when, how long, how many rows); every result row carries its `run_id`.",
        "",
        "- `evidence`: one finding: `detector`, `platform`, `account_ids` (the accounts it is about), `strength`",
        "  (0-1), `item_ids` (the items that show it), `sentence` (one plain sentence a reporter could publish),",
        "  `details` (JSON: the numbers behind the sentence).",
        "- `edges`: the account graph, one row per account pair and layer: `account_a` < `account_b`, `weight`",
        "  (the layer's score), `n_targets`, `n_items`, `first_at`, `last_at`.",
        "- `groups` and `group_members`: candidate operator groups found in the graph, with `size`, `cohesion`,",
        "  the `layers` that bind them, first and last activity and top targets.",
        "",
        "- `text_families`: comments with the same or nearly the same words, one row per item: `family_id`,",
        "  `item_id`, `account_id`, `created_at`, `similarity` (to the family's first text, 0-1).",
        "- `verdicts`: one row per account judged: `score` (0-1), `label` (`fake`, `doubtful`, `unlikely`),",
        "  `reasons` (plain sentences, strongest first), `group_id` (its operator group, if any).",
        "",
        "## Photos, gallery and watch list",
        "",
        "- `images`: one row per distinct image file (by `sha256` of its bytes): `width`, `height`, `format`, and",
        "  `error` (why it could not be hashed: broken, too large, not an image) or NULL; `hashed_at`, `hasher` (version).",
        "- `image_hashes`: the PDQ hashes of an image, one row per `view` (the whole picture, or a crop of it):",
        "  `pdq` (32 bytes), `quality` (PDQ's 0-100 quality; low-quality hashes are flagged, not trusted).",
        "- `gallery`: reference photos the reporter added (`trollscan gallery add DIR --label ...`): `sha256`,",
        "  `path`, `label` (for example \"real owner: ...\" or \"stock site\"), `added_at`.",
        "- `photo_matches`: every image pair a scan has decided, so the next scan checks only new photos: `sha_a`,",
        "  `sha_b`, `settings` (the thresholds that decided it; other settings decide again), `matched`, `distance`,",
        "  `method`, `transformation`, `copy` (which of the two is the copy, when a crop tells), `area`,",
        "  `correlation`, `tiles`, `basis`, `angle` (degrees turned), `checked_at`. A row of an image with itself",
        "  marks it as compared.",
        "- `watchlist`: pages and accounts the reporter watches (`trollscan watch add`): `platform` (or NULL for",
        "  any), `target` (an id or URL), `note`, `added_at`.",
        "",
        "## People, companies and addresses",
        "",
        "What the reporter records about who is behind the accounts (`trollscan entities add SHEET`, see",
        "`docs/exports.md`); exported as FollowTheMoney entities. Both tables carry `source_id` and `source_record`.",
        "",
        "- `entities`: `entity_key` (the sheet's own id), `schema` (`Person`, `Company`, `Organization`, `Address`),",
        "  `name`, `properties` (JSON: FollowTheMoney property -> values), `note`.",
        "- `entity_links`: `schema` (`Ownership`, `Directorship`, `Employment`, `Membership`, `Associate`, `Family`,",
        "  `UnknownLink`, or `address` / `owner` for the properties of those names), `subject` and `object`",
        "  (`entity:KEY`, `account:PLATFORM:ID` or `group:N`), `role`, `start_date`, `end_date`, `note`, `source_url`,",
        "  `members` (for a group: its accounts when the tie was recorded, `platform:account_id`).",
        "",
        "## Versions",
        "",
        "`meta.schema_version` says which schema a case has. A newer trollscan migrates an older case when it opens",
        "it, in one transaction; an older trollscan refuses a newer case and says to upgrade.",
        "Schema 2 added the result tables (`runs`, `evidence`, `edges`, `groups`, `group_members`).",
        "Schema 3 added `images`, `image_hashes`, `gallery`, `watchlist`, `text_families` and `verdicts`.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover
    print(render_data_model(), end="")
