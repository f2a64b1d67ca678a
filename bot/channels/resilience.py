"""A short apology instead of silence when the action server fails.

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
from typing import Any, Awaitable, Callable, List

from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.shared.core.events import BotUttered, Event

logger = logging.getLogger(__name__)

APOLOGY = (
    "Sorry, I can't look that up right now. Please try again in a minute; "
    "our conversation so far is saved."
)
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


def install() -> None:
    """Wrap ``RemoteAction.run`` once (idempotent)."""
    if not getattr(RemoteAction.run, "_bot_apology", False):
        RemoteAction.run = with_apology(RemoteAction.run)  # type: ignore[method-assign]
