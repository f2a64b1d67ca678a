"""The cluster's Redis lock store: an unreachable Redis is reported, never silent."""

from __future__ import annotations

import socket
import uuid

import pytest
from rasa.core.lock_store import LockError, LockStore
from rasa.utils.endpoints import EndpointConfig

from bot.lock_store import LockUnavailable, RedisLockStore


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _redis_here() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


def test_rasa_builds_it_from_the_endpoints_entry() -> None:
    config = EndpointConfig(url="127.0.0.1", type="bot.lock_store.RedisLockStore", port="6380", db="3",
                            key_prefix="careerbot", socket_timeout=2)
    store = LockStore.create(config)
    assert isinstance(store, RedisLockStore)
    kwargs = store.red.connection_pool.connection_kwargs
    assert (kwargs["host"], kwargs["port"], kwargs["db"], kwargs["socket_timeout"]) == ("127.0.0.1", 6380, 3, 2)
    assert store.key_prefix == "careerbot:lock:"


@pytest.mark.asyncio
async def test_an_unreachable_redis_fails_the_lock_and_the_health_check_but_not_the_release() -> None:
    store = RedisLockStore(host="127.0.0.1", port=_closed_port(), socket_timeout=1)
    with pytest.raises(LockError):  # what bot.channels.resilience answers with "not saved"
        async with store.lock("unit"):
            pass
    with pytest.raises(LockUnavailable):
        store.get_lock("unit")
    store.cleanup("unit", 0)  # after a turn that ran: logged, not raised
    assert await store.check_health() is False


@pytest.mark.asyncio
async def test_on_a_reachable_redis_the_lock_is_taken_and_let_go() -> None:
    if not _redis_here():
        pytest.skip("no Redis on 127.0.0.1:6379")
    store = RedisLockStore(host="127.0.0.1", port=6379, db=0, key_prefix="careerbottest")
    conversation = f"unit-{uuid.uuid4().hex}"
    async with store.lock(conversation) as lock:
        assert lock.conversation_id == conversation
        assert store.get_lock(conversation) is not None
    assert store.get_lock(conversation) is None
    assert await store.check_health() is True


def test_two_servers_taking_one_conversations_lock_at_once_get_different_tickets() -> None:
    """Rasa's own store reads, changes and writes the lock in separate calls: both could get ticket 0."""
    if not _redis_here():
        pytest.skip("no Redis on 127.0.0.1:6379")
    import threading

    servers = [RedisLockStore(host="127.0.0.1", port=6379, db=0, key_prefix="careerbottest") for _ in range(4)]
    conversation = f"unit-{uuid.uuid4().hex}"
    tickets: list[int] = []
    start = threading.Barrier(len(servers))

    def take(store: RedisLockStore) -> None:
        start.wait()
        for _ in range(25):
            tickets.append(store.issue_ticket(conversation, 60))

    threads = [threading.Thread(target=take, args=(store,)) for store in servers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(tickets) == list(range(100))
    for ticket in tickets:
        servers[ticket % 4].cleanup(conversation, ticket)
    assert servers[0].get_lock(conversation) is None  # the last one out deleted it
