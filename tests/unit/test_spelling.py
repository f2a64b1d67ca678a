"""Misspelt domain words are read as the word meant; real words and ambiguous slips are left alone."""

from __future__ import annotations

from typing import Any, Dict

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.components import SPELLED_TEXT, SpellingNormalizer
from bot.nlu.spelling import Speller, rewrite

COUNTS = {"medical": 40, "billing": 30, "skills": 10, "salary": 20, "which": 30, "with": 50,
          "biling": 1, "certification": 12, "starting": 9, "coder": 15, "coders": 8}


@pytest.fixture
def speller() -> Speller:
    return Speller(COUNTS, english=["weather", "stacking"], min_count=3)


@pytest.mark.parametrize("typed, meant", [
    ("medcal", "medical"), ("Skils", "skills"), ("salery", "salary"),
    ("biling", "billing"),  # in the training data once, as a typo: billing is far more common
    ("certifcaton", "certification"),  # two slips in a long word
    ("strting", "starting"),
])
def test_misspelt_domain_words_are_read_as_meant(speller: Speller, typed: str, meant: str) -> None:
    assert speller.correct(typed) == meant


@pytest.mark.parametrize("word", [
    "weather",  # a real English word outside the domain stays itself
    "stacking",  # ... even when it is near a domain word
    "wich",  # "which" or "with": two readings, neither clearly more likely
    "starting", "coder",  # known domain words
    "strtng",  # two slips from "starting" in a word too short for two
    "cpc", "form",  # too short to tell a slip from another word
    "médcal", "c0der", "zzzzzz",
])
def test_other_words_are_left_alone(speller: Speller, word: str) -> None:
    assert speller.correct(word) == word


@pytest.mark.parametrize("typed, meant", [("u", "you"), ("U", "you"), ("w/o", "without"), ("yrs", "years"),
                                          ("w", "with"), ("cert", "certification"), ("certs", "certifications"),
                                          ("q", "questions"), ("helo", "hello")])
def test_chat_shorthand_is_read_as_the_words_meant(speller: Speller, typed: str, meant: str) -> None:
    assert speller.correct(typed) == meant


def test_plurals_contractions_and_other_first_letters_stay() -> None:
    speller = Speller({"crc": 9, "cbcs": 9, "cmrs": 9, "want": 50, "medical": 40}, min_count=3)
    assert speller.correct("crcs") == "crcs"  # the plural of a known name, not a slip for CBCS
    assert speller.correct("emrs") == "emrs"  # a slip keeps the first letter
    assert speller.correct("wasnt") == "wasnt"  # "i wasnt certified" must not become "i want certified"
    assert speller.correct("HR") == "HR"  # human resources, not "hour"
    assert speller.correct("medcal") == "medical"


def test_a_common_misspelling_is_not_corrected_towards_a_rare_word() -> None:
    speller = Speller({"payer": 3, "payed": 2}, min_count=3)
    assert speller.correct("payed") == "payed"  # payer is not 5x as common as payed


def test_rewrite_replaces_tokens_and_shifts_spans() -> None:
    text = "skils for medcal coder?"
    new, spans = rewrite(text, [(0, 5), (6, 9), (10, 16), (17, 22)], ["skills", None, "medical", None])
    assert new == "skills for medical coder?"
    assert [new[a:b] for a, b in spans] == ["skills", "for", "medical", "coder"]


def normalizer(tmp_path) -> SpellingNormalizer:
    config: Dict[str, Any] = SpellingNormalizer.get_default_config()
    component = SpellingNormalizer.create(config, LocalModelStorage(tmp_path), Resource("spelling"),
                                          ExecutionContext(GraphSchema({}), "test"))
    examples = [Message(data={TEXT: "what skills does a medical coder need", "intent": "ask_skills"})] * 3
    resource = component.train(TrainingData(examples))
    return SpellingNormalizer.load(config, component.storage, resource, ExecutionContext(GraphSchema({}), "t"))


def tokenized(text: str) -> Message:
    message = Message(data={TEXT: text})
    tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
    tokenizer.process([message])
    return message


def test_the_component_sets_lemmas_and_the_spelled_text_but_keeps_the_message(tmp_path) -> None:
    component = normalizer(tmp_path)
    message = tokenized("skils for a medcal coder")
    component.process([message])
    assert message.get(TEXT) == "skils for a medcal coder"
    assert [t.lemma for t in message.get(TOKENS_NAMES[TEXT])] == ["skills", "for", "a", "medical", "coder"]
    assert [t.text for t in message.get(TOKENS_NAMES[TEXT])] == ["skils", "for", "a", "medcal", "coder"]
    spelled, spans = message.get(SPELLED_TEXT)
    assert spelled == "skills for a medical coder" and spelled[spans[3][0]:spans[3][1]] == "medical"


def test_a_correctly_spelt_message_is_untouched(tmp_path) -> None:
    message = tokenized("what skills does a coder need")
    normalizer(tmp_path).process([message])
    assert message.get(SPELLED_TEXT) is None
    assert [t.lemma for t in message.get(TOKENS_NAMES[TEXT])] == ["what", "skills", "does", "a", "coder", "need"]


def test_the_memory_of_readings_is_bounded(monkeypatch: pytest.MonkeyPatch, speller: Speller) -> None:
    monkeypatch.setattr("bot.nlu.spelling.CACHE_SIZE", 3)
    for word in ("medcal", "salery", "zzzzzq", "qqqqqz", "skils"):
        speller.correct(word)
    assert len(speller._cache) <= 3 and speller.correct("medcal") == "medical"
