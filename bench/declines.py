"""Recognises the bot's decline, fallback, emergency and help replies.

The texts are read from ``domain.yml`` (never copied here), and a reply counts
as one of them when one of its messages starts with the opening characters of
the response text, so small edits to the end of a reply or the topic buttons
that follow a fallback do not matter.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Iterable, List, Mapping, Sequence

import yaml

from bench import ROOT
from bench.matching import normalise

#: Responses that mean "not answered": the bot declined, did not understand,
#: was told it had misunderstood, pointed to emergency care or only listed what it can do.
DECLINE_RESPONSES = (
    "utter_out_of_scope",
    "utter_out_of_scope_medical",
    "utter_code_lookup",
    "utter_english_only",
    "utter_emergency",
    "utter_fallback",
    "utter_complain",
    "utter_help",
)
EMERGENCY = "utter_emergency"
FALLBACK = "utter_fallback"
PREFIX_CHARS = 40


def load_templates(
    domain: Path = ROOT / "domain.yml", names: Sequence[str] = DECLINE_RESPONSES
) -> Dict[str, List[str]]:
    data = yaml.safe_load(domain.read_text(encoding="utf-8")) or {}
    responses = data.get("responses") or {}
    templates: Dict[str, List[str]] = {}
    for name in names:
        variants = [v.get("text", "") for v in responses.get(name) or [] if isinstance(v, dict)]
        variants = [v for v in variants if v.strip()]
        if not variants:
            raise ValueError(f"{domain}: response {name} has no text")
        templates[name] = variants
    return templates


def prefix(template: str, chars: int = PREFIX_CHARS) -> str:
    """The normalised opening of ``template``, cut before any ``{slot}``."""
    return normalise(template.split("{", 1)[0])[:chars]


def message_texts(reply: Any) -> List[str]:
    """Texts of a REST reply (list of message dicts), or of a single string."""
    if isinstance(reply, str):
        return [reply]
    return [m.get("text") or "" for m in reply or [] if isinstance(m, dict)]


class DeclineDetector:
    def __init__(self, templates: Mapping[str, Iterable[str]], prefix_chars: int = PREFIX_CHARS) -> None:
        self.prefixes: Dict[str, str] = {}
        for name, variants in templates.items():
            for text in variants:
                head = prefix(text, prefix_chars)
                if len(head) < 10:
                    raise ValueError(f"{name}: opening {head!r} too short to recognise the reply by")
                other = self.prefixes.get(head)
                if other and other != name:
                    raise ValueError(f"{name} and {other} open the same way: {head!r}")
                self.prefixes[head] = name

    @classmethod
    def from_domain(cls, domain: Path = ROOT / "domain.yml") -> DeclineDetector:
        return cls(load_templates(domain))

    def classify(self, reply: Any) -> str | None:
        """The decline response a reply is, or None for a real answer."""
        for text in message_texts(reply):
            body = normalise(text)
            for head, name in self.prefixes.items():
                if body.startswith(head):
                    return name
        return None

    def is_decline(self, reply: Any) -> bool:
        return self.classify(reply) is not None
