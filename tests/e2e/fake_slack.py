"""A stand-in for Slack's Web API, and request signing as Slack does it.

The Rasa server under test posts its Slack replies here (``SLACK_API_URL``)
instead of to slack.com. The fake listens on 127.0.0.1 only, on a free port,
records every call (at most :data:`MAX_CALLS`), answers ``{"ok": true}`` like
Slack, and shuts itself down after :data:`LIFETIME` seconds if nobody stops it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, List
from urllib.parse import parse_qs

TOKEN = "xoxb-e2e-test-token"
SIGNING_SECRET = "e2e-signing-secret"
CHANNEL = "C0E2ETEST"
MAX_CALLS = 500
LIFETIME = 3600.0


def sign(body: bytes, timestamp: int | None = None, secret: str = SIGNING_SECRET) -> Dict[str, str]:
    """The headers Slack sends with ``body`` (v0 HMAC-SHA256 over ``v0:<ts>:<body>``)."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{ts}:".encode() + body, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


class FakeSlack:
    def __init__(self) -> None:
        self.calls: List[Dict[str, Any]] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-slack", daemon=True)
        self._timer = threading.Timer(LIFETIME, self.stop)
        self._timer.daemon = True

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/api/"

    @property
    def env(self) -> Dict[str, str]:
        """What the Rasa server needs to talk to this fake."""
        return {
            "SLACK_BOT_TOKEN": TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_CHANNEL": CHANNEL,
            "SLACK_API_URL": self.url,
        }

    def start(self) -> FakeSlack:
        self._thread.start()
        self._timer.start()
        return self

    def stop(self) -> None:
        self._timer.cancel()
        self._server.shutdown()
        self._server.server_close()

    def posts(self, channel: str | None = None) -> List[Dict[str, Any]]:
        with self._lock:
            calls = list(self.calls)
        return [
            c["body"] for c in calls
            if c["method"] == "chat.postMessage" and (channel is None or c["body"].get("channel") == channel)
        ]

    def wait_for(self, predicate: Callable[[List[Dict[str, Any]]], bool], timeout: float = 30) -> List[Dict[str, Any]]:
        """Posted messages, once ``predicate`` holds for them (or the last seen after ``timeout``)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            posts = self.posts()
            if predicate(posts):
                return posts
            time.sleep(0.1)
        return self.posts()

    def _record(self, call: Dict[str, Any]) -> None:
        with self._lock:
            if len(self.calls) < MAX_CALLS:
                self.calls.append(call)

    def _handler(self) -> type:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                length = min(int(self.headers.get("Content-Length") or 0), 1_000_000)
                raw = self.rfile.read(length)
                if "json" in (self.headers.get("Content-Type") or ""):
                    body = json.loads(raw or b"{}")
                else:
                    body = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
                method = self.path.rsplit("/", 1)[-1]
                fake._record({"method": method, "auth": self.headers.get("Authorization"), "body": body})
                if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                    answer: Dict[str, Any] = {"ok": False, "error": "invalid_auth"}
                else:
                    answer = {"ok": True, "channel": body.get("channel"), "ts": f"{time.time():.6f}"}
                data = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        return Handler
