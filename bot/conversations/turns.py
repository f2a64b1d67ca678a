"""What each user message got, read from the stored events of its conversation.

One :class:`Message` per user message, with its outcome, decided from what the
bot did until the next user message:

==============  ==========================================================================
outcome         when
==============  ==========================================================================
``feedback``    a click on the "Was this helpful?" row (:mod:`bot.feedback`); not a question
``fallback``    the bot was not sure what was meant (``utter_fallback``)
``declined``    outside what the bot covers (``utter_out_of_scope``, medical advice, a code
                look-up, another language)
``complaint``   the person said the bot got it wrong (intent ``complain``)
``answered``    an answer from the knowledge base (``action_answer``, ``action_compare``,
                ``action_plan``, or a follow-up ``action_decline`` answered)
``other``       small talk, greetings, the plan's questions, an emergency
==============  ==========================================================================

Each message also carries the topic the conversation was about after it (the
``topic`` slot), and links that the report needs: the answered message a thumbs
up or down was about, the message a complaint was about, and the words someone
typed after a thumbs down ("What were you looking for?").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, Iterable, Iterator, List

import ujson  # a Rasa dependency; 2-3x faster than json on the user events' parse data

from bot import feedback
from bot.conversations import store
from bot.conversations.store import Row
from bot.nlu import scope

FALLBACK_ACTIONS = frozenset({"utter_fallback"})
DECLINE_ACTIONS = frozenset({"utter_out_of_scope", "utter_out_of_scope_medical", "utter_code_lookup",
                             "utter_english_only"})
ANSWER_ACTIONS = frozenset({"action_answer", "action_compare", "action_plan"})
#: ``action_decline`` answers a follow-up when it sets ``declined`` to false.
DECLINE_ACTION = "action_decline"
COMPLAINT_INTENT = "complain"

OUTCOMES = ("answered", "declined", "fallback", "complaint", "other")


@dataclass(slots=True)
class Message:
    conversation: str
    time: float
    text: str
    intent: str
    confidence: float
    channel: str = ""
    outcome: str = "other"
    topic: str | None = None
    #: a declined message that names the field (its words, or an entity the NLU found)
    names_field: bool = False
    #: "helpful" / "not_helpful": the feedback this answered message got
    feedback: str | None = None
    #: the message a complaint after this one was about is this one
    complained: bool = False
    #: what the person typed after a thumbs down on this message's answer
    comment: str | None = None
    # -- while the bot's turn is read
    _actions: List[str] = field(default_factory=list, repr=False)
    _declined: bool | None = field(default=None, repr=False)
    _bot_messages: int = field(default=0, repr=False)
    _feedback_set: str | None = field(default=None, repr=False)


#: Later messages that can still change a message: a click (the next), the words after a thumbs
#: down (the one after), a complaint (the next). A message is final once this many have come.
_LINK_REACH = 2


@dataclass(slots=True)
class _Conversation:
    held: List[Message] = field(default_factory=list)
    topic: str | None = None
    pending: Message | None = None
    #: the latest answered message (a thumbs up or down is about it)
    answered: Message | None = None
    #: the latest message before the pending one (a complaint is about it)
    previous: Message | None = None
    #: the message whose answer got a thumbs down, until the next message
    wants_comment: Message | None = None


def _outcome(message: Message) -> str:
    actions = set(message._actions)
    if message.intent in feedback.INTENTS:
        return "feedback"
    if actions & FALLBACK_ACTIONS:
        return "fallback"
    if actions & DECLINE_ACTIONS:
        return "declined"
    if message.intent == COMPLAINT_INTENT:
        return "complaint"
    answered = actions & ANSWER_ACTIONS or (DECLINE_ACTION in actions and message._declined is False)
    if answered and message._bot_messages:
        return "answered"
    return "other"


def _user(sender: str, timestamp: float, intent_name: str | None, data: Dict) -> Message:
    parse = data.get("parse_data") or {}
    intent = parse.get("intent") or {}
    text = data.get("text") or ""
    entities = {e.get("entity") for e in parse.get("entities") or [] if isinstance(e, dict)}
    return Message(
        conversation=sender, time=timestamp or 0.0, text=text,
        intent=intent_name or intent.get("name") or "", confidence=float(intent.get("confidence") or 0.0),
        channel=data.get("input_channel") or "",
        names_field=bool(entities & scope.FIELD_ENTITY_TYPES),  # or its words: looked at once declined
    )


def _json(raw: str | None) -> Dict:
    try:
        data = ujson.loads(raw or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def read(rows: Iterable[Row]) -> Iterator[Message]:
    """The user messages of the events in ``rows`` (any mix of conversations, in stored order).

    A message is yielded once nothing later can change it: when
    :data:`_LINK_REACH` more messages of its conversation have come, or at the
    end of the stream. Memory grows with the number of conversations, not of
    messages.
    """
    conversations: Dict[str, _Conversation] = {}
    for sender, kind, timestamp, intent_name, action_name, raw in rows:
        conv = conversations.get(sender)
        if conv is None:
            conv = conversations[sender] = _Conversation()
        if kind == "user":
            if conv.pending is not None:
                conv.held.append(_finish(conv))
                if len(conv.held) > _LINK_REACH:
                    yield conv.held.pop(0)
            conv.pending = _user(sender, timestamp, intent_name, _json(raw))
            continue
        pending = conv.pending
        if kind == "action":
            if pending is not None and action_name and action_name != "action_listen":
                pending._actions.append(action_name)
        elif kind == "bot":
            if pending is not None:
                pending._bot_messages += 1
        elif kind == "slot":
            if action_name is not None and action_name not in store.SLOTS_READ:
                continue  # Rasa's SQL store keeps the slot's name in action_name: no JSON to parse
            data = _json(raw)
            name, value = data.get("name"), data.get("value")
            if name == "topic":
                conv.topic = value
            elif name == "declined" and pending is not None:
                pending._declined = value
            elif name == feedback.SLOT and pending is not None and value:
                pending._feedback_set = value
        elif kind in ("session_started", "restart"):
            conv.topic = None
    for conv in conversations.values():
        if conv.pending is not None:
            conv.held.append(_finish(conv))
        yield from conv.held


def _finish(conv: _Conversation) -> Message:
    message, conv.pending = conv.pending, None
    assert message is not None
    message.outcome = _outcome(message)
    message.topic = conv.topic
    if message.outcome == "declined" and not message.names_field:
        message.names_field = scope.names_the_field(message.text)
    if conv.wants_comment is not None and message.outcome != "feedback":
        conv.wants_comment.comment = message.text
        conv.wants_comment = None
    if message.outcome == "feedback":
        if message._feedback_set and conv.answered is not None:
            conv.answered.feedback = message._feedback_set
            if message._feedback_set == feedback.VALUES[feedback.NOT_HELPFUL]:
                conv.wants_comment = conv.answered
    elif message.outcome == "complaint":
        if conv.previous is not None and conv.previous.outcome != "complaint":
            conv.previous.complained = True
            conv.previous.comment = conv.previous.comment or message.text
    if message.outcome == "answered":
        conv.answered = message
    if message.outcome != "feedback":
        conv.previous = message
    message._actions = []
    return message
