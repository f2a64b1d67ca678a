"""The default tracker store: Rasa's SQL store on a local SQLite file, pooled and write-through cached.

* SQLAlchemy 1.4 gives SQLite files a ``NullPool``: every turn opened a new
  connection and closed it again, which with write-ahead logging also
  checkpoints the log. This store keeps a few connections open instead.
* Every turn Rasa reads the conversation back (a subquery for the latest
  session start, then its events) and, to save, counts the stored events
  again to know which are new: together over a quarter of the Rasa server's
  time per turn. This store remembers, per conversation, the serialised events
  of the latest session it has read or written (a bounded LRU). A turn then
  rebuilds the tracker from those and inserts only the new events, with no
  query. What is stored in the database is exactly what Rasa's own store
  writes; a new session (``SessionStarted``) drops the entry, so the next read
  goes to the database as before.

* Database work runs in a small thread pool, never on the event loop: while
  one conversation waits for the SQLite file (another process holding a
  lock), the server goes on answering the others and its health check.
  SQLite settings relied on: write-ahead logging with ``synchronous=NORMAL``
  (:mod:`bot.rasa_patches`; readers are not blocked by a writer) and a busy
  timeout of :data:`BUSY_TIMEOUT_S` seconds, after which a write fails.
* A failed write or read raises :class:`TrackerNotSaved` /
  :class:`TrackerNotRead` (with Rasa's ``FailSafeTrackerStore`` told not to
  swallow them, :mod:`bot.channels.resilience`): the user is told the turn
  was not saved, nothing is kept in memory that is not on disk, and
  :attr:`SQLiteTrackerStore.healthy` is false until a write succeeds again.

The cache assumes one Rasa server process writes a given conversation, which
Rasa's in-memory lock store (the embedded default) assumes already; with
several servers on one database, ``cache: false`` in the endpoints turns it
off. On a database server (PostgreSQL) the store waits a bounded time for the
server at start-up, saying so, instead of Rasa's silent retry for ever
(:func:`wait_for_database`). Named in
``endpoints.yml`` (``type: bot.tracker_store.SQLiteTrackerStore``), so it also
installs :mod:`bot.rasa_patches` in every server, ``rasa shell`` included.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Dict, List, Tuple, TypeVar

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from bot import rasa_patches
from bot.store_errors import TrackerNotRead, TrackerNotSaved

rasa_patches.install()

logger = logging.getLogger(__name__)
T = TypeVar("T")

POOL_SIZE = 5
#: Seconds a write waits for another connection's lock on the SQLite file before it fails.
BUSY_TIMEOUT_S = 2.0
#: Conversations whose latest session is kept in memory (least recently used dropped first).
CACHED_CONVERSATIONS = 2000


#: Seconds a database server (not SQLite) may take to answer at start-up before the store gives up.
STARTUP_WAIT_S = 60.0
STARTUP_RETRY_S = 2.0


class DatabaseUnavailable(ConnectionError):
    """The tracker store's database server did not answer at start-up within the wait."""


def wait_for_database(url: Any, wait_s: float = STARTUP_WAIT_S, retry_s: float = STARTUP_RETRY_S) -> None:
    """Return once a connection to ``url`` opens; log each failed try; give up after ``wait_s``.

    Rasa's own SQL store retries every 5 s for ever, logging only the driver's
    error: a server whose PostgreSQL is down would sit there, never ready, and
    say nothing clear. This waits a bounded time, says what it waits for, then
    raises :class:`DatabaseUnavailable` (the server stops with that message).
    """
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    where = engine.url.render_as_string(hide_password=True)
    deadline = time.monotonic() + wait_s
    attempt = 0
    try:
        while True:
            attempt += 1
            try:
                with engine.connect():
                    if attempt > 1:
                        logger.warning("Tracker store database %s answered (attempt %d).", where, attempt)
                    return
            except sa.exc.SQLAlchemyError as error:
                reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
                if time.monotonic() + retry_s > deadline:
                    raise DatabaseUnavailable(
                        f"The tracker store's database {where} did not answer within {wait_s:g} s "
                        f"({attempt} attempts): {reason}") from error
                logger.warning("Tracker store database %s not reachable (%s); retrying in %g s (attempt %d).",
                               where, reason, retry_s, attempt)
                time.sleep(retry_s)
    finally:
        engine.dispose()


class SQLiteTrackerStore(SQLTrackerStore):
    """See the module docstring; ``cache: false`` in the endpoints turns the write-through cache off.

    With several Rasa servers on one database (a cluster), another server may
    have written a conversation since this one cached it, so the cache must be
    off there; ``startup_wait`` bounds the wait for a database server.
    """

    def __init__(self, *args: Any, cache: bool = True, startup_wait: float = STARTUP_WAIT_S, **kwargs: Any) -> None:
        if kwargs.get("dialect", "sqlite") != "sqlite":
            wait_for_database(SQLTrackerStore.get_db_url(
                kwargs.get("dialect"), kwargs.get("host"), kwargs.get("port"),
                kwargs.get("login_db") or kwargs.get("db", "rasa.db"), kwargs.get("username"),
                kwargs.get("password"), None, kwargs.get("query")), float(startup_wait))
        super().__init__(*args, **kwargs)
        #: whether the latest session of each conversation is kept in memory (one server per conversation)
        self.cache = bool(cache)
        #: sender id -> JSON of each event of the latest session, as stored, in order
        self._sessions: OrderedDict[str, List[str]] = OrderedDict()
        self._io_pool = ThreadPoolExecutor(max_workers=POOL_SIZE, thread_name_prefix="tracker-store")
        #: False after a failed write, until one succeeds (the health check reports it)
        self.healthy = True
        if self.engine.dialect.name == "sqlite":
            url = self.engine.url
            self.engine.dispose()
            self.engine = sa.create_engine(
                url,
                poolclass=sa.pool.QueuePool,
                pool_size=POOL_SIZE,
                max_overflow=POOL_SIZE,
                connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_S},  # used from the I/O pool
            )
            self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

    # -- the cache ---------------------------------------------------------------

    def _remember(self, sender_id: str, serialised: List[str]) -> None:
        if not self.cache:
            return
        self._sessions[sender_id] = serialised
        self._sessions.move_to_end(sender_id)
        while len(self._sessions) > CACHED_CONVERSATIONS:
            self._sessions.popitem(last=False)

    def forget(self, sender_id: str | None = None) -> None:
        """Drop one conversation's cached session, or all of them."""
        if sender_id is None:
            self._sessions.clear()
        else:
            self._sessions.pop(sender_id, None)

    # -- Rasa's TrackerStore API ------------------------------------------------------

    async def _io(self, work: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._io_pool, work, *args)

    def _read_session(self, sender_id: str) -> List[str]:
        with self.session_scope() as session:
            rows = self._event_query(session, sender_id, fetch_events_from_all_sessions=False).all()
            return [row.data for row in rows]

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        """The latest session, from memory when this process has it, else as Rasa reads it."""
        serialised = self._sessions.get(sender_id)
        if serialised is None:
            try:
                serialised = await self._io(self._read_session, sender_id)
            except Exception as error:  # noqa: BLE001 - any database error: the turn cannot go on
                logger.error("Could not read conversation %s: %s", sender_id, error)
                raise TrackerNotRead(str(error)) from error
            if serialised:
                self._remember(sender_id, serialised)
        else:
            self._sessions.move_to_end(sender_id)
        if not serialised or not self.domain:
            return None
        return DialogueStateTracker.from_dict(sender_id, [json.loads(s) for s in serialised], self.domain.slots)

    def _write(self, sender_id: str, events: List[Any], stored: int | None) -> Tuple[List[str], bool, int]:
        """Insert the events after the first ``stored`` (counted in the database when ``None``)."""
        with self.session_scope() as session:
            if stored is None:
                stored = self._event_query(session, sender_id, fetch_events_from_all_sessions=False).count()
            new: List[str] = []
            rows: List[Dict[str, Any]] = []
            new_session = False
            for event in events[stored:]:
                data = event.as_dict()
                serialised = json.dumps(data)
                rows.append({
                    "sender_id": sender_id,
                    "type_name": event.type_name,
                    "timestamp": data.get("timestamp"),
                    "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
                    "action_name": data.get("name"),
                    "data": serialised,
                })
                new.append(serialised)
                new_session = new_session or isinstance(event, SessionStarted)
            if rows:  # one executemany instead of the ORM's unit of work: same rows, a fraction of the CPU
                session.execute(self.SQLEvent.__table__.insert(), rows)
            session.commit()
        return new, new_session, stored

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Insert the events not stored yet, like ``SQLTrackerStore.save``; count them from memory if cached."""
        await self.stream_events(tracker)
        sender_id = tracker.sender_id
        cached = self._sessions.get(sender_id)
        try:
            new, new_session, stored = await self._io(
                self._write, sender_id, list(tracker.events), None if cached is None else len(cached))
        except Exception as error:  # noqa: BLE001 - any database error: say so, keep nothing unsaved
            self.healthy = False
            self.forget(sender_id)
            logger.error("Could not save conversation %s: %s", sender_id, error)
            raise TrackerNotSaved(str(error)) from error
        self.healthy = True
        if new_session or (cached is None and stored):
            self.forget(sender_id)  # the latest session changed, or we never saw its start: read it back
        else:
            self._remember(sender_id, (cached or []) + new)

    def _can_write(self) -> bool:
        if self.engine.dialect.name != "sqlite":
            with self.engine.connect() as connection:
                connection.exec_driver_sql("SELECT 1")
            return True
        raw = self.engine.raw_connection()  # the driver's connection: no transaction of SQLAlchemy's around it
        try:
            raw.execute("BEGIN IMMEDIATE")
            raw.execute("ROLLBACK")
        finally:
            raw.close()
        return True

    async def check_health(self) -> bool:
        """Whether a write could start now (takes the write lock and lets go at once)."""
        try:
            self.healthy = await asyncio.wait_for(self._io(self._can_write), BUSY_TIMEOUT_S + 1)
        except Exception as error:  # noqa: BLE001 - locked, missing, read-only: unhealthy
            logger.warning("Tracker store health check failed: %s", error)
            self.healthy = False
        return self.healthy
