"""The apology when the action server is down, slow or failing (no Rasa server needed)."""

from __future__ import annotations

import socket
import time
from typing import Any, Iterator

import pytest
from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot.channels import resilience


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def silent_server() -> Iterator[int]:
    """Accepts connections and never answers (like a stopped action server process)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        yield sock.getsockname()[1]


async def run(action: RemoteAction) -> Any:
    tracker = DialogueStateTracker.from_events("unit", [])
    return await action.run(None, None, tracker, Domain.empty())


def test_install_is_idempotent() -> None:
    resilience.install()
    wrapped = RemoteAction.run
    resilience.install()
    assert RemoteAction.run is wrapped and wrapped._bot_apology


@pytest.mark.asyncio
async def test_unreachable_action_server_gives_the_apology() -> None:
    resilience.install()
    action = RemoteAction("action_answer", EndpointConfig(f"http://127.0.0.1:{free_port()}/webhook"))
    events = await run(action)
    assert events == [BotUttered(resilience.APOLOGY)]


@pytest.mark.asyncio
async def test_silent_action_server_times_out_with_the_apology(
    silent_server: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    resilience.install()
    monkeypatch.setenv(resilience.ACTION_TIMEOUT_ENV, "0.5")
    action = RemoteAction("action_answer", EndpointConfig(f"http://127.0.0.1:{silent_server}/webhook"))
    started = time.monotonic()
    events = await run(action)
    assert events == [BotUttered(resilience.APOLOGY)]
    assert time.monotonic() - started < 5


@pytest.mark.asyncio
async def test_rejections_still_reach_rasa() -> None:
    async def rejecting(*args: Any) -> Any:
        raise ActionExecutionRejection("action_answer")

    with pytest.raises(ActionExecutionRejection):
        await resilience.with_apology(rejecting)(RemoteAction("action_answer", None), None, None, None, None)


@pytest.mark.asyncio
async def test_success_passes_through() -> None:
    async def fine(*args: Any) -> Any:
        return ["events"]

    assert await resilience.with_apology(fine)(RemoteAction("a", None), None, None, None, None) == ["events"]


@pytest.mark.parametrize(("value", "expected"), [(None, 10.0), ("2.5", 2.5), ("0", 10.0), ("soon", 10.0)])
def test_action_timeout(value: str | None, expected: float, monkeypatch: pytest.MonkeyPatch) -> None:
    if value is None:
        monkeypatch.delenv(resilience.ACTION_TIMEOUT_ENV, raising=False)
    else:
        monkeypatch.setenv(resilience.ACTION_TIMEOUT_ENV, value)
    assert resilience.action_timeout() == expected


# --- the tracker store fails -----------------------------------------------------------


class BrokenStore:
    domain = Domain.empty()
    event_broker = None

    async def save(self, tracker: Any) -> None:
        raise OSError("database is locked")

    async def retrieve(self, sender_id: str) -> Any:
        raise OSError("database is locked")


@pytest.mark.asyncio
async def test_rasas_failsafe_store_fails_loudly_instead_of_keeping_the_turn_in_memory() -> None:
    from rasa.core.tracker_store import FailSafeTrackerStore

    from bot.store_errors import TrackerNotRead, TrackerNotSaved

    resilience.install()
    store = FailSafeTrackerStore(BrokenStore())  # type: ignore[arg-type]
    with pytest.raises(TrackerNotSaved):
        await store.save(DialogueStateTracker.from_events("unit", []))
    assert store._fallback_tracker_store is None  # nothing kept in memory
    with pytest.raises(TrackerNotRead):  # not None: that would start the conversation afresh
        await store.retrieve("unit")


@pytest.mark.asyncio
async def test_a_turn_that_was_not_saved_is_not_acknowledged_over_rest() -> None:
    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

    from bot.store_errors import TrackerNotSaved

    async def rasa_handle(self: Any, message: UserMessage) -> None:
        await message.output_channel.send_text_message(message.sender_id, "The CPC pays ...")
        raise TrackerNotSaved("database is locked")

    handle = resilience.with_not_saved_reply(rasa_handle)
    channel = CollectingOutputChannel()
    assert await handle(None, UserMessage("how much?", channel, "unit")) is None
    assert [m["text"] for m in channel.messages] == [resilience.NOT_SAVED]


@pytest.mark.asyncio
async def test_a_lock_that_cannot_be_taken_gets_the_not_saved_reply_not_silence() -> None:
    """Rasa's agent takes the conversation's lock first; without this the REST answer is ``[]``."""
    from rasa.core.agent import Agent
    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

    from bot.lock_store import LockUnavailable

    resilience.install()
    agent = Agent()
    agent.processor = object()  # type: ignore[assignment]  # "ready"; never reached

    class Unreachable:
        def lock(self, conversation_id: str) -> Any:
            raise LockUnavailable("Redis: Connection refused")

    agent.lock_store = Unreachable()  # type: ignore[assignment]
    agent.is_ready = lambda: True  # type: ignore[method-assign]
    channel = CollectingOutputChannel()
    assert await agent.handle_message(UserMessage("how much?", channel, "unit")) is None
    assert [m["text"] for m in channel.messages] == [resilience.NOT_SAVED]
