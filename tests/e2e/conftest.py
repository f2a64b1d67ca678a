"""Starts the action server and the Rasa server once for all end-to-end tests.

Ports are picked free at start, and conversations go to a fresh SQLite file,
so the tests never touch a bot you are running with ``make run``.
"""

from __future__ import annotations

import os
import socket
import uuid
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest
import requests

from bot import servers
from bot.channels import credentials

from .fake_slack import FakeSlack

MODEL = Path(os.environ.get("E2E_MODEL") or servers.ROOT / "models" / "current.tar.gz")  # E2E_MODEL: try another


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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
    web_port = free_port()
    settings = servers.Settings(
        rasa_port=free_port(),
        action_port=free_port(),
        web_port=web_port,
        allowed_origins=f"http://localhost:{web_port}",
        tracker_db=str(e2e_dir / "tracker.db"),
        model=str(MODEL),
        extra_env=dict(server_env),
    )
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
