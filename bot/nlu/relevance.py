"""Which knowledge-base facts a message is closest to, by sentence embedding.

A topic holds more facts than one answer shows. "Do I need to be good at math
for billing?" and "what soft skills does billing need?" are both ``ask_skills``,
but each should lead with the fact it asked about. The NLU pipeline already
embeds every message (all-MiniLM-L6-v2, a model trained for semantic search),
so ranking the facts costs one (rows x 384) dot product, with no second encoder
in the action server. Each fact has a row for its text and one for every
question it answers (``asks`` in the knowledge base); it scores its best row.
``FactRanker`` puts the top scores into the parse data; :mod:`bot.answers`
uses them to choose and order facts within a topic.

Fact vectors are computed at training time and stored in the model, keyed by a
hash of each fact's text; facts edited or added after training are embedded
when the model loads, so an edited knowledge base never gets stale scores.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Mapping, Sequence

import numpy as np

from bot.knowledge import KnowledgeBase
from bot.knowledge.schema import Fact

#: Parse-data key holding ``{fact_id: score}`` for the best-matching facts.
FACT_SCORES = "fact_scores"
#: How many facts the parse data carries (enough to cover any one topic's best few).
TOP_FACTS = 40

Encoder = Callable[[Sequence[str]], np.ndarray]


def text_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def fact_texts(fact: Fact) -> List[str]:
    """What a fact is matched on: its text, then the questions it answers (``asks``)."""
    return [fact.text, *fact.asks]


def fact_hash(fact: Fact) -> str:
    """Changes when the text or any question changes (a fact without questions: the text's hash)."""
    return text_hash("\n".join(fact_texts(fact)))


@dataclass
class FactIndex:
    """Vectors of every fact's text and questions; a fact scores its best-matching row.

    A question ("do I need to be good at math for billing?") is closer to
    another question than to the statement that answers it ("billers work with
    numbers: some accounting or bookkeeping helps"): with ``asks`` that fact
    ranks first in its topic, from the text alone it ranked second.
    """

    ids: List[str]
    matrix: np.ndarray  # (n_rows, dim), rows L2-normalised: each fact's text, then its questions
    owner: np.ndarray  # (n_rows,) index into ``ids`` of the fact each row belongs to
    hashes: Dict[str, str]  # fact id -> hash of the texts its rows were computed from

    def __post_init__(self) -> None:
        # first row of each fact (every fact has at least its text's row)
        self._starts = np.searchsorted(self.owner, np.arange(len(self.ids))) if len(self.ids) else np.zeros(0, int)

    @classmethod
    def build(cls, kb: KnowledgeBase, encode: Encoder, cached: Mapping[str, Sequence[Any]] | None = None,
              cached_hashes: Mapping[str, str] | None = None) -> FactIndex:
        """Vectors for every fact; ``cached`` rows are reused when the fact's texts are unchanged."""
        cached, cached_hashes = cached or {}, cached_hashes or {}
        ids = [f.id for f in kb.facts]
        hashes = {f.id: fact_hash(f) for f in kb.facts}
        rows: Dict[str, np.ndarray] = {}
        for fact in kb.facts:
            if fact.id in cached and cached_hashes.get(fact.id) == hashes[fact.id]:
                stored = np.atleast_2d(np.asarray(cached[fact.id], dtype=np.float32))
                if stored.shape[0] == len(fact_texts(fact)):
                    rows[fact.id] = stored
        todo = [f for f in kb.facts if f.id not in rows]
        if todo:
            texts = [t for f in todo for t in fact_texts(f)]
            vectors = np.asarray(encode(texts), dtype=np.float32)
            start = 0
            for fact in todo:
                count = len(fact_texts(fact))
                rows[fact.id] = vectors[start:start + count]
                start += count
        blocks = [rows[i] for i in ids]
        dim = blocks[0].shape[1] if blocks else 0
        matrix = np.concatenate(blocks) if blocks else np.zeros((0, dim), dtype=np.float32)
        owner = np.repeat(np.arange(len(ids)), [b.shape[0] for b in blocks]) if blocks else np.zeros(0, dtype=int)
        norms = np.linalg.norm(matrix, axis=1, keepdims=True) if len(matrix) else np.ones((0, 1))
        return cls(ids, (matrix / np.maximum(norms, 1e-12)).astype(np.float32), owner, hashes)

    def to_json(self) -> Dict[str, object]:
        vectors: Dict[str, List[List[float]]] = {i: [] for i in self.ids}
        for row, fact in zip(self.matrix, self.owner.tolist(), strict=True):
            vectors[self.ids[fact]].append([round(float(x), 6) for x in row])
        return {"hashes": self.hashes, "vectors": vectors}

    def scores(self, vector: np.ndarray, top: int = TOP_FACTS) -> Dict[str, float]:
        """Cosine similarity of ``vector`` to the ``top`` closest facts (best row of each), best first."""
        if not self.ids:
            return {}
        v = np.asarray(vector, dtype=np.float32).reshape(-1)
        norm = float(np.linalg.norm(v))
        if norm == 0.0 or v.shape[0] != self.matrix.shape[1]:
            return {}
        row_sims = self.matrix @ (v / norm)
        sims = np.maximum.reduceat(row_sims, self._starts)  # rows are grouped by fact: each fact's best row
        if top < len(sims):
            best = np.argpartition(-sims, top)[:top]
            order = best[np.argsort(-sims[best], kind="stable")]
        else:
            order = np.argsort(-sims, kind="stable")
        return {self.ids[i]: round(float(s), 4) for i, s in zip(order.tolist(), sims[order].tolist(), strict=True)}
