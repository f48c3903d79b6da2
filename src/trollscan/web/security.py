"""The web app's defences: who may connect, what the browser may run, and which posts are real.

- Host check: only the Host names the app was started for are answered, so a hostile web page
  cannot reach the app through DNS rebinding.
- Token: when one is set (required for any bind address but loopback), every request must carry
  it, as a cookie set by visiting `/?token=...` once, or as `Authorization: Bearer ...`.
- Headers: a strict Content-Security-Policy (scripts and styles only from the app's own files,
  images only from itself or data URIs, no frames, no forms to elsewhere), nosniff, no referrer.
- CSRF: a form carries a token derived from a secret made at start (another site cannot read it);
  a post without it, or with an Origin or Sec-Fetch-Site from another site, is refused. Cookies
  are SameSite=Strict as well.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
from dataclasses import dataclass, field

__all__ = ["CSP", "SECURITY_HEADERS", "TOKEN_COOKIE", "Guard", "is_loopback"]

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",  # "no-referrer" would make the browser send Origin: null on posts
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Cache-Control": "no-store",
}
TOKEN_COOKIE = "trollscan_token"
_LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1", "[::1]")


def is_loopback(host: str) -> bool:
    """Whether binding to `host` keeps the app on this machine."""
    if host.lower() in ("localhost",):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass
class Guard:
    """The checks of one running app."""

    token: str | None = None
    hosts: tuple[str, ...] = _LOOPBACK_NAMES
    secret: bytes = field(default_factory=lambda: secrets.token_bytes(32))

    def host_allowed(self, host_header: str | None) -> bool:
        if not host_header:
            return False
        host = host_header.strip().lower()
        if host.startswith("["):
            name = host.split("]", 1)[0] + "]"
        else:
            name = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
        return name in {h.lower() for h in self.hosts}

    def token_ok(self, presented: str | None) -> bool:
        if self.token is None:
            return True
        return bool(presented) and hmac.compare_digest(presented.encode(), self.token.encode())

    def csrf_token(self) -> str:
        """The token the app's forms carry: secret to other sites (they cannot read the app's pages),
        new at every start."""
        return hmac.new(self.secret, b"csrf", hashlib.sha256).hexdigest()

    def csrf_ok(self, presented: str | None, *, origin: str | None, fetch_site: str | None, own_origin: str) -> bool:
        """A post is accepted only with the form's token and, when the browser says where it comes
        from, only from this app's own pages."""
        if not presented:
            return False
        if origin is not None and origin.rstrip("/") != own_origin:
            return False
        if fetch_site is not None and fetch_site not in ("same-origin", "none"):
            return False
        return hmac.compare_digest(presented.encode(), self.csrf_token().encode())
