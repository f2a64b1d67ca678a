"""The cluster's lock store: Rasa's Redis lock store, failing in a way the user is told about.

Rasa takes a conversation's lock in ``Agent.handle_message`` before the
processor reads the conversation, so two messages of one conversation on two
servers are handled one after the other. With Rasa's own Redis lock store a
Redis that cannot be reached raises ``redis.ConnectionError`` there, the REST
channel logs it and answers ``[]``: the user gets no reply at all. Here:

Rasa's ticket lock is also read-modify-write in three calls (``GET``, change,
``SET``): two servers taking the lock of one conversation at the same moment
both read "no lock", both get ticket 0 and both run; the second save then
counts the first one's events as its own and stores nothing, so a turn the user
saw answered is lost (reproduced by ``tests/e2e/test_cluster.py``; "this is far
from atomic", RasaHQ/rasa#3933; the fix, ``ConcurrentRedisLockStore``
(RasaHQ/rasa#11256), is in Rasa Pro only). Here every change of a lock (issue
a ticket, drop expired ones, finish and clean up) is one Redis transaction
(``WATCH``/``MULTI``, retried when another server changed the lock meanwhile).

==========================  ===================================================
when Redis fails ...        what happens
==========================  ===================================================
taking the lock             :class:`LockUnavailable` (a Rasa ``LockError``);
                            :mod:`bot.channels.resilience` answers "not saved,
                            please send it again"; nothing of the turn ran
letting go of the lock      logged only: the turn ran and is stored; the
                            ticket expires after ``TICKET_LOCK_LIFETIME``
health check                :meth:`RedisLockStore.check_health` is false, the
                            server's ``GET /webhooks/rest/`` answers 503 and
                            HAProxy routes around it
==========================  ===================================================

Named in ``deploy/endpoints.yml`` (``type: bot.lock_store.RedisLockStore``);
its keys take the same settings as Rasa's ``type: redis``.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any, Callable, Tuple, TypeVar

import redis
from rasa.core.lock_store import LOCK_LIFETIME, LockError, TicketLock
from rasa.core.lock_store import RedisLockStore as RasaRedisLockStore
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)
T = TypeVar("T")

#: Seconds the health check waits for Redis's PING.
HEALTH_TIMEOUT_S = 2.0


class LockUnavailable(LockError):
    """The lock store could not be reached, so the turn was not handled."""


class RedisLockStore(RasaRedisLockStore):
    """Rasa's ``RedisLockStore``; see the module docstring for what differs."""

    def __init__(self, endpoint_config: EndpointConfig | None = None, **kwargs: Any) -> None:
        if endpoint_config is not None:  # how Rasa builds a lock store named by its module path
            kwargs = {"host": endpoint_config.url or "localhost", **endpoint_config.kwargs, **kwargs}
        super().__init__(**kwargs)

    def get_lock(self, conversation_id: str) -> TicketLock | None:
        try:
            return super().get_lock(conversation_id)
        except redis.RedisError as error:
            raise LockUnavailable(f"Redis: {error}") from error

    def save_lock(self, lock: TicketLock) -> None:
        try:
            super().save_lock(lock)
        except redis.RedisError as error:
            raise LockUnavailable(f"Redis: {error}") from error

    def _change(self, conversation_id: str,
                change: Callable[[TicketLock | None], Tuple[TicketLock | None, T]]) -> T:
        """Apply ``change`` to the stored lock in one transaction; it returns (lock to store or None, result)."""
        key = self.key_prefix + conversation_id
        try:
            with self.red.pipeline() as pipe:
                while True:
                    try:
                        pipe.watch(key)
                        raw = pipe.get(key)
                        lock, result = change(TicketLock.from_dict(json.loads(raw)) if raw else None)
                        pipe.multi()
                        if lock is None:
                            pipe.delete(key)
                        else:
                            pipe.set(key, lock.dumps())
                        pipe.execute()
                        return result
                    except redis.WatchError:
                        continue  # another server changed this lock in between: read it again
        except redis.RedisError as error:
            raise LockUnavailable(f"Redis: {error}") from error

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        def issue(lock: TicketLock | None) -> Tuple[TicketLock | None, int]:
            lock = lock or self.create_lock(conversation_id)
            return lock, lock.issue_ticket(lock_lifetime)

        return self._change(conversation_id, issue)

    def update_lock(self, conversation_id: str) -> None:
        def drop_expired(lock: TicketLock | None) -> Tuple[TicketLock | None, None]:
            if lock is not None:
                lock.remove_expired_tickets()
            return lock, None

        self._change(conversation_id, drop_expired)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """Finish ``ticket_number``; delete the lock when nobody waits (Rasa: three separate calls)."""

        def finish(lock: TicketLock | None) -> Tuple[TicketLock | None, None]:
            if lock is None:
                return None, None
            lock.remove_ticket_for(ticket_number)
            return (lock if lock.is_someone_waiting() else None), None

        try:
            self._change(conversation_id, finish)
        except LockUnavailable as error:
            logger.warning("Could not release the lock of conversation %s (it expires by itself): %s",
                           conversation_id, error)

    async def check_health(self) -> bool:
        """Whether Redis answers a PING (in a thread: redis-py blocks)."""
        try:
            loop = asyncio.get_running_loop()
            return bool(await asyncio.wait_for(loop.run_in_executor(None, self.red.ping), HEALTH_TIMEOUT_S))
        except Exception as error:  # noqa: BLE001 - unreachable, timed out, refused: unhealthy
            logger.warning("Lock store health check failed: %s", error)
            return False
