"""Free-text answers to the plan's questions: "I have my GED" -> ``plan_education: high_school``.

The phrases are data (``answers`` in ``knowledge/plan.yml``), matched with the
same matcher as the knowledge base's names: whole words, the longest phrase
wins ("didn't finish high school" over "high school"), one-letter typos in
longer words forgiven. The NLU's knowledge-base entities count too ("I'm a
biller" names the role ``biller``: a billing goal).
"""

from __future__ import annotations

import re
from typing import Any, Dict, Iterable, Mapping, Tuple

from bot.nlu.matching import EntityMatcher, Match, normalise
from bot.plan.data import QUESTIONS, PlanData

#: The label of the answers that skip any question.
ANY = "any"
#: The label of a phrase several questions know ("hospital": experience, or where to work).
SHARED = "shared"


_MATCHERS: Dict[Tuple[int, str], EntityMatcher] = {}


def _matcher(data: PlanData, question: str) -> EntityMatcher:
    """One matcher per question: "hospital" is a setting to one and experience to another."""
    key = (id(data), question)
    if key not in _MATCHERS:
        forms = [(phrase, question, option)
                 for option, phrases in data.answers.phrases(question, asked=True).items() for phrase in phrases]
        forms += [(phrase, ANY, option) for option, phrases in data.answers.any.items() for phrase in phrases]
        _MATCHERS[key] = EntityMatcher(forms, fuzzy_min_length=5)
    return _MATCHERS[key]


def prepare(data: PlanData) -> None:
    """Build every matcher now (the action server's start-up), not on a person's first answer.

    Each takes a blank spaCy pipeline and its phrases: about 93 ms per
    question on this project's machine, so the first answer to each question
    after a start was that much slower, on every action server of a cluster.
    """
    _joint_matcher(data)
    for question in QUESTIONS:
        _matcher(data, question)


def _best(matches: Iterable[Match]) -> str | None:
    """The answer of the longest phrase; the first of equally long ones."""
    chosen = None
    for match in matches:
        if chosen is None or len(match.text) > len(chosen.text):
            chosen = match
    return chosen.value if chosen else None


def _joint_matcher(data: PlanData) -> EntityMatcher:
    """Every question's phrases at once (``when_asked`` too, so "stay at home mom" is never "at home"),
    longest first across questions; a phrase of several questions, or one taken only when asked, is
    labelled ``shared`` and answers none of them here."""
    key = (id(data), "")
    if key not in _MATCHERS:
        owners: Dict[str, set] = {}
        for question in QUESTIONS:
            for option, phrases in data.answers.phrases(question, asked=True).items():
                for phrase in phrases:
                    owners.setdefault(" ".join(phrase.lower().split()), set()).add((question, option))
            for phrases in data.answers.when_asked.get(question, {}).values():
                for phrase in phrases:
                    owners[" ".join(phrase.lower().split())].add((SHARED, SHARED))
        forms = [(phrase, *(next(iter(o)) if len(o) == 1 else (SHARED, SHARED))) for phrase, o in owners.items()]
        _MATCHERS[key] = EntityMatcher(forms, fuzzy_min_length=5)
    return _MATCHERS[key]


#: A negation cancels the phrases after it up to the end of its clause: "anywhere but a big busy
#: medical center", "never sat at a desk or worked around patients", "I can't do this all day, but a
#: couple nights a week". Chosen on three blind sets of free-text answers (the first rule, two words
#: after the cue, missed the longer ones); "no, I'm a CNA" is not one ("no" is no cue).
_CLAUSE_END = re.compile(r"[,.;:!?]|\b(but|so|though|although|however|because)\b", re.IGNORECASE)


def _negated(data: PlanData, text: str, match: Match) -> bool:
    """Whether a negation in ``data`` cancels ``match``, or ``match`` is part of one ("anywhere but")."""
    norm = normalise(text)  # same offsets as ``text``
    for cue in data.answers.negations:
        pattern = rf"(?<![a-z0-9]){re.escape(normalise(cue))}(?![a-z0-9])"
        for hit in re.finditer(pattern, norm):
            if hit.start() <= match.start and match.end <= hit.end():
                return True
            if hit.end() > match.start:
                break
            if not _CLAUSE_END.search(text, hit.end(), match.start):
                return True
    return False


def read(
    data: PlanData,
    text: str,
    entities: Iterable[Mapping[str, Any]] = (),
    requested: str | None = None,
    unanswered: Iterable[str] = QUESTIONS,
) -> Dict[str, str]:
    """The answers ``text`` gives, by question.

    The question just asked (``requested``) takes any of its answers, typos and
    "not sure" included. Other questions not answered yet take only an exact
    phrase that no other question knows: "I have my GED and I'm a CNA" answers
    the experience question too, but "I worked in a hospital" does not say where
    the person wants to work, as "hospital" answers both questions. So the
    message that starts the plan ("I have a GED and want to work from home")
    can answer several at once; "not sure" never skips a question nobody asked.
    A negated phrase answers nothing ("anywhere but a hospital, ideally at home").
    """
    found: Dict[str, str] = {}
    text = text or ""
    joint = [m for m in _joint_matcher(data).find(text) if not _negated(data, text, m)]
    if requested:
        # a phrase inside a longer one of another question is not this question's ("stay at home mom")
        matches = [m for m in _matcher(data, requested).find(text)
                   if not _negated(data, text, m)
                   and not any(j.start <= m.start and m.end <= j.end and j.end - j.start > m.end - m.start
                               for j in joint)]
        answer = _best(m for m in matches if m.entity in (requested, ANY)) or _from_entities(data, requested, entities)
        if answer is not None:
            found[requested] = answer
    others = [q for q in unanswered if q != requested]
    for match in joint:
        if match.entity in others and not match.fuzzy and match.entity not in found:
            found[match.entity] = match.value
    for question in others:
        if question not in found and (answer := _from_entities(data, question, entities)):
            found[question] = answer
    return found


def _from_entities(data: PlanData, question: str, entities: Iterable[Mapping[str, Any]]) -> str | None:
    by_type = data.answers.entities.get(question, {})
    for entity in entities:
        answer = by_type.get(str(entity.get("entity")), {}).get(str(entity.get("value")))
        if answer:
            return answer
    return None
