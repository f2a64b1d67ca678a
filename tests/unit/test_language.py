"""Messages in other languages are recognised from spaCy's stop-word lists; English, typos and gibberish are not."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bot.nlu.language import other_language
from bot.nlu.scope import LANGUAGE, override


@pytest.mark.parametrize("text, code", [
    ("¿cuánto cobra un facturador médico al año?", "es"),
    ("est-ce que le travail se fait à distance ?", "fr"),
    ("wie viel kostet die Prüfung für den Kodierer?", "de"),
    ("quanto tempo leva para ser certificado?", "pt"),
    ("quanto dura il corso di codifica?", "it"),
    ("医疗编码员一年赚多少钱", "other"),
    ("сколько стоит экзамен", "other"),
])
def test_other_languages_are_recognised(text: str, code: str) -> None:
    assert other_language(text) == code
    assert override(text) == LANGUAGE


@pytest.mark.parametrize("text", [
    "how much do medical coders make", "hi hi", "ok im done bye", "is the cpc de best cert",
    "i want to be a coder in la", "asdkjh qwoeiu zxcmnb", "skils for medcal coder", "CPC vs CCS?",
    "", "/ask_salary", "🙂🙂",
])
def test_english_typos_and_gibberish_are_not_another_language(text: str) -> None:
    assert other_language(text) is None


@pytest.mark.parametrize("text", [
    "Estoy interesada en trabajar desde casa. Is remote work common for billers in the USA?",
    "hola! soy de México y quiero saber: how much do medical coders make?",
])
def test_a_message_with_an_english_sentence_is_english(text: str) -> None:
    assert other_language(text) is None


def test_a_foreign_message_with_a_stray_english_word_is_still_foreign() -> None:
    assert other_language("¿Cuánto gana un coder? ¿Y cuánto cuesta el examen CPC?") == "es"


def test_an_emergency_rule_comes_first() -> None:
    assert override("I'm having chest pain, ¿qué hago?") == "medical_emergency"


def test_reading_the_stop_words_does_not_import_spacy() -> None:
    """The action server uses these rules too: importing spaCy's language packages cost it 7 s and ~400 MB."""
    code = ("import sys; from bot.nlu.scope import override; "
            "assert override('hola, ¿qué tal?') == 'other_language'; assert 'spacy' not in sys.modules")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
