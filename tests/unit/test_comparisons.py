"""Side-by-side answers on the real knowledge base: each side shows what sets it apart."""

from __future__ import annotations

from bot import answers, knowledge


def side(text: str, label: str) -> str:
    return next(line for line in text.splitlines() if line.startswith(f"- {label}:"))


def test_billers_and_coders_are_compared_on_their_own_credentials_pay(kb: knowledge.KnowledgeBase) -> None:
    text = answers.answer_comparison(kb, "role", ["biller", "coder"]).text
    assert "$56,981" in side(text, "Medical biller") and "$58,895" not in side(text, "Medical biller")
    assert "$58,895" in side(text, "Medical coder") and "$56,981" not in side(text, "Medical coder")
    assert text.splitlines()[-1].startswith("Sources:") and "CareerStep" in text.splitlines()[-1]


def test_credentials_are_compared_on_one_pay_figure_each(kb: knowledge.KnowledgeBase) -> None:
    text = answers.answer_comparison(kb, "certification", ["cpc", "ccs"]).text
    assert "$58,895" in side(text, "CPC") and "$55,763" in side(text, "CCS")
    assert "$56,290" not in text  # the CPC + CPB figure is a second CPC fact: one per credential


def test_a_credential_comparison_says_where_each_is_used_with_its_source(kb: knowledge.KnowledgeBase) -> None:
    text = answers.answer_comparison(kb, "certification", ["cpc", "ccs"]).text
    assert "physician office settings" in side(text, "CPC") and "hospital inpatient" in side(text, "CCS")
    assert "U.S. Army COOL, CPC credential page" in text.splitlines()[-1]


def test_bodies_and_credentials_named_together_compare_the_credentials() -> None:
    # "AHIMA, AAPC, CCA, CPC... how do I choose?": the credentials' cards name their bodies
    subject = {"organization": ["ahima", "aapc"], "certification": ["cca", "cpc"]}
    assert answers.comparable(subject) == ("certification", ["cca", "cpc"])
    assert answers.comparable({"organization": ["ahima", "aapc"], "certification": ["cpc"]}) == (
        "organization", ["ahima", "aapc"])


def test_programs_compared_say_what_each_is(kb: knowledge.KnowledgeBase) -> None:
    # "Practicode vs Project Xtern?": neither has a summary, so each side is its first facts, not its bare name
    text = answers.answer_comparison(kb, "program", ["practicode", "xtern"]).text
    assert "redacted medical records" in side(text, "Practicode")
    assert "about three months" in side(text, "Project Xtern")
