"""Which knowledge-base facts a message is closest to, by sentence embedding.

A topic holds more facts than one answer shows. "Do I need to be good at math
for billing?" and "what soft skills does billing need?" are both ``ask_skills``,
but each should lead with the fact it asked about. The NLU pipeline already
embeds every message (all-MiniLM-L6-v2, a model trained for semantic search),
so ranking the facts costs one (259 x 384) dot product, with no second encoder
in the action server. ``FactRanker`` puts the top scores into the parse data;
:mod:`bot.answers` uses them to choose and order facts within a topic.

Fact vectors are computed at training time and stored in the model, keyed by a
hash of each fact's text; facts edited or added after training are embedded
when the model loads, so an edited knowledge base never gets stale scores.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Callable, Dict, List, Mapping, Sequence

import numpy as np

from bot.knowledge import KnowledgeBase

#: Parse-data key holding ``{fact_id: score}`` for the best-matching facts.
FACT_SCORES = "fact_scores"
#: How many facts the parse data carries (enough to cover any one topic's best few).
TOP_FACTS = 40

Encoder = Callable[[Sequence[str]], np.ndarray]


def text_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


@dataclass
class FactIndex:
    ids: List[str]
    matrix: np.ndarray  # (n_facts, dim), rows L2-normalised
    hashes: Dict[str, str]  # fact id -> text hash the row was computed from

    @classmethod
    def build(cls, kb: KnowledgeBase, encode: Encoder, cached: Mapping[str, Sequence[float]] | None = None,
              cached_hashes: Mapping[str, str] | None = None) -> FactIndex:
        """Vectors for every fact; ``cached`` rows are reused when the fact's text is unchanged."""
        cached, cached_hashes = cached or {}, cached_hashes or {}
        ids = [f.id for f in kb.facts]
        hashes = {f.id: text_hash(f.text) for f in kb.facts}
        rows: Dict[str, np.ndarray] = {
            i: np.asarray(cached[i], dtype=np.float32)
            for i in ids if i in cached and cached_hashes.get(i) == hashes[i]
        }
        todo = [f for f in kb.facts if f.id not in rows]
        if todo:
            for fact, vector in zip(todo, encode([f.text for f in todo]), strict=True):
                rows[fact.id] = np.asarray(vector, dtype=np.float32)
        dim = next(iter(rows.values())).shape[0] if rows else 0
        matrix = np.stack([rows[i] for i in ids]) if ids else np.zeros((0, dim), dtype=np.float32)
        norms = np.linalg.norm(matrix, axis=1, keepdims=True) if len(ids) else np.ones((0, 1))
        return cls(ids, (matrix / np.maximum(norms, 1e-12)).astype(np.float32), hashes)

    def to_json(self) -> Dict[str, object]:
        return {"hashes": self.hashes,
                "vectors": {i: [round(float(x), 6) for x in row] for i, row in zip(self.ids, self.matrix, strict=True)}}

    def scores(self, vector: np.ndarray, top: int = TOP_FACTS) -> Dict[str, float]:
        """Cosine similarity of ``vector`` to the ``top`` closest facts, best first."""
        if not self.ids:
            return {}
        v = np.asarray(vector, dtype=np.float32).reshape(-1)
        norm = float(np.linalg.norm(v))
        if norm == 0.0 or v.shape[0] != self.matrix.shape[1]:
            return {}
        sims = self.matrix @ (v / norm)
        if top < len(sims):
            best = np.argpartition(-sims, top)[:top]
            order = best[np.argsort(-sims[best], kind="stable")]
        else:
            order = np.argsort(-sims, kind="stable")
        return {self.ids[i]: round(float(s), 4) for i, s in zip(order.tolist(), sims[order].tolist(), strict=True)}
