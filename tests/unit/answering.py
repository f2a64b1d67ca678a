"""Running ``action_answer`` on a tracker built from a message's reading (financial-demo style)."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import ActionAnswer
from bot import feedback, knowledge


def tracker(intent: str, entities: Dict[str, List[str]] | None = None, slots: Dict[str, Any] | None = None,
            text: str = "", said_before: List[str] | None = None) -> Tracker:
    """The tracker after ``text``, read as ``intent`` with ``entities``; ``said_before``: earlier bot messages."""
    return Tracker.from_dict({
        "sender_id": "answering", "paused": False, "followup_action": None, "active_loop": {},
        "latest_action_name": "action_listen",
        "events": [{"event": "bot", "text": said} for said in said_before or []],
        "slots": {"topic": None, **{etype: None for etype in knowledge.ENTITY_TYPES}, **(slots or {})},
        "latest_message": {"text": text, "intent": {"name": intent, "confidence": 0.9},
                           "entities": [{"entity": e, "value": v, "start": 0, "end": 1}
                                        for e, vs in (entities or {}).items() for v in vs]},
    })


async def answer(t: Tracker) -> tuple[list, str]:
    """The events and the one message's text."""
    dispatcher = CollectingDispatcher()
    events = await ActionAnswer().run(dispatcher, t, {})
    [message] = without_feedback_row(dispatcher.messages)
    return events, message["text"]


def without_feedback_row(messages: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """A fact answer: one message flagged as followed by the "Was this helpful?" row, then the row.

    Returns the messages without the row and the flag (after checking both are
    where they belong); other replies must carry neither.
    """
    messages = [dict(m) for m in messages]
    if messages and messages[-1].get("response") == feedback.ROW_RESPONSE:
        *answer, _row = messages
        assert [m.pop(feedback.FOLLOWED_BY_FEEDBACK, None) for m in answer] == [True]
        return answer
    assert not any(feedback.FOLLOWED_BY_FEEDBACK in m for m in messages)
    return messages
