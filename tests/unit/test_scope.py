"""Scope rules: what is declined whatever the classifier thinks, and what is not."""

from __future__ import annotations

import pytest

from bot.nlu.scope import CODE_LOOKUP, EMERGENCY, MEDICAL, OTHER, override


@pytest.mark.parametrize(
    "text",
    [
        "what's the ICD-10 code for a sprained ankle",
        "cpt code for an office visit with a new patient",
        "How would I code a laceration repair",
        "which modifier goes with a bilateral knee x-ray",
        "is E11.9 the right one for diabetes without complications",
        "can you look up a code for me",
        "what is the correct code when a patient has both",
    ],
)
def test_code_lookups(text: str) -> None:
    assert override(text) == CODE_LOOKUP


@pytest.mark.parametrize(
    "text",
    [
        "how much do nurses make in texas",
        "what do sonographers earn per hour",
        "steps to become a paramedic",
        "is a software engineering bootcamp worth it",
        "pharmacy technician certification requirements",
        "I want to be an electrician, how long is the apprenticeship",
    ],
)
def test_other_careers(text: str) -> None:
    assert override(text) == OTHER


@pytest.mark.parametrize(
    "text",
    [
        "my knee has been swollen for a week, what should I do",
        "what medicine can i take for a migraine",
        "my blood pressure reading was 150 over 95, is that bad",
    ],
)
def test_personal_medical_questions(text: str) -> None:
    assert override(text) == MEDICAL


def test_emergency_comes_first() -> None:
    assert override("I think I'm having a heart attack, what's the ICD code for that") == EMERGENCY


@pytest.mark.parametrize(
    "text",
    [
        "what are ICD-10 codes",
        "what's the difference between CPT and HCPCS codes",
        "I'm a nurse, could I switch to medical coding?",
        "how long does it take to learn to code medical records",
        "im going to code for outpatient clinics, which certification fits",
        "what software would i be using every day as a biller",
        "can a medical assistant move into billing",
        "do coders need to know anatomy and medical terminology",
        "how much do coders make",
        "is there a code of conduct for AAPC members",
        "I have a bad back, can I do billing from home",
        "/ask_salary",
        "",
    ],
)
def test_in_scope_questions_are_left_alone(text: str) -> None:
    assert override(text) is None
