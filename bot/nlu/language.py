"""Is a message written in another language? (The bot answers in English only.)

No language-identification model is needed for this: spaCy ships stop-word
lists for many languages, and a question in Spanish or German is full of its
language's function words ("¿cuánto gana un codificador?", "wie viel verdient
ein Kodierer?"). A message is another language's when at least two of its
words are that language's stop words and not English ones, and they outnumber
its English stop words; or when most of its letters are not Latin (Chinese,
Arabic, Cyrillic, ...). Gibberish and code-like text match neither.

A message that mixes languages is English when one of its sentences is
("Estoy interesada en trabajar desde casa. Is remote work common for
billers?"): that sentence can be answered, and the rest of the pipeline reads
the whole message as before.
"""

from __future__ import annotations

import importlib.util
import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Dict, FrozenSet

#: Languages whose stop words spaCy ships and that US users plausibly write in.
LANGUAGES = ("es", "fr", "de", "pt", "it", "nl")
MIN_HITS = 2
#: English chat words that are also another language's stop words ("hi" is French, "ok" Dutch).
_ENGLISH_CHAT = frozenset("hi ok okay im yo ya ha hey bye lol pls thx".split())

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
#: Sentence ends, including Spanish opening marks.
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+|\s*[¿¡]")


def _load_stop_words(code: str) -> FrozenSet[str]:
    """spaCy's ``lang/<code>/stop_words.py``, read as a file.

    Importing ``spacy.lang.<code>`` runs each language package's ``__init__``
    (tokenizer rules, lemmatizer tables and spaCy itself): 7.6 s here for the
    seven lists, and ~400 MB more in the action server. The word lists alone
    load in under 2 ms.
    """
    spec = importlib.util.find_spec("spacy")  # locates the package without importing it
    folders = list(spec.submodule_search_locations or []) if spec else []
    for folder in folders:
        path = Path(folder) / "lang" / code / "stop_words.py"
        if path.is_file():
            module_spec = importlib.util.spec_from_file_location(f"_spacy_stop_words_{code}", path)
            if module_spec is None or module_spec.loader is None:
                continue
            module = importlib.util.module_from_spec(module_spec)
            module_spec.loader.exec_module(module)
            return frozenset(getattr(module, "STOP_WORDS", ()))
    return frozenset()


@lru_cache(maxsize=1)
def _stop_words() -> Dict[str, FrozenSet[str]]:
    english = _load_stop_words("en") | _ENGLISH_CHAT
    lists = {"en": english}
    for code in LANGUAGES:
        words = _load_stop_words(code)
        if words:  # a spaCy build without this language has no list
            lists[code] = frozenset(w for w in words if w not in english and len(w) > 1)
    return lists


def _mostly_non_latin(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    if len(letters) < 2:
        return False
    latin = sum("LATIN" in unicodedata.name(c, "") for c in letters)
    return latin < len(letters) / 2


def other_language(text: str) -> str | None:
    """The language code of a message not written in English (``"es"``, ``"de"``, ``"other"``), else None."""
    if not text or text.startswith("/"):
        return None
    if _mostly_non_latin(text):
        return "other"
    code = _foreign(text)
    if code is None:
        return None
    sentences = [s for s in _SENTENCE_BREAK.split(text) if s.strip()]
    if len(sentences) > 1 and any(_english(s) for s in sentences):
        return None
    return code


def _counts(text: str) -> tuple[int, int, str]:
    """(English stop words, the most of any other language's, that language's code)."""
    words = [w.lower() for w in _WORD.findall(text)]
    lists = _stop_words()
    english = sum(w in lists["en"] for w in words)
    hits, code = max(((sum(w in lists[c] for w in words), c) for c in lists if c != "en"), default=(0, ""))
    return english, hits, code


def _foreign(text: str) -> str | None:
    english, hits, code = _counts(text)
    return code if hits >= MIN_HITS and hits > english else None


def _english(sentence: str) -> bool:
    english, hits, _ = _counts(sentence)
    return english >= MIN_HITS and english > hits
