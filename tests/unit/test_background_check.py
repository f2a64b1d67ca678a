"""A criminal record: the sources cannot say what an employer will do; the answer says so and names the list."""

from __future__ import annotations

import pytest
from answering import answer, tracker
from rasa_sdk.events import SlotSet

LEAD = "My sources can't say whether a particular record would keep you out"


@pytest.mark.asyncio
async def test_a_record_question_gets_the_unknown_the_exclusion_list_and_its_sources() -> None:
    events, text = await answer(tracker("ask_background_check", {"role": ["coder"]}, {},
                                        "i have a felony from years ago, could i still get hired as a coder?"))
    assert text.startswith(LEAD)
    assert "List of Excluded Individuals/Entities (LEIE)" in text
    assert "HHS Office of Inspector General, exclusion list (LEIE) (2008)" in text
    assert "you can look yourself up" in text  # who publishes the answer
    assert SlotSet("topic", "background_check") in events


@pytest.mark.asyncio
async def test_what_one_coder_reported_is_labelled_as_such() -> None:
    _, text = await answer(tracker("ask_background_check", {}, {}, "do coding employers run background checks?"))
    assert text.startswith(LEAD)
    assert "one certified coder on AAPC's forum wrote that for that reason her employer runs" in text
    assert "AAPC forum post (third-party, one coder's employer) (2009)" in text
    assert "American Health Care Association (third-party, summarising OIG rules)" in text
