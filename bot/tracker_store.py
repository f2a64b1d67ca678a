"""The default tracker store: Rasa's SQL store on a local SQLite file, with a connection pool.

SQLAlchemy 1.4 gives SQLite files a ``NullPool``: every turn opened a new
connection and closed it again, which with write-ahead logging also checkpoints
the log — a third of a turn's time here. This store keeps a few connections
open instead. Named in ``endpoints.yml`` (``type: bot.tracker_store.SQLiteTrackerStore``),
so it also installs :mod:`bot.rasa_patches` in every server, ``rasa shell`` included.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore

from bot import rasa_patches

rasa_patches.install()

POOL_SIZE = 5


class SQLiteTrackerStore(SQLTrackerStore):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.engine.dialect.name == "sqlite":
            url = self.engine.url
            self.engine.dispose()
            self.engine = sa.create_engine(
                url,
                poolclass=sa.pool.QueuePool,
                pool_size=POOL_SIZE,
                max_overflow=POOL_SIZE,
                connect_args={"check_same_thread": False},  # the server may use a thread pool
            )
            self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
