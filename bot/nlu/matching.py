"""Finds knowledge-base entities in text: exact phrases via spaCy, typos via rapidfuzz.

Pure Python, independent of Rasa, so it can be unit-tested and reused by the
benchmark. The matcher is built from every name, abbreviation and alias in the
knowledge base, so a certification added to the YAML is recognised without any
NLU change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Dict, Iterable, List, Tuple

import spacy
from rapidfuzz import process
from rapidfuzz.distance import OSA
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from bot.nlu.spelling import SHORT_FORMS

#: Punctuation that ends a phrase: a typo-tolerant match never spans it ("ICD-10, CPT").
_BOUNDARIES = re.compile(r"[,;:!?()\[\]{}\"“”…]")

# Same-length replacement keeps character offsets valid: "ICD-10-CM" -> "icd 10 cm". Typographic
# marks glued to a name count too: "CPC, CCS…", "CPC®", "CPB™", "“CPC”".
_SEPARATORS = str.maketrans({c: " " for c in "-–—/._'’‘`,;:!?()[]{}\"“”…®™©*+&#"})

#: Words close to an alias that must never be "corrected" into it ("codes" -> "coder").
_PROTECTED = frozenset(
    """code codes coded coding coders bill bills billed billing biller claims claim
    course courses career careers degree degrees remote certs cert exam exams
    cost costs price level levels years year month months about there these
    where which their other experience experiences experienced associated
    association associations certified certifying specialist specialists
    coordinator insurance records record entry enter senior junior
    manager managers management cover covers covered covering
    kaiser human humans""".split()  # Kaiser (an employer) is not Keiser University; "human" is not Humana
)


def normalise(text: str) -> str:
    """Lower-case and turn separators into spaces, keeping every offset."""
    return text.lower().translate(_SEPARATORS)


def _collapse(text: str) -> str:
    return " ".join(normalise(text).split())


_NUMBERS = {w: n for n, w in enumerate("zero one two three four five six seven eight nine ten".split())}
_COUNT = r"(?P<count>(?P<n>\d{1,2}|" + "|".join(_NUMBERS) + r")\+?\s*(?:years?|yrs?)\b)"
#: "after 3 years", "with four years of experience", "2 yrs on the job": years of experience, which name a
#: level; "after 2 years of school" or "a 2 year degree" do not.
_YEARS_OF_EXPERIENCE = (
    re.compile(
        r"\b(?:after|with|once i (?:have|get)|when i have|i have|having|got|at)\s+"
        r"(?:(?:about|around|roughly|like|maybe|over|more than|almost|nearly)\s+)?" + _COUNT +
        r"(?!\s+(?:of\s+)?(?:school|college|stud\w*|training|classes|coursework|degree|program|course))",
        re.IGNORECASE),
    re.compile(_COUNT + r"\s+(?:of\s+)?(?:experience|exp|work|working|in the field|on the job)\b", re.IGNORECASE),
)


@dataclass(frozen=True)
class Match:
    start: int
    end: int
    text: str
    entity: str
    value: str
    fuzzy: bool = False


class EntityMatcher:
    """Phrase matching over normalised text, then fuzzy matching of what is left."""

    def __init__(
        self,
        forms: Iterable[Tuple[str, str, str]],
        fuzzy_min_length: int = 5,
        year_spans: Iterable[Tuple[int, int | None, str, str]] = (),
    ) -> None:
        """``year_spans``: (first, last, entity type, id) of levels that span years of experience."""
        self.year_spans = list(year_spans)
        self.nlp = spacy.blank("en")
        self.matcher = PhraseMatcher(self.nlp.vocab, attr="ORTH")
        self.forms: Dict[str, Tuple[str, str]] = {}
        for text, etype, value in forms:
            key = _collapse(text)
            if key:
                self.forms.setdefault(key, (etype, value))
        for key, (etype, value) in self.forms.items():
            self.matcher.add(f"{etype}|{value}", [Doc(self.nlp.vocab, words=key.split())])
        self.fuzzy_min_length = fuzzy_min_length
        # typo candidates are compared with forms of the same number of words
        self._fuzzy_keys: Dict[int, List[str]] = {}
        for key in self.forms:
            if len(key) >= fuzzy_min_length:
                self._fuzzy_keys.setdefault(key.count(" ") + 1, []).append(key)
        self._max_words = max((k.count(" ") + 1 for k in self.forms), default=1)

    def find(self, text: str) -> List[Match]:
        """Non-overlapping matches, longest first; exact beats fuzzy on a tie."""
        if not text:
            return []
        norm = normalise(text)
        words = [(m.start(), m.end()) for m in re.finditer(r"\S+", norm)]
        if not words:
            return []
        # chat shorthand reads as the words the names use ("3 to 5 yrs", "billing n coding specialist")
        doc = Doc(self.nlp.vocab, words=[SHORT_FORMS.get(norm[s:e], norm[s:e]) for s, e in words])
        exact: List[Match] = []
        for match_id, start, end in self.matcher(doc):
            label = self.nlp.vocab.strings[match_id]
            exact.append(self._match(text, words[start][0], words[end - 1][1], label, False))
        candidates = exact + self._fuzzy(text, norm, words, exact) + self._years(text)
        chosen: List[Match] = []
        for cand in sorted(candidates, key=lambda m: (m.start - m.end, m.fuzzy, m.start)):
            if all(cand.end <= c.start or c.end <= cand.start for c in chosen):
                chosen.append(cand)
        return sorted(chosen, key=lambda m: m.start)

    def _years(self, text: str) -> List[Match]:
        """The level whose span holds the years of experience a message mentions ("after 3 years": mid)."""
        found: List[Match] = []
        for pattern in _YEARS_OF_EXPERIENCE if self.year_spans else ():
            for hit in pattern.finditer(text):
                count = hit.group("n").lower()
                years = int(count) if count.isdigit() else _NUMBERS[count]
                start, end = hit.span("count")
                for first, last, etype, value in self.year_spans:
                    if first <= years and (last is None or years <= last):
                        found.append(Match(start, end, text[start:end], etype, value))
                        break
        return found

    def _match(self, text: str, start: int, end: int, label: str, fuzzy: bool) -> Match:
        etype, value = label.split("|", 1)
        return Match(start, end, text[start:end], etype, value, fuzzy)

    def _fuzzy(
        self, text: str, norm: str, words: List[Tuple[int, int]], exact: List[Match]
    ) -> List[Match]:
        covered = [
            any(m.start <= s and e <= m.end for m in exact) for s, e in words
        ]
        found: List[Match] = []
        for size in range(1, min(self._max_words, len(words)) + 1):
            for i in range(len(words) - size + 1):
                if all(covered[i : i + size]):
                    continue  # nothing left to correct: all of it matched exactly
                start, end = words[i][0], words[i + size - 1][1]
                if words[i][1] - words[i][0] == 1 or end - words[i + size - 1][0] == 1:
                    continue  # a stray letter at the edge ("CPC's" -> "cpc s")
                if _BOUNDARIES.search(text, start, end):
                    continue
                candidate = " ".join(norm[s:e] for s, e in words[i : i + size])
                hit = self._closest(candidate)
                if hit is not None:
                    etype, value = self.forms[hit]
                    found.append(Match(start, end, text[start:end], etype, value, True))
        return found

    def _closest(self, candidate: str) -> str | None:
        if len(candidate) < self.fuzzy_min_length or candidate in _PROTECTED:
            return None
        if candidate in self.forms:
            return None  # exact forms are the phrase matcher's job
        limit = 1 if len(candidate) < 10 else 2
        keys = self._fuzzy_keys.get(candidate.count(" ") + 1)
        if not keys:
            return None
        hit = process.extractOne(candidate, keys, scorer=OSA.distance, score_cutoff=limit)
        if hit is None:
            return None
        key = hit[0]
        # a typo keeps the first letter and roughly the length of the word
        if key[0] != candidate[0] or abs(len(key) - len(candidate)) > limit:
            return None
        # word by word: short words (abbreviations) must be exact, others one edit away,
        # so "cmrs certification" never becomes "ccs certification"
        for got, want in zip(candidate.split(), key.split(), strict=True):
            if got != want and (len(want) <= 4 or OSA.distance(got, want) > 1):
                return None
        return key
