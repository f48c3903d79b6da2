"""What a story is: the query terms a reporter gives, sorted into URLs, hashtags, phrases and item ids.

The terms are normalised later, in the store's SQL, with the same expressions the co-action layers
use for links and texts (`coordination.layers.URL_SQL`, `TEXT_SQL`), so a story matches what the
detectors see as "the same link" or "the same words".
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import BadParameter

__all__ = ["StoryQuery", "parse_query", "MAX_TERM_CHARS"]

MAX_TERM_CHARS = 500


@dataclass(frozen=True)
class StoryQuery:
    """The terms of a story; an item carries it when it matches any of them."""

    urls: tuple[str, ...] = ()
    hashtags: tuple[str, ...] = ()  # lower case, without '#'
    phrases: tuple[str, ...] = ()  # as written; a trailing '*' matches any word ending
    item_ids: tuple[str, ...] = ()  # "item:ID", or a term that is an item id in the case
    terms: tuple[str, ...] = field(default=())  # as given, for sentences and the JSON

    def describe(self) -> str:
        return " or ".join(repr(t) for t in self.terms)


def _kind(term: str) -> str:
    low = term.lower()
    if low.startswith(("http://", "https://", "www.")):
        return "url"
    if low.startswith("item:"):
        return "item"
    if term.startswith("#") and len(term) > 1 and " " not in term.strip():
        return "hashtag"
    return "phrase"


def parse_query(terms: list[str] | tuple[str, ...]) -> StoryQuery:
    """Sort the terms of a story query by kind; raise BadParameter on an empty or oversized term.

    A term starting with http(s):// or www. is a link, `#word` a hashtag, `item:ID` an item id,
    anything else a phrase (matched word by word after normalisation; whether a phrase is also an
    item id of the case is decided by the store, which can look).
    """
    if isinstance(terms, str):
        terms = [terms]
    cleaned = [t.strip() for t in terms if t is not None]
    if not cleaned or any(not t for t in cleaned):
        raise BadParameter("The story query is empty.",
                           "Give a link, a #hashtag, a phrase in quotes, or item:ID, e.g. trollscan spread '#Kordai'.")
    for t in cleaned:
        if len(t) > MAX_TERM_CHARS:
            raise BadParameter(f"A story query term is {len(t):,} characters long; at most {MAX_TERM_CHARS} are allowed.",
                               "Query a distinctive phrase, a link or a hashtag instead of a whole text.")
    urls, tags, phrases, items = [], [], [], []
    for t in cleaned:
        kind = _kind(t)
        if kind == "url":
            urls.append(t if not t.lower().startswith("www.") else "https://" + t)
        elif kind == "hashtag":
            tags.append(t[1:].lower())
        elif kind == "item":
            item = t[5:].strip()
            if not item:
                raise BadParameter(f"The story query term {t!r} names no item.", "Write item:ID, e.g. item:1498000000000000001.")
            items.append(item)
        else:
            phrases.append(t)
    return StoryQuery(urls=tuple(urls), hashtags=tuple(tags), phrases=tuple(phrases), item_ids=tuple(items),
                      terms=tuple(cleaned))
