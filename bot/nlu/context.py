"""Reading a short follow-up together with what the conversation is about.

The NLU sees one message at a time. "How do I get it?" after the CRC matches no
fact well and reads as nothing in particular (``nlu_fallback``); prefixed with
the subject in context, "CRC: how do I get it", the same classifier reads
``ask_certification`` (0.63) and the encoder puts it next to the CRC's facts
(0.71). Measured on such prefixes: "what do I need to qualify" after the RHIT
went from 0.53 to 0.76 for the RHIT's facts, "who runs it" after HCPCS from
0.48 to 0.83 for CMS maintaining HCPCS.

The Rasa server parses such a message a second time with the prefix
(:mod:`bot.rasa_patches`) and stores that reading under :data:`KEY` in the
parse data; the actions use it to pick the intent and facts of a follow-up.
A prefix also makes out-of-scope messages look in scope ("CPC: what should I
take for it" reads as a certification question), so the first reading still
decides what is declined by rule (medical advice, emergencies, code look-ups).
The second reading replaces the first only where the first could not tell what
was asked (:func:`promoted_intent`): "how do I get past that?" after talk of
having no experience reads ``ask_career_advancement`` at 0.33 and, as "Getting
experience: how do I get past that", ``ask_experience`` at 1.0. The label
alone ("CRC:") is parsed too, once per label and model, because the prefix by
itself lifts the subject's facts: a request that is not about the subject
("CPC: is it going to rain?") scores them well below the label alone.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Mapping

from bot.knowledge import ENTITY_TYPES, KnowledgeBase
from bot.nlu import scope

#: Where the second reading goes in the parse data (and ``latest_message`` in the action server).
KEY = "context_reading"
#: Words by which a message points back at what the conversation is about.
REFERS_BACK = re.compile(r"\b(it|its|it's|that|this|those|these|they|them|one|ones)\b", re.IGNORECASE)
#: "the codes", "the exam": a definite reference to something of the subject's ("how long are the codes"
#: after ICD-10-CM), as sure a pointer back as "those codes".
DEFINITE = re.compile(
    r"\bthe (codes?|exam|test|cert|certs|certification|credential|designation|program|course|degree|letters?)\b",
    re.IGNORECASE,
)
#: "any other places?" after where billers and coders work asks for more of what was just said.
ANOTHER = re.compile(r"\bother\b", re.IGNORECASE)
#: A bare "why?" or "how come?" asks about what was just said as surely as "why is that?".
BARE_WHY = re.compile(r"^\W*(why|how come|why so|how so)\W*$", re.IGNORECASE)
#: Entity types that qualify a topic rather than make a subject of their own (a job, a level, a place).
QUALIFIERS = ("role", "experience_level", "place")
#: Longer messages say what they are about.
MAX_WORDS = 8
#: The slot holding the current topic (the actions set it).
TOPIC_SLOT = "topic"
#: Intents kept from the second reading.
RANKING_LENGTH = 5
#: A second reading this sure of a question replaces a first reading that could not tell.
PROMOTE_MIN = 0.8
#: Small talk the classifier may read a short question as ("why is that" -> affirm 0.53, "how low are we
#: talking" after the lowest-paying states -> bot_challenge 0.35): replaced like ``help`` when the message is
#: worded as a question and the reading is below PROMOTE_MIN.
SMALL_TALK = frozenset({"affirm", "deny", "greet", "goodbye", "thanks", "bot_challenge"})
#: "that's not what I asked": answered with an apology and a request to rephrase; worded as a
#: question, replaced by a sure second reading however sure it is itself.
COMPLAINT = "complain"
QUESTION = re.compile(
    r"\?\s*$|^\s*(why|how|what|whats|what's|when|where|who|which|is|are|does|do|can|could|will|would|should)\b",
    re.IGNORECASE,
)
#: Where the first reading's intent goes when the second replaces it.
REPLACED = "replaced_intent"
#: The fact scores of the subject's label alone ("CRC:"): what the prefix by itself matches.
LABEL_SCORES = "label_fact_scores"


def subject_label(slots: Mapping[str, Any], kb: KnowledgeBase, with_topic: bool = False) -> str | None:
    """"CRC", "CPC and CCS", or the topic's title when no entity is in context.

    The topic joins the entities' names when only a job or a level is in context, or when ``with_topic`` asks.
    """
    labels: List[str] = []
    for etype in ENTITY_TYPES:
        value = slots.get(etype)
        for entity_id in (value if isinstance(value, list) else [value] if value else []):
            entity = kb.entity(etype, str(entity_id))
            if entity is not None:
                labels.append(entity.short_label)
    topic = kb.topics.get(str(slots.get(TOPIC_SLOT) or ""))
    qualifiers_only = all(not slots.get(etype) for etype in ENTITY_TYPES if etype not in QUALIFIERS)
    if labels and topic is not None and (with_topic or qualifiers_only):
        # a job or a level says whom the talk is about, the topic what: "Coder, working from home: what do i need"
        return f"{' and '.join(labels)}, {topic.in_sentence}"
    if labels:
        return " and ".join(labels)
    return topic.title if topic is not None else None


def points_back(parse_data: Mapping[str, Any]) -> bool:
    """A short message that points back ("it", "that", "the exam", "other") and names no subject,
    or a short question the first reading could not tell the meaning of (:func:`unsure_question`).

    One that names a credential, body or code set says what it is about; a job or a
    level only narrows what it points back at ("which ones are entry level" after job titles).
    """
    text = str(parse_data.get("text") or "").strip()
    if not text or text.startswith("/") or len(text.split()) > MAX_WORDS:
        return False
    if any(e.get("entity") not in QUALIFIERS for e in parse_data.get("entities") or []):
        return False
    return bool(REFERS_BACK.search(text) or BARE_WHY.match(text) or DEFINITE.search(text) or ANOTHER.search(text)
                or unsure_question(parse_data))


def unsure_question(parse_data: Mapping[str, Any]) -> bool:
    """A short question without a pointer word that the first reading could not tell the meaning of.

    "why though" after the AI answer reads ``affirm`` 0.44, "online?" after how long it
    takes ``affirm`` 0.39: small talk, ``help`` or a complaint below :data:`PROMOTE_MIN`, for
    a message worded as a question. :func:`promoted_intent` lets a sure second reading
    replace these; a sure ``help`` or complaint ("what can you do?") is not read again.
    """
    first = parse_data.get("intent") or {}
    name, confidence = str(first.get("name") or ""), float(first.get("confidence") or 0.0)
    if not QUESTION.search(str(parse_data.get("text") or "")):
        return False
    return name in SMALL_TALK | {"help", COMPLAINT} and confidence < PROMOTE_MIN


def contextual_text(parse_data: Mapping[str, Any], slots: Mapping[str, Any], kb: KnowledgeBase) -> str | None:
    """The message prefixed with the subject in context, if it :func:`points_back` and there is one."""
    if not points_back(parse_data):
        return None
    text = str(parse_data.get("text")).strip()
    if unfounded_health_decline(parse_data):
        # "how do i get rid of that" after the CPC-A: what was just said (the designation) is what "that" is,
        # and the entity's name alone ("CPC:") does not say so (ask_apprentice 0.58 vs 1.00 with the topic)
        label = subject_label(slots, kb, with_topic=True)
        return f"{label}: {text}" if label else None
    # "why?" asks about what was just said, which the topic names better than the things it was about
    label = (subject_label({TOPIC_SLOT: slots.get(TOPIC_SLOT)}, kb) if BARE_WHY.match(text) else None) or subject_label(
        slots, kb)
    return f"{label}: {text}" if label else None


def label_of(text: str) -> str:
    """"CRC:" of "CRC: how do I get it": parsed alone, it shows how far the prefix by itself lifts the facts."""
    return text.split(": ", 1)[0] + ":"


def reading(text: str, parse_data: Mapping[str, Any],
            label_scores: Mapping[str, float] | None = None) -> Dict[str, Any]:
    """What the actions need of the second parse: its text, intents and fact scores, and the label's."""
    return {
        "text": text,
        "intent": parse_data.get("intent") or {},
        "intent_ranking": list(parse_data.get("intent_ranking") or [])[:RANKING_LENGTH],
        "fact_scores": dict(parse_data.get("fact_scores") or {}),
        LABEL_SCORES: dict(label_scores or {}),
    }


#: Words of an emergency that are no word about the body: a classifier's emergency reading with one stands.
ALARM = re.compile(
    r"\b(emergenc\w*|911|ambulance|passed out|pass(ing)? out|faint\w*|collaps\w*|unconscious|wake up|overdos\w*|"
    r"suicid\w*|kill|die|dying|dead|seizure\w*|stroke|hurry|help me|danger\w*)\b",
    re.IGNORECASE,
)


def unfounded_health_decline(parse_data: Mapping[str, Any]) -> bool:
    """The classifier's own medical reading of a message with no word about health or the body, and no rule's.

    Its doubtful emergency reading too ("why is that happening" after the job outlook read
    ``medical_emergency`` 0.32), when no word of an emergency (:data:`ALARM`) is in it either.
    """
    first = parse_data.get("intent") or {}
    text = str(parse_data.get("text") or "")
    if not text or scope.mentions_health(text) or scope.override(text) is not None:
        return False
    if first.get("name") == scope.EMERGENCY:
        return float(first.get("confidence") or 0.0) < scope.DOUBTFUL_DECLINE and not ALARM.search(text)
    return first.get("name") == scope.MEDICAL


def promoted_intent(parse_data: Mapping[str, Any], second: Mapping[str, Any]) -> Dict[str, Any] | None:
    """The second reading's intent, where it should stand for the message's own; else None.

    Only an ``ask_*`` intent at :data:`PROMOTE_MIN` or more replaces, and only a
    first reading that could not tell what was asked: a question intent below
    ``DOUBTFUL_DECLINE``, or ``help`` ("what does that cover?" after HCPCS reads
    as a question about the bot), or small talk below :data:`PROMOTE_MIN` when the
    message is worded as a question ("why is that" reads as ``affirm``; "yes that's
    it" stays), or a complaint worded as a question, however sure. Declines are never
    replaced, with one exception: the classifier's own medical reading of a message
    with no word about health or the body ("how do i get rid of it" after the
    CPC-A), or its doubtful emergency reading of one
    (:func:`unfounded_health_decline`). Their rules run on the first reading, and
    ``action_decline`` reads the second itself.
    """
    first, again = parse_data.get("intent") or {}, second.get("intent") or {}
    name, confidence = str(again.get("name") or ""), float(again.get("confidence") or 0.0)
    first_name, first_confidence = str(first.get("name") or ""), float(first.get("confidence") or 0.0)
    if not name.startswith("ask_") or confidence < PROMOTE_MIN or name == first_name:
        return None
    if first_name == "help" or (first_name.startswith("ask_") and first_confidence < scope.DOUBTFUL_DECLINE):
        return {"name": name, "confidence": confidence}
    text = str(parse_data.get("text") or "")
    if first_name in SMALL_TALK and first_confidence < PROMOTE_MIN and QUESTION.search(text):
        return {"name": name, "confidence": confidence}  # "why is that" after the outlook is no "yes"
    if first_name == COMPLAINT and QUESTION.search(text):
        # "why is that happening" after the outlook reads as a complaint (0.85) for its "that": a question
        # the subject makes sure of is a question, however sure the complaint reading
        return {"name": name, "confidence": confidence}
    if unfounded_health_decline(parse_data):
        return {"name": name, "confidence": confidence}  # "how do i get rid of it" after the CPC-A
    return None
