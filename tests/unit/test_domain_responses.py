"""Responses in domain.yml come out of Rasa's response generator as written, without errors."""

from __future__ import annotations

import asyncio

import structlog
from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker

from bench import ROOT


def test_the_help_buttons_payload_survives_interpolation_without_a_logged_error() -> None:
    domain = Domain.load(str(ROOT / "domain.yml"))
    tracker = DialogueStateTracker.from_events("t", [], slots=domain.slots)
    generator = TemplatedNaturalLanguageGenerator(domain.responses)
    with structlog.testing.capture_logs() as logs:
        reply = asyncio.run(generator.generate("utter_help", tracker, "rest"))
    payloads = [b["payload"] for b in reply["buttons"]]
    assert '/compare{"certification": ["cpc", "ccs"]}' in payloads
    assert [entry for entry in logs if entry.get("log_level") in ("error", "exception")] == []
