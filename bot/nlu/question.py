"""The question at the end of a message that tells a story first.

"I'm a former paralegal, aged 49, taking a terminology course. I keep hearing
about AHIMA's CCS. What are the requirements to sit for that exam?" The
classifier reads the whole message and its background pulls the reading
(``ask_organization``, from "AHIMA"); the question alone reads ``ask_exam``
1.00. "I have an exam on Saturday and a two-hour drive. Will it rain in
Chicago this weekend?" read as an exam question, and alone as out of scope
(0.90). The Rasa server reads the last question of a message of several
sentences beside the message, in the same NLU run (:mod:`bot.nlu.rereading`); where that reading is sure,
it becomes the message's intent. The entities stay those of the whole message:
the background says what "that exam" is.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Mapping

from bot.nlu import scope

#: Where the question's reading goes in the parse data.
KEY = "question_reading"
#: A question read at least this surely decides.
SURE = 0.8
#: A sentence ends at ".", "!" or "?", and at any closing quotes or brackets after it: people quote
#: the question they were asked ('... and she asked me, "Silas, is it actually hard?"').
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'\u201d\u2019)\]]*\s+")
_QUOTES = "\"'\u201c\u201d\u2018\u2019()[] "


def _sentences(text: str) -> List[str]:
    """The message's sentences, without surrounding quotes; empty ones dropped."""
    return [s for s in (part.strip(_QUOTES) for part in _SENTENCE_END.split((text or "").strip())) if s]


def final_question(text: str) -> str | None:
    """The last sentence ending in "?" of a message of two or more sentences, without its quotes; None otherwise."""
    sentences = _sentences(text)
    if len(sentences) < 2 or (text or "").startswith("/"):
        return None
    questions = [s for s in sentences if s.endswith("?") and s.strip("?").strip()]
    return questions[-1] if questions else None


#: A question asking to choose, with nothing of its own to choose between: "Which one is going to
#: actually get me a job?", "How do I possibly choose?". Not "where do I start?": that asks for each
#: one's road (the getting-started answer).
_CHOICE = re.compile(
    r"\b(which one|which of (them|these|those)|how (do|would|should|can|could) (i|you|we|one)"
    r"( \w+){0,2} (choose|pick)|choose between)\b",
    re.IGNORECASE,
)
#: Credentials a story must name for a choice question to weigh them.
CHOICE_MIN_CREDENTIALS = 2
#: Declines that stand whatever the story names.
STANDING_DECLINES = frozenset({scope.EMERGENCY, scope.MEDICAL, scope.CODE_LOOKUP, scope.LANGUAGE})


def choice_among_named(parse_data: Mapping[str, Any], asked: str) -> bool:
    """A story naming several credentials, ending in a question asking which to choose.

    "CBCS, CPC, CCA... they all sound the same. Which one is going to actually get me
    a job?" compares what the story names, however the question alone reads
    (ask_role_duties, ask_getting_started). A question naming a credential itself
    says what it weighs. Chosen on the real-question dev set (bench/README.md,
    "Several credentials, then which one?").
    """
    text = str(parse_data.get("text") or "")
    start = text.rfind(asked) if asked else -1
    if start <= 0 or not _CHOICE.search(asked):
        return False
    credentials = [e for e in parse_data.get("entities") or [] if e.get("entity") == "certification"]
    if any(int(e.get("start") or 0) >= start for e in credentials):
        return False
    return len({e.get("value") for e in credentials}) >= CHOICE_MIN_CREDENTIALS


#: Where the readings of a two-part question's parts go in the parse data.
PARTS_KEY = "parts_reading"
#: The words a question starts with.
_OPENER = r"(?:what(?:'s|s)?|how|where|when|which|who|why|is|are|do|does|did|can|could|will|would|should)"
#: "..., and what does it cost?": a second question joined to the first.
_JOINT = re.compile(rf",?\s+(?:and|&)\s+(?={_OPENER}\b)", re.IGNORECASE)
_ASKS = re.compile(rf"^\W*(?:(?:so|and|but|ok|okay|well|also),?\s+)?{_OPENER}\b", re.IGNORECASE)
#: "Where are the jobs? And what kind of salary can you expect?": a second question in a sentence of its own.
_AND_THEN = re.compile(rf"^(?:and|also|plus),?\s+(?={_OPENER}\b)", re.IGNORECASE)


def parts(text: str) -> List[str]:
    """The two questions of a message that asks two at once; [] otherwise.

    "How long is the CPB exam and what does it cost?" -> ["How long is the CPB exam?",
    "what does it cost?"]; "Where are the jobs? And what kind of salary can you expect?"
    likewise. Only a question joined by "and" to another question counts ("what is
    medical billing and coding?" is one question), and only the first joint is cut.
    """
    sentences = _sentences(text)
    if not sentences or (text or "").startswith("/"):
        return []
    asked_at = [i for i, s in enumerate(sentences) if s.endswith("?")]
    last = asked_at[-1] if asked_at else (0 if len(sentences) == 1 else None)
    if last is None:
        return []
    asked = sentences[last]
    second = _AND_THEN.sub("", asked, count=1)
    if second != asked and last > 0 and sentences[last - 1].endswith("?") and _ASKS.match(sentences[last - 1]):
        return [sentences[last - 1], second]
    asked = asked.rsplit(":", 1)[-1].strip()  # "You're asking two questions: How much time ..., and ...?"
    joint = _JOINT.search(asked)
    if joint is None or not _ASKS.match(asked):
        return []
    first, second = asked[:joint.start()].strip(" ,"), asked[joint.end():].strip()
    if len(first.split()) < 2 or len(second.strip("?").split()) < 2:
        return []
    return [first if first.endswith("?") else f"{first}?", second]


def fact_scores(whole: Mapping[str, float], asked: Mapping[str, float]) -> Dict[str, float]:
    """The fact scores an answer to a story is ranked by: each fact's better score, whole message or question.

    The story's words pull the whole message's scores toward facts about the story
    ("a four-year degree felt like a mountain ... How long does it actually take to get
    certified?" ranks the degrees' length first); the question alone misses what the
    story says it is about. Taking each fact's higher score keeps both. Chosen on the
    real-question dev set against the whole message's scores, the question's alone and
    their mean (bench/README.md, "Scores of a story's question").
    """
    merged = dict(whole)
    for fact_id, score in asked.items():
        merged[fact_id] = max(score, merged.get(fact_id, score))
    return merged


def decided_intent(parse_data: Mapping[str, Any], question: Mapping[str, Any]) -> Dict[str, Any] | None:
    """The question's intent, where it should stand for the whole message's; else None.

    Only a question reading at :data:`SURE` or more, asking about a topic or
    declining (by the classifier: a rule sees only the question), replaces; and
    only a reading of the whole message that answers, or one that only doubts
    (:func:`bot.nlu.scope.doubtful`: a fallback for low confidence, or the classifier's
    own out_of_scope below ``DOUBTFUL_DECLINE``): a long story pulls the classifier
    every way ("laid off from my warehouse job ... What even is medical billing and
    coding?" reads nlu_fallback, its question ask_overview 0.97). A sure decline of the
    whole message (a rule's, run by ``ScopeRules`` on the whole text, or the
    classifier's: an emergency told in the background) always stands. A decline of
    the question alone does not replace a reading of a story about this field's work
    (:func:`bot.nlu.scope.names_the_work`): the question then points back at the story.
    A story naming several credentials and asking which to choose is a comparison of
    them (:func:`choice_among_named`), unless it is an emergency, medical advice, a code
    look-up or another language.
    """
    first, again = parse_data.get("intent") or {}, question.get("intent") or {}
    name, confidence = str(again.get("name") or ""), float(again.get("confidence") or 0.0)
    first_name = str(first.get("name") or "")
    if not first_name:
        return None
    if first_name not in STANDING_DECLINES and choice_among_named(parse_data, str(question.get("text") or "")):
        return {"name": "compare", "confidence": confidence}  # "CBCS, CPC, CCA... Which one gets me a job?"
    if first_name in scope.DECLINES and not (
            name.startswith("ask_") and scope.doubtful(first_name, float(first.get("confidence") or 0.0))):
        return None  # a decline gives way only when doubtful, and only to a question
    if name == first_name or confidence < SURE or not (name.startswith("ask_") or name in scope.DECLINES):
        return None
    if name == "nlu_fallback":
        return None
    if name in scope.DECLINES and scope.override(str(question.get("text") or "")) is not None:
        # a rule declining the question alone lacks the background: "... leaving teaching for medical coding.
        # Teachers are paid terribly here - what would I make?" names another job, but asks about this one
        return None
    if name in scope.DECLINES and scope.names_the_work(str(parse_data.get("text") or "")):
        # so does the classifier's, when the story is about this field's work and the question only points
        # back at it: "Now what?", "What's the real story?", "What's the real number?", "how do I prove I'm
        # worth more?" (bench/real_questions.yml ra082, rb071, rv023, rn017; real_test.yml rn034). Patients'
        # stories about their own bill, which such a decline rightly decides (real_test.yml rz13, rz14, rz19),
        # name only "bill".
        return None
    return {"name": name, "confidence": confidence}
