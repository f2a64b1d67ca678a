"""``python -m bot validate``: Rasa's validation, minus its false alarm about responses forms and actions say."""

from __future__ import annotations

import re
from pathlib import Path

from bot import validation

ROOT = Path(__file__).resolve().parents[2]
FORMS = {"plan_form": {"required_slots": ["plan_goal", "plan_time"]}}


def test_only_form_questions_and_responses_actions_say_may_go_unused() -> None:
    messages = [
        "The utterance 'utter_ask_plan_goal' is not used in any story or rule.",
        "The utterance 'utter_plan_retry' is not used in any story or rule.",
        "The utterance 'utter_forgotten' is not used in any story or rule.",
        "The intent 'greet' is not used in any story or rule.",
    ]
    assert validation.unexpected(messages, validation.expected_unused(FORMS)) == messages[2:]


def test_the_responses_actions_say_are_the_ones_listed() -> None:
    said = set()
    for path in (ROOT / "actions").glob("*.py"):
        said |= set(re.findall(r'response="(utter_\w+)"', path.read_text(encoding="utf-8")))
    assert said == set(validation.SAID_BY_ACTIONS)
