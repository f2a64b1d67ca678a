"""Rules for raw user text, applied before anything else reads it.

Rasa turns any text of the form ``/intent{"slot": "value"}`` into that intent
and those entities, which would let anyone type ``/restart`` or invent slot
values. Here such a payload is kept only when it is one the bot's own buttons
can send: a known intent from ``allowed_intents`` and entity values that exist in
the knowledge base. Any other payload becomes ``/nlu_fallback`` (the bot's "not
sure what you mean" reply with topic suggestions). HTML tags are dropped (a
message that was only markup is not understood either, nor is a JSON object or
array), empty text becomes
``/help``, and very long text is cut at a word.
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Collection, Mapping

from bot import feedback

MAX_MESSAGE_CHARS = 1000
NOT_UNDERSTOOD = "/nlu_fallback"
_PAYLOAD = re.compile(r"^/(?P<intent>[A-Za-z_][\w]*)(?P<entities>\{.*\})?$", re.DOTALL)
#: Control and format characters, and lone UTF-16 surrogates ("\ud800"), which spaCy cannot encode.
_CONTROL = {"Cc", "Cf", "Cs"}
_SCRIPT = re.compile(r"<(script|style)\b.*?(</\1\s*>|$)", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"</?[a-zA-Z][^<>]{0,200}>")


def clean_text(text: str | None, max_chars: int = MAX_MESSAGE_CHARS) -> str:
    """Drop control characters and lone surrogates, collapse blank space and cut overlong text at a word."""
    text = "".join(
        ch if unicodedata.category(ch) not in _CONTROL else " " for ch in (text or "")
    )
    text = " ".join(text.split())
    if len(text) > max_chars:
        cut = text[:max_chars]
        text = cut.rsplit(" ", 1)[0] if " " in cut[max_chars // 2 :] else cut
    return text


def is_allowed_payload(
    text: str,
    allowed_intents: Collection[str],
    known_values: Mapping[str, Collection[str]],
) -> bool:
    match = _PAYLOAD.match(text)
    if not match or match.group("intent") not in allowed_intents:
        return False
    raw = match.group("entities")
    if not raw:
        return True
    if match.group("intent") in feedback.INTENTS:
        return False  # the feedback buttons carry no entities
    try:
        entities = json.loads(raw)
    except ValueError:
        return False
    if not isinstance(entities, dict):
        return False
    for etype, value in entities.items():
        values = value if isinstance(value, list) else [value]
        if etype not in known_values or not values:
            return False
        if not all(isinstance(v, str) and v in known_values[etype] for v in values):
            return False
    return True


def guard_text(
    text: str | None,
    allowed_intents: Collection[str],
    known_values: Mapping[str, Collection[str]],
    max_chars: int = MAX_MESSAGE_CHARS,
) -> str:
    """The text the NLU should read instead of ``text``."""
    if text and "<" in text:
        # markup is never rendered, and a message that was only markup is not a question
        text = _TAG.sub(" ", _SCRIPT.sub(" ", text))
        if not text.strip():
            return NOT_UNDERSTOOD
    cleaned = clean_text(text, max_chars=max(max_chars, 1))
    if not cleaned:
        return "/help"
    if cleaned.startswith("/"):
        if is_allowed_payload(cleaned, allowed_intents, known_values):
            return cleaned
        return NOT_UNDERSTOOD
    if _is_json_data(cleaned):  # '{"intent": "ask_salary"}' is data pasted or forged, not a question
        return NOT_UNDERSTOOD
    return cleaned


def _is_json_data(text: str) -> bool:
    if text[:1] not in "{[":
        return False
    try:
        return isinstance(json.loads(text), (dict, list))
    except ValueError:
        return False
