"""Which follow-ups are read again after the subject in context, and with what label."""

from __future__ import annotations

import pytest

from bot import knowledge
from bot.nlu import context


def parse(text: str, entities: list | None = None) -> dict:
    return {"text": text, "entities": entities or []}


def test_the_label_names_the_entities_in_context(kb: knowledge.KnowledgeBase) -> None:
    assert context.subject_label({"certification": ["crc"]}, kb) == "CRC"
    assert context.subject_label({"certification": ["cpc", "ccs"], "topic": "salary"}, kb) == "CPC and CCS"
    assert context.subject_label({"coding_system": "icd10pcs"}, kb) == "ICD-10-PCS"


def test_without_entities_the_label_is_the_topic(kb: knowledge.KnowledgeBase) -> None:
    assert context.subject_label({"topic": "outlook", "certification": None}, kb) == kb.topics["outlook"].title
    assert context.subject_label({"topic": "no-such-topic"}, kb) is None
    assert context.subject_label({"certification": ["no-such-credential"]}, kb) is None


def test_a_short_follow_up_pointing_back_gets_the_label_in_front(kb: knowledge.KnowledgeBase) -> None:
    assert context.contextual_text(parse("how do i get it"), {"certification": ["crc"]}, kb) == "CRC: how do i get it"
    assert context.contextual_text(parse("why is that?"), {"topic": "outlook"}, kb) == (
        f"{kb.topics['outlook'].title}: why is that?")


@pytest.mark.parametrize("data", [
    parse("how long does the exam take"),                                          # does not point back
    parse("how do i get it", [{"entity": "certification", "value": "ccs"}]),       # names what it is about
    parse("so how would i go about getting it if i only have a diploma"),          # long enough to stand alone
    parse('/ask_salary{"certification": "cpc"}'),                                  # a button
    parse("   "),
])
def test_other_messages_are_read_as_they_are(kb: knowledge.KnowledgeBase, data: dict) -> None:
    assert context.contextual_text(data, {"certification": ["crc"]}, kb) is None


def test_nothing_in_context_nothing_to_add(kb: knowledge.KnowledgeBase) -> None:
    assert context.contextual_text(parse("how do i get it"), {}, kb) is None


def test_the_reading_keeps_what_the_actions_use() -> None:
    second = {"text": "CRC: how do i get it", "intent": {"name": "ask_certification", "confidence": 0.63},
              "intent_ranking": [{"name": f"i{n}", "confidence": 0.1} for n in range(9)],
              "fact_scores": {"cert-crc": 0.71}, "entities": [{"entity": "certification"}]}
    read = context.reading("CRC: how do i get it", second)
    assert read == {"text": "CRC: how do i get it", "intent": {"name": "ask_certification", "confidence": 0.63},
                    "intent_ranking": second["intent_ranking"][:context.RANKING_LENGTH],
                    "fact_scores": {"cert-crc": 0.71}}
