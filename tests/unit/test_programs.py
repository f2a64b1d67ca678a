"""AAPC's Practicode and Project Xtern are things people name, so a follow-up keeps them as its subject."""

from __future__ import annotations

import pytest
from answering import answer, tracker
from rasa_sdk.events import SlotSet


@pytest.mark.asyncio
async def test_what_is_practicode_is_about_practicode_not_the_body_that_runs_it() -> None:
    events, text = await answer(tracker("ask_apprentice", {"program": ["practicode"], "organization": ["aapc"]}, {},
                                        "What is the Medical Coding Practicode By AAPC?"))
    assert "redacted medical records" in text
    assert "AAPC stands for" not in text
    assert SlotSet("program", ["practicode"]) in events


@pytest.mark.asyncio
async def test_a_follow_up_with_no_name_stays_on_practicode() -> None:
    _, text = await answer(tracker("ask_apprentice", {}, {"topic": "apprentice", "program": ["practicode"]},
                                   "does it count toward the -A?"))
    assert "takes one year off" in text
    assert "Practicode" in text


@pytest.mark.asyncio
async def test_project_xtern_gets_its_length_and_is_remembered() -> None:
    events, text = await answer(tracker("ask_experience", {"program": ["xtern"]}, {}, "what is project xtern"))
    assert "about three months" in text and "AAPC blog, Project Xtern (2008)" in text
    assert SlotSet("program", ["xtern"]) in events


@pytest.mark.asyncio
async def test_how_long_after_project_xtern_is_the_externship_s_length() -> None:
    _, text = await answer(tracker("ask_duration", {}, {"topic": "experience", "program": ["xtern"]},
                                   "how long does it take?"))
    assert text.startswith("A Project Xtern externship typically lasts about three months")
    assert "AAPC blog, Project Xtern (2008)" in text


@pytest.mark.asyncio
async def test_how_long_after_practicode_says_the_sources_have_nothing_on_its_length() -> None:
    _, text = await answer(tracker("ask_duration", {}, {"topic": "apprentice", "program": ["practicode"]},
                                   "how long does that take"))
    assert text.startswith("My sources have nothing specific on how long it takes for Practicode")


@pytest.mark.asyncio
async def test_what_practicode_costs_is_an_unknown_said_as_such() -> None:
    _, text = await answer(tracker("ask_cost", {}, {"topic": "apprentice", "program": ["practicode"]},
                                   "how much does it cost?"))
    assert text.startswith("My sources have nothing specific on costs for Practicode")


def test_xtern_stays_part_of_how_any_new_coder_gets_experience(kb) -> None:
    # "What is a billing and coding internship?" names no program and still hears of Xtern
    assert "experience-xtern" in [f.id for f in kb.general_facts("experience")]
    assert "experience-xtern" in [f.id for f in kb.facts_about("experience", "program", "xtern")]


@pytest.mark.asyncio
async def test_pcap_is_answered_with_what_the_approval_means_and_where_it_is_listed() -> None:
    events, text = await answer(tracker("ask_schools", {"program": ["pcap"]}, {}, "what does pcap approved mean"))
    assert "Directory of PCAP Approved Programs" in text and "six months" in text
    assert SlotSet("program", ["pcap"]) in events


@pytest.mark.asyncio
async def test_a_question_about_cahiim_gets_how_to_check_a_program() -> None:
    _, text = await answer(tracker("ask_schools", {"organization": ["cahiim"]}, {},
                                   "how do i check cahiim accreditation"))
    assert "CAHIIM seal" in text and "voluntary" in text
