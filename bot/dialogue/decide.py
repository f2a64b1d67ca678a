"""The decision for one turn in the action server: what to answer, compare or decline.

See the decision table in :mod:`bot.dialogue`. Every function here reads a
:class:`~bot.dialogue.turn.Turn` and the knowledge base; none sees a tracker.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Dict

from bot import answers, knowledge
from bot.answers import Reply
from bot.dialogue.turn import Subject, Turn
from bot.nlu import question, scope
from bot.nlu.context import REFERS_BACK

# --- decisions ------------------------------------------------------------------------------

ANSWER = "answer"
COMPARE = "compare"
ASK_FOR_TWO = "ask_for_two"
DECLINE = "decline"


@dataclass(frozen=True)
class Decision:
    """What the turn gets: ``kind`` (one of the constants above), the reply (none for a decline)."""

    kind: str
    reply: Reply | None = None


# --- which topic ----------------------------------------------------------------------------

#: Entity types every topic applies to: a follow-up naming only these keeps the topic
#: even where the knowledge base has nothing specific (it then gives the general picture).
FIELD_WIDE_TYPES = {"role"}


def choose_topic(kb: knowledge.KnowledgeBase, intent: str, turn: Turn, subject: Subject) -> str:
    """``ask_salary`` -> ``salary``; ``inform`` keeps the topic, or picks one for the entity."""
    if intent.startswith("ask_") and intent[4:] in kb.topics:
        return intent[4:]
    current = turn.topic
    if current in kb.topics and (not subject or any(answers.relevant_subject(kb, current, subject))):
        return current
    if current in kb.topics and set(subject) <= FIELD_WIDE_TYPES:
        return current  # "where do coders work?" / "and billers?": every topic applies to both jobs
    if intent == "inform":
        # "and for the RHIA?" after a question the topic cannot answer about the RHIA: the topic of the
        # RHIA's fact closest to that question and this message together, when the question comes near one
        swapped = answers.closest_fact_about(kb, subject, turn.scores, turn.asked_before)
        if swapped is not None:
            return swapped.topic
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


def issuer_topic(topic: str, said: Subject, context: Subject, text: str) -> str:
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


def resolve_topic(kb: knowledge.KnowledgeBase, turn: Turn, scores: Dict[str, float], intent: str | None = None) -> str:
    """The topic to answer: the intent's, adjusted for what a follow-up is about."""
    said, context = turn.said, turn.context
    topic = issuer_topic(choose_topic(kb, intent or turn.intent or "", turn, said), said, context, turn.text)
    # "how many characters?" after ICD-10-PCS: ask_duration's topic knows nothing about code sets;
    # "is it worth getting the RHIT?" read as ask_overview: the overview knows nothing about the RHIT
    pointed = {etype: ids for etype, ids in (said or context).items() if etype not in FIELD_WIDE_TYPES}
    chosen = answers.topic_for_context(kb, topic, pointed, scores)
    # "how long are those codes" after ICD-10-CM: read alone, a duration question and no code-set
    # fact stands out; as "ICD-10-CM: ..." both the intent and the closest facts say code sets.
    # Both must agree, as the prefix alone lifts every fact about the subject ("CPC: is that
    # stressful?" is closest to the CPC exam's facts, but still reads as ask_stress).
    second = turn.contextual_intent(0.0)
    if chosen == topic and second is not None and second != f"ask_{topic}":
        again = answers.topic_for_context(kb, topic, pointed, turn.fact_scores(in_context=True))
        if f"ask_{again}" == second:
            return again
    return chosen


# --- follow-ups the classifier declined -----------------------------------------------------

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


def doubtful_and_short(turn: Turn) -> bool:
    """Short enough for a bare follow-up ("how many characters") and declined without conviction.

    Doubtful: the intent's confidence is below ``DOUBTFUL_DECLINE``. An
    ``nlu_fallback`` carries the threshold (0.3) or the vocabulary coverage, both
    below it; one from an answer-or-decline tie carries the top confidence.
    """
    return len(turn.text.split()) <= BARE_FOLLOW_UP_MAX_WORDS and turn.confidence < scope.DOUBTFUL_DECLINE


def subject_gain(kb: knowledge.KnowledgeBase, turn: Turn) -> float:
    """How much closer to the subject's facts the message read after its subject is than the label alone.

    0 when no entity is in context (the label is then a topic's title).
    """
    alone = turn.label_scores
    if not alone:
        return 0.0
    return (answers.best_score_about(kb, turn.context, turn.fact_scores(in_context=True))
            - answers.best_score_about(kb, turn.context, alone))


def follow_up_intent(kb: knowledge.KnowledgeBase, turn: Turn) -> str | None:
    """The topic intent of a short follow-up that the classifier declined as out of scope or could not read.

    The classifier never sees the conversation, so "who can sit for it?" after
    the CCS reads as out_of_scope. Only a short message that names nothing and
    trips none of the decline rules of :mod:`bot.nlu.scope` is answered.
    One that points back at the subject ("it", "that") was read a second time
    after it (:mod:`bot.nlu.context`): that reading's ``ask_*`` intent answers it
    when it is sure enough, and anything else declines it.
    Without such a reading, the classifier's best ``ask_*`` intent answers a
    message that points back, or a bare follow-up (:func:`doubtful_and_short`)
    that matches a fact about the subject. After ``nlu_fallback`` it must match
    such a fact either way ("blorp it" is not a question about the subject).
    """
    text, context = turn.text, turn.context
    if turn.said or text.startswith("/") or scope.override(text) is not None:
        return None
    if (len(text.split()) <= FOLLOW_UP_MAX_WORDS and WHO_ISSUES.search(text) and REFERS_BACK.search(text)
            and any(context.get(etype) for etype in ISSUED_TYPES)):
        # "who runs that one?" after the CPC-P asks for its issuer, whatever the classifier made of it
        return "ask_organization"
    best_asked = turn.best_question
    if turn.reading:
        # read after its subject, the message says whether it asks about it ("CPC: tell me a
        # joke about it" reads as out_of_scope) and, where the first reading was unsure, what it asks
        in_context = turn.contextual_intent(CONTEXT_INTENT_MIN)
        if in_context is None or subject_gain(kb, turn) < CONTEXT_MIN_GAIN:
            return None
        return in_context if turn.intent == "nlu_fallback" or best_asked is None else best_asked
    if not context or len(text.split()) > FOLLOW_UP_MAX_WORDS:
        return None
    points_back = bool(REFERS_BACK.search(text))
    if not points_back and not doubtful_and_short(turn):
        return None
    if not points_back or turn.intent == "nlu_fallback":
        if answers.best_score_about(kb, context, turn.fact_scores()) < BARE_FOLLOW_UP_MIN_SCORE:
            return None
    return best_asked


# --- answers --------------------------------------------------------------------------------

#: Entity types that qualify a question rather than make its subject: a level, a job or a place.
CARRIED_TYPES = ("experience_level", "role", "place")


def carried_over(intent: str | None, said: Subject, context: Subject) -> Subject:
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


def answer(kb: knowledge.KnowledgeBase, turn: Turn, intent: str | None = None,
           subject: Subject | None = None, in_context: bool = False) -> Decision:
    """Answer on the topic chosen from what the message names; ``subject`` (default: that or the context) narrows it.

    ``in_context``: facts are ranked by the message as read after its subject.
    """
    scores = turn.fact_scores(in_context)
    topic = resolve_topic(kb, turn, scores, intent)
    reply = answers.answer_topic(kb, topic, subject or turn.said or turn.context, scores,
                                 compared_with=turn.compared_with)
    return Decision(ANSWER, reply)


def field_side(kb: knowledge.KnowledgeBase, turn: Turn) -> Decision:
    """This field's side of a comparison with another occupation (:func:`field_side_intent`).

    The overview is told in its topic's ``unasked_order``, as for its button: the work, its
    pay and growth, the schooling, demand. The words of a choice between careers ("Which
    Career Suits You Best?") would rank the field's list of draws first and leave out its pay.
    """
    intent = field_side_intent(kb, turn)
    if intent != OVERVIEW or OVERVIEW[4:] not in kb.topics:
        return answer(kb, turn, intent)
    reply = answers.answer_topic(kb, OVERVIEW[4:], turn.said or turn.context, None, compared_with=turn.compared_with)
    return Decision(ANSWER, reply)


def decide_question(kb: knowledge.KnowledgeBase, turn: Turn) -> Decision:
    """An ``ask_*`` or ``inform`` turn: the topic follows what the message names ("what about AHIMA?")."""
    if turn.compared_with and turn.intent in WHAT_IT_IS:
        return field_side(kb, turn)
    subject = carried_over(turn.intent, turn.said, turn.context)
    decision = answer(kb, turn, subject=subject, in_context=turn.read_in_context)
    other = other_part(kb, turn, decision.reply, subject or turn.said or turn.context)
    return decision if other is None else Decision(ANSWER, answers.both_parts(decision.reply, other))


def other_part(kb: knowledge.KnowledgeBase, turn: Turn, first: Reply | None, subject: Subject) -> Reply | None:
    """The answer to the other half of a two-part question ("How long is the CPB exam and what does it cost?").

    The message's intent answers one part; a part read surely (``question.SURE``, the bar
    a story's question meets) as a question on another topic gets its own answer, about
    the same subject. One extra answer at most.
    """
    if first is None:
        return None
    for intent, scores in turn.part_questions(question.SURE):
        if intent[4:] in kb.topics and intent[4:] != first.topic:
            return answers.answer_topic(kb, intent[4:], subject, scores, given=first.text)
    return None


#: Readings that ask only what something is. Weighed against another occupation ("Medical Transcription
#: vs Medical Coding", "Medical Biller and Coder vs Pharmacy Technician"), they get the field's overview:
#: what the work is, its pay, demand and training, the things a choice between two careers turns on.
#: Chosen on the real-question dev set's ``rv*`` items (bench/real_questions.yml).
WHAT_IT_IS = ("compare", "ask_role_duties", "ask_job_titles", "ask_overview")
OVERVIEW = "ask_overview"


#: Read as ``compare``, a comparison with another occupation asks a question in particular only where the
#: classifier gives that question this much: "Medical Coder or Medical Assistant? ... which one will build the
#: life I want" reads compare 1.0 and ask_schools 0.0. Chosen on the real-question dev set (bench/README.md,
#: "The field's side of a comparison").
FIELD_SIDE_QUESTION_MIN = 0.1


def field_side_intent(kb: knowledge.KnowledgeBase, turn: Turn) -> str | None:
    """The question this field's side of a comparison with another occupation answers.

    The classifier's best question where it asks something in particular ("... Salaries in 2026",
    "better money than nursing?"); the overview where it only asks what the jobs are, or which to choose.
    """
    best = turn.best_question
    if (best and best not in WHAT_IT_IS and turn.intent == "compare"
            and turn.ranking.get(best, 0.0) >= FIELD_SIDE_QUESTION_MIN):
        return best
    return OVERVIEW if OVERVIEW[4:] in kb.topics else best


def decide_more(kb: knowledge.KnowledgeBase, turn: Turn) -> Decision:
    """``more`` ("tell me more"): facts of the topic in context the conversation has not had yet."""
    topic = turn.topic if turn.topic in kb.topics else "overview"
    return Decision(ANSWER, answers.answer_more(kb, topic, turn.context, turn.said_before))


def decide_decline(kb: knowledge.KnowledgeBase, turn: Turn) -> Decision:
    """``out_of_scope`` or ``nlu_fallback``: a follow-up about the conversation's subject is answered; else declined."""
    intent = follow_up_intent(kb, turn)
    if intent is None:
        return Decision(DECLINE)
    return answer(kb, turn, intent, in_context=True)


# --- comparisons ----------------------------------------------------------------------------


def comparison_subject(said: Subject, context: Subject, history: Subject | None = None) -> Subject:
    """Two things to compare: both from the message, one said and one from context,
    or ("which one pays more?") the two already being discussed, or else the last
    two of one kind the conversation was about (``history``, newest first)."""
    if answers.comparable(said):
        return said
    for etype, ids in said.items():
        earlier = [i for i in context.get(etype, []) if i not in ids]
        if earlier:
            return {etype: earlier[:1] + ids}
    if not said and answers.comparable(context):
        return context
    if not said and history:
        for etype in context or history:  # the kind being discussed now first
            ids = history.get(etype, [])
            if len(ids) >= 2:
                return {etype: list(reversed(ids[:2]))}  # in the order they came up
    return said


def decide_comparison(kb: knowledge.KnowledgeBase, turn: Turn) -> Decision:
    """``compare``: side by side; one thing named gets its card; another occupation gets this side."""
    if turn.compared_with:
        # "Medical Biller and Coder vs Pharmacy Technician": the field is one side, named by its jobs; the
        # other is no entity of the knowledge base, so only the field's side can be answered
        return field_side(kb, turn)
    said = turn.said or answers.implied_comparison(kb, turn.text)
    subject = comparison_subject(said, turn.context, turn.history)
    # "which one is easiest?" after AHIMA's credentials: those credentials
    pair = answers.comparable(subject) or answers.comparable(answers.credentials_to_compare(kb, said or turn.context))
    if pair is None:
        if said:
            # "is the CRC worth it?": one thing named and nothing to set beside it: say what it is;
            # "I'm a biller, will the CPB change my salary?": things of two kinds, no two of one:
            # the question about them, not a request to name two things already named
            return answer(kb, replace(turn, said=said), intent="inform")
        return Decision(ASK_FOR_TWO, answers.needs_two_things(kb))
    asked = answers.comparison_topic(kb, *pair, turn.scores)  # "which one pays more?" -> salary
    etype, ids = pair
    if etype in answers.WHERE_TO_CHECK:
        # "Optum vs Kaiser, which pays coders more?": the sources speak for neither, so side by side would
        # only repeat the names; the question asked, about both, said to be general, and where to look
        topic = asked or knowledge.DEFAULT_TOPIC_FOR_TYPE[etype]
        return answer(kb, turn, f"ask_{topic}", subject={etype: ids})
    return Decision(COMPARE, answers.answer_comparison(
        kb, *pair, topic_id=asked or (turn.topic if turn.topic in kb.topics else None), scores=turn.scores))


def remembered(turn: Turn, reply: Reply) -> Dict[str, object]:
    """The slot values that make ``reply``'s topic and subject the new context (only those that change)."""
    changes: Dict[str, object] = {}
    if reply.topic and reply.topic != turn.topic:
        changes["topic"] = reply.topic
    for etype in knowledge.ENTITY_TYPES:
        new = reply.subject.get(etype) or None
        old = turn.context.get(etype) or None
        if new != old:
            changes[etype] = new
    return changes


