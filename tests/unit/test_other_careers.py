"""This field weighed against another occupation: the answer is this field's side, never billers vs coders."""

from __future__ import annotations

import pytest
from answering import tracker, without_feedback_row
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import ActionAnswer
from actions.comparisons import ActionCompare

ONE_SIDE = "I can only speak for medical billing and coding, not {other}, so here is this side of it."


async def reply(action, intent: str, text: str, other: str, entities=None, ranking=None) -> tuple[list, str]:
    t = tracker(intent, entities or {}, {}, text)
    t.latest_message["compared_occupation"] = other
    t.latest_message["intent_ranking"] = ranking or [{"name": intent, "confidence": 0.9}]
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, t, {})
    return events, without_feedback_row(dispatcher.messages)[0]["text"]


@pytest.mark.asyncio
async def test_the_field_named_by_its_jobs_against_another_career_gets_the_fields_overview() -> None:
    """Two jobs of the field are named, but the choice is between the field and another career."""
    events, text = await reply(ActionCompare(), "compare", "Medical Biller and Coder vs Pharmacy Technician",
                               "pharmacy technician", {"role": ["biller", "coder"]},
                               [{"name": "compare", "confidence": 0.9},
                                {"name": "ask_role_duties", "confidence": 0.05}])
    assert text.startswith(ONE_SIDE.format(other="pharmacy technician"))
    assert "Side by side" not in text
    assert "Demand is strong" in text and "Source" in text
    assert SlotSet("topic", "overview") in events


@pytest.mark.asyncio
async def test_a_choice_between_careers_with_no_question_in_particular_gets_the_fields_overview() -> None:
    """The classifier's best question is next to nothing (a school, 0.0): which career is the question."""
    events, text = await reply(ActionCompare(), "compare", "Medical Coder or Pharmacy Technician? No idea which "
                               "one fits the life I want", "pharmacy technician", {"role": ["coder"]},
                               [{"name": "compare", "confidence": 0.99},
                                {"name": "ask_schools", "confidence": 0.004}])
    assert text.startswith(ONE_SIDE.format(other="pharmacy technician"))
    assert "Demand is strong" in text and "$50,250" in text and "accredit" not in text
    assert SlotSet("topic", "overview") in events


@pytest.mark.asyncio
async def test_what_the_jobs_are_weighed_against_another_career_gets_the_fields_overview() -> None:
    events, text = await reply(ActionAnswer(), "ask_role_duties", "Medical Transcription vs Medical Coding",
                               "medical transcription")
    assert text.startswith(ONE_SIDE.format(other="medical transcription"))
    assert "Demand is strong" in text
    assert SlotSet("topic", "overview") in events


@pytest.mark.asyncio
async def test_a_particular_question_weighed_against_another_career_keeps_its_topic() -> None:
    events, text = await reply(ActionCompare(), "compare", "Medical Coder vs. Medical Assistant Salaries",
                               "medical assistant", {"role": ["coder"]},
                               [{"name": "compare", "confidence": 0.6}, {"name": "ask_salary", "confidence": 0.3}])
    assert text.startswith(ONE_SIDE.format(other="medical assistant"))
    assert "$" in text and SlotSet("topic", "salary") in events


def test_the_overview_unasked_leads_with_the_work_and_its_pay(kb) -> None:
    """Its button, and this field's side against another career: the work, pay and growth, schooling, demand."""
    from bot import answers

    unasked = answers.answer_topic(kb, "overview", {})
    assert unasked.text.index("translate") < unasked.text.index("$50,250") < unasked.text.index("Demand is strong")
    assert "The draws" not in unasked.text
    # a question ranks the facts itself
    asked = answers.answer_topic(kb, "overview", {}, {"overview-advantages": 0.9, "overview-what-it-is": 0.5})
    assert "The draws" in asked.text
