"""Typed records of the knowledge base (pydantic 1.x, which ships with Rasa 3.6).

Every record forbids unknown fields so that a typo in a YAML key is an error,
not a silently ignored value. Cross-references (source ids, entity ids, topic
ids) are checked afterwards by :mod:`bot.knowledge.loader`, which knows the
whole knowledge base.
"""

from __future__ import annotations

from typing import Dict, List, Union

from pydantic import BaseModel, Extra, Field, validator

#: Entity types the NLU extracts; also the slot names and the keys of ``about``.
ENTITY_TYPES = (
    "certification",
    "organization",
    "coding_system",
    "experience_level",
    "education_path",
    "role",
    "place",
    "school",
    "employer",
    "program",
)

ID_PATTERN = r"^[a-z0-9][a-z0-9_\-]*$"


class Record(BaseModel):
    class Config:
        extra = Extra.forbid
        anystr_strip_whitespace = True
        allow_mutation = False


def _non_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return value


class Source(Record):
    """Where a fact comes from: a seed article, an issuing body's or government page, or a third party.

    A ``third_party`` source's ``short`` label must say so ("third-party"): users see
    it in the source line, and figures such a site quotes from an issuer are worth
    less than the issuer's own page.
    """

    id: str = Field(..., regex=ID_PATTERN)
    title: str
    short: str = Field(..., description="Short label used inline, e.g. 'AAPC'.")
    kind: str = Field(..., regex=r"^(seed_article|issuing_body|government|third_party)$")
    publisher: str | None = None
    url: str | None = None
    seed_file: str | None = None
    year: int | None = None

    _title = validator("title", "short", allow_reuse=True)(_non_blank)

    @validator("kind")
    def _third_party_labelled(cls, kind: str, values: dict) -> str:
        if kind == "third_party" and "third-party" not in str(values.get("short") or "").lower():
            raise ValueError("a third_party source's short label must say 'third-party'")
        return kind


class Entity(Record):
    """Something users name: a certification, an organisation, a role, ..."""

    id: str = Field(..., regex=ID_PATTERN)
    name: str
    abbreviation: str | None = None
    aliases: List[str] = []
    summary: str | None = None
    sources: List[str] = []

    _name = validator("name", allow_reuse=True)(_non_blank)

    @validator("sources", always=True)
    def _summary_needs_source(cls, sources: List[str], values: dict) -> List[str]:
        if values.get("summary") and not sources:
            raise ValueError("an entity with a summary must name its sources")
        return sources

    @property
    def label(self) -> str:
        """How the entity is named in answers: 'CPC (Certified Professional Coder)'."""
        if self.abbreviation and self.abbreviation != self.name:
            return f"{self.abbreviation} ({self.name})"
        return self.name

    @property
    def short_label(self) -> str:
        return self.abbreviation or self.name

    def surface_forms(self) -> List[str]:
        forms = [self.name, *self.aliases]
        if self.abbreviation:
            forms.append(self.abbreviation)
        return forms


class Certification(Entity):
    issued_by: str = Field(..., regex=ID_PATTERN)
    area: str = Field(
        ..., regex=r"^(coding|billing|billing_and_coding|auditing|management|insurance)$"
    )
    setting: str | None = None


class ExperienceLevel(Entity):
    years: List[int | None] | None = Field(
        None,
        description="[first, last] whole years of experience the level spans, last null for open-ended: "
        "'after 3 years' names the level whose span holds 3.",
    )

    @validator("years")
    def _a_span(cls, years: List[int | None] | None) -> List[int | None] | None:
        if years is None:
            return years
        if len(years) != 2 or years[0] is None or years[0] < 0 or (years[1] is not None and years[1] < years[0]):
            raise ValueError("years must be [first, last] with 0 <= first <= last (last may be null)")
        return years


class Entities(Record):
    certification: List[Certification] = []
    organization: List[Entity] = []
    coding_system: List[Entity] = []
    experience_level: List[ExperienceLevel] = []
    education_path: List[Entity] = []
    role: List[Entity] = []
    place: List[Entity] = []
    school: List[Entity] = []
    employer: List[Entity] = []
    program: List[Entity] = []


class Topic(Record):
    """A subject people ask about; its id is the intent name without ``ask_``."""

    id: str = Field(..., regex=ID_PATTERN)
    title: str
    button: str = Field(..., description="Label of the follow-up button, a question.")
    keywords: List[str] = []
    qualifiers: List[str] = Field(
        [], description="Entity types that narrow answers about this topic."
    )
    follow_ups: List[str] = []
    covers: Dict[str, List[str]] = Field(
        {},
        description="Entities the general answer already speaks for (a coder's pay is the field's pay).",
    )
    note: str | None = Field(
        None, description="Said after the facts, e.g. what the sources do not cover."
    )
    lead: str | None = Field(
        None, description="Said before the facts: what the bot cannot know about the thing asked "
        "(a named school), so that no general fact reads as if it were about it.",
    )
    caveat_names_topic: bool = Field(
        True, description="Whether 'nothing specific on ... for Penn Foster' names the topic: false where "
        "the title reads badly there ('what medical billing and coding is'), so the caveat names the thing alone.",
    )
    unasked_order: List[str] = Field(
        [], description="Ids of general facts told first, in this order, when no question ranks them (the "
        "topic's button; this field's side of a comparison with another career).",
    )

    @property
    def in_sentence(self) -> str:
        """The title inside a sentence: "the apprentice (-A) designation", "HIPAA and patient privacy"."""
        return self.title if self.title[:2].isupper() else self.title[:1].lower() + self.title[1:]

    @validator("qualifiers", each_item=True)
    def _known_type(cls, value: str) -> str:
        if value not in ENTITY_TYPES:
            raise ValueError(f"unknown entity type {value!r}; use one of {ENTITY_TYPES}")
        return value

    @validator("covers")
    def _known_cover_types(cls, covers: Dict[str, List[str]]) -> Dict[str, List[str]]:
        for key in covers:
            if key not in ENTITY_TYPES:
                raise ValueError(f"unknown entity type {key!r}; use one of {ENTITY_TYPES}")
        return covers


class Fact(Record):
    """One statement in our own words, with where it comes from."""

    id: str = Field(..., regex=ID_PATTERN)
    topic: str
    text: str
    about: Dict[str, List[str]] = {}
    measure: str | None = Field(
        None,
        description="Facts sharing a measure are the same figure from different "
        "sources; answers show them side by side as a disagreement.",
    )
    sources: List[str] = Field(..., min_items=1)
    as_of: Union[int, str] | None = None
    general: bool = Field(
        False,
        description="Also part of the topic's general answer, though ``about`` names an "
        "entity: Project Xtern is one way any new coder gets experience.",
    )
    asks: List[str] = Field(
        [],
        description="Questions this fact answers, in users' words. Never shown: the "
        "FactRanker matches a message against them as well as against the text, "
        "since a question is closer to another question than to a statement.",
    )

    _text = validator("text", allow_reuse=True)(_non_blank)

    @validator("asks")
    def _distinct_questions(cls, asks: List[str]) -> List[str]:
        seen = set()
        for question in asks:
            key = " ".join(question.lower().split())
            if not key:
                raise ValueError("a question must not be empty")
            if key in seen:
                raise ValueError(f"question {question!r} is listed twice")
            seen.add(key)
        return asks

    @validator("about")
    def _known_types(cls, about: Dict[str, List[str]]) -> Dict[str, List[str]]:
        for key in about:
            if key not in ENTITY_TYPES:
                raise ValueError(f"unknown entity type {key!r}; use one of {ENTITY_TYPES}")
        return about

    @validator("general")
    def _general_needs_about(cls, general: bool, values: dict) -> bool:
        if general and not values.get("about"):
            raise ValueError("only a fact with `about` can be marked general; one without is general already")
        return general


class SourcesFile(Record):
    sources: List[Source]


class EntitiesFile(Record):
    entities: Entities


class TopicsFile(Record):
    topics: List[Topic]


class FactsFile(Record):
    facts: List[Fact]
