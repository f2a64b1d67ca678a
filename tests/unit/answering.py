"""Running ``action_answer`` on a tracker built from a message's reading (financial-demo style)."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import ActionAnswer
from bot import knowledge


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
    [message] = dispatcher.messages
    return events, message["text"]
