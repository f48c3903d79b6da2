"""Profile URLs as reporters paste them: which platform, which account.

`parse_profile_url("fb.com/profile.php?id=100012345")` gives
`Profile(platform="facebook", account_id="100012345", handle=None, url=...)`. A URL that is not a
profile on a platform trollscan knows gives None; the caller names the record in its error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

__all__ = ["Profile", "parse_profile_url", "PROFILE_URL_EXAMPLES"]

PROFILE_URL_EXAMPLES = (
    "facebook.com/profile.php?id=100012345678, facebook.com/name, instagram.com/name, vk.com/id123, "
    "vk.com/name, x.com/name, t.me/name, ok.ru/profile/123, youtube.com/@name, tiktok.com/@name"
)

_NAME = re.compile(r"[A-Za-z0-9_.\-]+")
_DIGITS = re.compile(r"[0-9]+")

# host (without www. / m. / mobile. / web.) -> platform
_HOSTS = {
    "facebook.com": "facebook", "fb.com": "facebook", "mbasic.facebook.com": "facebook",
    "instagram.com": "instagram",
    "vk.com": "vk", "vk.ru": "vk", "vkontakte.ru": "vk",
    "x.com": "twitter", "twitter.com": "twitter",
    "t.me": "telegram", "telegram.me": "telegram",
    "ok.ru": "ok", "odnoklassniki.ru": "ok",
    "youtube.com": "youtube",
    "tiktok.com": "tiktok",
}

# First path segments that are site pages, not accounts.
_RESERVED = {
    "facebook": {"groups", "pages", "events", "watch", "marketplace", "photo.php", "photo", "photos",
                 "story.php", "permalink.php", "share", "sharer", "login", "home.php", "hashtag", "search"},
    "instagram": {"p", "reel", "reels", "stories", "explore", "accounts", "direct", "tv"},
    "vk": {"wall", "photo", "video", "feed", "im", "search", "login", "away.php"},
    "twitter": {"i", "home", "search", "explore", "intent", "hashtag", "share", "login", "settings"},
    "telegram": {"joinchat", "addstickers", "share", "proxy", "c"},
    "ok": {"group", "video", "music", "games", "search", "dk"},
}


@dataclass(frozen=True)
class Profile:
    platform: str
    account_id: str  # the platform's numeric id when the URL has it, else the handle in lower case
    handle: str | None  # the screen name as written, when the URL has one
    url: str  # the URL, normalised: https://host/path


def parse_profile_url(text: str) -> Profile | None:
    """The account a profile URL names, or None when it names no account of a known platform.

    Accepts the URL with or without scheme, www./m., trailing slash, query string and fragment.
    """
    text = (text or "").strip()
    if not text or any(c.isspace() for c in text):
        return None
    if "://" not in text:
        text = "https://" + text.lstrip("/")
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https"):
        return None
    host = (parts.hostname or "").lower().rstrip(".")
    for prefix in ("www.", "m.", "mobile.", "web.", "touch."):
        if host.startswith(prefix) and host[len(prefix):] in _HOSTS:
            host = host[len(prefix):]
            break
    platform = _HOSTS.get(host)
    if platform is None:
        return None
    segments = [s for s in parts.path.split("/") if s]
    found = _PARSERS[platform](segments, parse_qs(parts.query))
    if found is None:
        return None
    account_id, handle, path = found
    canonical_host = {"facebook": "www.facebook.com", "instagram": "www.instagram.com", "vk": "vk.com",
                      "twitter": "x.com", "telegram": "t.me", "ok": "ok.ru", "youtube": "www.youtube.com",
                      "tiktok": "www.tiktok.com"}[platform]
    return Profile(platform, account_id, handle, f"https://{canonical_host}/{path}")


def _one_name(platform: str, segments: list[str]) -> str | None:
    if len(segments) != 1 or not _NAME.fullmatch(segments[0]):
        return None
    if segments[0].lower() in _RESERVED.get(platform, ()):
        return None
    return segments[0]


def _facebook(segments: list[str], query: dict) -> tuple[str, str | None, str] | None:
    if segments == ["profile.php"]:
        ids = query.get("id", [])
        if len(ids) == 1 and _DIGITS.fullmatch(ids[0]):
            return ids[0], None, f"profile.php?id={ids[0]}"
        return None
    if len(segments) == 3 and segments[0] == "people" and _DIGITS.fullmatch(segments[2]):
        return segments[2], None, f"profile.php?id={segments[2]}"
    name = _one_name("facebook", segments)
    if name is None:
        return None
    if _DIGITS.fullmatch(name):  # facebook.com/100012345678 is the numeric id
        return name, None, f"profile.php?id={name}"
    return name.lower(), name, name


def _named(platform: str):
    def parse(segments: list[str], _query: dict) -> tuple[str, str | None, str] | None:
        if platform == "telegram" and len(segments) == 2 and segments[0] == "s":
            segments = segments[1:]  # t.me/s/NAME: the web preview of a channel
        name = _one_name(platform, segments)
        if name is None:
            return None
        return name.lower(), name, name
    return parse


def _vk(segments: list[str], _query: dict) -> tuple[str, str | None, str] | None:
    name = _one_name("vk", segments)
    if name is None:
        return None
    match = re.fullmatch(r"id([0-9]+)", name)
    if match:
        return match.group(1), None, name
    return name.lower(), name, name


def _ok(segments: list[str], _query: dict) -> tuple[str, str | None, str] | None:
    if len(segments) == 2 and segments[0] == "profile" and _DIGITS.fullmatch(segments[1]):
        return segments[1], None, f"profile/{segments[1]}"
    name = _one_name("ok", segments)
    if name is None or name == "profile":
        return None
    return name.lower(), name, name


def _at_name(platform: str):
    def parse(segments: list[str], _query: dict) -> tuple[str, str | None, str] | None:
        if platform == "youtube" and len(segments) == 2 and segments[0] == "channel" \
                and _NAME.fullmatch(segments[1]):
            return segments[1], None, f"channel/{segments[1]}"
        if len(segments) == 1 and segments[0].startswith("@") and _NAME.fullmatch(segments[0][1:]):
            name = segments[0][1:]
            return name.lower(), name, f"@{name}"
        return None
    return parse


_PARSERS = {
    "facebook": _facebook,
    "instagram": _named("instagram"),
    "vk": _vk,
    "twitter": _named("twitter"),
    "telegram": _named("telegram"),
    "ok": _ok,
    "youtube": _at_name("youtube"),
    "tiktok": _at_name("tiktok"),
}
