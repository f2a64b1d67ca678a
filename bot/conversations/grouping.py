"""Grouping messages that ask the same thing in different words, with the bot's own MiniLM.

Exact repeats (ignoring case, spacing and end punctuation) are one wording.
Wordings are then taken from the most frequent down; each joins the group of
the first earlier wording whose all-MiniLM-L6-v2 embedding (the model the NLU
already loads, :mod:`bot.nlu.embeddings`) is at least :data:`SIMILARITY` cosine
similar to it, or starts a group of its own. Only the :data:`MAX_WORDINGS` most
frequent wordings are embedded (the rest are grouped by exact wording), which
keeps a report over a busy site's 100,000 conversations under a minute. ``python -m bench --only
conversations`` prints how often two real questions put in one group ask the
same thing (``bench/conversations.py``).
"""

from __future__ import annotations

import re
from typing import Callable, Dict, List, Sequence

import numpy as np

#: Cosine similarity at which two wordings are one group (chosen with bench/conversations.py).
SIMILARITY = 0.85
#: At most this many distinct wordings, the most frequent, are embedded (about 10 ms each on 2 cores);
#: rarer ones are grouped by exact wording only. Keeps 100,000 conversations under a minute.
MAX_WORDINGS = 2000
_SPACE = re.compile(r"\s+")

Encoder = Callable[[Sequence[str]], np.ndarray]


def wording(text: str) -> str:
    """The key exact repeats share: lower case, single spaces, no end punctuation."""
    return _SPACE.sub(" ", text.lower()).strip(" \t.!?,;:'\"")


def group(texts: Sequence[str], encode: Encoder | None = None, similarity: float = SIMILARITY) -> List[int]:
    """The group number of each of ``texts`` (0 is the largest wording's group)."""
    keys = [wording(t) for t in texts]
    counts: Dict[str, int] = {}
    for key in keys:
        counts[key] = counts.get(key, 0) + 1
    ordered = sorted(counts, key=lambda k: -counts[k])
    embedded = [k for k in ordered[:MAX_WORDINGS] if k]
    group_of: Dict[str, int] = {}
    if embedded:
        if encode is None:
            from bot.nlu import embeddings

            encode = lambda texts: embeddings.encode(texts, batch_size=16)  # noqa: E731 - less padding than 32
        vectors = np.asarray(encode(embedded), dtype=np.float32)
        leaders = np.zeros((len(embedded), vectors.shape[1]), dtype=np.float32)
        leader_group: List[int] = []
        for key, vector in zip(embedded, vectors, strict=True):
            found = -1
            if leader_group:
                sims = leaders[:len(leader_group)] @ vector
                best = int(np.argmax(sims))
                if sims[best] >= similarity:
                    found = leader_group[best]
            if found < 0:
                found = len(leader_group)
                leaders[len(leader_group)] = vector
                leader_group.append(found)
            group_of[key] = found
    next_group = (max(group_of.values()) + 1) if group_of else 0
    for key in ordered:
        if key not in group_of:
            group_of[key] = next_group
            next_group += 1
    return [group_of[k] for k in keys]
