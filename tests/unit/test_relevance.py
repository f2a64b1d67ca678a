"""Fact ranking: the index, the NLU component that fills ``fact_scores``, and how answers use them."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any, Dict, List, Sequence

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot import answers, knowledge
from bot.nlu import embeddings, relevance
from bot.nlu.components import SENTENCE_VECTOR, FactRanker

WORDS = ("pay", "growth", "cpc", "entry", "credentials", "study")


class FakeEncoder:
    """One dimension per word of WORDS: a text's vector counts them. Records what it was asked."""

    def __init__(self) -> None:
        self.calls: List[List[str]] = []

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        self.calls.append(list(texts))
        return np.array([[t.lower().count(w) + 0.01 for w in WORDS] for t in texts], dtype=np.float32)


def vector(*words: str) -> np.ndarray:
    return np.array([1.0 if w in words else 0.0 for w in WORDS], dtype=np.float32)


@pytest.fixture(autouse=True)
def use_mini_kb(monkeypatch: pytest.MonkeyPatch, mini_kb: knowledge.KnowledgeBase) -> None:
    monkeypatch.setattr(knowledge, "get", lambda root=None: mini_kb)


# --- choosing facts ---------------------------------------------------------


def test_without_scores_the_knowledge_base_order_stands(mini_kb) -> None:
    facts = mini_kb.general_facts("salary")
    assert [f.id for f in answers.pick_facts(facts, None, 2)] == ["pay-general", "pay-growth-a"]
    assert [f.id for f in answers.pick_facts(facts, {}, 5)] == ["pay-general", "pay-growth-a", "pay-growth-b"]


def test_the_closest_fact_leads_and_the_overview_stays(mini_kb) -> None:
    facts = mini_kb.general_facts("salary")
    scores = {"pay-growth-b": 0.9, "pay-growth-a": 0.5, "pay-general": 0.1}
    assert [f.id for f in answers.pick_facts(facts, scores, 2)] == ["pay-growth-b", "pay-general"]
    assert [f.id for f in answers.pick_facts(facts, scores, 3)] == ["pay-growth-b", "pay-general", "pay-growth-a"]
    near = {"pay-growth-b": 0.52, "pay-general": 0.5}  # not clearly closer: the main statement keeps the lead
    assert [f.id for f in answers.pick_facts(facts, near, 2)] == ["pay-general", "pay-growth-b"]


# --- the index ------------------------------------------------------------------


def test_index_ranks_facts_by_cosine(mini_kb) -> None:
    index = relevance.FactIndex.build(mini_kb, FakeEncoder())
    scores = index.scores(vector("study"), top=2)
    assert list(scores)[0] == "org-general-2" and len(scores) == 2
    assert scores["org-general-2"] > 0.9
    assert index.scores(np.zeros(len(WORDS))) == {}
    assert index.scores(np.ones(3)) == {}  # wrong dimension: no scores rather than a crash


def test_index_reuses_stored_vectors_only_for_unchanged_texts(mini_kb) -> None:
    stored = relevance.FactIndex.build(mini_kb, FakeEncoder()).to_json()
    stored["hashes"]["pay-cpc"] = "edited-since"
    encoder = FakeEncoder()
    index = relevance.FactIndex.build(mini_kb, encoder, stored["vectors"], stored["hashes"])
    assert encoder.calls == [["CPC holders average $58,895."]]
    assert index.ids == [f.id for f in mini_kb.facts]


def with_asks(kb: knowledge.KnowledgeBase, fact_id: str, asks: List[str]) -> SimpleNamespace:
    """``kb``'s facts (all the index reads), one of them with questions."""
    return SimpleNamespace(facts=[f.copy(update={"asks": asks}) if f.id == fact_id else f for f in kb.facts])


def test_a_fact_also_matches_the_questions_it_answers(mini_kb) -> None:
    plain = relevance.FactIndex.build(mini_kb, FakeEncoder()).scores(vector("credentials"))
    asked_kb = with_asks(mini_kb, "pay-entry", ["do credentials matter when starting out?"])
    asked = relevance.FactIndex.build(asked_kb, FakeEncoder()).scores(vector("credentials"))
    assert list(asked)[0] == "pay-entry" and list(plain)[0] != "pay-entry"
    assert asked["pay-entry"] > 0.9 > plain["pay-entry"]
    assert len(asked) == len(plain)  # one score per fact, not per question


def test_editing_a_question_reembeds_only_its_fact(mini_kb) -> None:
    first = with_asks(mini_kb, "pay-entry", ["entry pay?"])
    stored = relevance.FactIndex.build(first, FakeEncoder()).to_json()
    assert len(stored["vectors"]["pay-entry"]) == 2 and len(stored["vectors"]["pay-cpc"]) == 1
    encoder = FakeEncoder()
    edited = with_asks(mini_kb, "pay-entry", ["entry pay?", "first job pay?"])
    index = relevance.FactIndex.build(edited, encoder, stored["vectors"], stored["hashes"])
    assert encoder.calls == [["Entry-level pay is $40,000 to $45,000.", "entry pay?", "first job pay?"]]
    assert index.matrix.shape[0] == len(mini_kb.facts) + 2


def test_vectors_stored_one_per_fact_are_still_read(mini_kb) -> None:
    """A model trained before facts had questions stored a flat vector per fact."""
    stored = relevance.FactIndex.build(mini_kb, FakeEncoder()).to_json()
    flat = {i: rows[0] for i, rows in stored["vectors"].items()}
    encoder = FakeEncoder()
    relevance.FactIndex.build(mini_kb, encoder, flat, stored["hashes"])
    assert encoder.calls == []


# --- the component ----------------------------------------------------------------


def ranker(tmp_path, monkeypatch, encoder: FakeEncoder) -> FactRanker:
    monkeypatch.setattr(embeddings, "encode", encoder)
    config: Dict[str, Any] = {**FactRanker.get_default_config(), "top": 3}
    return FactRanker.create(config, LocalModelStorage(tmp_path), Resource("ranker"),
                             ExecutionContext(GraphSchema({}), "test"))


def test_ranker_scores_messages_with_a_sentence_vector(tmp_path, monkeypatch) -> None:
    component = ranker(tmp_path, monkeypatch, FakeEncoder())
    resource = component.train(TrainingData())
    loaded = FactRanker.load(component.config, component.storage, resource, ExecutionContext(GraphSchema({}), "t"))
    asked = Message(data={"text": "what about entry pay"})
    asked.set(SENTENCE_VECTOR, vector("entry", "pay"))
    button = Message(data={"text": "/ask_salary"})
    loaded.process([asked, button])
    scores = asked.as_dict(only_output_properties=True)[relevance.FACT_SCORES]
    assert list(scores)[0] == "pay-entry" and len(scores) == 3
    assert SENTENCE_VECTOR not in asked.as_dict(only_output_properties=True)
    assert relevance.FACT_SCORES not in button.as_dict(only_output_properties=True)


def test_ranker_loads_without_stored_vectors(tmp_path, monkeypatch) -> None:
    encoder = FakeEncoder()
    component = ranker(tmp_path, monkeypatch, encoder)
    loaded = FactRanker.load(component.config, component.storage, Resource("never-trained"),
                             ExecutionContext(GraphSchema({}), "t"))
    assert loaded.index is not None and len(encoder.calls) == 1


def test_stored_vectors_are_json(tmp_path, monkeypatch) -> None:
    component = ranker(tmp_path, monkeypatch, FakeEncoder())
    resource = component.train(TrainingData())
    with component.storage.read_from(resource) as directory:
        stored = json.loads((directory / FactRanker.FILE).read_text(encoding="utf-8"))
    assert set(stored) == {"hashes", "vectors"} and "pay-cpc" in stored["vectors"]


def test_a_general_answer_opens_with_a_clearly_closer_specific_fact(mini_kb) -> None:
    close = answers.answer_topic(mini_kb, "salary", {}, {"pay-entry": 0.6, "pay-general": 0.3})
    assert close.text.startswith("Entry-level pay is $40,000 to $45,000. Pay is about")
    assert close.subject == {}  # the fact does not change what the conversation is about
    near = answers.answer_topic(mini_kb, "salary", {}, {"pay-entry": 0.6, "pay-general": 0.58})
    assert near.text.startswith("Pay is about")
    weak = answers.answer_topic(mini_kb, "salary", {}, {"pay-entry": 0.3, "pay-general": 0.1})
    assert weak.text.startswith("Pay is about")


def test_an_entity_answer_adds_a_clearly_closer_general_fact(mini_kb) -> None:
    subject = {"experience_level": ["entry"]}
    close = answers.answer_topic(mini_kb, "salary", subject, {"pay-general": 0.6, "pay-entry": 0.3})
    assert close.text.split("\n")[:2] == ["Entry-level pay is $40,000 to $45,000.",
                                           "Pay is about $40,000 to $60,000 a year."]
    near = answers.answer_topic(mini_kb, "salary", subject, {"pay-general": 0.6, "pay-entry": 0.58})
    assert "Pay is about" not in near.text
    assert "Pay is about" not in answers.answer_topic(mini_kb, "salary", subject, None).text


def test_an_answer_adds_the_closest_fact_of_another_topic_when_it_clearly_fits(mini_kb) -> None:
    # "do associations help you study?" read as certification: its closest fact is under organization
    scores = {"org-general-2": 0.7, "cert-general": 0.4}
    close = answers.answer_topic(mini_kb, "certification", {}, scores)
    assert close.text.split("\n")[:2] == ["The CPC and CCS are the best known.",
                                           "Joining one gives access to study material."]
    assert close.topic == "certification"
    near = answers.answer_topic(mini_kb, "certification", {}, {"org-general-2": 0.7, "cert-general": 0.69})
    assert "study material" not in near.text
    weak = answers.answer_topic(mini_kb, "certification", {}, {"org-general-2": 0.45, "cert-general": 0.1})
    assert "study material" not in weak.text


def test_the_added_fact_must_not_be_about_another_named_entity(mini_kb) -> None:
    scores = {"pay-cpc": 0.8, "cert-general": 0.3}
    assert "$58,895" in answers.answer_topic(mini_kb, "certification", {}, scores).text
    assert "$58,895" in answers.answer_topic(mini_kb, "certification", {"certification": ["cpc"]}, scores).text
    other = answers.answer_topic(mini_kb, "certification", {"certification": ["ccs"]}, scores)
    assert "$58,895" not in other.text


def test_the_closest_other_topic_is_added_even_when_a_third_is_near(mini_kb) -> None:
    # a second topic nearly as close is no reason to add neither: the closest one answers the question
    near_third = {"org-general-2": 0.7, "pay-general": 0.69, "cert-general": 0.4}
    assert "study material" in answers.answer_topic(mini_kb, "certification", {}, near_third).text
    same_topic = {"org-general-2": 0.7, "org-general": 0.69, "cert-general": 0.4}  # a sibling is no rival
    assert "study material" in answers.answer_topic(mini_kb, "certification", {}, same_topic).text


def test_the_added_fact_comes_from_another_topic(mini_kb) -> None:
    # the CPC's pay answer: an entry-level pay fact is the same topic, for pick_facts to decide, not an extra
    scores = {"pay-entry": 0.9, "pay-cpc": 0.3}
    assert "Entry-level pay" not in answers.answer_topic(mini_kb, "salary", {"certification": ["cpc"]}, scores).text
    # nor is another topic's fact added when the answer's own topic matches as well
    closer_own = {"pay-entry": 0.75, "org-general-2": 0.72}
    assert "study material" not in answers.answer_topic(mini_kb, "salary", {"certification": ["cpc"]}, closer_own).text


def test_a_general_answer_does_not_open_with_another_named_entity(mini_kb) -> None:
    facts = mini_kb.facts_for("salary")
    scores = {"pay-cpc": 0.8, "pay-general": 0.3}
    assert answers.closest_specific_fact(facts, scores).id == "pay-cpc"
    assert answers.closest_specific_fact(facts, scores, {"experience_level": ["entry"]}).id == "pay-cpc"
    assert answers.closest_specific_fact(facts, scores, {"certification": ["ccs"]}) is None


def test_a_credential_the_answer_opens_with_becomes_the_subject(mini_kb) -> None:
    # "highest paying cert?" opens with one credential's pay: "who offers it?" is then about that credential
    close = answers.answer_topic(mini_kb, "salary", {}, {"pay-cpc": 0.6, "pay-general": 0.3})
    assert close.text.startswith("CPC") and close.subject == {"certification": ["cpc"]}
    near = answers.answer_topic(mini_kb, "salary", {}, {"pay-cpc": 0.6, "pay-general": 0.58})
    assert near.subject == {}  # the general facts lead: nothing new to talk about


def test_only_a_credential_or_code_set_the_question_left_open_is_introduced(mini_kb) -> None:
    fact = next(f for f in mini_kb.facts if f.id == "pay-cpc")
    assert answers.introduced_subject(fact, {}) == {"certification": ["cpc"]}
    assert answers.introduced_subject(fact, {"certification": ["ccs"]}) == {}  # the question named its own
    many = fact.copy(update={"about": {"certification": ["cpc", "ccs", "cpb"]}})
    assert answers.introduced_subject(many, {}) == {}  # a list of credentials is no subject
    level = next(f for f in mini_kb.facts if f.id == "pay-entry")
    assert answers.introduced_subject(level, {}) == {}  # a level qualifies, it is not a subject
