"""A named school: the sources speak for none, so answers say so, give the general picture and where to check."""

from __future__ import annotations

import pytest
from answering import answer, tracker
from rasa_sdk.events import SlotSet

from bot.nlu.matching import EntityMatcher

WHERE_TO_CHECK = "Look a program up in CAHIIM's directory of accredited programs (degrees) or AHIMA's PCAP directory"


@pytest.mark.parametrize("text, school", [
    ("How long is the medical coding program at Penn Foster?", "penn_foster"),
    ("how much does ultimate medical academy cost for billing and coding", "uma"),
    ("is the University of Phoenix HIT degree any good", "university_of_phoenix"),
    ("Is CareerStep accredited?", "career_step"),
    ("Is Stratford Career Institute accredited for medical billing?", "stratford"),
    ("how long does the medcerts coding program take", "medcerts"),
])
def test_a_named_school_is_found(matcher: EntityMatcher, text: str, school: str) -> None:
    assert [(m.entity, m.value) for m in matcher.find(text) if m.entity == "school"] == [("school", school)]


@pytest.mark.parametrize("text", [
    "is billing a stepping stone to coding?",
    "how tall is mount everest",
    "what do coders earn in Phoenix",  # the city, not the university
    "how much does kaiser pay medical coders",  # the employer, not Keiser University
    "average salary of a medical coder in the United States",  # one edit from "Unitek"
])
def test_ordinary_words_and_cities_are_not_schools(matcher: EntityMatcher, text: str) -> None:
    assert "school" not in [m.entity for m in matcher.find(text)]


@pytest.mark.asyncio
async def test_how_long_at_a_named_school_is_the_general_picture_said_to_be_general() -> None:
    events, text = await answer(tracker("ask_duration", {"school": ["penn_foster"]}, {},
                                        "How long is the medical coding program at Penn Foster?"))
    assert text.startswith("My sources have nothing specific on how long it takes for Penn Foster, "
                           "so here is the general picture.")
    assert "6 to 12 months" in text or "a few months to a year" in text  # the general picture follows
    assert WHERE_TO_CHECK in text
    assert SlotSet("school", ["penn_foster"]) in events


@pytest.mark.asyncio
async def test_a_follow_up_about_the_same_school_stays_honest() -> None:
    _, text = await answer(tracker("ask_cost", {}, {"topic": "duration", "school": ["uma"]}, "how much does it cost?"))
    assert text.startswith("My sources have nothing specific on costs for Ultimate Medical Academy")
    assert WHERE_TO_CHECK in text


@pytest.mark.asyncio
async def test_a_question_naming_no_school_has_no_school_caveat() -> None:
    _, text = await answer(tracker("ask_duration", {}, {}, "how long does training take?"))
    assert "nothing specific" not in text and WHERE_TO_CHECK not in text


@pytest.mark.asyncio
@pytest.mark.parametrize("intent, school, text, opening", [
    ("ask_overview", "penn_foster", "Is Penn Foster worth it for medical coding?",
     "My sources have nothing specific on Penn Foster"),  # the overview's title would read badly here
    ("ask_need_certification", "career_step", "Will the Career Step course get me certified?",
     "My sources have nothing specific on whether you need to be certified for Career Step"),
    ("ask_apprentice", "uma", "Does Ultimate Medical Academy's program count toward removing the apprentice status?",
     "My sources have nothing specific on the apprentice (-A) designation for Ultimate Medical Academy"),
    ("ask_remote", "rasmussen", "Can I do the Rasmussen coding program from home?",
     "My sources have nothing specific on working from home for Rasmussen University"),
    ("ask_job_titles", "fortis", "What jobs can I get after Fortis College's billing program?",
     "My sources have nothing specific on job titles for Fortis College"),
])
async def test_a_school_named_in_any_topic_is_not_spoken_for(intent: str, school: str, text: str,
                                                             opening: str) -> None:
    _, reply = await answer(tracker(intent, {"school": [school]}, {}, text))
    assert reply.startswith(opening + ", so here is the general picture.")
    assert WHERE_TO_CHECK in reply
