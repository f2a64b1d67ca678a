"""The write-through cache of the SQLite tracker store keeps Rasa's behaviour exactly."""

from __future__ import annotations

import logging
import os
import sqlite3
import time
import uuid

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


async def topics_seen(s: SQLiteTrackerStore, sender: str) -> list:
    tracker = await s.retrieve(sender)
    return [e.value for e in tracker.events if isinstance(e, SlotSet)]


@pytest.mark.asyncio
async def test_two_servers_on_one_database_need_the_cache_off(tmp_path) -> None:
    path = tmp_path / "t.db"
    # cache on (one server per conversation): the first server no longer sees what the second wrote
    a, b = store(path), store(path)
    await turn(a, "u1", "first", "salary")
    await turn(b, "u1", "second", "remote")
    assert await topics_seen(a, "u1") == ["salary"]
    # cache off (a cluster): each turn is read from the database, whichever server wrote the last one
    path = tmp_path / "cluster.db"
    a, b = (SQLiteTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(path), cache=False) for _ in range(2))
    await turn(a, "u1", "first", "salary")
    await turn(b, "u1", "second", "remote")
    await turn(a, "u1", "third", "exam")
    assert await topics_seen(b, "u1") == ["salary", "remote", "exam"] and not a._sessions
    assert len(rows(path)) == 1 + 3 * 5  # nothing written twice


def test_a_database_server_that_does_not_answer_is_waited_for_then_reported(caplog) -> None:
    closed = "postgresql://postgres@127.0.0.1:1/careerbot"
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="bot.tracker_store"):
        with pytest.raises(tracker_store.DatabaseUnavailable) as raised:
            tracker_store.wait_for_database(closed, wait_s=1.0, retry_s=0.3)
    assert time.monotonic() - started < 5
    assert str(raised.value).startswith("The tracker store's database postgresql://postgres@127.0.0.1:1/careerbot "
                                        "did not answer within 1 s (")
    retries = [r.getMessage() for r in caplog.records if "not reachable" in r.getMessage()]
    assert len(retries) >= 2 and "retrying in 0.3 s (attempt 1)" in retries[0]
    with pytest.raises(ConnectionError):  # Rasa turns a ConnectionError into "Cannot connect to tracker store"
        SQLiteTrackerStore(domain=DOMAIN, dialect="postgresql", host="127.0.0.1", port=1, db="x",
                           username="postgres", startup_wait=0.5)


@pytest.mark.asyncio
async def test_two_servers_share_conversations_on_postgresql_with_the_cache_off() -> None:
    psycopg2 = pytest.importorskip("psycopg2")
    try:
        admin = psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname="postgres", connect_timeout=3)
    except psycopg2.OperationalError as error:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL on 127.0.0.1:5432 is needed on CI: {error}")
        pytest.skip(f"no PostgreSQL on 127.0.0.1:5432: {error}")
    admin.autocommit = True
    name = f"careerbot_store_{uuid.uuid4().hex[:10]}"
    try:
        # login_db: Rasa's store creates the database, as a cluster's first server would
        a, b = (SQLiteTrackerStore(domain=DOMAIN, dialect="postgresql", host="127.0.0.1", port=5432, db=name,
                                   username="postgres", login_db="postgres", cache=False) for _ in range(2))
        await turn(a, "u1", "first", "salary")
        await turn(b, "u1", "second", "remote")
        await turn(a, "u1", "third", "exam")
        assert await topics_seen(b, "u1") == ["salary", "remote", "exam"]
        a.engine.dispose()
        b.engine.dispose()
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
