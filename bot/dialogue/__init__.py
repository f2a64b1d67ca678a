"""How a turn is understood and what it is about: the decision table.

A message goes through three stages. Each row says which stage decides what, and
where; no later stage second-guesses an earlier one except where a row says so.

==================================  ==========================================  ===================================
what the message is                 decided by                                  what the person gets
==================================  ==========================================  ===================================
a typed ``/intent{...}``            ``InputGuard`` (NLU): only the bot's own    the button's answer, or the text
                                    button payloads are honoured                read as words
an emergency, another language,     ``ScopeRules`` (NLU, :mod:`bot.nlu.scope`)  911/988, "English only", "I can't
a code look-up, medical advice,     over the classifier's reading               look up codes", "ask a doctor",
another occupation only                                                         the out-of-scope reply
gibberish, no letters               ``VocabularyGate`` (NLU)                    "not sure what you mean" + topics
a story, then a question            :mod:`bot.nlu.rereading`: the question's    the question's answer
                                    sure reading (>= 0.8) is the intent,
                                    unless the whole was surely declined
a story naming several credentials, :func:`bot.nlu.question.decided_intent`:    the named credentials side by side
then "which one?"                   ``compare``
a short follow-up pointing back     :mod:`bot.nlu.rereading`: read again as     that question's answer about the
("how much does it pay?"), or a     "CCS: how much does it pay?"; the second    subject in context
short question read as unsure       reading's intent where the first could
small talk ("why though")           not tell
small talk, a complaint             ``data/rules.yml`` -> ``utter_*``           a fixed reply from ``domain.yml``
``ask_*``, ``inform``               :func:`decide` -> ``decide_question``       facts of the intent's topic about
                                                                                what is named, or else what the
                                                                                conversation is about
``inform`` naming what the topic    ``choose_topic``: the topic of the named    "and for the RHIA?" after the
has nothing on                      thing's fact closest to the message and     RHIT's schooling: the RHIA's
                                    the question before, added                  schooling, not its card
two questions at once ("how long    :mod:`bot.nlu.rereading` reads each part;   the intent's answer, then the other
is the CPB exam and what does it    ``decide_question`` -> ``other_part``: a     part's (each with its sources); the
cost?")                             part read surely (>= 0.8) on another topic   first topic stays the context
``more`` ("tell me more")           :func:`decide` -> ``decide_more``           the topic's next facts about the
                                                                                subject that were not given yet
``compare``                         :func:`decide` -> ``decide_comparison``     side by side, or what is named
                                                                                (one thing, or things of two kinds),
                                                                                or "tell me the two things"; two
                                                                                schools or employers: the general
                                                                                answer, said to be general
this field weighed against another  ``ScopeRules`` finds the occupation;         this field's side, said to be only
occupation ("Medical Transcription   :func:`decide` answers ``compare`` and       that: the question asked, or the
vs Medical Coding", "Medical Coder  what-is-it readings on this side             overview (work, pay, demand)
or Medical Assistant?")
``out_of_scope``, ``nlu_fallback``  :func:`decide` -> ``decide_decline``        a short follow-up about the subject
                                                                                is answered; else the decline or
                                                                                fallback reply (a rule on the
                                                                                ``declined`` slot) and topics
``make_plan`` ("help me make a      ``data/plan_rules.yml`` -> ``plan_form``;   up to five questions, then the
plan"), and every message while     each message read by                        plan (:mod:`bot.plan.build`);
its questions are asked             `bot.dialogue.plan` (answer,                a question asked meanwhile is
                                    interruption, ask again, skip)              answered, then asked again
a question right after the plan     :func:`decide` -> ``decide_after_plan``     "how long?": the plan's timeline;
                                                                                "why the CCS?": the plan's reason
                                                                                in front of the usual answer
==================================  ==========================================  ===================================

In the action server, :func:`decide` is the one entry point: actions read the
tracker into a :class:`Turn`, call it, and dispatch the :class:`Decision`.
Which topic answers, what a follow-up points at and which facts lead are
decided in :mod:`bot.dialogue.decide` and :mod:`bot.answers`.
"""

from __future__ import annotations

from bot import knowledge
from bot.dialogue.decide import (
    ANSWER,
    ASK_FOR_TWO,
    COMPARE,
    DECLINE,
    Decision,
    decide_comparison,
    decide_decline,
    decide_more,
    decide_question,
    remembered,
)
from bot.dialogue.plan import decide_after_plan, is_after_plan
from bot.dialogue.turn import Turn
from bot.plan import data as plan_data

__all__ = ["ANSWER", "ASK_FOR_TWO", "COMPARE", "DECLINE", "Decision", "Turn", "decide", "remembered"]

#: Intents the action server decides (every other intent has a fixed reply by rule).
DECLINED = frozenset({"out_of_scope", "nlu_fallback"})
#: "Tell me more", "what else?": more of the topic in context.
MORE = "more"


def decide(turn: Turn, kb: knowledge.KnowledgeBase | None = None) -> Decision:
    """The decision for a turn routed to the action server (see the table above)."""
    kb = kb or knowledge.get()
    decision = _decide(turn, kb)
    if is_after_plan(turn) and decision.kind in (ANSWER, COMPARE):
        reply = decide_after_plan(turn, kb, plan_data.get(), decision.reply)
        return Decision(decision.kind, reply)
    return decision


def _decide(turn: Turn, kb: knowledge.KnowledgeBase) -> Decision:
    if turn.intent == "compare":
        return decide_comparison(kb, turn)
    if turn.intent in DECLINED:
        return decide_decline(kb, turn)
    if turn.intent == MORE:
        return decide_more(kb, turn)
    return decide_question(kb, turn)
