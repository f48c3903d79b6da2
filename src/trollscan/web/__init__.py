"""The local web app: `trollscan serve`."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import BadParameter
from ..store import find_case, open_case
from .app import create_app
from .security import Guard, is_loopback

__all__ = ["create_app", "serve", "serving", "guard_for", "Guard", "is_loopback"]


def guard_for(host: str, token: str | None) -> Guard:
    """The checks for an app bound to `host`: any address but loopback needs a token of 16+ characters."""
    if token is not None and len(token) < 16:
        raise BadParameter("The token must be at least 16 characters long.",
                           "Make one with: python -c 'import secrets; print(secrets.token_urlsafe(24))'")
    if not is_loopback(host) and token is None:
        raise BadParameter(f"Binding to {host} lets other machines reach the case; that needs a token.",
                           "Pass --token SECRET (16+ characters), or keep the default --host 127.0.0.1.")
    hosts = ("localhost", "127.0.0.1", "::1", "[::1]") + (() if is_loopback(host) else (host,))
    return Guard(token=token, hosts=hosts)


def serve(case_root: Path | None, *, host: str = "127.0.0.1", port: int = 8765, token: str | None = None,
          announce=print) -> None:
    """Run the app until interrupted (the case is checked before the server starts)."""
    import uvicorn

    guard = guard_for(host, token)
    root = find_case(case_root)
    open_case(root).close()
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}/" + (f"?token={token}" if token else "")
    announce(f"Serving the case in {root} at {url} (Ctrl+C stops it).")
    uvicorn.run(create_app(root, guard=guard), host=host, port=port, log_level="warning")


@contextmanager
def serving(case_root: Path, *, wait_s: float = 20.0) -> Iterator[str]:
    """The app of a case served on a free 127.0.0.1 port in a background thread, for browser tests
    and benchmarks: yields its base URL and stops the server on exit."""
    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(case_root), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + wait_s
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
