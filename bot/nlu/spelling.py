"""Reads misspelt domain words as the words they were meant to be ("medcal biling" -> "medical billing").

People type fast: "skils for medcal coder", "can i freelence as a biller". The
count featurizers see "medcal" as a word they never met (its character n-grams
help a little), and MiniLM splits it into word pieces that mean little. This
module maps such a word to the domain word it was meant to be, so that every
featurizer sees the intended word; the message text itself is not changed (the
tracker keeps what the user typed, entity offsets stay valid).

Chat shorthand ("u", "w/o", "yrs") is read as the words meant (``SHORT_FORMS``).
Any other word is left alone when it is a common word of the domain (seen at least
``min_count`` times in the training data and the knowledge base) or a whole
English word of MiniLM's WordPiece vocabulary ("weather", "nurse": real words
that are merely out of the domain must stay what they are). Otherwise it is read
as the most frequent domain word within one edit (two for words of ten
letters or more), if that word is clearly more frequent than the misspelling
itself (the training data holds a few typos on purpose) and than every other
reading at the same distance that keeps the first letter. Plurals of known
words ("crcs") and contractions typed without the apostrophe ("wasnt") stay.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Dict, Iterable, List, Mapping, Sequence, Tuple

from rapidfuzz import process
from rapidfuzz.distance import OSA

_WORD = re.compile(r"[a-z]+")

#: Shorter words are left alone: one edit turns "form" into "from", "cert" into "cart".
MIN_LENGTH = 4
#: Words this long may have two slips ("certifcaton" -> "certification"); shorter ones
#: would too often become another word ("stacking" -> "starting").
TWO_EDITS_FROM = 10
#: Words whose reading is remembered (cleared when full).
CACHE_SIZE = 50_000
#: The chosen reading must be this many times as common as any other reading at the
#: same distance: "wich" is "which" or "with", so it is left as it is.
CLEAR_LEAD = 3


#: Chat shorthand, read as the word meant (the same for training examples and messages).
SHORT_FORMS = {
    "u": "you", "ur": "your", "r": "are", "n": "and", "w": "with", "w/o": "without", "bc": "because",
    "b/c": "because", "cuz": "because", "bcuz": "because", "tho": "though", "thru": "through",
    "pls": "please", "plz": "please", "thx": "thanks", "ppl": "people", "abt": "about", "bout": "about",
    "rly": "really", "wat": "what", "wut": "what", "hrs": "hours", "yr": "year",
    "yrs": "years", "mo": "month", "mos": "months", "govt": "government", "diff": "difference",
    "prob": "probably", "def": "definitely", "exp": "experience", "reqs": "requirements",
    "cert": "certification", "certs": "certifications", "hw": "how", "q": "questions", "qs": "questions",
    "helo": "hello",  # one edit from "help" too, which the training data says more often
}


#: Contractions typed without the apostrophe: real words, never "corrected" ("wasnt" is not "want").
CONTRACTIONS = frozenset(
    """dont wont cant isnt arent wasnt werent doesnt didnt hasnt havent hadnt wouldnt couldnt shouldnt
    im ive youre youve theyre theyve thats whats wheres hows theres heres lets shes hes""".split()
)


class Speller:
    def __init__(self, counts: Mapping[str, int], english: Iterable[str] = (), min_count: int = 3,
                 ratio: int = 5) -> None:
        self.counts: Dict[str, int] = dict(counts)
        self.english = frozenset(english)
        self.min_count = min_count
        self.ratio = ratio
        self._targets: List[str] = sorted(w for w, n in self.counts.items() if n >= min_count and len(w) >= MIN_LENGTH)
        self._cache: Dict[str, str] = {}

    def correct(self, word: str) -> str:
        """The domain word ``word`` was meant to be (lower case), or ``word`` itself."""
        low = word.lower()
        if low in SHORT_FORMS:
            return SHORT_FORMS[low]
        if len(low) < MIN_LENGTH or not low.isalpha() or not low.isascii():
            return word
        if low in self._cache:
            return self._cache[low] or word
        found = self._lookup(low)
        if len(self._cache) >= CACHE_SIZE:
            self._cache.clear()  # a public bot meets endless new words: bound the memory they take
        self._cache[low] = found or ""
        return found or word

    def _lookup(self, low: str) -> str | None:
        own = self.counts.get(low, 0)
        if own >= self.min_count or low in self.english or low in CONTRACTIONS:
            return None
        if low.endswith("s") and self.counts.get(low[:-1], 0) >= self.min_count:
            return None  # a plural of a known word ("crcs"), not a slip for another ("cbcs")
        limit = 2 if len(low) >= TWO_EDITS_FROM else 1
        candidates = process.extract(low, self._targets, scorer=OSA.distance, score_cutoff=limit, limit=None)
        if not candidates:
            return None
        floor = max(self.min_count, self.ratio * own)
        best_distance = min(d for _, d, _ in candidates)
        # a slip keeps the first letter: "emrs" is not "cmrs"
        ranked = sorted(((self.counts[w], w) for w, d, _ in candidates if d == best_distance and w[0] == low[0]),
                        reverse=True)
        if not ranked:
            return None
        count, best = ranked[0]
        if count < floor or (len(ranked) > 1 and ranked[1][0] * CLEAR_LEAD > count):
            return None  # not clearly more common than the word itself, or two likely readings
        return best


def count_words(texts: Iterable[str]) -> Counter:
    counts: Counter = Counter()
    for text in texts:
        counts.update(_WORD.findall(text.lower()))
    return counts


def rewrite(text: str, spans: Sequence[Tuple[int, int]], replacements: Sequence[str | None]
            ) -> Tuple[str, List[Tuple[int, int]]]:
    """``text`` with token ``i`` (at ``spans[i]``) replaced by ``replacements[i]`` when given; new spans."""
    out: List[str] = []
    new_spans: List[Tuple[int, int]] = []
    cursor = 0
    length = 0
    for (start, end), new in zip(spans, replacements, strict=True):
        gap = text[cursor:start]
        out.append(gap)
        length += len(gap)
        piece = text[start:end] if new is None else new
        out.append(piece)
        new_spans.append((length, length + len(piece)))
        length += len(piece)
        cursor = end
    out.append(text[cursor:])
    return "".join(out), new_spans
