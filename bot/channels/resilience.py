"""A short reply instead of silence when the action server or the tracker store fails.

Action server
-------------

In Rasa 3.6 ``RemoteAction.run`` raises when the action server cannot be
reached, answers with an error status or does not answer in time (its own
limit is five minutes), and ``MessageProcessor._run_action`` logs that
exception and carries on with no events: the user gets no reply at all.

:func:`install` wraps ``RemoteAction.run`` so that in those cases the action
returns one ``BotUttered`` event with :data:`APOLOGY` instead. The processor
logs the action as run, sends the apology to whichever channel the user is on
(``execute_side_effects``) and saves the tracker as usual: the user's message
and every slot stay as they were, and the next message is handled normally
once the action server is back. ``ActionExecutionRejection`` (an action
declining to run, which lets another policy choose) is passed through
untouched. The action server gets :data:`ACTION_TIMEOUT_ENV` seconds (default
:data:`DEFAULT_ACTION_TIMEOUT`) per call.

Tracker store
-------------
Rasa wraps every tracker store in ``FailSafeTrackerStore``, which on a failed
write saves the turn in one process's memory instead (logging only; the next
turn reads the database again, so memory and disk diverge) and on a failed
read returns no tracker, so the turn starts a fresh conversation. Here its
``save`` and ``retrieve`` raise :class:`~bot.store_errors.TrackerNotSaved` /
:class:`~bot.store_errors.TrackerNotRead` instead, and
``MessageProcessor.handle_message`` turns either into :data:`NOT_SAVED`: over
REST that replaces the replies of the turn (nothing of it was stored, so
nothing of it is acknowledged); channels that have already shown the replies
(socket.io, Slack) get :data:`NOT_SAVED` after them. The conversation on disk
is as it was before the message, and the next message continues from there.

Lock store
----------
``Agent.handle_message`` takes the conversation's lock before the processor
runs; a ``LockError`` there (the lock store cannot be reached,
:mod:`bot.lock_store`, or a lock that expired while waiting) gets the same
:data:`NOT_SAVED` reply instead of Rasa's silent empty answer.

Installed by importing :mod:`bot.channels.socketio` or :mod:`bot.channels.slack`,
which the Rasa server does when it reads ``credentials.yml``, and by
:mod:`bot.rasa_patches` in every process that loads the model (``rasa shell``
included). Installing twice is harmless.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
from typing import Any, Awaitable, Callable, List, Tuple, Type

from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.core.agent import Agent
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.lock_store import LockError
from rasa.core.processor import MessageProcessor
from rasa.core.tracker_store import FailSafeTrackerStore
from rasa.shared.core.events import BotUttered, Event

from bot.store_errors import TrackerNotRead, TrackerNotSaved

logger = logging.getLogger(__name__)

APOLOGY = (
    "Sorry, I can't look that up right now. Please try again in a minute; "
    "our conversation so far is saved."
)
NOT_SAVED = "Sorry, I couldn't save that just now, so please send it again in a moment."
ACTION_TIMEOUT_ENV = "ACTION_TIMEOUT"
DEFAULT_ACTION_TIMEOUT = 10.0


def action_timeout() -> float:
    try:
        value = float(os.environ.get(ACTION_TIMEOUT_ENV, DEFAULT_ACTION_TIMEOUT))
    except ValueError:
        return DEFAULT_ACTION_TIMEOUT
    return value if value > 0 else DEFAULT_ACTION_TIMEOUT


def apology_events() -> List[Event]:
    return [BotUttered(APOLOGY)]


def with_apology(rasa_run: Callable[..., Awaitable[List[Event]]]) -> Callable[..., Awaitable[List[Event]]]:
    """``RemoteAction.run`` with a time limit and an apology instead of an exception."""

    @functools.wraps(rasa_run)
    async def run(self: RemoteAction, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> List[Event]:
        timeout = action_timeout()
        try:
            return await asyncio.wait_for(rasa_run(self, output_channel, nlg, tracker, domain), timeout)
        except ActionExecutionRejection:
            raise
        except asyncio.TimeoutError:
            logger.error("Action '%s' got no answer from the action server within %.1fs.", self.name(), timeout)
        except Exception as error:  # noqa: BLE001 - Rasa would swallow it too, silently for the user
            logger.error("Action '%s' failed: %s", self.name(), error)
        return apology_events()

    run._bot_apology = True  # type: ignore[attr-defined]
    return run


async def _failsafe_save(self: FailSafeTrackerStore, tracker: Any) -> None:
    """``FailSafeTrackerStore.save`` without the fall-back to memory."""
    try:
        await self._tracker_store.save(tracker)
    except TrackerNotSaved:
        raise
    except Exception as error:  # noqa: BLE001 - any other store's error
        logger.error("Could not save conversation %s: %s", tracker.sender_id, error)
        raise TrackerNotSaved(str(error)) from error


async def _failsafe_retrieve(self: FailSafeTrackerStore, sender_id: str) -> Any:
    """``FailSafeTrackerStore.retrieve`` that fails instead of starting the conversation afresh."""
    try:
        return await self._tracker_store.retrieve(sender_id)
    except TrackerNotRead:
        raise
    except Exception as error:  # noqa: BLE001 - any other store's error
        logger.error("Could not read conversation %s: %s", sender_id, error)
        raise TrackerNotRead(str(error)) from error


def with_not_saved_reply(
    rasa_handle: Callable[..., Awaitable[Any]],
    errors: Tuple[Type[Exception], ...] = (TrackerNotSaved, TrackerNotRead),
) -> Callable[..., Awaitable[Any]]:
    """``handle_message`` answering :data:`NOT_SAVED` when the store (or, on the agent, the lock) fails."""

    @functools.wraps(rasa_handle)
    async def handle_message(self: Any, message: UserMessage) -> Any:
        try:
            return await rasa_handle(self, message)
        except errors as error:
            logger.error("Conversation %s: turn not handled: %s", message.sender_id, error)
            channel = message.output_channel
            if isinstance(channel, CollectingOutputChannel):
                channel.messages.clear()  # REST: none of the turn's replies was stored
            try:
                await channel.send_text_message(message.sender_id, NOT_SAVED)
            except Exception as error:  # noqa: BLE001 - the channel itself is gone
                logger.error("Could not tell %s the turn was not saved: %s", message.sender_id, error)
            return None

    handle_message._bot_not_saved = True  # type: ignore[attr-defined]
    return handle_message


def install() -> None:
    """Wrap ``RemoteAction.run`` and ``handle_message`` (processor, agent) once; make the store fail loudly."""
    if not getattr(RemoteAction.run, "_bot_apology", False):
        RemoteAction.run = with_apology(RemoteAction.run)  # type: ignore[method-assign]
    if not getattr(MessageProcessor.handle_message, "_bot_not_saved", False):
        MessageProcessor.handle_message = with_not_saved_reply(MessageProcessor.handle_message)  # type: ignore
    if not getattr(Agent.handle_message, "_bot_not_saved", False):  # the lock is taken there
        Agent.handle_message = with_not_saved_reply(Agent.handle_message, (LockError,))  # type: ignore
    FailSafeTrackerStore.save = _failsafe_save  # type: ignore[method-assign]
    FailSafeTrackerStore.retrieve = _failsafe_retrieve  # type: ignore[method-assign]
