"""``python -m bot validate``: Rasa's validation, minus its false alarm about responses forms and actions say."""

from __future__ import annotations

import re
from pathlib import Path

from bot import feedback, validation

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
        code = path.read_text(encoding="utf-8")
        said |= set(re.findall(r'response="(utter_\w+)"', code))
        said |= {getattr(feedback, name) for name in re.findall(r"response=feedback\.(\w+)", code)}
    assert said == set(validation.SAID_BY_ACTIONS)


def test_payload_only_intents_may_lack_examples_and_no_other_intent() -> None:
    messages = [
        "The intent 'feedback_helpful' is listed in the domain file, but is not found in the NLU training data.",
        "The intent 'ask_salary' is listed in the domain file, but is not found in the NLU training data.",
    ]
    expected = validation.expected_unused(FORMS) | set(validation.PAYLOAD_ONLY_INTENTS)
    assert validation.unexpected(messages, expected) == messages[1:]
    assert set(validation.PAYLOAD_ONLY_INTENTS) == set(feedback.INTENTS)
