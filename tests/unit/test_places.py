"""A US state named in a question: what the sources say about pay by state, and what they cannot say."""

from __future__ import annotations

import pytest
from answering import answer, tracker
from rasa_sdk.events import SlotSet

from bot import answers, knowledge
from bot.nlu.matching import EntityMatcher


@pytest.mark.parametrize("text", [
    "How much do coders make in New Jersey?",
    "medical billing salary in texas",
    "what do billers earn in the District of Columbia",
    "Which state pays coders the most?",
    "coder pay by state",
    "is the job market good in ohio",
])
def test_a_state_is_a_place(matcher: EntityMatcher, text: str) -> None:
    assert ("place", "us_state") in [(m.entity, m.value) for m in matcher.find(text)]


@pytest.mark.parametrize("text", [
    "how much do medical coders make in Houston?",
    "coding jobs in new york city",
    "billing salary in St. Louis",
    "what do coders earn in Kansas City",  # the city, not the state of Kansas
])
def test_a_large_city_is_a_place_of_its_own(matcher: EntityMatcher, text: str) -> None:
    assert [(m.entity, m.value) for m in matcher.find(text) if m.entity == "place"] == [("place", "us_city")]


@pytest.mark.parametrize("text", [
    "I need to find new work soon",          # "new work" is not New York
    "in or out of the office?",              # two-letter codes are ordinary words
    "what is the main coding system",        # "main" is not Maine
    "how do taxes work for remote coders",   # "taxes" is not Texas
    "what state of mind do I need for coding",
])
def test_ordinary_words_are_not_places(matcher: EntityMatcher, text: str) -> None:
    assert "place" not in [m.entity for m in matcher.find(text)]


@pytest.mark.asyncio
async def test_pay_in_a_state_gives_the_ranking_and_who_publishes_local_pay() -> None:
    events, text = await answer(tracker("ask_salary", {"place": ["us_state"]}, text="how much do coders make in ohio?"))
    assert "District of Columbia, California, Massachusetts, New Jersey and Rhode Island" in text
    assert "no pay figures for a single state" in text and "State & Area Data" in text
    assert "World Population Review (third-party" in text  # the ranking's source, labelled third-party
    assert events == [SlotSet("topic", "salary"), SlotSet("place", ["us_state"])]


@pytest.mark.asyncio
async def test_pay_in_a_city_says_the_sources_have_no_city_figures_and_who_publishes_them() -> None:
    _, text = await answer(tracker("ask_salary", {"place": ["us_city"]}, text="how much do coders make in dallas?"))
    assert "nor for single cities" in text and "metro area" in text


@pytest.mark.asyncio
async def test_the_outlook_in_a_state_says_the_sources_have_nothing_for_one_state() -> None:
    _, text = await answer(tracker("ask_outlook", {"place": ["us_state"]}, text="are there coding jobs in ohio?"))
    assert text.startswith("My sources have nothing specific on demand and job outlook for your state, "
                           "so here is the general picture.")
    assert "7%" in text  # the general picture follows


@pytest.mark.asyncio
async def test_a_state_alone_after_the_pay_answer_asks_for_that_state() -> None:
    """"and in Texas?" after the CPC's pay: the state facts (a place carries over like a job or a level; the
    credential in context does not, as for any ``inform`` naming something new)."""
    _, text = await answer(tracker("inform", {"place": ["us_state"]}, {"topic": "salary", "certification": ["cpc"]},
                                   text="and in texas?"))
    assert "no pay figures for a single state" in text


@pytest.mark.asyncio
async def test_a_question_without_a_state_keeps_the_general_pay_answer() -> None:
    _, text = await answer(tracker("ask_salary", {}, text="how much do coders make?"))
    assert "no pay figures for a single state" not in text


def test_a_state_fact_never_leads_an_answer_to_a_question_naming_no_state() -> None:
    """"and billers?" after coders' pay matched the state fact best, and got "no pay figures for a single state"."""
    kb = knowledge.get()
    scores = {f.id: 0.9 for f in kb.facts_for("salary") if "place" in f.about}
    reply = answers.answer_topic(kb, "salary", {"role": ["biller"]}, scores=scores)
    assert "single state" not in reply.text and "District of Columbia" not in reply.text
