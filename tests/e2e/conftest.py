"""Starts the action server and the Rasa server once for all end-to-end tests.

``bot`` is started as ``make run`` starts it (HTTP API off, Slack on against a
fake). ``private`` is a second action server and Rasa server with
``RASA_API_TOKEN`` set (the API on behind the token, which lets tests read
trackers) and a short ``ACTION_TIMEOUT``; tests may stop and start its servers.

Ports are picked free at start, and conversations go to a fresh SQLite file,
so the tests never touch a bot you are running with ``make run``.
"""

from __future__ import annotations

import os
import queue
import signal
import socket
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest
import requests
import socketio

from bot import servers
from bot.channels import credentials

from .fake_slack import FakeSlack

MODEL = Path(os.environ.get("E2E_MODEL") or servers.ROOT / "models" / "current.tar.gz")  # E2E_MODEL: try another


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def local_settings(tracker_db: Path, **overrides: Any) -> servers.Settings:
    """Servers on free localhost ports, the demo site's origin allowed, conversations in ``tracker_db``."""
    web_port = free_port()
    return servers.Settings(rasa_port=free_port(), action_port=free_port(), web_port=web_port,
                            allowed_origins=f"http://localhost:{web_port}", tracker_db=str(tracker_db),
                            model=str(MODEL), **overrides)


@pytest.fixture(scope="session")
def e2e_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("e2e")


@pytest.fixture(scope="session")
def fake_slack() -> Iterator[FakeSlack]:
    """Slack's Web API stand-in on 127.0.0.1 (tests/e2e/fake_slack.py)."""
    fake = FakeSlack().start()
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture(scope="session")
def server_env(fake_slack: FakeSlack) -> Dict[str, str]:
    """Extra environment for the servers; channel tests may add to it before first use.

    Slack is on, with its Web API replaced by ``fake_slack``.
    """
    return dict(fake_slack.env)


@pytest.fixture(scope="session")
def bot(e2e_dir: Path, server_env: Dict[str, str]) -> Iterator[servers.Settings]:
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}: run `make train` first")
    settings = local_settings(e2e_dir / "tracker.db", extra_env=dict(server_env))
    creds = credentials.write(e2e_dir / "credentials.yml", {**servers.child_env(settings)})
    action = servers.ActionServer(settings, log=e2e_dir / "actions.log")
    rasa = servers.RasaServer(settings, creds, log=e2e_dir / "rasa.log")
    try:
        action.start()
        rasa.start()
        yield settings
    finally:
        rasa.stop()
        action.stop()


class Chat:
    """One user talking to the bot over the REST webhook."""

    def __init__(self, settings: servers.Settings) -> None:
        self.url = f"{settings.rasa_url}/webhooks/rest/webhook"
        self.sender = f"e2e-{uuid.uuid4().hex[:10]}"

    def say(self, text: Any) -> List[Dict[str, Any]]:
        response = requests.post(self.url, json={"sender": self.sender, "message": text}, timeout=30)
        assert response.status_code == 200, response.text
        return response.json()

    def text(self, text: Any) -> str:
        return "\n".join(m.get("text", "") for m in self.say(text))


@pytest.fixture
def chat(bot: servers.Settings) -> Chat:
    return Chat(bot)


# --- a second server set with the HTTP API on (tests read trackers) ----------------

TOKEN = "e2e-api-token"
ACTION_TIMEOUT = 3
QUESTION = "how much does a CPC make?"
SHOWS_ERRORS = ("Traceback", "Exception", "Error:", "stack trace", "<script")


@dataclass
class PrivateBot:
    settings: servers.Settings
    action: servers.ActionServer
    rasa: servers.RasaServer

    def tracker(self, sender: str) -> Dict[str, Any]:
        url = f"{self.settings.rasa_url}/conversations/{sender}/tracker"
        response = requests.get(url, params={"token": TOKEN}, timeout=10)
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture(scope="session")
def private(e2e_dir: Path, bot: servers.Settings) -> Iterator[PrivateBot]:
    settings = local_settings(e2e_dir / "private-tracker.db", api_token=TOKEN,
                              extra_env={"ACTION_TIMEOUT": str(ACTION_TIMEOUT)})
    env = {k: v for k, v in servers.child_env(settings).items() if not k.startswith("SLACK_")}
    creds = credentials.write(e2e_dir / "private-credentials.yml", env)
    action = servers.ActionServer(settings, log=e2e_dir / "private-actions.log")
    rasa = servers.RasaServer(settings, creds, log=e2e_dir / "private-rasa.log")
    try:
        action.start()
        rasa.start()
        yield PrivateBot(settings, action, rasa)
    finally:
        rasa.stop()
        if action.proc is not None and action.proc.poll() is None:
            os.killpg(action.proc.pid, signal.SIGCONT)
        action.stop()


class SocketChat:
    """One browser-like socket.io session (polling transport), as rasa-webchat talks."""

    def __init__(self, settings: servers.Settings, session_id: str | None = None, origin: str | None = None,
                 http: requests.Session | None = None) -> None:
        # ``http``: the browser's cookies (a load balancer's stickiness cookie), kept across connections
        self.http = http or requests.Session()
        self.client = socketio.Client(reconnection=False, http_session=self.http)
        self.replies: queue.Queue[Dict[str, Any]] = queue.Queue()
        self.session_id = session_id
        confirmed = threading.Event()

        @self.client.on("session_confirm")
        def session_confirm(data: Any) -> None:
            self.session_id = data["session_id"] if isinstance(data, dict) else data
            confirmed.set()

        @self.client.on("bot_uttered")
        def bot_uttered(data: Dict[str, Any]) -> None:
            self.replies.put(data)

        headers = {"Origin": origin} if origin else {}
        try:
            self.client.connect(settings.rasa_url, headers=headers, transports=["polling"], wait_timeout=10)
        except socketio.exceptions.ConnectionError:
            self.close()
            raise
        self.client.emit("session_request", {"session_id": session_id})
        assert confirmed.wait(15), "no session_confirm"

    def say(self, text: str, timeout: float = 30, quiet: float = 1.5) -> List[Dict[str, Any]]:
        messages = self.emit({"message": text, "session_id": self.session_id}, timeout, quiet)
        assert messages, f"no reply to {text!r} within {timeout}s"
        return messages

    def emit(self, data: Any, timeout: float = 30, quiet: float = 1.5) -> List[Dict[str, Any]]:
        """Send ``data`` as a ``user_uttered`` event; the replies once none followed for ``quiet`` s ([] if none)."""
        while not self.replies.empty():
            self.replies.get_nowait()
        self.client.emit("user_uttered", data)
        try:
            messages = [self.replies.get(timeout=timeout)]
        except queue.Empty:
            return []
        while True:
            try:
                messages.append(self.replies.get(timeout=quiet))
            except queue.Empty:
                return messages

    def text(self, text: str) -> str:
        return "\n".join(m.get("text") or "" for m in self.say(text))

    def close(self) -> None:
        # Close without waiting for the pending long-poll (up to 25 s); its thread is a daemon.
        self.client.eio.disconnect(abort=True)


def events_of(tracker: Dict[str, Any], kind: str) -> List[Dict[str, Any]]:
    return [e for e in tracker["events"] if e["event"] == kind]


def listeners(table: str, port: int) -> List[str]:
    """Addresses listening on ``port`` in the text of a Linux ``/proc/net/tcp`` or ``tcp6`` table."""
    found = []
    for line in table.splitlines()[1:]:
        fields = line.split()
        address, state = fields[1], fields[3]
        host, hexport = address.rsplit(":", 1)
        if state == "0A" and int(hexport, 16) == port:
            if len(host) == 8:
                found.append(".".join(str(b) for b in reversed(bytes.fromhex(host))))
            else:
                found.append("ipv6:" + host)
    return found


def listening_addresses(port: int) -> List[str]:
    """Local addresses with a TCP socket listening on ``port`` (Linux /proc)."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            found += listeners(Path(table).read_text(), port)
        except OSError:
            continue
    return found
