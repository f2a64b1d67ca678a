"""A locked tracker store: the server stays responsive, no turn is acknowledged unsaved, all recovers."""

from __future__ import annotations

import concurrent.futures
import sqlite3
import time

import pytest
import requests

from bot.channels.resilience import NOT_SAVED
from bot.tracker_store import BUSY_TIMEOUT_S

from .conftest import QUESTION, Chat, PrivateBot, events_of

pytestmark = pytest.mark.e2e


def test_a_locked_sqlite_file_is_reported_and_nothing_unsaved_is_acknowledged(private: PrivateBot) -> None:
    url = private.settings.rasa_url
    chat, other = Chat(private.settings), Chat(private.settings)
    assert "CPC" in chat.text(QUESTION)
    assert "Source" in other.text("can I work from home?")

    lock = sqlite3.connect(private.settings.tracker_db, isolation_level=None)
    lock.execute("BEGIN EXCLUSIVE")  # another process holding the file, as `sqlite3` would
    try:
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            turns = [pool.submit(c.text, "how long does it take to get certified?") for c in (chat, other)]
            time.sleep(0.3)  # both turns are now waiting for the lock
            started = time.monotonic()
            assert requests.get(f"{url}/", timeout=5).status_code == 200  # the event loop is free
            assert time.monotonic() - started < 1.0
            health = requests.get(f"{url}/webhooks/rest/", timeout=BUSY_TIMEOUT_S + 5)
            assert health.status_code == 503 and health.json()["status"] == "unavailable", health.text
            assert [t.result(timeout=30) for t in turns] == [NOT_SAVED, NOT_SAVED]
    finally:
        lock.execute("ROLLBACK")
        lock.close()

    assert requests.get(f"{url}/webhooks/rest/", timeout=10).status_code == 200
    follow_up = chat.text("how much does it pay?")
    assert "CPC" in follow_up and "Source" in follow_up, follow_up
    said = [e["text"] for e in events_of(private.tracker(chat.sender), "user")]
    assert said == [QUESTION, "how much does it pay?"]  # the unsaved turn is not there, nothing else is lost
    bot_said = [e["text"] for e in events_of(private.tracker(chat.sender), "bot")]
    assert NOT_SAVED not in bot_said and len(bot_said) == 4 and bot_said[1::2] == ["Was this helpful?"] * 2
