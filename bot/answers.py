"""Every reply about facts is composed here.

Actions decide *what* is asked (topic, subject); this module decides what the
answer says: which facts, in what order, how disagreeing sources are shown, the
source line and the follow-up buttons. The few connecting words below are part
of the answer format, so they live with it; conversational replies that are
actions of their own (greetings, declines, help) live in ``domain.yml``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import AbstractSet, Dict, List, Mapping, Sequence, Tuple

from bot.knowledge import DEFAULT_TOPIC_FOR_TYPE, KnowledgeBase, Subject
from bot.knowledge.schema import Certification, Entity, Fact, Topic

MAX_GENERAL_FACTS = 4
MAX_FACTS_PER_ENTITY = 3
MAX_BUTTONS = 3

SOURCE_LABEL = "Source"
SOURCES_LABEL = "Sources"
DISAGREE_LABEL = "Sources differ here:"
NO_FACTS = "My sources have nothing specific on {on}, so here is the general picture."
NO_FACTS_SOME = "My sources have nothing specific on {on}."
COMPARE_INTRO = "Side by side:"
COMPARE_NEEDS_TWO = (
    "Tell me the two things to compare, for example CPC vs CCS, "
    "or a certificate vs an associate degree."
)
ONE_SIDE = "I can only speak for medical billing and coding, not {other}, so here is this side of it."
SUGGEST_INTRO = "These topics look closest to what you asked:"
CREDENTIALS = "{org} credentials: {names}."
STANDS_FOR = "{short} stands for {name}."

#: An organisation stands for its credentials in questions about them ("NHA
#: billing cert pay") when it issues at most this many.
MAX_CREDENTIALS_FOR_ORG = 2

#: A general answer (no entity named) may open with a fact about one entity
#: ("good at math for billing?" -> the biller's finance skills) when the question
#: matches it at least this well and clearly better than every general fact; and
#: an entity's answer may end with a general fact on the same terms ("hourly?").
SPECIFIC_MIN_SCORE = 0.35
SPECIFIC_MARGIN = 0.05

#: A follow-up pointing back at an entity ("how many characters are they?" after
#: ICD-10-PCS) is answered from that entity's closest fact in another topic when the
#: question's own topic has nothing on the entity and the fact matches at least this
#: well and this much better than anything in the topic.
CONTEXT_MIN_SCORE = 0.25
CONTEXT_MARGIN = 0.05
#: A fact from another topic is added to an answer when the question matches it
#: this well and clearly better than every fact the answer already shows: the
#: intent names the topic, but a question can sit between two ("is a diploma
#: enough to get hired?" is education, its closest fact is under cost). Chosen on the
#: real-question dev set (bench/README.md, "related fact"): 0.55/0.05 with a tie rule -> 0.5/0.02 without.
RELATED_MIN_SCORE = 0.5
RELATED_MARGIN = 0.02

#: A general answer that opens with a fact about one or two of these ("highest paying coding cert?" ->
#: the CCS-P's pay) makes them the subject, so "who offers it?" is about the CCS-P.
INTRODUCED_TYPES = ("certification", "coding_system")
#: Facts about these answer only a question that names one: the place facts say what the sources
#: lack for a single state, which is no answer to "and billers?" after coders' pay.
NAMED_ONLY_TYPES = ("place",)
MAX_INTRODUCED = 2

#: What an entity's own answer adds to its summary: "what is the CCA?" gives its pay and the first
#: of its exam facts (format or who may sit it), what people ask next about a credential.
CARD_TOPICS = {"certification": ("salary", "exam")}

#: What a comparison shows for each entity type besides the summary.
COMPARE_TOPICS = {
    "certification": ("salary",),
    "education_path": ("duration",),
    "role": ("salary",),
    "experience_level": ("salary",),
    "coding_system": (),
    "organization": (),
    # a program has no summary: its first fact in each topic that has one says what it is
    "program": ("experience", "apprentice", "schools"),
}


#: How many facts per topic a comparison shows for each entity: a job has a pay
#: range and the pay of its best-known credential (biller: CPB, coder: CPC).
COMPARE_FACTS = {"role": 2}


@dataclass(frozen=True)
class Button:
    title: str
    payload: str


@dataclass(frozen=True)
class Reply:
    text: str
    buttons: Tuple[Button, ...] = ()
    topic: str | None = None
    subject: Dict[str, List[str]] = field(default_factory=dict)


# --- helpers ---------------------------------------------------------------


#: A reference is (source label, year or None); the source line groups them by label.
Ref = Tuple[str, str | None]


def _ref(kb: KnowledgeBase, source_id: str, as_of: object = None) -> Ref:
    source = kb.sources[source_id]
    year = as_of if as_of is not None else source.year
    return source.short, (str(year) if year is not None else None)


def _refs(kb: KnowledgeBase, fact: Fact) -> List[Ref]:
    return [_ref(kb, s, fact.as_of) for s in fact.sources]


def _entity_refs(kb: KnowledgeBase, entity: Entity) -> List[Ref]:
    return [_ref(kb, s) for s in entity.sources]


def _inline(refs: Sequence[Ref]) -> str:
    return "; ".join(f"{label}, {year}" if year else label for label, year in refs)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _unique(items: Sequence[str]) -> List[str]:
    seen: Dict[str, None] = {}
    for item in items:
        seen.setdefault(item, None)
    return list(seen)


def source_line(refs: Sequence[Ref]) -> str:
    """'Sources: AAPC salary survey (2023); Medical Coding Jobs guide (2022, 2020-2030).'"""
    years: Dict[str, List[str]] = {}
    for label, year in refs:
        listed = years.setdefault(label, [])
        if year and year not in listed:
            listed.append(year)
    if not years:
        return ""
    parts = [f"{label} ({', '.join(ys)})" if ys else label for label, ys in years.items()]
    word = SOURCE_LABEL if len(parts) == 1 else SOURCES_LABEL
    return f"{word}: {'; '.join(parts)}."


def render_facts(kb: KnowledgeBase, facts: Sequence[Fact]) -> Tuple[List[str], List[Ref]]:
    """Sentences for ``facts`` plus their source references.

    Facts that share a ``measure`` are the same figure from different sources:
    they are kept together, introduced as a disagreement, each with its source.
    """
    by_measure: Dict[str, List[Fact]] = {}
    for fact in facts:
        if fact.measure:
            by_measure.setdefault(fact.measure, []).append(fact)
    sentences: List[str] = []
    refs: List[Ref] = []
    done: set = set()
    for fact in facts:
        if fact.id in done:
            continue
        group = by_measure.get(fact.measure or "", [])
        if len(group) > 1:
            parts = [f"{f.text.rstrip('.')} ({_inline(_refs(kb, f))})." for f in group]
            sentences.append(" ".join([DISAGREE_LABEL, *parts]))
            done.update(f.id for f in group)
        else:
            sentences.append(fact.text)
            done.add(fact.id)
        for f in group or [fact]:
            refs.extend(_refs(kb, f))
    return sentences, refs


def _with_measure_siblings(kb: KnowledgeBase, chosen: List[Fact], pool: Sequence[Fact]) -> List[Fact]:
    """Add the other sources' versions of any measure already chosen."""
    out = list(chosen)
    ids = {f.id for f in out}
    measures = {f.measure for f in chosen if f.measure}
    for fact in pool:
        if fact.measure in measures and fact.id not in ids and fact.about == _about_of(chosen, fact.measure):
            out.append(fact)
            ids.add(fact.id)
    return out


def _about_of(facts: Sequence[Fact], measure: str | None) -> Dict[str, List[str]]:
    return next((f.about for f in facts if f.measure == measure), {})


#: "Where do I even start?" is answered, and a plan of one's own is offered (the ``plan_form``).
PLAN_BUTTON = Button("Make me a plan", "/make_plan")
PLAN_TOPICS = ("getting_started",)


def _buttons(kb: KnowledgeBase, topic_id: str, exclude: Sequence[str] = ()) -> Tuple[Button, ...]:
    topic = kb.topic(topic_id)
    if topic is None:
        return ()
    out = [PLAN_BUTTON] if topic_id in PLAN_TOPICS else []
    out += [
        Button(kb.topics[t].button, f"/ask_{t}")
        for t in topic.follow_ups
        if t not in exclude and t in kb.topics
    ]
    return tuple(out[:MAX_BUTTONS])


def _entity_card(kb: KnowledgeBase, etype: str, entity: Entity) -> Tuple[List[str], List[Ref]]:
    """What an entity is, as sentences plus references."""
    sentences: List[str] = []
    refs: List[Ref] = []
    if isinstance(entity, Certification):
        issuer = kb.entity("organization", entity.issued_by)
        if issuer is not None:
            sentences.append(f"The {entity.label} is offered by {issuer.label}.")
    elif entity.abbreviation and entity.abbreviation != entity.name and entity.name not in (entity.summary or ""):
        sentences.append(STANDS_FOR.format(short=entity.abbreviation, name=entity.name))
    if entity.summary:
        sentences.append(entity.summary)
    if sentences:
        refs.extend(_entity_refs(kb, entity))
    if etype == "organization":
        issued = kb.certifications_of(entity.id)
        if issued:
            names = ", ".join(c.short_label for c in issued)
            sentences.append(CREDENTIALS.format(org=entity.short_label, names=names))
            refs.extend(r for c in issued for r in _entity_refs(kb, c))
    return sentences, refs


def _side_facts(facts: Sequence[Fact], etype: str, others: AbstractSet[str],
                scores: Mapping[str, float] | None) -> List[Fact]:
    """One side's ``facts`` in a comparison, best first: those about this side alone before those about
    the other sides too (a fact about both, "Neither the CPC nor the CCS is always required", would say
    the same on each side), each group closest to the question first (``scores``) or in the knowledge
    base's order."""
    def order(group: List[Fact]) -> List[Fact]:
        return sorted(group, key=lambda f: -scores.get(f.id, -1.0)) if scores else group

    shared = {f.id for f in facts if others & set(f.about.get(etype, ()))}
    return order([f for f in facts if f.id not in shared]) + order([f for f in facts if f.id in shared])


def _key_facts(kb: KnowledgeBase, etype: str, entity_id: str, topics: Sequence[str],
               per_topic: int = 1) -> List[Fact]:
    """The first ``per_topic`` facts of each of ``topics`` about an entity (e.g. a credential's pay)."""
    return [f for t in topics for f in kb.facts_about(t, etype, entity_id)[:per_topic]]


def pick_facts(facts: Sequence[Fact], scores: Mapping[str, float] | None, limit: int) -> List[Fact]:
    """Up to ``limit`` of ``facts``, the ones closest to the question first.

    Without scores (a button press) the knowledge base's order stands. With
    them, the best-matching fact leads if it matches clearly better (by
    ``SPECIFIC_MARGIN``) than the first fact (the main statement), which stays
    in either way; the rest are the next best, in knowledge-base order.
    """
    facts = list(facts)
    if not scores or len(facts) <= 1:
        return facts[:limit]
    best_first = sorted(facts, key=lambda f: -scores.get(f.id, -1.0))
    top = facts[0]
    # the first fact is the topic's (or entity's) main statement: it only yields the lead to a clearly closer one
    clearly = scores.get(best_first[0].id, -1.0) >= scores.get(top.id, -1.0) + SPECIFIC_MARGIN
    lead = best_first[0] if clearly else top
    chosen = {lead.id, top.id}
    for fact in best_first:
        if len(chosen) >= limit:
            break
        chosen.add(fact.id)
    rest = [f for f in facts if f.id in chosen and f.id != lead.id]
    return [lead] + rest


def _in_unasked_order(topic: Topic, facts: Sequence[Fact], scores: Mapping[str, float] | None) -> List[Fact]:
    """``facts`` with the topic's ``unasked_order`` first when no question ranks them (``scores`` empty)."""
    if scores or not topic.unasked_order:
        return list(facts)
    rank = {fact_id: i for i, fact_id in enumerate(topic.unasked_order)}
    return sorted(facts, key=lambda f: rank.get(f.id, len(rank)))


def _clear_winner(candidates: Sequence[Fact], rivals: Sequence[Fact], scores: Mapping[str, float] | None,
                  min_score: float, margin: float) -> Fact | None:
    """The best-scoring candidate, if it scores at least ``min_score`` and ``margin`` above every rival."""
    if not scores:
        return None
    scored = [f for f in candidates if f.id in scores]
    if not scored:
        return None
    best = max(scored, key=lambda f: scores[f.id])
    rival = max((scores.get(f.id, 0.0) for f in rivals), default=0.0)
    return best if scores[best.id] >= min_score and scores[best.id] >= rival + margin else None


def about_any(facts: Sequence[Fact], entities: Sequence[Tuple[str, str]]) -> List[Fact]:
    return [f for f in facts if any(i in f.about.get(etype, ()) for etype, i in entities)]


def _pairs(subject: Subject) -> List[Tuple[str, str]]:
    return [(etype, i) for etype, ids in subject.items() for i in ids or ()]


def best_score_about(kb: KnowledgeBase, subject: Subject, scores: Mapping[str, float] | None) -> float:
    """How close the question is to the closest fact about any entity of ``subject`` (0 when none scores)."""
    return max((scores.get(f.id, 0.0) for f in about_any(kb.facts, _pairs(subject))), default=0.0) if scores else 0.0


def closest_fact_about(kb: KnowledgeBase, subject: Subject, scores: Mapping[str, float],
                       asked_before: Mapping[str, float]) -> Fact | None:
    """The fact about ``subject`` closest to a follow-up and the question before it, both scores added.

    None when no fact about it is among the previous question's scored facts (it asked about something else).
    """
    facts = [f for f in about_any(kb.facts, _pairs(subject)) if f.id in asked_before]
    return max(facts, key=lambda f: scores.get(f.id, 0.0) + asked_before[f.id], default=None)


def closest_specific_fact(facts: Sequence[Fact], scores: Mapping[str, float] | None,
                          subject: Subject | None = None) -> Fact | None:
    """The entity-specific fact the question is about, if it clearly beats the general ones.

    Facts about other entities of a type the question names are not candidates:
    "can a coder ever hit 70k?" may open with experienced pay, not a coding manager's.
    """
    candidates = [f for f in facts if f.about and not f.general and _fits(f, subject or {})]
    general = [f for f in facts if not f.about or f.general]
    return _clear_winner(candidates, general, scores, SPECIFIC_MIN_SCORE, SPECIFIC_MARGIN)


def closest_general_fact(general: Sequence[Fact], shown: Sequence[Fact],
                         scores: Mapping[str, float] | None) -> Fact | None:
    """A general fact to add to an entity's answer, when the question matches it clearly better."""
    return _clear_winner(general, shown, scores, SPECIFIC_MIN_SCORE, SPECIFIC_MARGIN)


def _fits(fact: Fact, subject: Subject) -> bool:
    """False when the fact is about other entities of a type the question names, or about a place
    when it names none (:data:`NAMED_ONLY_TYPES`; a ``general`` fact, such as the national pay, fits then)."""
    return all(set(ids) & set(subject.get(etype) or ())
               or (not subject.get(etype) and (etype not in NAMED_ONLY_TYPES or fact.general))
               for etype, ids in fact.about.items())


def closest_related_fact(kb: KnowledgeBase, topic_id: str, shown: Sequence[Fact], subject: Subject,
                         scores: Mapping[str, float] | None) -> Fact | None:
    """The knowledge base's closest fact to the question, from another topic, if it clearly fits.

    Facts of the answer's own topic are left to ``pick_facts`` and the two
    ``closest_*`` rules (an experience-level salary fact is not added to "how
    much do CCS-P holders earn?").

    It must beat the facts shown and the rest of the answer's topic by ``RELATED_MARGIN``.
    """
    if not scores:
        return None
    shown_ids = {f.id for f in shown}
    ranked = [f for f in (kb.fact(i) for i in sorted(scores, key=lambda i: -scores[i])) if f is not None]
    best = next((f for f in ranked if f.id not in shown_ids and f.topic != topic_id and _fits(f, subject)), None)
    if best is None:
        return None
    own = [f for f in ranked if f.topic == topic_id]
    return _clear_winner([best], list(shown) + own, scores, RELATED_MIN_SCORE, RELATED_MARGIN)


def topic_for_context(kb: KnowledgeBase, topic_id: str, context: Subject,
                      scores: Mapping[str, float] | None) -> str:
    """The topic of the entity's closest fact, when ``topic_id`` cannot speak about that entity.

    ``context`` is what the question points back at or, when it names something, what it names.
    """
    entities = _pairs(context)
    if not scores or not entities or about_any(kb.facts_for(topic_id), entities):
        return topic_id
    best = _clear_winner(about_any(kb.facts, entities), kb.facts_for(topic_id), scores,
                         CONTEXT_MIN_SCORE, CONTEXT_MARGIN)
    return best.topic if best is not None else topic_id


# --- topic answers ------------------------------------------------------------


def relevant_subject(kb: KnowledgeBase, topic_id: str, subject: Subject) -> List[Tuple[str, Entity]]:
    """The entities of ``subject`` that narrow answers about ``topic_id``."""
    topic = kb.topic(topic_id)
    if topic is None:
        return []
    out = []
    for etype in topic.qualifiers:
        for entity_id in subject.get(etype, ()) or ():
            entity = kb.entity(etype, entity_id)
            if entity is not None and entity_id not in topic.covers.get(etype, ()):
                out.append((etype, entity))
    if "certification" in topic.qualifiers and "organization" not in topic.qualifiers:
        for org_id in subject.get("organization", ()) or ():
            issued = kb.certifications_of(org_id)
            if 0 < len(issued) <= MAX_CREDENTIALS_FOR_ORG:
                out += [("certification", c) for c in issued if ("certification", c) not in out]
    return out


def _nothing_on(topic: Topic, names: str) -> str:
    """What the sources have nothing specific on: "how long it takes for Penn Foster", or "Penn Foster"."""
    return f"{topic.in_sentence} for {names}" if topic.caveat_names_topic else names


def answer_topic(kb: KnowledgeBase, topic_id: str, subject: Subject,
                 scores: Mapping[str, float] | None = None, compared_with: str | None = None,
                 given: str = "") -> Reply:
    """Answer a question about ``topic_id``, narrowed by ``subject`` where it can be.

    ``scores`` ({fact id: similarity to the question}, from the NLU's
    ``FactRanker``) decides which of the topic's facts to show first.
    ``compared_with``: another occupation the question weighs the field against;
    the answer says it gives only the field's side.
    ``given``: what the same reply says already (a two-part question's first answer); its facts are left out.
    """

    def render(facts: Sequence[Fact]) -> Tuple[List[str], List[Ref]]:
        return render_facts(kb, [f for f in facts if not (given and _given(f, given))])

    topic = kb.topics[topic_id]
    entities = relevant_subject(kb, topic_id, subject)
    blocks: List[Tuple[Entity | None, List[str]]] = []
    refs: List[Ref] = []
    missing: List[Entity] = []
    pool = kb.facts_for(topic_id)
    shown: List[Fact] = []
    introduced: Dict[str, List[str]] = {}
    where_to_check: Dict[str, None] = {}  # notes saying where to look, each once, in order

    for etype, entity in entities:
        sentences: List[str] = []
        seen = {f.id for f in shown}
        if DEFAULT_TOPIC_FOR_TYPE.get(etype) == topic_id:
            card, card_refs = _entity_card(kb, etype, entity)
            key = [f for f in _key_facts(kb, etype, entity.id, CARD_TOPICS.get(etype, ())) if f.id not in seen]
            extra, extra_refs = render(key)
            shown += key  # "what is the CPB?": the card's exam fact is not added again as a related fact
            seen |= {f.id for f in key}
            sentences += card + extra
            refs += card_refs + extra_refs
        about = pick_facts(kb.facts_about(topic_id, etype, entity.id), scores, MAX_FACTS_PER_ENTITY)
        # a fact about several of the things asked about (the RHIT and the RHIA) is given once
        facts = [f for f in _with_measure_siblings(kb, about, pool) if f.id not in seen]
        shown += facts
        fact_sentences, fact_refs = render(facts)
        sentences += fact_sentences
        refs += fact_refs
        if sentences:
            blocks.append((entity, sentences))
        elif not about:
            missing.append(entity)
            note = kb.topics[WHERE_TO_CHECK[etype]].note if etype in WHERE_TO_CHECK else None
            if note and note != topic.note:
                where_to_check[note] = None

    lead: List[str] = []
    also: List[str] = []
    if blocks:
        # "mid-level pay?" / "hourly?": the hourly figure is a general fact, not a mid-level one
        extra_fact = closest_general_fact(kb.general_facts(topic_id), shown, scores)
        if extra_fact is not None:
            extra = _with_measure_siblings(kb, [extra_fact], pool)
            shown += extra
            also, also_refs = render(extra)
            refs += also_refs
    if not blocks:
        if missing:
            names = " or ".join(e.short_label for e in missing)
            lead.append(NO_FACTS.format(on=_nothing_on(topic, names)))
        general = pick_facts(_in_unasked_order(topic, kb.general_facts(topic_id), scores), scores, MAX_GENERAL_FACTS)
        specific = closest_specific_fact(pool, scores, subject) if not missing else None
        if specific is not None:
            general = [specific] + general[:MAX_GENERAL_FACTS - 1]
            introduced = introduced_subject(specific, subject)
        general = _with_measure_siblings(kb, general, pool)
        shown += general
        sentences, general_refs = render(general)
        refs += general_refs
        blocks.append((None, sentences))

    elif missing:
        names = " or ".join(e.short_label for e in missing)
        lead.append(NO_FACTS_SOME.format(on=_nothing_on(topic, names)))

    related = closest_related_fact(kb, topic_id, shown, subject, scores)
    if related is not None:
        related_sentences, related_refs = render(_with_measure_siblings(kb, [related], kb.facts))
        also += related_sentences
        refs += related_refs

    paragraphs: List[str] = []
    many = len(blocks) > 1
    for entity, sentences in blocks:
        body = " ".join(sentences)
        paragraphs.append(f"{_capital(entity.short_label)}: {body}" if many and entity else body)
    paragraphs = (lead + paragraphs) if not blocks[0][0] else (paragraphs + lead)
    if topic.lead:
        paragraphs.insert(0, topic.lead)
    if compared_with:
        paragraphs.insert(0, ONE_SIDE.format(other=compared_with))
    if also:
        paragraphs.append(" ".join(also))
    if topic.note:
        paragraphs.append(topic.note)
    paragraphs += list(where_to_check)
    line = source_line(refs)
    if line:
        paragraphs.append(line)
    return Reply(
        text="\n".join(p for p in paragraphs if p),
        buttons=_buttons(kb, topic_id),
        topic=topic_id,
        subject={k: list(v) for k, v in {**subject, **introduced}.items() if v},
    )


def both_parts(first: Reply, second: Reply) -> Reply:
    """One reply to a two-part question: each answer with its own sources; the first's topic stays in context.

    ``second`` was answered with ``given=first.text``; one left with no fact of its own (no source line) is dropped.
    """
    if not source_line_in(second.text):
        return first
    given = set(first.text.splitlines())  # a topic's note ("Fees change ...") once
    text = "\n".join([first.text] + [line for line in second.text.splitlines() if line not in given])
    return Reply(text=text, buttons=first.buttons, topic=first.topic, subject=first.subject)


def source_line_in(text: str) -> bool:
    """Whether a reply cites a source (it gave at least one fact or card)."""
    return any(line.startswith((f"{SOURCE_LABEL}:", f"{SOURCES_LABEL}:")) for line in text.splitlines())


#: An entity type the sources never speak for one of (a named school or employer), and the topic whose
#: note says where to look instead: "How long is Penn Foster's program?" gets the general picture, said
#: to be general, and where that school's own figures are published; "what does Optum pay coders?" the
#: field's pay, said to be general, and where one employer's pay and requirements are found.
WHERE_TO_CHECK = {"school": "schools", "employer": "work_settings"}

#: "tell me more": how many facts not yet given are added at a time.
MAX_MORE_FACTS = 3
NO_MORE = "That's all my sources say on {what}{about}."


def _given(fact: Fact, said_before: str) -> bool:
    """Whether the fact's sentence is in what the bot already said (alone or among disagreeing sources)."""
    return fact.text.rstrip(".") in said_before


def answer_more(kb: KnowledgeBase, topic_id: str, subject: Subject, said_before: str) -> Reply:
    """ "Tell me more": the topic's next facts that the conversation has not had yet.

    Facts about the subject come first, then the topic's general facts, in the
    knowledge base's order; a fact counts as given when its sentence is in
    ``said_before`` (the bot's earlier messages). When every fact is given, the
    reply says so and offers the topic's follow-up topics.
    """
    topic = kb.topics[topic_id]
    entities = relevant_subject(kb, topic_id, subject)
    ordered: List[Fact] = []
    for etype, entity in entities:
        ordered += kb.facts_about(topic_id, etype, entity.id)
        if DEFAULT_TOPIC_FOR_TYPE.get(etype) == topic_id:
            # "what is the CPC?" then "tell me more": the CPC's exam, pay, fees and upkeep, not other credentials
            ordered += [f for f in kb.facts if entity.id in f.about.get(etype, ()) and _fits(f, subject)]
    ordered += [f for f in kb.facts_for(topic_id) if _fits(f, subject)]
    fresh = [f for f in {f.id: f for f in ordered}.values() if not _given(f, said_before)]  # once each, in order
    chosen = _with_measure_siblings(kb, fresh[:MAX_MORE_FACTS], kb.facts)
    sentences, refs = render_facts(kb, chosen)
    if not sentences:
        names = " and ".join(entity.short_label for _, entity in entities)
        sentences = [NO_MORE.format(what=topic.in_sentence, about=f" for {names}" if names else "")]
    return Reply(
        text="\n".join(p for p in [" ".join(sentences), source_line(refs)] if p),
        buttons=_buttons(kb, topic_id),
        topic=topic_id,
        subject={k: list(v) for k, v in subject.items() if v},
    )


def introduced_subject(fact: Fact, subject: Subject) -> Dict[str, List[str]]:
    """What an answer's opening fact brings into the conversation that the question did not name."""
    return {etype: list(ids) for etype, ids in fact.about.items()
            if etype in INTRODUCED_TYPES and not subject.get(etype) and 0 < len(ids) <= MAX_INTRODUCED}


# --- comparisons ----------------------------------------------------------------


def comparable(subject: Subject) -> Tuple[str, List[str]] | None:
    """The entity type with two or more values, if any: credentials first, then in subject order.

    "AHIMA, AAPC, CCA, CPC... how do I choose?" compares the credentials, whose
    cards name the bodies that issue them; the bodies' cards would not tell the
    credentials apart.
    """
    for etype, ids in sorted(subject.items(), key=lambda item: item[0] != "certification"):
        unique = _unique(list(ids or []))
        if len(unique) >= 2:
            return etype, unique
    return None


#: "Which one is easiest?" after AHIMA's credentials: an organisation issuing this many
#: credentials or fewer is compared across them (AAPC's eight would make too long a reply).
MAX_CREDENTIALS_TO_COMPARE = 5


def credentials_to_compare(kb: KnowledgeBase, subject: Subject) -> Subject:
    """The credentials of the organisation in ``subject``, when there are 2 to ``MAX_CREDENTIALS_TO_COMPARE``."""
    for org_id in subject.get("organization") or ():
        issued = [c.id for c in kb.certifications_of(org_id)]
        if 2 <= len(issued) <= MAX_CREDENTIALS_TO_COMPARE:
            return {"certification": issued}
    return {}


def comparison_topic(kb: KnowledgeBase, etype: str, ids: Sequence[str],
                     scores: Mapping[str, float] | None) -> str | None:
    """What a comparison question is about ("which one pays more?" -> salary), from the fact scores.

    The topic of the closest fact about any of the compared entities, if it
    matches at least ``CONTEXT_MIN_SCORE``; None when nothing does. For things the
    sources say nothing about (two employers), the closest general fact of a topic they
    narrow ("Optum vs Kaiser, which pays more?" -> salary).
    """
    pool = about_any(kb.facts, [(etype, i) for i in ids]) or [
        f for f in kb.facts if not f.about and f.topic in kb.topics and etype in kb.topics[f.topic].qualifiers]
    best = _clear_winner(pool, (), scores, CONTEXT_MIN_SCORE, 0.0)
    return best.topic if best is not None else None


def answer_comparison(
    kb: KnowledgeBase, etype: str, ids: Sequence[str], topic_id: str | None = None,
    scores: Mapping[str, float] | None = None,
) -> Reply:
    """Side-by-side summary of two or more entities of one type.

    ``topic_id``: what the question asks about them ("which has the higher pass rate?" -> exam). Of a
    topic asked beyond the type's usual ones (:data:`COMPARE_TOPICS`), each side shows its fact closest
    to the question (``scores``), not its first (the exam's format); the usual ones keep their first
    fact (a credential's own pay, not that of people holding it and another). Either way a side shows a
    fact about itself alone before one about the other sides too (:func:`_side_facts`).
    """
    topics = list(COMPARE_TOPICS.get(etype, ()))
    asked = topic_id if topic_id and topic_id not in topics and etype in kb.topics[topic_id].qualifiers else None
    if asked:
        topics.insert(0, asked)
    per_topic = COMPARE_FACTS.get(etype, 1)
    lines = [COMPARE_INTRO]
    refs: List[Ref] = []
    for entity_id in ids:
        entity = kb.entity(etype, entity_id)
        if entity is None:
            continue
        sentences, card_refs = _entity_card(kb, etype, entity)
        others = set(ids) - {entity_id}
        key = [f for t in topics
               for f in _side_facts(kb.facts_about(t, etype, entity_id), etype, others,
                                    scores if t == asked else None)[:per_topic]]
        fact_sentences, fact_refs = render_facts(kb, key)
        sentences += fact_sentences
        refs += card_refs + fact_refs
        lines.append(f"- {entity.short_label}: {' '.join(sentences) or entity.name}")
    line = source_line(refs)
    if line:
        lines.append(line)
    follow = topics[0] if topics else DEFAULT_TOPIC_FOR_TYPE.get(etype, "overview")
    return Reply(
        text="\n".join(lines),
        buttons=_buttons(kb, follow),
        topic=follow,
        subject={etype: list(ids)},
    )


_BILLING = re.compile(r"\bbill(ing|er|ers)?\b", re.IGNORECASE)
_CODING = re.compile(r"\bcod(ing|er|ers)\b", re.IGNORECASE)


def implied_comparison(kb: KnowledgeBase, text: str) -> Dict[str, List[str]]:
    """"billing or coding?" names no entity but compares the two roles."""
    if _BILLING.search(text or "") and _CODING.search(text or ""):
        roles = [r for r in ("biller", "coder") if kb.entity("role", r)]
        if len(roles) == 2:
            return {"role": roles}
    return {}


def needs_two_things(kb: KnowledgeBase) -> Reply:
    examples = (("CPC vs CCS", "certification", ["cpc", "ccs"]),
                ("Certificate vs associate degree", "education_path", ["certificate", "associate"]),
                ("AAPC vs AHIMA", "organization", ["aapc", "ahima"]))
    buttons = []
    for title, etype, ids in examples:
        if all(kb.entity(etype, i) for i in ids):
            values = ", ".join(f'"{i}"' for i in ids)
            buttons.append(Button(title, f'/compare{{"{etype}": [{values}]}}'))
    return Reply(text=COMPARE_NEEDS_TWO, buttons=tuple(buttons))


# --- suggestions --------------------------------------------------------------------


def suggest(kb: KnowledgeBase, text: str, limit: int = MAX_BUTTONS) -> Reply:
    """Buttons for the topics closest to ``text`` (used when the bot is unsure)."""
    from bot.knowledge.search import TopicSearch

    ranked = TopicSearch.for_kb(kb).rank(text, limit=limit)
    if len(ranked) < limit:
        for fallback in ("getting_started", "salary", "certification", "remote"):
            if fallback in kb.topics and fallback not in ranked:
                ranked.append(fallback)
    buttons = tuple(Button(kb.topics[t].button, f"/ask_{t}") for t in ranked[:limit])
    return Reply(text=SUGGEST_INTRO, buttons=buttons)
