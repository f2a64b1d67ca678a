""""What is the CCA?": a credential's own answer says who offers it, what it pays and what its exam asks."""

from __future__ import annotations

import pytest

from bot import answers, knowledge


@pytest.mark.parametrize("cert, exam_fact", [
    ("cca", "105 questions"),                     # the format
    ("cbcs", "high school diploma or equivalent"),  # who may sit it
    ("cpc", "100 multiple-choice questions in 4 hours"),
])
def test_a_credential_card_has_its_issuer_pay_and_exam(cert: str, exam_fact: str) -> None:
    kb = knowledge.get()
    reply = answers.answer_topic(kb, "certification", {"certification": [cert]})
    issuer = kb.entity("organization", kb.entity("certification", cert).issued_by)
    assert f"is offered by {issuer.label}" in reply.text
    assert "a year" in reply.text  # its pay
    assert exam_fact in reply.text


def test_a_credential_without_exam_facts_keeps_its_card() -> None:
    reply = answers.answer_topic(knowledge.get(), "certification", {"certification": ["rhia"]})
    assert reply.text.startswith("The RHIA (Registered Health Information Administrator) is offered by AHIMA")


def test_a_card_s_own_facts_are_not_repeated_as_the_closest_related_fact() -> None:
    kb = knowledge.get()
    exam = kb.facts_about("exam", "certification", "cpb")[0]
    # "what is the CPB?" matches the card's exam fact best; it is already in the card
    reply = answers.answer_topic(kb, "certification", {"certification": ["cpb"]}, scores={exam.id: 0.9})
    assert reply.text.count(exam.text[:40]) == 1


def test_a_fact_about_two_of_the_things_asked_about_is_given_once() -> None:
    reply = answers.answer_topic(knowledge.get(), "getting_started", {"certification": ["rhit", "rhia"]})
    assert "RHIT" in reply.text and "RHIA" in reply.text
    assert reply.text.count("CAHIIM-accredited associate program") == 1
