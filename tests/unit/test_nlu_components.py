"""The custom Rasa components, run the way Rasa's graph runs them."""

from __future__ import annotations

from typing import Any, Dict

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot import knowledge
from bot.nlu.components import InputGuard, KnowledgeEntityExtractor, ScopeRules, VocabularyGate
from bot.nlu.coverage import Vocabulary


@pytest.fixture(autouse=True)
def use_mini_kb(monkeypatch: pytest.MonkeyPatch, mini_kb: knowledge.KnowledgeBase) -> None:
    monkeypatch.setattr(knowledge, "get", lambda root=None: mini_kb)


def create(cls, tmp_path, **config: Any):
    full: Dict[str, Any] = {**cls.get_default_config(), **config}
    return cls.create(
        full, LocalModelStorage(tmp_path), Resource(cls.__name__), ExecutionContext(GraphSchema({}), "test")
    )


def test_extractor_outputs_canonical_ids_with_offsets(tmp_path) -> None:
    extractor = create(KnowledgeEntityExtractor, tmp_path)
    message = Message(data={"text": "is the CPC exam harder for a beginner or an entry level person"})
    [out] = extractor.process([message])
    entities = out.get("entities")
    assert [(e["entity"], e["value"], e["start"], e["end"]) for e in entities] == [
        ("certification", "cpc", 7, 15),
        ("experience_level", "entry", 29, 37),
        ("experience_level", "entry", 44, 55),
    ]
    assert all(e["extractor"] == "KnowledgeEntityExtractor" for e in entities)
    assert "entities" in out.as_dict(only_output_properties=True)


def test_extractor_marks_fuzzy_matches_with_lower_confidence(tmp_path) -> None:
    extractor = create(KnowledgeEntityExtractor, tmp_path)
    [out] = extractor.process([Message(data={"text": "certifed profesional coder"})])
    [entity] = out.get("entities")
    assert entity["value"] == "cpc" and entity["confidence"] == 0.8


def test_extractor_skips_button_payloads(tmp_path) -> None:
    extractor = create(KnowledgeEntityExtractor, tmp_path)
    [out] = extractor.process([Message(data={"text": '/ask_salary{"certification": "cpc"}'})])
    assert not out.get("entities")


def test_extractor_ignores_training(tmp_path) -> None:
    extractor = create(KnowledgeEntityExtractor, tmp_path)
    data = TrainingData([Message(data={"text": "cpc", "intent": "inform"})])
    assert extractor.process_training_data(data) is data


def test_guard_uses_knowledge_for_allowed_payloads(tmp_path) -> None:
    guard = create(InputGuard, tmp_path, max_chars=50)
    messages = [
        Message(data={"text": '/ask_salary{"certification": "cpc"}'}),
        Message(data={"text": '/ask_salary{"certification": "zzz"}'}),
        Message(data={"text": "/restart"}),
        Message(data={"text": ""}),
        Message(data={"text": "a " * 100}),
    ]
    out = [m.get("text") for m in guard.process(messages)]
    assert out[:4] == ['/ask_salary{"certification": "cpc"}', "/nlu_fallback", "/nlu_fallback", "/help"]
    assert len(out[4]) <= 50


def test_scope_rules_override_the_classifier(tmp_path) -> None:
    override = create(ScopeRules, tmp_path)
    calm = Message(data={"text": "how much do coders make", "intent": {"name": "ask_salary", "confidence": 0.9}})
    urgent = Message(data={"text": "my son is unconscious", "intent": {"name": "out_of_scope", "confidence": 0.4}})
    override.process([calm, urgent])
    assert calm.get("intent")["name"] == "ask_salary"
    assert urgent.get("intent") == {"name": "medical_emergency", "confidence": 1.0}


def test_scope_rules_reconsider_a_doubtful_decline_of_a_field_entity(tmp_path) -> None:
    rules = create(ScopeRules, tmp_path)
    ranking = [{"name": "out_of_scope", "confidence": 0.42}, {"name": "ask_salary", "confidence": 0.3}]
    cmis = {"entity": "certification", "value": "cmis", "start": 0, "end": 4}
    named = Message(data={"text": "CMIS pay", "intent": ranking[0], "intent_ranking": ranking, "entities": [cmis]})
    plain = Message(data={"text": "pay, really?", "intent": ranking[0], "intent_ranking": ranking, "entities": []})
    rules.process([named, plain])
    assert named.get("intent") == {"name": "ask_salary", "confidence": 0.3}
    assert plain.get("intent") == ranking[0]


def test_scope_rules_fall_back_when_torn_between_answering_and_declining(tmp_path) -> None:
    rules = create(ScopeRules, tmp_path)
    torn = [{"name": "ask_salary", "confidence": 0.40}, {"name": "out_of_scope", "confidence": 0.39}]
    two_answers = [{"name": "ask_education", "confidence": 0.45}, {"name": "ask_getting_started", "confidence": 0.44}]
    a = Message(data={"text": "money in it?", "intent": torn[0], "intent_ranking": torn})
    b = Message(data={"text": "only a GED, can I be a coder?", "intent": two_answers[0], "intent_ranking": two_answers})
    rules.process([a, b])
    assert a.get("intent") == {"name": "nlu_fallback", "confidence": 0.40}
    assert a.get("intent_ranking")[0]["name"] == "nlu_fallback" and len(a.get("intent_ranking")) == 3
    assert b.get("intent") == two_answers[0]


def test_a_near_tie_naming_a_field_entity_is_answered(tmp_path) -> None:
    rules = create(ScopeRules, tmp_path)
    ranking = [{"name": "out_of_scope", "confidence": 0.42}, {"name": "ask_salary", "confidence": 0.41}]
    cmis = {"entity": "certification", "value": "cmis", "start": 0, "end": 4}
    named = Message(data={"text": "CMIS pay", "intent": ranking[0], "intent_ranking": ranking, "entities": [cmis]})
    rules.process([named])
    assert named.get("intent") == {"name": "ask_salary", "confidence": 0.41}


def test_scope_rules_answer_the_field_side_of_a_comparison_with_another_career(tmp_path) -> None:
    rules = create(ScopeRules, tmp_path)
    ranking = [{"name": "out_of_scope", "confidence": 0.8}, {"name": "ask_duration", "confidence": 0.1}]
    compared = Message(data={"text": "is it faster to get into this than nursing", "intent": ranking[0],
                             "intent_ranking": ranking})
    other = Message(data={"text": "is nursing a good career", "intent": ranking[0], "intent_ranking": ranking})
    rules.process([compared, other])
    assert compared.get("intent") == {"name": "ask_duration", "confidence": 0.1}
    assert compared.get("compared_occupation") == "nursing"
    assert "compared_occupation" in compared.as_dict(only_output_properties=True)
    assert other.get("intent") == {"name": "out_of_scope", "confidence": 1.0}
    assert other.get("compared_occupation") is None


def test_the_classifiers_emergency_outweighs_the_medical_phrase_rule(tmp_path) -> None:
    """'my head is pounding and my arm went numb': no emergency phrase, but the classifier heard one."""
    rules = create(ScopeRules, tmp_path)
    heard = Message(data={"text": "my head aches and my arm went numb",
                          "intent": {"name": "medical_emergency", "confidence": 0.6}})
    asked = Message(data={"text": "my head aches, what should i take",
                          "intent": {"name": "ask_stress", "confidence": 0.4}})
    rules.process([heard, asked])
    assert heard.get("intent") == {"name": "medical_emergency", "confidence": 1.0}
    assert asked.get("intent") == {"name": "out_of_scope_medical", "confidence": 1.0}


@pytest.mark.parametrize("text, fallback", [
    ("🙂🙂🙂", True), ("!!!", True), ("👍", True),            # nothing to read: not a question in another language
    ("what does a coder make", False), ("cpc", False), ("   ", False),
    ("zorp blix wemble", True),                                # unknown words, as before
])
def test_the_gate_falls_back_on_messages_without_words_it_knows(tmp_path, text: str, fallback: bool) -> None:
    gate = VocabularyGate(VocabularyGate.get_default_config(), None, None,
                          Vocabulary({"what", "does", "a", "coder", "make"}))
    message = Message(data={"text": text, "intent": {"name": "other_language", "confidence": 0.52}})
    [out] = gate.process([message])
    assert (out.get("intent")["name"] == "nlu_fallback") is fallback
