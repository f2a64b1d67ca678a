"""Personal data people type into a chat, masked wherever conversations leave the store.

People paste e-mail addresses, phone numbers and worse into a career chat
("my email is ..., call me at ..."). :func:`mask` replaces them with a label
(``[email]``, ``[phone]``, ...) in ``python -m bot report`` and ``export``, and
:func:`install_log_masking` applies it to every log record at INFO and above, so
a message quoted in a log line is never written in clear there (DEBUG, for a
developer's own machine, is left as it is).

What is masked: e-mail addresses; US and international phone numbers; social
security numbers; payment card numbers; IP addresses; dates written with
digits (birthdays); street addresses ("42 Elm Street"); a name after "my name
is", and a first and last name after "call me", "this is", "I'm". Figures the bot itself talks about ("$46,660", "2024",
"6-12 months", "CPC-A") are not personal and stay. Names elsewhere in a
sentence cannot be told from other words by a pattern and are not masked.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Callable, List, Tuple

_PATTERNS: List[Tuple[str, re.Pattern[str]]] = [
    ("[email]", re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")),
    ("[card]", re.compile(r"(?<![\w-])\d{4}(?:[ -]?\d{4}){2}[ -]?\d{1,7}(?![\w-])")),
    ("[ssn]", re.compile(r"(?<![\w-])\d{3}-\d{2}-\d{4}(?![\w-])")),
    ("[phone]", re.compile(
        r"(?<![\w+])(?:\+?\d{1,3}[\s.-]?)?(?:\(\d{3}\)|\d{3})[\s.-]?\d{3}[\s.-]?\d{4}(?![\w-])"
        r"|(?<![\w+])\+\d{1,3}(?:[\s.-]?\(?\d{1,4}\)?){2,5}(?!\w)"
        r"|(?<![\w$.,-])\d{3}[-.]\d{4}(?![\w-])")),
    ("[ip]", re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?!\w|\.\w)")),
    ("[date]", re.compile(r"(?<![\w/.-])\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})(?![\w/-]|\.\w)")),
    ("[address]", re.compile(
        r"\b\d{1,6}\s+(?:[A-Za-z0-9.'-]+\s+){1,4}(?:street|st|avenue|ave|road|rd|boulevard|blvd|lane|ln|"
        r"drive|dr|court|ct|way|place|pl|terrace|circle|highway|hwy)\b\.?", re.IGNORECASE)),
    # the words kept in front of a name are the group "keep"
    ("[name]", re.compile(r"\b(?P<keep>(?i:my name is|my name's|i am called|i'm called)\s+)[A-Za-z'-]+"
                          r"(?: [A-Z][a-z'-]+)?")),
    ("[name]", re.compile(r"\b(?P<keep>(?i:call me|this is|i am|i'm)\s+)[A-Z][a-z'-]+ [A-Z][a-z'-]+")),
]


_NAME_CUES = ("name", "call", "this is", "i am", "i'm")
_DIGIT = re.compile(r"\d")


def mask(text: str) -> str:
    """``text`` with the personal data listed above replaced by labels."""
    if not text:
        return text
    has_digit = _DIGIT.search(text) is not None
    lowered = text.lower()
    has_cue = any(cue in lowered for cue in _NAME_CUES)
    if not has_digit and "@" not in text and not has_cue:
        return text  # nothing any pattern below could match
    for label, pattern in _PATTERNS:
        if label == "[email]" and "@" not in text or label == "[name]" and not has_cue:
            continue
        if label not in ("[email]", "[name]") and not has_digit:
            continue
        if "keep" in pattern.groupindex:
            text = pattern.sub(lambda m, label=label: m.group("keep") + label, text)
        else:
            text = pattern.sub(label, text)
    return text


def mask_any(value: Any) -> Any:
    """:func:`mask` applied to every string inside ``value`` (dicts and lists are copied)."""
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, dict):
        return {key: mask_any(item) for key, item in value.items()}
    if isinstance(value, list):
        return [mask_any(item) for item in value]
    return value


_installed = False


def install_log_masking(level: int = logging.INFO) -> None:
    """Mask every log record at ``level`` and above when it is created (once per process)."""
    global _installed
    if _installed:
        return
    _installed = True
    make_record: Callable[..., logging.LogRecord] = logging.getLogRecordFactory()

    def masked_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        if record.levelno >= level:
            try:
                message = record.getMessage()
            except Exception:  # noqa: BLE001 - a malformed record is logging's to report, as before
                return record
            record.msg, record.args = mask(message), None
        return record

    logging.setLogRecordFactory(masked_record)
