"""The "Was this helpful?" row under fact answers, and whether a thumbs up or down counts.

After every fact answer (``action_answer``, ``action_compare``, an answered
follow-up of ``action_decline``, and the plan), except while the plan's
questions are being asked (:func:`offered`), the action says the answer with
:data:`FOLLOWED_BY_FEEDBACK` in its message metadata, then ``utter_feedback_row``:
"Was this helpful?" with two buttons whose payloads are the two intents below.
Small talk, declines and fallbacks get no row.

The two intents are payload-only: they have no NLU examples, so typed words are
never read as feedback, and :mod:`bot.nlu.guard` lets ``/feedback_helpful`` and
``/feedback_not_helpful`` through only exactly as the buttons send them (no
entities), so a typed ``/feedback...`` cannot be forged into anything else.

A click is *recorded* (``SlotSet("feedback", "helpful" | "not_helpful")``, an
event in the conversation that ``python -m bot report`` reads) only when the
bot's previous turn offered the row: a second click on an old row (Slack keeps
buttons) or a typed payload out of the blue is thanked, not counted.

The metadata flag is stored with the answer (a ``BotUttered`` event's metadata)
and reaches the output channels: the website's socket.io channel keeps that
answer's buttons visible above the row (:mod:`bot.channels.socketio`), and the
terminal prints the row on one line (:mod:`bot.channels.terminal`).
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, List, Mapping

HELPFUL = "feedback_helpful"
NOT_HELPFUL = "feedback_not_helpful"
INTENTS = (HELPFUL, NOT_HELPFUL)
#: The slot that records a counted click, and its values.
SLOT = "feedback"
VALUES = {HELPFUL: "helpful", NOT_HELPFUL: "not_helpful"}
ROW_RESPONSE = "utter_feedback_row"
#: Replies to a click (wording in domain.yml).
THANKS_RESPONSE = "utter_feedback_thanks"
ASK_RESPONSE = "utter_feedback_ask"
#: Key in an answer message's metadata: the feedback row follows it.
FOLLOWED_BY_FEEDBACK = "followed_by_feedback"


def offered(active_loop: Mapping[str, Any] | None) -> bool:
    """Whether a fact answer gets the row: not while the plan's questions are asked.

    A question answered in the middle of the plan is followed by the plan's
    next question; a row between the two would read as an answer to it.
    """
    return not (active_loop or {}).get("name")


def is_feedback_payload(payload: Any) -> bool:
    return isinstance(payload, str) and payload.lstrip("/") in INTENTS


def is_feedback_row(buttons: Iterable[Mapping[str, Any]] | None) -> bool:
    """True for the buttons of ``utter_feedback_row`` (every payload a feedback intent)."""
    buttons = list(buttons or [])
    return bool(buttons) and all(is_feedback_payload(b.get("payload")) for b in buttons)


def offered_in_previous_turn(events: List[Dict[str, Any]]) -> bool:
    """Whether the bot's turn before the latest user message ended with the feedback row.

    ``events`` are a tracker's events as dicts (rasa_sdk's ``tracker.events``),
    the latest user message (the click) last among the user events.
    """
    users = [i for i, e in enumerate(events) if e.get("event") == "user"]
    if not users:
        return False
    start = users[-2] + 1 if len(users) > 1 else 0
    bot_messages = [e for e in events[start:users[-1]] if e.get("event") == "bot"]
    return bool(bot_messages) and is_feedback_row((bot_messages[-1].get("data") or {}).get("buttons"))
