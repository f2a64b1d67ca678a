"""Answers about one topic: every ``ask_*`` intent, ``inform`` follow-ups, follow-ups read as declines."""

from __future__ import annotations

import re
from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import (
    TOPIC_SLOT,
    best_question,
    context_reading,
    context_subject,
    contextual_intent,
    dispatch,
    fact_scores,
    intent_name,
    label_scores,
    message_subject,
    read_in_context,
    remember,
)
from bot import answers, knowledge
from bot.nlu import scope
from bot.nlu.context import REFERS_BACK

#: Entity types every topic applies to: a follow-up naming only these keeps the topic
#: even where the knowledge base has nothing specific (it then gives the general picture).
FIELD_WIDE_TYPES = {"role"}


def choose_topic(intent: str, tracker: Tracker, subject: Dict[str, List[str]]) -> str:
    """``ask_salary`` -> ``salary``; ``inform`` keeps the topic, or picks one for the entity."""
    kb = knowledge.get()
    if intent.startswith("ask_") and intent[4:] in kb.topics:
        return intent[4:]
    current = tracker.get_slot(TOPIC_SLOT)
    if current in kb.topics and (not subject or any(answers.relevant_subject(kb, current, subject))):
        return current
    if current in kb.topics and set(subject) <= FIELD_WIDE_TYPES:
        return current  # "where do coders work?" / "and billers?": every topic applies to both jobs
    for etype in subject:
        if knowledge.DEFAULT_TOPIC_FOR_TYPE.get(etype) in kb.topics:
            return knowledge.DEFAULT_TOPIC_FOR_TYPE[etype]
    return current if current in kb.topics else "overview"


#: "Who offers it?" / "who maintains CPT?": asked about a credential or a code set, the
#: organisation question is answered by that thing's own card, which names its issuer or owner.
ISSUED_TYPES = ("certification", "coding_system")


#: "Who offers / maintains / runs ...": an issuer question whatever intent it was read as
#: ("who maintains it?" after HCPCS is often classified as a certification question).
WHO_ISSUES = re.compile(
    r"\bwho\b.*\b(offers?|issues?|gives?|grants?|awards?|maintains?|owns?|runs?|publish(es)?|updates?|"
    r"creates?|manages?|oversees?|behind|in charge)\b",  # not "makes": "who makes more with the CPC?"
    re.IGNORECASE,
)


def issuer_topic(topic: str, said: Dict[str, List[str]], context: Dict[str, List[str]], text: str) -> str:
    """The card of the credential or code set asked about, for an organisation or "who issues" question.

    Named in the message ("who offers the CCS?"), or in context when the message
    points back at it ("who maintains it?"); "what are the main organisations?"
    stays general even after talk about the CPC.
    """
    if said.get("organization") or (topic != "organization" and not WHO_ISSUES.search(text or "")):
        return topic
    subject = said if said else (context if REFERS_BACK.search(text or "") else {})
    for etype in ISSUED_TYPES:
        if subject.get(etype):
            return knowledge.DEFAULT_TOPIC_FOR_TYPE[etype]
    return topic


def resolve_topic(kb: knowledge.KnowledgeBase, tracker: Tracker, said: Dict[str, List[str]],
                  context: Dict[str, List[str]], scores: Dict[str, float], intent: str | None = None) -> str:
    """The topic to answer: the intent's, adjusted for what a follow-up is about."""
    text = tracker.latest_message.get("text") or ""
    topic = issuer_topic(choose_topic(intent or intent_name(tracker) or "", tracker, said), said, context, text)
    # "how many characters?" after ICD-10-PCS: ask_duration's topic knows nothing about code sets;
    # "is it worth getting the RHIT?" read as ask_overview: the overview knows nothing about the RHIT
    pointed = {etype: ids for etype, ids in (said or context).items() if etype not in FIELD_WIDE_TYPES}
    chosen = answers.topic_for_context(kb, topic, pointed, scores)
    # "how long are those codes" after ICD-10-CM: read alone, a duration question and no code-set
    # fact stands out; as "ICD-10-CM: ..." both the intent and the closest facts say code sets.
    # Both must agree, as the prefix alone lifts every fact about the subject ("CPC: is that
    # stressful?" is closest to the CPC exam's facts, but still reads as ask_stress).
    second = contextual_intent(tracker, 0.0)
    if chosen == topic and second is not None and second != f"ask_{topic}":
        again = answers.topic_for_context(kb, topic, pointed, fact_scores(tracker, in_context=True))
        if f"ask_{again}" == second:
            return again
    return chosen


#: A follow-up is short: "who can sit for it?", "how many characters".
FOLLOW_UP_MAX_WORDS = 6
#: One that does not point back ("how many characters") must be shorter still, read as
#: out of scope without conviction, and match a fact about the subject at least this well.
BARE_FOLLOW_UP_MAX_WORDS = 4
BARE_FOLLOW_UP_MIN_SCORE = 0.35
#: A declined follow-up read after its subject ("CRC: how do I get it") is answered when
#: that reading is an ``ask_*`` intent at least this sure ("CPC: blorp it" reads as ``inform``).
CONTEXT_INTENT_MIN = 0.5
#: ... and when it matches the subject's facts nearly as well as the subject's label alone
#: ("CPC:") does, because the prefix by itself lifts them. A question about the subject keeps
#: them about where the label put them; a request about something else drags them down
#: ("CPC: is it going to rain?" reads as ask_outlook 0.78, but its best CPC fact scores 0.46
#: where "CPC:" alone scores 0.80). The threshold and the probes it was chosen on: issue 4's note.
CONTEXT_MIN_GAIN = -0.15
#: Set by ``action_decline``: when true the rules decline (``utter_out_of_scope``,
#: or ``utter_fallback`` after ``nlu_fallback``).
DECLINED_SLOT = "declined"


def doubtful_and_short(tracker: Tracker, text: str) -> bool:
    """Short enough for a bare follow-up ("how many characters") and declined without conviction.

    Doubtful: the intent's confidence is below ``DOUBTFUL_DECLINE``. An
    ``nlu_fallback`` carries the threshold (0.3) or the vocabulary coverage, both
    below it; one from an answer-or-decline tie carries the top confidence.
    """
    confidence = float((tracker.latest_message.get("intent") or {}).get("confidence") or 0.0)
    return len(text.split()) <= BARE_FOLLOW_UP_MAX_WORDS and confidence < scope.DOUBTFUL_DECLINE


def subject_gain(tracker: Tracker, context: Dict[str, List[str]]) -> float:
    """How much closer to the subject's facts the message read after its subject is than the label alone.

    0 when no entity is in context (the label is then a topic's title).
    """
    kb, alone = knowledge.get(), label_scores(tracker)
    if not alone:
        return 0.0
    return answers.best_score_about(kb, context, fact_scores(tracker, in_context=True)) - answers.best_score_about(
        kb, context, alone)


def follow_up_intent(tracker: Tracker, said: Dict[str, List[str]], context: Dict[str, List[str]]) -> str | None:
    """The topic intent of a short follow-up that the classifier declined as out of scope or could not read.

    The classifier never sees the conversation, so "who can sit for it?" after
    the CCS reads as out_of_scope. Only a short message that names nothing and
    trips none of the decline rules of :mod:`bot.nlu.scope` is answered.
    One that points back at the subject ("it", "that") was read a second time
    after it (:mod:`bot.nlu.context`): that reading's ``ask_*`` intent answers it
    when it is sure enough, and anything else declines it. Requests about the
    subject can still read as questions ("CPC: who won it last year" reads as
    ask_certification), as they all did before that second reading.
    Without such a reading, the classifier's best ``ask_*`` intent answers a
    message that points back, or a bare follow-up (:func:`doubtful_and_short`)
    that matches a fact about the subject. After ``nlu_fallback`` it must match
    such a fact either way ("blorp it" is not a question about the subject).
    """
    text = tracker.latest_message.get("text") or ""
    if said or text.startswith("/") or scope.override(text) is not None:
        return None
    if (len(text.split()) <= FOLLOW_UP_MAX_WORDS and WHO_ISSUES.search(text) and REFERS_BACK.search(text)
            and any(context.get(etype) for etype in ISSUED_TYPES)):
        # "who runs that one?" after the CPC-P asks for its issuer, whatever the classifier made of
        # it (ask_job_titles 0.30, a hair from the fallback threshold)
        return "ask_organization"
    best_asked = best_question(tracker)
    if context_reading(tracker):
        # read after its subject, the message says whether it asks about it ("CPC: tell me a
        # joke about it" reads as inform) and, where the first reading was unsure, what it asks
        # ("CRC: how do I get it" reads as ask_certification); a decline's own runner-up stays the
        # more specific ("who can sit for it?": ask_exam, where "CCS: ..." leans to ask_certification)
        in_context = contextual_intent(tracker, CONTEXT_INTENT_MIN)
        if in_context is None or subject_gain(tracker, context) < CONTEXT_MIN_GAIN:
            return None
        return in_context if intent_name(tracker) == "nlu_fallback" or best_asked is None else best_asked
    if not context or len(text.split()) > FOLLOW_UP_MAX_WORDS:
        return None
    points_back = bool(REFERS_BACK.search(text))
    if not points_back and not doubtful_and_short(tracker, text):
        return None
    if not points_back or intent_name(tracker) == "nlu_fallback":
        scores = fact_scores(tracker)
        if answers.best_score_about(knowledge.get(), context, scores) < BARE_FOLLOW_UP_MIN_SCORE:
            return None
    return best_asked


def answer(dispatcher: CollectingDispatcher, tracker: Tracker, said: Dict[str, List[str]],
           context: Dict[str, List[str]], intent: str | None = None,
           subject: Dict[str, List[str]] | None = None, in_context: bool = False) -> List[EventType]:
    """Answer on the topic chosen from what the message names; ``subject`` (default: that or the context) narrows it.

    ``in_context``: facts are ranked by the message as read after its subject (:mod:`bot.nlu.context`).
    """
    kb = knowledge.get()
    scores = fact_scores(tracker, in_context)
    topic = resolve_topic(kb, tracker, said, context, scores, intent)
    compared_with = tracker.latest_message.get(scope.COMPARED_KEY)
    reply = answers.answer_topic(kb, topic, subject or said or context, scores,
                                 compared_with=str(compared_with) if compared_with else None)
    dispatch(dispatcher, reply)
    return remember(tracker, reply)


#: Entity types that qualify a question rather than make its subject: a level or a job.
CARRIED_TYPES = ("experience_level", "role")


def carried_over(intent: str | None, said: Dict[str, List[str]], context: Dict[str, List[str]]) -> Dict[str, List[str]]:
    """"and after 5 years?" then "what about billers": an ``inform`` follow-up swaps one thing.

    The context's level or job stays unless the message names one (experienced,
    then billers: experienced billers' pay). A credential, body, code set or
    education path in context is the subject, which a new name replaces ("what
    about AHIMA?" after the CPC is about AHIMA). A question of its own
    (``ask_*``) starts from what it names.
    """
    if intent != "inform" or not said:
        return said
    kept = {etype: ids for etype, ids in context.items() if etype in CARRIED_TYPES and etype not in said}
    return {**kept, **said}


class ActionAnswer(Action):
    def name(self) -> str:
        return "action_answer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        said, context = message_subject(tracker, knowledge.get()), context_subject(tracker)
        # the topic follows what the message names ("what about AHIMA?" is about AHIMA);
        # a level or job carried over from the context only narrows the answer
        # where the intent came from the message read after its subject, so do the facts
        return answer(dispatcher, tracker, said, context, subject=carried_over(intent_name(tracker), said, context),
                      in_context=read_in_context(tracker))


class ActionDecline(Action):
    """``out_of_scope`` or ``nlu_fallback``: a follow-up (:func:`follow_up_intent`) is answered; else declined.

    It says nothing when declining: it sets ``declined`` and a rule then says
    ``utter_out_of_scope`` (or ``utter_fallback`` and the topic buttons), so the
    wording stays in domain.yml and the responses stay in rules where
    ``rasa data validate`` sees them.
    """

    def name(self) -> str:
        return "action_decline"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        said, context = message_subject(tracker, knowledge.get()), context_subject(tracker)
        intent = follow_up_intent(tracker, said, context)
        if intent is None:
            return [SlotSet(DECLINED_SLOT, True)]
        return [*answer(dispatcher, tracker, said, context, intent, in_context=True), SlotSet(DECLINED_SLOT, False)]
