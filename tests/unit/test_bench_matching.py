"""The benchmark's expect-matcher: normalisation, alternatives, failures."""

import pytest

from bench.matching import describe, matches, missing, normalise


def test_normalise_dashes_whitespace_and_case():
    assert normalise("ICD\u201110\u2013CM \u2014  Pays\n\t$40,000") == "icd-10-cm - pays $40,000"


def test_plain_items_are_case_insensitive_substrings():
    assert matches(["aapc", "CPC"], "The CPC is offered by the AAPC.")


def test_every_item_is_required():
    assert not matches(["AAPC", "AHIMA"], "The CPC is offered by the AAPC.")
    assert missing(["AAPC", "AHIMA"], "The CPC is offered by the AAPC.") == ["AHIMA"]


def test_any_alternative_satisfies_an_item():
    expect = [["1 year", "one year"], ["2 years", "two years"]]
    assert matches(expect, "You need one year of experience with a degree, or 2 years without.")
    assert not matches(expect, "You need one year of experience.")


def test_dashes_in_expect_and_reply_are_normalised_both_ways():
    assert matches(["6-12 months"], "Programs take 6\u201312 months.")
    assert matches(["6\u201412 months"], "Programs take 6-12 months.")


def test_whitespace_inside_reply_does_not_break_a_match():
    assert matches(["payment plan"], "They set up a payment\n  plan with patients.")


def test_substring_must_be_contiguous():
    assert not matches(["$55,763"], "about $55,000 to $763")


def test_empty_expect_is_rejected():
    with pytest.raises(ValueError):
        matches([], "anything")


def test_describe_lists_alternatives():
    assert describe(("a", "b")) == "a | b"
    assert describe("a") == "a"
