"""Peer baseline: a plain search box over the seed articles.

The articles are split into passages of a few sentences (headings start a new
passage and stay with the text under them), ranked by TF-IDF cosine similarity
with scikit-learn, and the top passage is "the answer". It has no memory, so a
conversation's turns are scored as if each were asked alone.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Iterable, List, Sequence, Tuple

from bench import ROOT

MAX_SENTENCES = 3
MAX_CHARS = 600
HEADING_CHARS = 80

_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’)]*\s+(?=[\"“‘(]?[A-Z0-9$])")


def seeds_dir() -> Path:
    """``shared/seeds`` beside the repository (``BENCH_SEEDS_DIR`` overrides)."""
    return Path(os.environ.get("BENCH_SEEDS_DIR") or ROOT.parent / "shared" / "seeds")


def sentences(line: str) -> List[str]:
    return [s.strip() for s in _SENTENCE_END.split(line) if s.strip()]


def is_heading(line: str) -> bool:
    """A short line that does not end a sentence: "Table of Contents", "2. Gain Education", "Why code?"."""
    line = line.strip()
    if len(line) > HEADING_CHARS or line.startswith(("-", "•", "*")):
        return False
    return not line.endswith((".", "!", ":")) and len(sentences(line)) == 1


def split_passages(text: str, max_sentences: int = MAX_SENTENCES, max_chars: int = MAX_CHARS) -> List[str]:
    """Passages of at most ``max_sentences`` sentences (or lines) and about ``max_chars``.

    Lines are units of their own (list items stay whole); a long line is split
    into sentences. A heading closes the passage before it and opens the next.
    """
    passages: List[str] = []
    current: List[str] = []
    count = 0

    def flush() -> None:
        nonlocal current, count
        if count:  # a heading alone is not a passage
            passages.append(" ".join(current))
        current, count = [], 0

    for raw in text.splitlines():
        line = " ".join(raw.split())
        if not line:
            continue
        if is_heading(line):
            flush()
            current = [line]
            continue
        for sentence in sentences(line):
            size = sum(len(part) + 1 for part in current)
            if count >= max_sentences or (count and size + len(sentence) > max_chars):
                flush()
            current.append(sentence)
            count += 1
    flush()
    return passages


def load_corpus(folder: Path | None = None) -> List[Tuple[str, str]]:
    """``(file name, passage)`` for every seed article, in file order."""
    folder = folder or seeds_dir()
    files = sorted(folder.glob("*.txt"))
    if not files:
        raise FileNotFoundError(f"no seed articles (*.txt) in {folder}")
    return [(f.name, p) for f in files for p in split_passages(f.read_text(encoding="utf-8"))]


class SearchBox:
    """TF-IDF over passages; ``top`` returns the best passage or "" when nothing matches."""

    def __init__(self, passages: Sequence[str]) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        if not passages:
            raise ValueError("no passages to search")
        self.passages = list(passages)
        self.vectorizer = TfidfVectorizer(lowercase=True, stop_words="english", sublinear_tf=True)
        self.matrix = self.vectorizer.fit_transform(self.passages)

    def search(self, query: str, k: int = 3) -> List[Tuple[float, int]]:
        """Best ``k`` ``(score, passage index)``, best first; only scores above 0."""
        scores = (self.matrix @ self.vectorizer.transform([query]).T).toarray().ravel()
        order = sorted(range(len(scores)), key=lambda i: (-scores[i], i))[:k]
        return [(float(scores[i]), i) for i in order if scores[i] > 0]

    def top(self, query: str) -> str:
        hits = self.search(query, k=1)
        return self.passages[hits[0][1]] if hits else ""


def answer_all(box: SearchBox, questions: Iterable[str]) -> List[str]:
    return [box.top(q) for q in questions]


def run(questions: Sequence, conversations: Sequence) -> dict:
    """Scores the search box on the dev set with the bot's matcher.

    Conversation turns are asked as single questions: a search box has no memory.
    """
    from bench.matching import matches
    from bench.stats import share

    corpus = load_corpus()
    box = SearchBox([p for _, p in corpus])
    singles = [bool(matches(q.expect, box.top(q.text))) for q in questions]
    turns = [bool(matches(t.expect, box.top(t.text))) for c in conversations for t in c.turns]
    result = {
        "corpus": {"articles": len({f for f, _ in corpus}), "passages": len(corpus),
                   "folder": os.path.relpath(seeds_dir(), ROOT)},
        "method": "TF-IDF (sklearn, English stop words, sublinear tf) over passages of <= "
                  f"{MAX_SENTENCES} sentences; top passage is the answer; conversation turns asked "
                  "alone (no memory)",
        "questions": {"passed": sum(singles), "total": len(singles), "score": share(sum(singles), len(singles))},
        "conversation_turns": {"passed": sum(turns), "total": len(turns), "score": share(sum(turns), len(turns))},
        "overall": {"passed": sum(singles) + sum(turns), "total": len(singles) + len(turns),
                    "score": share(sum(singles) + sum(turns), len(singles) + len(turns))},
    }
    o = result["overall"]
    print(f"  search-box baseline: {o['passed']}/{o['total']} = {o['score']:.1%} "
          f"({len(corpus)} passages; turns scored without memory)", flush=True)
    return result
