"""Ranks topics by how close their words are to a message (TF-IDF, character n-grams).

Used to suggest topics when the bot is unsure what was asked. Character
n-grams keep it tolerant of typos ("salery", "remotly").
"""

from __future__ import annotations

import weakref
from typing import List

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import linear_kernel

from bot.knowledge.base import KnowledgeBase

_CACHE: weakref.WeakKeyDictionary[KnowledgeBase, TopicSearch] = weakref.WeakKeyDictionary()


class TopicSearch:
    def __init__(self, kb: KnowledgeBase) -> None:
        self.topic_ids = list(kb.topics)
        docs = []
        for topic_id in self.topic_ids:
            topic = kb.topics[topic_id]
            words = [topic.title, topic.button, *topic.keywords, *topic.keywords]
            words += [f.text for f in kb.facts_for(topic_id)]
            docs.append(" ".join(words))
        self.vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)
        self.matrix = self.vectorizer.fit_transform(docs)

    @classmethod
    def for_kb(cls, kb: KnowledgeBase) -> TopicSearch:
        """One index per knowledge base object, built on first use."""
        if kb not in _CACHE:
            _CACHE[kb] = cls(kb)
        return _CACHE[kb]

    def rank(self, text: str, limit: int = 3, min_score: float = 0.05) -> List[str]:
        if not text or not text.strip():
            return []
        scores = linear_kernel(self.vectorizer.transform([text.lower()]), self.matrix)[0]
        order = scores.argsort()[::-1]
        return [self.topic_ids[i] for i in order[:limit] if scores[i] >= min_score]
