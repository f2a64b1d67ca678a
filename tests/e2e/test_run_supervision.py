"""``make run`` (``python -m bot run``) keeps the bot up when one of its servers is killed."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Iterator, List

import pytest
import requests

from bot import servers
from bot.channels.resilience import APOLOGY

from .conftest import MODEL, QUESTION, Chat, free_port

pytestmark = pytest.mark.e2e


class Run:
    """``python -m bot run`` in its own process group, its output collected line by line."""

    def __init__(self, settings: servers.Settings, env: dict) -> None:
        self.settings = settings
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"], cwd=servers.ROOT, env=env, text=True,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
        )
        self.lines: List[str] = []
        self._new: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:  # type: ignore[union-attr]
            self.lines.append(line.rstrip())
            self._new.put(line)

    def wait_for(self, text: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if text in self._new.get(timeout=1):
                    return
            except queue.Empty:
                if self.proc.poll() is not None:
                    break
        raise AssertionError(f"{text!r} not printed within {timeout}s:\n" + "\n".join(self.lines[-40:]))

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGINT)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def pid_of(*words: str) -> int:
    """The one process whose command line holds all ``words``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        args = [a.decode(errors="replace") for a in cmdline]
        if all(word in args for word in words):
            found.append(int(entry.name))
    assert len(found) == 1, (words, found)
    return found[0]


def kill_and_wait(pid: int) -> None:
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
        time.sleep(0.1)


@pytest.fixture
def run(tmp_path: Path) -> Iterator[Run]:
    settings = servers.Settings(rasa_port=free_port(), action_port=free_port(), web_port=free_port())
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    env.update(RASA_PORT=str(settings.rasa_port), ACTION_PORT=str(settings.action_port),
               WEB_PORT=str(settings.web_port), TRACKER_DB=str(tmp_path / "tracker.db"), BOT_MODEL=str(MODEL))
    env.pop("BOT_ALLOWED_ORIGINS", None)
    running = Run(settings, env)
    try:
        running.wait_for("Ready in", 240)
        yield running
    finally:
        running.stop()


def test_killed_servers_are_restarted_and_the_conversation_continues(run: Run) -> None:
    chat = Chat(run.settings)
    assert "CPC" in chat.text(QUESTION)

    kill_and_wait(pid_of("actions", "--port", str(run.settings.action_port)))
    assert chat.text("how long does it take to get certified?") == APOLOGY  # meanwhile: the apology
    run.wait_for("The action server is back.", 90)
    follow_up = chat.text("how much does it pay?")
    assert "CPC" in follow_up and "Source" in follow_up, follow_up

    kill_and_wait(pid_of("--model", "--port", str(run.settings.rasa_port)))
    run.wait_for("The Rasa server is back.", 180)
    follow_up = chat.text("how much does it pay?")
    assert "CPC" in follow_up and "Source" in follow_up, follow_up

    assert run.proc.poll() is None, "make run stopped"
    assert requests.get(run.settings.web_url, timeout=10).status_code == 200
    said = "\n".join(run.lines)
    assert "The action server stopped by itself; restarting it" in said
    assert "The Rasa server stopped by itself; restarting it" in said
    assert "Traceback" not in said
