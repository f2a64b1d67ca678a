"""Tracker parsing and dispatching shared by every action."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot import knowledge
from bot.answers import Reply
from bot.nlu import context
from bot.nlu.relevance import FACT_SCORES

TOPIC_SLOT = context.TOPIC_SLOT


def message_subject(tracker: Tracker, kb: knowledge.KnowledgeBase) -> Dict[str, List[str]]:
    """Entities named in the latest message, by type, known ids only, in order."""
    subject: Dict[str, List[str]] = {}
    for entity in tracker.latest_message.get("entities") or []:
        etype, value = entity.get("entity"), entity.get("value")
        if etype in knowledge.ENTITY_TYPES and isinstance(value, str) and kb.entity(etype, value):
            values = subject.setdefault(etype, [])
            if value not in values:
                values.append(value)
    return subject


def context_subject(tracker: Tracker) -> Dict[str, List[str]]:
    """What the conversation was about before this message (from the slots)."""
    subject: Dict[str, List[str]] = {}
    for etype in knowledge.ENTITY_TYPES:
        value = tracker.get_slot(etype)
        if value:
            subject[etype] = list(value) if isinstance(value, list) else [value]
    return subject


def recent_subject(tracker: Tracker) -> Dict[str, List[str]]:
    """Every entity the conversation has been about, newest first, by type (from past slot events).

    "what does a biller do?" / "and coders?" / "which one pays more?": the slot
    holds only the coder by then, the biller is in the history.
    """
    subject: Dict[str, List[str]] = {}
    for event in reversed(tracker.events or []):
        if event.get("event") != "slot" or event.get("name") not in knowledge.ENTITY_TYPES:
            continue
        value = event.get("value")
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str) and item not in subject.setdefault(event["name"], []):
                subject[event["name"]].append(item)
    return {etype: ids for etype, ids in subject.items() if ids}


def context_reading(tracker: Tracker) -> Dict[str, Any]:
    """The second reading of a follow-up, with its subject in front (:mod:`bot.nlu.context`); {} if none."""
    raw = tracker.latest_message.get(context.KEY)
    return raw if isinstance(raw, dict) else {}


def read_in_context(tracker: Tracker) -> bool:
    """Whether the message's intent is that of its second reading (:func:`bot.nlu.context.promoted_intent`)."""
    return bool(context_reading(tracker).get(context.REPLACED))


def _scores(raw: Any) -> Dict[str, float]:
    if not isinstance(raw, dict):
        return {}
    return {k: float(v) for k, v in raw.items() if isinstance(k, str) and isinstance(v, (int, float))}


def fact_scores(tracker: Tracker, in_context: bool = False) -> Dict[str, float]:
    """``{fact id: similarity}`` for the latest message (from ``FactRanker``); {} if absent or malformed.

    ``in_context``: those of the message read after its subject, when it was.
    """
    raw = context_reading(tracker).get(FACT_SCORES) if in_context else None
    return _scores(tracker.latest_message.get(FACT_SCORES) if raw is None else raw)


def label_scores(tracker: Tracker) -> Dict[str, float]:
    """The fact scores of the second reading's label alone ("CRC:"); {} if absent or malformed."""
    return _scores(context_reading(tracker).get(context.LABEL_SCORES))


def contextual_intent(tracker: Tracker, min_confidence: float) -> str | None:
    """The ``ask_*`` intent of the message read after its subject, if it is that sure of it."""
    intent = context_reading(tracker).get("intent")
    if not isinstance(intent, dict):
        return None
    name, confidence = str(intent.get("name") or ""), intent.get("confidence")
    if name.startswith("ask_") and isinstance(confidence, (int, float)) and confidence >= min_confidence:
        return name
    return None


def best_question(tracker: Tracker) -> str | None:
    """The classifier's best ``ask_*`` intent for the latest message."""
    ranking = tracker.latest_message.get("intent_ranking") or []
    return next((str(r["name"]) for r in ranking if str(r.get("name", "")).startswith("ask_")), None)


def intent_name(tracker: Tracker) -> str | None:
    return (tracker.latest_message.get("intent") or {}).get("name")


def dispatch(dispatcher: CollectingDispatcher, reply: Reply) -> None:
    buttons: List[Dict[str, Any]] = [{"title": b.title, "payload": b.payload} for b in reply.buttons]
    dispatcher.utter_message(text=reply.text, buttons=buttons)


def remember(tracker: Tracker, reply: Reply) -> List[EventType]:
    """Slot events that make ``reply``'s topic and subject the new context."""
    events: List[EventType] = []
    if reply.topic and reply.topic != tracker.get_slot(TOPIC_SLOT):
        events.append(SlotSet(TOPIC_SLOT, reply.topic))
    for etype in knowledge.ENTITY_TYPES:
        new = reply.subject.get(etype) or None
        old = tracker.get_slot(etype) or None
        if new != old:
            events.append(SlotSet(etype, new))
    return events
