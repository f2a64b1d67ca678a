"""The generated long-message training data is what its generator writes, and adds no unannotated entity."""

from __future__ import annotations

from bot import knowledge
from bot.nlu import augment


def test_generated_file_is_up_to_date(kb: knowledge.KnowledgeBase) -> None:
    assert augment.OUTPUT.read_text(encoding="utf-8") == augment.generate(kb), (
        "data/nlu/generated/long_messages.yml is stale: run `python -m bot augment`"
    )


def test_backgrounds_used_name_nothing_the_entity_matcher_finds(kb: knowledge.KnowledgeBase) -> None:
    clean = augment.clean_backgrounds(kb)
    assert len(clean) >= 30
    assert "I'm a veteran trying to figure out my next step." not in clean  # "veteran" names the experienced level
    text = augment.OUTPUT.read_text(encoding="utf-8")
    assert "veteran" not in text


def test_every_question_intent_gets_copies_after_a_story(kb: knowledge.KnowledgeBase) -> None:
    text = augment.generate(kb)
    for intent in ("ask_salary", "ask_schools", "ask_ai_automation", "out_of_scope", "compare"):
        assert f"- intent: {intent}\n" in text
