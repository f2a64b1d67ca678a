"""How much of a message is made of words the bot was trained on.

A classifier always picks *some* intent, even for "'; DROP TABLE users;--" or a
question in Spanish, often with high confidence. When fewer than half of a
message's words are known (allowing one typo per word), the bot says it is not
sure instead. Words the knowledge base names (CPC, AHIMA, ...) count as known.
"""

from __future__ import annotations

import re
from typing import Iterable, List, Set

from rapidfuzz import process
from rapidfuzz.distance import OSA

_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?", re.UNICODE)


def words(text: str) -> List[str]:
    return [w for w in _WORD.findall(text.lower()) if len(w) > 1 or w in ("i", "a")]


class Vocabulary:
    def __init__(self, known: Iterable[str]) -> None:
        self.known: Set[str] = set(known)
        self._long = sorted(w for w in self.known if len(w) >= 4)

    def is_known(self, word: str) -> bool:
        if word in self.known:
            return True
        if len(word) < 4:
            return False
        return process.extractOne(word, self._long, scorer=OSA.distance, score_cutoff=1) is not None

    def coverage(self, text: str) -> float:
        """Share of the message's words that are known; 1.0 for a message without words."""
        found = words(text)
        if not found:
            return 1.0
        return sum(self.is_known(w) for w in found) / len(found)
