"""The conversations Rasa keeps, read straight from its SQL tracker store's ``events`` table.

Rasa's SQL tracker store (the embedded SQLite file, or PostgreSQL in a
cluster) writes one row per event: ``id``, ``sender_id``, ``type_name``,
``timestamp``, ``intent_name``, ``action_name`` and ``data`` (the event as
JSON). The report, export and prune commands read and delete those rows with
SQLAlchemy, in ``id`` order and in batches, instead of rebuilding a
``DialogueStateTracker`` per conversation: that is what lets a report cover
100,000 conversations in seconds and in bounded memory.

Which database: the ``tracker_store`` of an endpoints file (``endpoints.yml``
by default, with ``TRACKER_DB`` defaulting to ``tracker.db`` as for ``make
run``), read with Rasa's own endpoint reader so ``${VAR}`` works the same.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Iterator, NamedTuple

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]
#: Rows fetched per round trip.
BATCH = 5000
SQL_STORE_TYPES = {"sql", "bot.tracker_store.SQLiteTrackerStore"}


class StoreError(Exception):
    """The endpoints file names no SQL tracker store, or the database cannot be read."""


class Row(NamedTuple):
    """One stored event, as :func:`rows` yields it (``data`` only where the report reads it)."""

    sender_id: str
    type_name: str
    timestamp: float
    intent_name: str | None
    action_name: str | None
    data: str | None


#: Slots whose events the report reads (Rasa's SQL store keeps a slot's name in ``action_name``).
SLOTS_READ = ("topic", "declined", "feedback")


def database_url(endpoints: Path | None = None) -> sa.engine.URL | str:
    """The SQLAlchemy URL of the tracker store named in ``endpoints``."""
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.utils.endpoints import read_endpoint_config

    from bot import servers

    path = endpoints or ROOT / "endpoints.yml"
    settings = servers.Settings.from_env()  # the defaults `make run` gives ${TRACKER_DB} and the others
    os.environ.setdefault("TRACKER_DB", settings.tracker_db)
    os.environ.setdefault("ACTION_ENDPOINT_URL", settings.action_url)
    os.environ.setdefault("ACTION_TOKEN", "unused")  # the file names it; this command calls no action
    if not path.is_file():
        raise StoreError(f"{path}: no such endpoints file")
    config = read_endpoint_config(str(path), "tracker_store")
    if config is None or config.type not in SQL_STORE_TYPES:
        kind = config.type if config else "none"
        raise StoreError(f"{path}: the tracker store is {kind!r}; this command reads SQL tracker stores only")
    kwargs = config.kwargs
    with warnings.catch_warnings():  # Rasa builds the URL the way SQLAlchemy 1.4 deprecates
        warnings.simplefilter("ignore")
        return SQLTrackerStore.get_db_url(
            dialect=kwargs.get("dialect", "sqlite"), host=config.url, port=kwargs.get("port"),
            db=kwargs.get("db", "rasa.db"), username=kwargs.get("username"), password=kwargs.get("password"),
            query=kwargs.get("query"),
        )


def engine(endpoints: Path | None = None, url: str | None = None) -> sa.engine.Engine:
    """An engine on the tracker store (``url`` wins over ``endpoints``); the events table must exist."""
    target = url or database_url(endpoints)
    if str(target).startswith("sqlite:///"):
        file = Path(str(target)[len("sqlite:///"):])
        if not file.is_file():
            raise StoreError(f"{file}: no conversations yet (the file is made when the bot first runs)")
    made = sa.create_engine(target)
    try:
        if not sa.inspect(made).has_table("events"):
            raise StoreError(f"{made.url!r}: no events table (not a Rasa tracker store?)")
    except sa.exc.SQLAlchemyError as error:
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        raise StoreError(f"cannot read the tracker store {made.url.render_as_string(hide_password=True)}: "
                         f"{reason}") from error
    return made


def _events() -> sa.Table:
    meta = sa.MetaData()
    return sa.Table(
        "events", meta,
        sa.Column("id", sa.Integer, primary_key=True), sa.Column("sender_id", sa.String(255)),
        sa.Column("type_name", sa.String(255)), sa.Column("timestamp", sa.Float),
        sa.Column("intent_name", sa.String(255)), sa.Column("action_name", sa.String(255)),
        sa.Column("data", sa.Text),
    )


EVENTS = _events()


def _report_query(since: float | None) -> sa.sql.Select:
    """The events the report reads, in stored order; ``data`` only for user messages and the slots it reads."""
    e = EVENTS.c
    slot_read = sa.and_(e.type_name == "slot", sa.or_(e.action_name.is_(None), e.action_name.in_(SLOTS_READ)))
    wanted = sa.or_(
        e.type_name.in_(("user", "bot", "session_started", "restart")),
        sa.and_(e.type_name == "action", e.action_name != "action_listen"),
        slot_read,
    )
    data = sa.case((sa.or_(e.type_name == "user", slot_read), e.data), else_=sa.null())
    query = sa.select(e.sender_id, e.type_name, e.timestamp, e.intent_name, e.action_name, data).where(wanted)
    if since is not None:
        query = query.where(e.timestamp >= since)
    return query.order_by(e.id)


def rows(db: sa.engine.Engine, since: float | None = None) -> Iterator[Row]:
    """The events the report reads (from ``since``, a Unix time, when given) in the order Rasa stored them.

    Fetched with the database driver's own cursor (a server-side one on
    PostgreSQL), in batches: SQLAlchemy's result rows cost more than the
    report's own work on a few million events.
    """
    sql = str(_report_query(since).compile(dialect=db.dialect, compile_kwargs={"literal_binds": True}))
    raw = db.raw_connection()
    try:
        cursor = raw.cursor(name="report_events") if db.dialect.name == "postgresql" else raw.cursor()
        if db.dialect.name == "postgresql":
            cursor.itersize = BATCH
        cursor.execute(sql)
        while True:
            batch = cursor.fetchmany(BATCH)
            if not batch:
                break
            yield from batch
        cursor.close()
    finally:
        raw.close()


def prune(db: sa.engine.Engine, before: float) -> tuple[int, int]:
    """Delete every conversation whose latest event is older than ``before``: (conversations, events)."""
    latest = sa.select(EVENTS.c.sender_id).group_by(EVENTS.c.sender_id).having(
        sa.func.max(EVENTS.c.timestamp) < before)
    with db.begin() as connection:
        old = [r.sender_id for r in connection.execute(latest)]
        deleted = 0
        for start in range(0, len(old), 500):
            chunk = old[start:start + 500]
            deleted += connection.execute(sa.delete(EVENTS).where(EVENTS.c.sender_id.in_(chunk))).rowcount
    return len(old), deleted
