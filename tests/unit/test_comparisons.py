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


def test_a_comparison_asking_about_pass_rates_shows_each_ones_rate(kb: knowledge.KnowledgeBase) -> None:
    # "which has the higher pass rate, the CCA or the CCS?": of the exam facts, the ones the question is closest to
    scores = {"difficulty-cca-rate-ahima": 0.82, "difficulty-ccs-rate": 0.70, "exam-cca-format": 0.40}
    text = answers.answer_comparison(kb, "certification", ["cca", "ccs"], topic_id="exam", scores=scores).text
    assert "85% in 2020" in side(text, "CCA") and "105 questions" not in side(text, "CCA")
    assert "84% in 2025" in side(text, "CCS")
    # without scores (a button), each side's first exam fact
    assert "105 questions" in side(answers.answer_comparison(kb, "certification", ["cca", "ccs"], topic_id="exam").text,
                                   "CCA")


def test_a_comparison_on_pay_keeps_each_credentials_own_figure(kb: knowledge.KnowledgeBase) -> None:
    # pay is a usual side of a credential comparison: the CPC's own figure, even where the question is closer
    # to the figure for people holding both the CPC and the CPB
    scores = {"salary-cpc-cpb": 0.73, "salary-cpc": 0.68, "salary-ccs": 0.66}
    text = answers.answer_comparison(kb, "certification", ["cpc", "ccs"], topic_id="salary", scores=scores).text
    assert "$58,895" in side(text, "CPC") and "$56,290" not in text


def test_each_side_shows_a_fact_about_itself_before_one_about_both(kb: knowledge.KnowledgeBase) -> None:
    # "which org makes you do more CEUs, aapc or ahima": the question is closest to a fact about both
    # bodies, which would read the same on each side; each side gives its own CEU rule instead
    scores = {"ce-organizations": 0.70, "ce-aapc": 0.60, "ce-ahima": 0.60}
    text = answers.answer_comparison(kb, "organization", ["aapc", "ahima"], topic_id="continuing_education",
                                     scores=scores).text
    assert "36 CEUs" in side(text, "AAPC") and "20 CEUs" in side(text, "AHIMA")
    assert "Both AAPC and AHIMA" not in text
