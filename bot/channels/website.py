"""The demo website: one page that embeds the chat widget as any website would.

A small static server (standard library only) started by ``python -m bot run``
on ``BOT_HOST:WEB_PORT``. It serves a fixed list of files and nothing else:

* ``/`` - ``web/site/index.html`` with the widget's config snippet filled in:
  the socket URL (``BOT_SOCKET_URL``, or the host name the browser used with
  ``RASA_PORT``) and a fresh nonce for the Content-Security-Policy;
* ``/embed.js`` and ``/site.css`` from ``web/site/``;
* ``/vendor/rasa-webchat.js`` - the widget bundle from the ``rasa-webchat`` npm
  package in ``web/node_modules`` (``npm ci`` in ``make install``), so nothing
  is loaded from a CDN. The bundle's CSS ``@import``s the Inter font from Google
  Fonts; the served copy drops those imports, so the widget fetches nothing from
  a third party (text falls back to the system's sans-serif).
"""

from __future__ import annotations

import functools
import json
import logging
import re
import secrets
import socket
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Dict, Tuple
from urllib.parse import urlsplit

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "web"
SITE = WEB / "site"
WIDGET_JS = WEB / "node_modules" / "rasa-webchat" / "lib" / "index.js"
INSTALL_HINT = "The chat widget is not installed: run `make install` (npm ci in web/)."

JS = "text/javascript; charset=utf-8"
FILES: Dict[str, Tuple[Path, str]] = {
    "/embed.js": (SITE / "embed.js", JS),
    "/site.css": (SITE / "site.css", "text/css; charset=utf-8"),
    "/vendor/rasa-webchat.js": (WIDGET_JS, JS),
}
PAGE = SITE / "index.html"
_FONT_IMPORT = re.compile(rb"@import url\(https://fonts\.googleapis\.com/[^)]*\);")
_HOSTNAME = re.compile(r"^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])$")


def browser_hostname(host_header: str | None, fallback: str = "localhost") -> str:
    """The host name in a ``Host`` header (port dropped), if it is a plain one."""
    host = (host_header or "").strip()
    if host.startswith("["):
        host = host[: host.find("]") + 1] if "]" in host else ""
    else:
        host = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    return host if _HOSTNAME.match(host) else fallback


def socket_url(host_header: str | None, rasa_port: int, configured: str | None = None) -> str:
    """Where the browser finds the Rasa server's socket.io endpoint."""
    if configured:
        return configured.rstrip("/")
    return f"http://{browser_hostname(host_header)}:{rasa_port}"


def csp(nonce: str, socket: str) -> str:
    parts = urlsplit(socket)
    ws = parts._replace(scheme="wss" if parts.scheme == "https" else "ws").geturl()
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            "style-src 'self' 'unsafe-inline'",  # the widget injects its own <style>
            "img-src 'self' data:",
            "font-src 'self' data:",  # the widget's icon fonts
            f"connect-src 'self' {socket} {ws}",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'none'",
        ]
    )


@functools.lru_cache(maxsize=4)
def _file_bytes(path: Path, mtime_ns: int) -> bytes:
    data = path.read_bytes()
    return _FONT_IMPORT.sub(b"", data) if path == WIDGET_JS else data


def file_bytes(path: Path) -> bytes:
    """A served file's content (the widget without its Google Fonts imports)."""
    return _file_bytes(path, path.stat().st_mtime_ns)


def render_page(socket: str, nonce: str) -> bytes:
    # json.dumps gives a JS string literal; "<" is escaped so it cannot end the <script>.
    literal = json.dumps(socket).replace("<", "\\u003c")
    page = PAGE.read_text(encoding="utf-8")
    return page.replace("__NONCE__", nonce).replace("__SOCKET_URL__", literal).encode("utf-8")


class _Handler(BaseHTTPRequestHandler):
    server_version = "career-bot-site"
    sys_version = ""
    site: DemoSite  # set on the subclass made per server

    def do_HEAD(self) -> None:  # noqa: N802 - http.server's naming
        self._serve(body=False)

    def do_GET(self) -> None:  # noqa: N802
        self._serve(body=True)

    def _serve(self, body: bool) -> None:
        path = urlsplit(self.path).path
        headers = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin"}
        if path in ("/", "/index.html"):
            nonce = secrets.token_urlsafe(16)
            socket = socket_url(self.headers.get("Host"), self.site.rasa_port, self.site.configured_socket_url)
            headers.update({"Content-Security-Policy": csp(nonce, socket), "Cache-Control": "no-cache"})
            self._send(HTTPStatus.OK, "text/html; charset=utf-8", render_page(socket, nonce), headers, body)
        elif path in FILES:
            file, content_type = FILES[path]
            if not file.is_file():
                logger.error(INSTALL_HINT)
                self._send(HTTPStatus.SERVICE_UNAVAILABLE, "text/plain; charset=utf-8",
                           INSTALL_HINT.encode(), headers, body)
                return
            headers["Cache-Control"] = "no-cache"
            self._send(HTTPStatus.OK, content_type, file_bytes(file), headers, body)
        else:
            self._send(HTTPStatus.NOT_FOUND, "text/plain; charset=utf-8", b"Not found\n", headers, body)

    def _send(self, status: HTTPStatus, content_type: str, data: bytes, headers: Dict[str, str], body: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if body:
            self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - http.server's signature
        logger.debug("site %s - " + format, self.address_string(), *args)


class _IPv6Server(ThreadingHTTPServer):
    address_family = socket.AF_INET6


class DemoSite:
    """The demo website on ``host:port``, served from a background thread."""

    def __init__(self, host: str, port: int, rasa_port: int, socket_url: str | None = None) -> None:
        self.host, self.port, self.rasa_port = host, port, rasa_port
        self.configured_socket_url = socket_url
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> DemoSite:
        if not WIDGET_JS.is_file():
            logger.warning(INSTALL_HINT)
        handler = type("Handler", (_Handler,), {"site": self})
        server_class = _IPv6Server if ":" in self.host else ThreadingHTTPServer
        self._server = server_class((self.host, self.port), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="demo-site", daemon=True)
        self._thread.start()
        return self

    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
