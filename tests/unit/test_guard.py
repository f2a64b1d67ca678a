"""Raw text rules: typed payloads, empty and overlong messages, control characters."""

from __future__ import annotations

import pytest

from bot.nlu.emergency import sounds_like_emergency
from bot.nlu.guard import MAX_MESSAGE_CHARS, clean_text, guard_text

ALLOWED = {"ask_salary", "compare", "help", "inform"}
KNOWN = {"certification": {"cpc", "ccs"}, "role": {"coder"}}


def guard(text):
    return guard_text(text, ALLOWED, KNOWN)


@pytest.mark.parametrize(
    "payload",
    [
        "/ask_salary",
        '/ask_salary{"certification": "cpc"}',
        '/compare{"certification": ["cpc", "ccs"]}',
    ],
)
def test_button_payloads_pass(payload: str) -> None:
    assert guard(payload) == payload


@pytest.mark.parametrize(
    "typed",
    [
        "/restart",
        "/session_start",
        '/ask_salary{"certification": "<script>"}',
        '/ask_salary{"certification": "CPC"}',
        '/ask_salary{"topic": "salary"}',
        '/ask_salary{"certification": 5}',
        '/compare{"certification": []}',
        "/ask_salary{not json}",
        "//ask_salary",
        "/",
    ],
)
def test_other_payloads_are_not_understood(typed: str) -> None:
    assert guard(typed) == "/nlu_fallback"


@pytest.mark.parametrize("empty", [None, "", "   ", "\n\t", "\u200b", "\x00\x01"])
def test_empty_messages_ask_for_help(empty) -> None:
    assert guard(empty) == "/help"


def test_long_messages_are_cut_at_a_word() -> None:
    text = "how much do coders make " * 1000
    out = guard(text)
    assert len(out) <= MAX_MESSAGE_CHARS
    assert out.startswith("how much do coders make")
    assert out.endswith("make") or out.endswith("coders") or out.split()[-1] in text.split()


def test_one_huge_word_is_cut_too() -> None:
    assert len(clean_text("x" * 20_000)) == MAX_MESSAGE_CHARS


def test_markup_is_dropped() -> None:
    assert guard("  what   is <b>CPC</b>?  ") == "what is CPC ?"
    assert guard("<script>alert(1)</script>") == "/nlu_fallback"
    assert guard("<img src=x onerror=alert(1)>") == "/nlu_fallback"
    assert guard("is 3 < 5 in coding pay?") == "is 3 < 5 in coding pay?"


def test_json_data_is_not_a_question() -> None:
    assert guard('{"intent": "ask_salary", "confidence": 1.0}') == "/nlu_fallback"
    assert guard('[{"text": "hi"}]') == "/nlu_fallback"
    assert guard("[CPC] vs {CCS}?") == "[CPC] vs {CCS}?"


def test_other_text_is_untouched_but_for_spacing() -> None:
    assert guard("¿cuánto gana un codificador? 🤔") == "¿cuánto gana un codificador? 🤔"


@pytest.mark.parametrize(
    "text",
    ["I have chest pain right now", "i cant breathe", "my son swallowed a magnet", "my friend collapsed",
     "I took too many pills",
     "I want to kill myself", "he is bleeding heavily",
     "my friend took a bunch of pills and wont wake up", "i took a whole bottle of pills",
     "my dad wont wake up", "my throat is swelling shut", "emergency!!", "emergency help now", "call 911",
     "sudden worst headache of my life", "worst headache ever and my vision is going",
     "My chest hurts and my left arm is numb. How long does coding school take?", "my baby isnt breathing"],
)
def test_emergencies(text: str) -> None:
    assert sounds_like_emergency(text)


@pytest.mark.parametrize(
    "text",
    ["how much do ER coders make", "what is the ICD-10 code for chest pain", "is coding stressful",
     "do coders work in emergency departments", "emergency department coding jobs",
     "how do i wake up early to study for the cpc", "i can't wake up early enough for a hospital shift",
     "is it odd to switch careers at 50", "do pharmacy billers handle bottles of pills", "",
     "My patient had chest pain. Which ICD-10 code do I use?", "I have chest pain in my notes. What code is that?"],
)
def test_not_emergencies(text: str) -> None:
    assert not sounds_like_emergency(text)


def test_a_lone_surrogate_is_dropped_not_passed_to_spacy() -> None:
    assert clean_text("\ud800 how much") == "how much"
    assert clean_text("pay\udfff?") == "pay ?"
