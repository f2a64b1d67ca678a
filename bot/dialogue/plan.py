"""Turns of the plan conversation: an answer, an interruption, or something to ask again.

While ``plan_form`` asks its questions, every message is first offered to the
form's validation action, which asks :func:`read_plan_turn` what it is:

==========================================  ==============================================================
the message                                 what happens
==========================================  ==============================================================
"stop", "start over", "make me a plan",     ``INTERRUPTION``: the form rejects the turn and a rule acts on
an emergency                                it (leaves the form, restarts it, 911)
an answer to the question ("I have my       ``ANSWER``: the slot is set, the next question is asked; the
GED", "evenings only", "not sure")          message that starts the plan answers every question it names
a question ("how much does the CPC pay?"),  ``INTERRUPTION``: a rule answers it as always, then the form
even one that names an answer ("can I work  asks its question again (after "bye" the rule leaves the
from home?"), or a request ("help", "bye")  form); a short reply ("hospital?") is an answer
anything else ("blorp", "ok", a statement   ``RETRY`` the first time (the question again, with its buttons),
read as a question: "my kids are in         ``SKIP`` the second ("not sure")
school all day" as ``ask_duration``)
==========================================  ==============================================================

Once the plan is given (the ``topic`` slot is ``plan``), :func:`decide_after_plan`
answers "how long will the whole thing take?" from the plan and says why the plan
has its credential when asked ("why the CCS and not the CPC?").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping

from bot import feedback, knowledge
from bot.answers import Reply
from bot.dialogue.turn import Turn
from bot.plan import build, reader
from bot.plan.data import NOT_SURE, QUESTIONS, PlanData

ANSWER = "answer"
INTERRUPTION = "interruption"
RETRY = "retry"
SKIP = "skip"

#: Intents acted on whatever the message also says ("no, stop").
ALWAYS_INTERRUPT = frozenset({"stop", "start_over", "make_plan", "medical_emergency"})
#: Requests with a reply of their own, acted on when the message answers nothing: the rule
#: replies, then the form asks again ("bye": the rule leaves the form). A goodbye is one of
#: them, not an interruption whatever else is said: "evenings only" in reply to the time
#: question read as ``goodbye`` (0.32) after a retraining and ended the plan.
REQUESTS = frozenset({"help", "bot_challenge", "complain", "goodbye", "out_of_scope_medical",
                      "out_of_scope_code_lookup", "other_language",
                      *feedback.INTENTS})  # a click on an old "Was this helpful?" row
#: Questions (``ask_*`` too): answered the same way, but only when the message is shaped as a
#: question. "my kids are in school all day" read as ``ask_duration`` is an answer the form
#: cannot use, not a question to answer. ``inform``, ``affirm``, ``deny``, ``greet``, ``thanks``, declines
#: and fallbacks are neither: "ok" or "blorp" in reply to a question is asked again.
QUESTION_INTENTS = frozenset({"more", "compare"})
#: A question, not an answer: "can I work from home?" names an answer but asks something. Without a
#: question mark only a question word counts: "did reception and data entry for years" is an answer.
_QUESTION = re.compile(r"\?|^\s*(how|what|why|when|where|which|who)\b", re.IGNORECASE)
#: ... unless it is this short: "hospital?", "GED I guess?".
SHORT_REPLY_WORDS = 3


@dataclass(frozen=True)
class PlanTurn:
    kind: str
    answers: Dict[str, str] = field(default_factory=dict)


def is_question(turn: Turn) -> bool:
    intent = turn.intent or ""
    return (intent in QUESTION_INTENTS or intent.startswith("ask_")) and bool(_QUESTION.search(turn.text))


def interrupts(turn: Turn) -> bool:
    """Whether a message that answers nothing has a reply of its own."""
    return turn.intent in REQUESTS or is_question(turn)


def _entities(turn: Turn) -> List[Dict[str, str]]:
    return [{"entity": etype, "value": value} for etype, values in turn.said.items() for value in values]


def read_plan_turn(
    turn: Turn,
    data: PlanData,
    requested: str | None,
    answered: Mapping[str, Any],
    retried: str | None = None,
) -> PlanTurn:
    """What a message means to the form (see the table above)."""
    unanswered = [q for q in QUESTIONS if not answered.get(q)]
    found = reader.read(data, turn.text, _entities(turn), requested, unanswered)
    if requested is None:  # the message that starts the plan: whatever it answers, if anything
        return PlanTurn(ANSWER, found)
    if turn.intent in ALWAYS_INTERRUPT:
        return PlanTurn(INTERRUPTION)
    asks = is_question(turn) and len(turn.text.split()) > SHORT_REPLY_WORDS
    if found and not asks:
        return PlanTurn(ANSWER, found)
    if interrupts(turn):
        return PlanTurn(INTERRUPTION)
    if retried != requested:
        return PlanTurn(RETRY)
    return PlanTurn(SKIP, {requested: NOT_SURE})


# --- after the plan -----------------------------------------------------------------------

_WHY = re.compile(r"\bwhy\b", re.IGNORECASE)


def is_after_plan(turn: Turn) -> bool:
    """Whether the last answer was the plan (the answers are in ``turn.plan``)."""
    return turn.topic == build.PLAN_TOPIC and bool(turn.plan)


def decide_after_plan(turn: Turn, kb: knowledge.KnowledgeBase, data: PlanData, reply: Reply | None) -> Reply | None:
    """The plan's own answer to a question about it (see :func:`is_after_plan`), or ``reply`` with the
    plan's reason in front."""
    plan = build.make(kb, data, turn.plan)
    if turn.intent == "ask_duration" and not turn.said:
        return build.timeline_reply(kb, plan)
    named = set(turn.said.get("certification", []))
    if reply is not None and _WHY.search(turn.text) and named & set(plan.choice.credentials):
        return Reply(f"{build.reason(plan, kb)}\n\n{reply.text}", reply.buttons, reply.topic, reply.subject)
    return reply
