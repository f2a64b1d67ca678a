"""A named employer: the sources speak for none, so answers say so, give the general picture and where to look."""

from __future__ import annotations

import pytest
from answering import answer, tracker
from rasa_sdk.events import SlotSet

from bot import knowledge
from bot.dialogue import decide
from bot.dialogue.turn import Turn
from bot.nlu.matching import EntityMatcher

WHERE_TO_LOOK = "For one employer, its own job postings say what it asks for"


@pytest.mark.parametrize("text, employer", [
    ("how much does kaiser pay medical coders", "kaiser"),
    ("Does Optum hire entry level coders?", "optum"),
    ("is HCA a good place to code", "hca"),
    ("remote billing jobs at blue cross", "bcbs"),
    ("coding for the VA hospital", "va"),
    ("R1 RCM coding test", "r1_rcm"),
])
def test_a_named_employer_is_found(matcher: EntityMatcher, text: str, employer: str) -> None:
    assert [(m.entity, m.value) for m in matcher.find(text) if m.entity == "employer"] == [("employer", employer)]


@pytest.mark.parametrize("text", [
    "will AI replace human coders?",  # one edit from "Humana"
    "billing and coding in the United States",
    "I work at a small clinic, can I advocate for a coding role?",
    "is coding a quest worth taking on",
    "the ensemble of skills a coder needs",
])
def test_ordinary_words_are_not_employers(matcher: EntityMatcher, text: str) -> None:
    assert "employer" not in [m.entity for m in matcher.find(text)]


@pytest.mark.asyncio
async def test_pay_at_a_named_employer_is_the_general_picture_said_to_be_general() -> None:
    events, text = await answer(tracker("ask_salary", {"employer": ["kaiser"]}, {},
                                        "How much does Kaiser pay medical coders?"))
    assert text.startswith("My sources have nothing specific on pay for Kaiser Permanente, "
                           "so here is the general picture.")
    assert "$50,250" in text  # the field's pay follows
    assert WHERE_TO_LOOK in text and "State & Area Data" in text
    assert SlotSet("employer", ["kaiser"]) in events


@pytest.mark.asyncio
async def test_a_follow_up_about_the_same_employer_stays_honest() -> None:
    _, text = await answer(tracker("ask_remote", {}, {"topic": "salary", "employer": ["optum"]},
                                   "do they let you work from home?"))
    assert text.startswith("My sources have nothing specific on working from home for Optum")
    assert WHERE_TO_LOOK in text


@pytest.mark.parametrize("intent", ["ask_role_duties", "ask_overview"])
@pytest.mark.asyncio
async def test_duties_or_worth_at_a_named_employer_are_said_to_be_general(intent: str) -> None:
    # "What are the responsibilities of the Patient Accounting Representative at Kaiser Permanente?"
    _, text = await answer(tracker(intent, {"employer": ["kaiser"]}, {}, "what is the job like at Kaiser?"))
    assert text.startswith("My sources have nothing specific on")
    assert "Kaiser Permanente" in text.splitlines()[0] and WHERE_TO_LOOK in text


@pytest.mark.asyncio
async def test_a_question_naming_no_employer_has_no_employer_caveat() -> None:
    _, text = await answer(tracker("ask_salary", {}, {}, "how much do coders make?"))
    assert "nothing specific" not in text and WHERE_TO_LOOK not in text


def test_two_employers_weighed_get_the_general_answer_not_two_bare_names() -> None:
    kb = knowledge.get()
    turn = Turn(text="Optum vs Kaiser, which one is better?", intent="compare", ranking={"compare": 1.0},
                said={"employer": ["optum", "kaiser"]})
    reply = decide(turn, kb).reply
    assert reply.text.startswith("My sources have nothing specific on where billers and coders work "
                                 "for Optum or Kaiser Permanente")
    assert "Side by side" not in reply.text and WHERE_TO_LOOK in reply.text
    assert reply.subject["employer"] == ["optum", "kaiser"]
