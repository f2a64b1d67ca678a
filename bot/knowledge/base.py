"""The query API over validated knowledge records."""

from __future__ import annotations

from collections import defaultdict
from typing import Dict, Iterable, List, Mapping, Sequence, Tuple

from bot.knowledge.loader import Parsed
from bot.knowledge.schema import ENTITY_TYPES, Certification, Entity, Fact, Source, Topic

#: What a conversation is about: entity type -> canonical ids, e.g. {"certification": ["cpc"]}.
Subject = Mapping[str, Sequence[str]]

#: Topic answered when a message only names an entity ("CPC?").
DEFAULT_TOPIC_FOR_TYPE = {
    "certification": "certification",
    "organization": "organization",
    "coding_system": "coding_systems",
    "experience_level": "salary",
    "education_path": "education",
    "role": "role_duties",
    "place": "salary",
    "school": "schools",
    "employer": "work_settings",
    "program": "apprentice",
}


class KnowledgeBase:
    def __init__(self, parsed: Parsed) -> None:
        self.sources: Dict[str, Source] = {s.id: s for s in parsed.sources.sources}
        self.topics: Dict[str, Topic] = {t.id: t for t in parsed.topics.topics}
        self.entities: Dict[str, Dict[str, Entity]] = {
            etype: {e.id: e for e in getattr(parsed.entities.entities, etype)}
            for etype in ENTITY_TYPES
        }
        self.facts: List[Fact] = [f for _, file in parsed.facts for f in file.facts]
        self._by_id: Dict[str, Fact] = {f.id: f for f in self.facts}
        self._by_topic: Dict[str, List[Fact]] = defaultdict(list)
        for fact in self.facts:
            self._by_topic[fact.topic].append(fact)

    # --- look-ups -------------------------------------------------------
    def topic(self, topic_id: str) -> Topic | None:
        return self.topics.get(topic_id)

    def entity(self, etype: str, entity_id: str) -> Entity | None:
        return self.entities.get(etype, {}).get(entity_id)

    def certification(self, cert_id: str) -> Certification | None:
        cert = self.entity("certification", cert_id)
        return cert if isinstance(cert, Certification) else None

    def certifications_of(self, org_id: str) -> List[Certification]:
        """Credentials an organisation issues, in knowledge-base order."""
        return [
            c for c in self.entities["certification"].values()
            if isinstance(c, Certification) and c.issued_by == org_id
        ]

    def issuer_of(self, cert_id: str) -> Entity | None:
        cert = self.certification(cert_id)
        return self.entity("organization", cert.issued_by) if cert else None

    def fact(self, fact_id: str) -> Fact | None:
        return self._by_id.get(fact_id)

    def facts_for(self, topic_id: str) -> List[Fact]:
        return list(self._by_topic.get(topic_id, []))

    def general_facts(self, topic_id: str) -> List[Fact]:
        """Facts about the topic as a whole: not about one entity, or marked ``general``."""
        return [f for f in self._by_topic.get(topic_id, []) if not f.about or f.general]

    def facts_about(self, topic_id: str, etype: str, entity_id: str) -> List[Fact]:
        return [f for f in self._by_topic.get(topic_id, []) if entity_id in f.about.get(etype, ())]

    def has_facts_about(self, topic_id: str, etype: str) -> bool:
        return any(etype in f.about for f in self._by_topic.get(topic_id, []))

    def surface_forms(self) -> Iterable[Tuple[str, str, str]]:
        """Every name, abbreviation and alias as (text, entity type, canonical id)."""
        for etype, records in self.entities.items():
            for record in records.values():
                for form in record.surface_forms():
                    yield form, etype, record.id

    def year_spans(self) -> List[Tuple[int, int | None, str, str]]:
        """(first, last, entity type, id) of every level that says which years of experience it spans."""
        return [(years[0], years[1], etype, record.id) for etype, records in self.entities.items()
                for record in records.values() if (years := getattr(record, "years", None))]

    def entity_ids(self, etype: str) -> List[str]:
        return list(self.entities.get(etype, {}))
