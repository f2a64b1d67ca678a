"""What the action server knows of a turn: the NLU reading and the conversation state.

Built from a rasa_sdk ``Tracker`` (:meth:`Turn.from_tracker`), or directly in
tests. Everything the decision (:mod:`bot.dialogue.decide`) reads is here, so
it never touches the tracker.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Dict, List, Mapping

from bot import knowledge
from bot.nlu import context, question, scope
from bot.nlu.relevance import FACT_SCORES
from bot.plan.data import QUESTIONS

Subject = Dict[str, List[str]]
TOPIC_SLOT = context.TOPIC_SLOT


def _scores(raw: Any) -> Dict[str, float]:
    if not isinstance(raw, dict):
        return {}
    return {k: float(v) for k, v in raw.items() if isinstance(k, str) and isinstance(v, (int, float))}


@dataclass(frozen=True)
class Turn:
    """One user message as read by the NLU, with what the conversation was about before it."""

    text: str = ""
    intent: str | None = None
    confidence: float = 0.0
    #: the classifier's ranking, {intent name: confidence}, best first
    ranking: Dict[str, float] = field(default_factory=dict)
    #: entities the message names, by type, known ids only, in order
    said: Subject = field(default_factory=dict)
    #: what the conversation was about before this message (the slots)
    context: Subject = field(default_factory=dict)
    #: the conversation's events (read only for :attr:`history`)
    events: List[Dict[str, Any]] = field(default_factory=list, repr=False)
    topic: str | None = None
    #: {fact id: similarity} for the message (``FactRanker``)
    scores: Dict[str, float] = field(default_factory=dict)
    #: the second reading after the subject in context (:mod:`bot.nlu.context`), {} if none
    reading: Dict[str, Any] = field(default_factory=dict)
    #: another occupation the message weighs this field against ("than nursing")
    compared_with: str | None = None
    #: the person's answers to the plan's questions (the ``plan_*`` slots), {} before any
    plan: Dict[str, str] = field(default_factory=dict)
    #: the readings of a two-part question's parts (:func:`bot.nlu.question.parts`), [] if none
    parts: List[Dict[str, Any]] = field(default_factory=list)

    @cached_property
    def history(self) -> Subject:
        """Every entity the conversation has been about, newest first (only comparisons need it).

        "what does a biller do?" / "and coders?" / "which one pays more?": the slot holds only the coder.
        Read on demand: every other turn would walk the whole conversation for nothing.
        """
        subject: Subject = {}
        for event in reversed(self.events):
            if event.get("event") != "slot" or event.get("name") not in knowledge.ENTITY_TYPES:
                continue
            value = event.get("value")
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, str) and item not in subject.setdefault(event["name"], []):
                    subject[event["name"]].append(item)
        return {etype: ids for etype, ids in subject.items() if ids}

    @cached_property
    def asked_before(self) -> Dict[str, float]:
        """The fact scores of the conversation's previous message (as read after its subject, if it was).

        "and for the RHIA?" after "Do I need a CAHIIM-accredited program for the RHIT?" swaps the credential
        of that question: the RHIA's facts closest to it say what the question asked.
        """
        users = [e for e in self.events if e.get("event") == "user"]
        if len(users) < 2 or not isinstance(users[-2].get("parse_data"), dict):
            return {}
        parsed = users[-2]["parse_data"]
        reading = parsed.get(context.KEY)
        if isinstance(reading, dict) and reading.get(context.REPLACED) and isinstance(reading.get(FACT_SCORES), dict):
            return _scores(reading[FACT_SCORES])
        return _message_scores(parsed)

    @cached_property
    def said_before(self) -> str:
        """What the bot has said in the conversation so far ("tell me more" skips facts already given)."""
        return "\n".join(str(e.get("text") or "") for e in self.events if e.get("event") == "bot")

    # --- the second reading ------------------------------------------------------------------
    @property
    def read_in_context(self) -> bool:
        """Whether the message's intent is that of its second reading."""
        return bool(self.reading.get(context.REPLACED))

    def fact_scores(self, in_context: bool = False) -> Dict[str, float]:
        """The message's fact scores, or (``in_context``) those of its second reading when there is one."""
        raw = self.reading.get(FACT_SCORES) if in_context else None
        return self.scores if raw is None else _scores(raw)

    @property
    def label_scores(self) -> Dict[str, float]:
        """The fact scores of the second reading's label alone ("CRC:")."""
        return _scores(self.reading.get(context.LABEL_SCORES))

    def contextual_intent(self, min_confidence: float) -> str | None:
        """The ``ask_*`` intent of the second reading, if it is that sure of it."""
        intent = self.reading.get("intent")
        if not isinstance(intent, dict):
            return None
        name, confidence = str(intent.get("name") or ""), intent.get("confidence")
        if name.startswith("ask_") and isinstance(confidence, (int, float)) and confidence >= min_confidence:
            return name
        return None

    def part_questions(self, min_confidence: float) -> List[tuple[str, Dict[str, float]]]:
        """The ``ask_*`` intents and fact scores of a two-part question's parts read at least this surely."""
        asked = []
        for part in self.parts:
            intent = part.get("intent")
            if not isinstance(intent, dict):
                continue
            name, confidence = str(intent.get("name") or ""), intent.get("confidence")
            if name.startswith("ask_") and isinstance(confidence, (int, float)) and confidence >= min_confidence:
                asked.append((name, _scores(part.get(FACT_SCORES))))
        return asked

    @property
    def best_question(self) -> str | None:
        """The classifier's best ``ask_*`` intent for the message."""
        return next((name for name in self.ranking if name.startswith("ask_")), None)

    # --- from a tracker ----------------------------------------------------------------------
    @classmethod
    def from_tracker(cls, tracker: Any, kb: knowledge.KnowledgeBase) -> Turn:
        latest: Mapping[str, Any] = tracker.latest_message or {}
        intent = latest.get("intent") or {}
        reading = latest.get(context.KEY)
        compared = latest.get(scope.COMPARED_KEY)
        return cls(
            text=str(latest.get("text") or ""),
            intent=intent.get("name"),
            confidence=float(intent.get("confidence") or 0.0),
            ranking={str(r.get("name", "")): float(r.get("confidence") or 0.0)
                     for r in latest.get("intent_ranking") or [] if isinstance(r, dict)},
            said=_said(latest, kb),
            context=_context(tracker),
            events=list(tracker.events or []),
            topic=tracker.get_slot(TOPIC_SLOT),
            scores=_message_scores(latest),
            reading=reading if isinstance(reading, dict) else {},
            compared_with=str(compared) if compared else None,
            plan={q: str(v) for q in QUESTIONS if (v := tracker.get_slot(q))},
            parts=_dicts(latest.get(question.PARTS_KEY)),
        )


def _message_scores(parse_data: Mapping[str, Any]) -> Dict[str, float]:
    """A message's fact scores, merged with its story's question's where it tells a story first."""
    story = parse_data.get(question.KEY) if isinstance(parse_data.get(question.KEY), dict) else {}
    return question.fact_scores(_scores(parse_data.get(FACT_SCORES)), _scores(story.get(FACT_SCORES)))


def _dicts(raw: Any) -> List[Dict[str, Any]]:
    return [item for item in raw if isinstance(item, dict)] if isinstance(raw, list) else []


def _said(latest: Mapping[str, Any], kb: knowledge.KnowledgeBase) -> Subject:
    subject: Subject = {}
    for entity in latest.get("entities") or []:
        etype, value = entity.get("entity"), entity.get("value")
        if etype in knowledge.ENTITY_TYPES and isinstance(value, str) and kb.entity(etype, value):
            values = subject.setdefault(etype, [])
            if value not in values:
                values.append(value)
    return subject


def _context(tracker: Any) -> Subject:
    subject: Subject = {}
    for etype in knowledge.ENTITY_TYPES:
        value = tracker.get_slot(etype)
        if value:
            subject[etype] = list(value) if isinstance(value, list) else [value]
    return subject
