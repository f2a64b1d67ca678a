"""Entity matching from knowledge-base names: exact, separators, typos, no false friends."""

from __future__ import annotations

from typing import List, Tuple

import pytest

from bot.nlu.matching import EntityMatcher, normalise

FORMS = [
    ("Certified Professional Coder", "certification", "cpc"),
    ("CPC", "certification", "cpc"),
    ("CPC-A", "certification", "cpc"),
    ("CPT", "coding_system", "cpt"),
    ("ICD-10", "coding_system", "icd10"),
    ("ICD-10-CM", "coding_system", "icd10cm"),
    ("HCPCS", "coding_system", "hcpcs"),
    ("coder", "role", "coder"),
    ("coders", "role", "coder"),
    ("entry level", "experience_level", "entry"),
    ("associate's degree", "education_path", "associate"),
    ("CCS certification", "certification", "ccs"),
]


@pytest.fixture(scope="module")
def matcher() -> EntityMatcher:
    return EntityMatcher(FORMS)


def found(matcher: EntityMatcher, text: str) -> List[Tuple[str, str, str]]:
    return [(m.text, m.entity, m.value) for m in matcher.find(text)]


def test_normalise_keeps_offsets() -> None:
    text = "ICD-10-CM/CPT's"
    assert len(normalise(text)) == len(text)
    assert normalise(text) == "icd 10 cm cpt s"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("how much do CPC's make", [("CPC", "certification", "cpc")]),
        ("cpt vs cpc", [("cpt", "coding_system", "cpt"), ("cpc", "certification", "cpc")]),
        ("ICD-10-CM or icd 10?", [("ICD-10-CM", "coding_system", "icd10cm"), ("icd 10", "coding_system", "icd10")]),
        ("what is the cpc-a", [("cpc-a", "certification", "cpc")]),
        ("Entry-Level coder pay", [("Entry-Level", "experience_level", "entry"), ("coder", "role", "coder")]),
        ("an associate's degree", [("associate's degree", "education_path", "associate")]),
        # typographic marks glued to a name: an ellipsis, registered and trademark signs, curly quotes
        ("CPT… CPC® or “CPC-A”™?", [("CPT", "coding_system", "cpt"), ("CPC", "certification", "cpc"),
                                          ("CPC-A", "certification", "cpc")]),
    ],
)
def test_exact_matches(matcher: EntityMatcher, text: str, expected: list) -> None:
    assert found(matcher, text) == expected


def test_offsets_point_into_the_original_text(matcher: EntityMatcher) -> None:
    text = "Is the Certified Professional Coder worth it?"
    [match] = matcher.find(text)
    assert text[match.start : match.end] == "Certified Professional Coder"
    assert not match.fuzzy


@pytest.mark.parametrize(
    "text, expected",
    [
        ("certifed profesional coder pay", ("certifed profesional coder", "certification", "cpc")),
        ("what are hcpsc codes", ("hcpsc", "coding_system", "hcpcs")),
    ],
)
def test_typos_are_matched_fuzzily(matcher: EntityMatcher, text: str, expected: tuple) -> None:
    [match] = matcher.find(text)
    assert (match.text, match.entity, match.value) == expected
    assert match.fuzzy


@pytest.mark.parametrize(
    "text", ["medical codes", "billing and coding", "what does it cost", "does financial aid cover it", "", "   "]
)
def test_no_false_friends(matcher: EntityMatcher, text: str) -> None:
    assert found(matcher, text) == []


def test_short_abbreviations_are_never_fuzzy(matcher: EntityMatcher) -> None:
    # "cpa" is one edit from both CPC and CPT: guessing would be wrong half the time
    assert found(matcher, "should I become a cpa") == []
    # nor inside a longer phrase: CMRS is not CCS
    assert found(matcher, "what is the CMRS certification") == []


def test_short_forms_match_the_words_names_use() -> None:
    matcher = EntityMatcher([("3 to 5 years", "experience_level", "mid"),
                             ("5+ years", "experience_level", "experienced")])
    assert found(matcher, "pay with 3 to 5 yrs experience?") == [("3 to 5 yrs", "experience_level", "mid")]
    assert found(matcher, "after 5+ yrs") == [("5+ yrs", "experience_level", "experienced")]
    assert found(matcher, "3 to 5 yards") == []


SPANS = [(0, 2, "experience_level", "entry"), (3, 4, "experience_level", "mid"),
         (5, None, "experience_level", "experienced")]


@pytest.mark.parametrize("text, expected", [
    ("and after 3 years?", [("3 years", "experience_level", "mid")]),
    ("once i have around four years of experience", [("four years", "experience_level", "mid")]),
    ("most jobs want 2 yrs experience", [("2 yrs", "experience_level", "entry")]),
    ("what about after 12 years", [("12 years", "experience_level", "experienced")]),
    ("after 2 years of school", []),                                  # years of study, not of work
    ("how long is the program, 2 years?", []),
])
def test_years_of_experience_name_the_level_that_spans_them(text: str, expected: list) -> None:
    matcher = EntityMatcher([("CPC", "certification", "cpc")], year_spans=SPANS)
    assert found(matcher, text) == expected
    assert found(EntityMatcher([("CPC", "certification", "cpc")]), text) == []  # without spans, nothing
