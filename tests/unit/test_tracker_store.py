"""The write-through cache of the SQLite tracker store keeps Rasa's behaviour exactly."""

from __future__ import annotations

import sqlite3

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)

from bot import rasa_patches, tracker_store
from bot.tracker_store import SQLiteTrackerStore

DOMAIN = Domain.from_yaml("slots:\n  topic:\n    type: text\n    mappings: [{type: custom}]\n")


def store(path) -> SQLiteTrackerStore:
    return SQLiteTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(path))


def rows(path) -> list:
    with sqlite3.connect(path) as conn:
        return conn.execute(
            "SELECT sender_id, type_name, timestamp, intent_name, action_name, data FROM events ORDER BY id"
        ).fetchall()


async def turn(s, sender: str, text: str, topic: str) -> None:
    tracker = await s.get_or_create_tracker(sender)
    for event in (UserUttered(text, {"name": "ask_salary", "confidence": 0.9}), ActionExecuted("action_answer"),
                  BotUttered(f"about {topic}"), SlotSet("topic", topic), ActionExecuted("action_listen")):
        tracker.update(event)
    await s.save(tracker)


@pytest.mark.asyncio
async def test_stores_the_same_rows_as_rasas_sql_store(tmp_path) -> None:
    ours, plain = store(tmp_path / "ours.db"), SQLTrackerStore(domain=DOMAIN, dialect="sqlite",
                                                               db=str(tmp_path / "plain.db"))
    for s in (ours, plain):
        for n in range(3):
            await turn(s, "u1", f"question {n}", f"topic{n}")
            await turn(s, "u2", f"other {n}", "salary")
    strip = [r[:2] + r[3:5] for r in rows(tmp_path / "ours.db")]  # timestamps differ between the two runs
    assert strip == [r[:2] + r[3:5] for r in rows(tmp_path / "plain.db")]
    assert len(strip) == 2 * (1 + 3 * 5)  # each tracker starts with action_listen, then 5 events a turn


@pytest.mark.asyncio
async def test_cached_read_equals_a_fresh_read_from_the_database(tmp_path) -> None:
    s = store(tmp_path / "t.db")
    for n in range(3):
        await turn(s, "u1", f"question {n}", f"topic{n}")
    assert "u1" in s._sessions
    cached = await s.retrieve("u1")
    fresh = await store(tmp_path / "t.db").retrieve("u1")
    assert cached is not None and fresh is not None
    assert list(cached.events) == list(fresh.events) and cached.get_slot("topic") == "topic2"


@pytest.mark.asyncio
async def test_a_new_session_is_read_back_from_the_database(tmp_path) -> None:
    s = store(tmp_path / "t.db")
    await turn(s, "u1", "before", "salary")
    tracker = await s.retrieve("u1")
    tracker.update(ActionExecuted("action_session_start"))
    tracker.update(SessionStarted())
    tracker.update(ActionExecuted("action_listen"))
    await s.save(tracker)
    assert "u1" not in s._sessions
    latest = await s.retrieve("u1")
    assert [e.type_name for e in latest.events] == ["session_started", "action"]
    assert list(latest.events) == list((await store(tmp_path / "t.db").retrieve("u1")).events)
    await turn(s, "u1", "after", "remote")  # and the next turn counts from the new session
    assert list((await s.retrieve("u1")).events) == list((await store(tmp_path / "t.db").retrieve("u1")).events)


@pytest.mark.asyncio
async def test_the_cache_is_bounded(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(tracker_store, "CACHED_CONVERSATIONS", 2)
    s = store(tmp_path / "t.db")
    for sender in ("a", "b", "c"):
        await turn(s, sender, "hi", "salary")
    assert list(s._sessions) == ["b", "c"]
    again = await s.retrieve("a")  # evicted: read from the database
    assert again is not None and again.get_slot("topic") == "salary"


def test_event_types_resolve_as_before() -> None:
    rasa_patches.install()
    assert Event.resolve_by_type("user") is UserUttered
    assert Event.resolve_by_type("user") is UserUttered  # the cached answer
    assert Event.resolve_by_type("slot") is SlotSet
    assert Event.resolve_by_type("nonsense", default=BotUttered) is BotUttered
    with pytest.raises(ValueError, match="Unknown event name"):
        Event.resolve_by_type("nonsense")
