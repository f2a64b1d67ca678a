"""The personal plan over REST and Slack, and across a Rasa server restart."""

from __future__ import annotations

import json
import re
import time
import uuid

import pytest

from bot import servers

from .conftest import Chat, PrivateBot
from .fake_slack import FakeSlack
from .test_slack import buttons, message, new_dm, post_json, settled

pytestmark = pytest.mark.e2e

QUESTIONS = ("highest level of school", "worked in healthcare", "billing (claims", "Where would you like to work",
             "How much time")


def test_a_plan_from_free_text_with_a_question_in_the_middle(chat: Chat) -> None:
    assert QUESTIONS[0] in chat.text("help me make a plan")
    assert QUESTIONS[1] in chat.text("I have my GED")
    assert QUESTIONS[2] in chat.text("I'm a CNA")
    middle = chat.text("how much does the CPC pay?")
    assert "$" in middle and "Source" in middle  # answered, then the question again
    assert middle.rstrip().endswith("or to coding (turning records into codes)?"), middle
    assert "Was this helpful?" not in middle  # no feedback row between an answer and the plan's question
    assert QUESTIONS[3] in chat.text("coding")
    assert QUESTIONS[4] in chat.text("a hospital")
    plan = chat.say("evenings only")
    reply, row = plan
    assert row["text"] == "Was this helpful?" and len(row["buttons"]) == 2
    text = reply["text"]
    assert text.startswith("Here is a plan from your answers (high school or GED; healthcare experience; coding; "
                           "a hospital; part time).")
    assert "Credential: the CCA (AHIMA) now, then the CCS (AHIMA)." in text
    assert re.findall(r"^Step (\d)\. ", text, re.M) == ["1", "2", "3", "4", "5", "6"]
    assert "$299" in text and "confirm the current price" in text
    assert [b["title"] for b in reply["buttons"]][0] == "How long will it all take?"
    after = chat.text("how long will the whole thing take?")
    assert after.startswith("From your plan: Timeline: about 6 to 12 months of training"), after


def test_stop_leaves_and_start_over_restarts(chat: Chat) -> None:
    chat.text("make me a plan")
    assert "stopped the plan" in chat.text("never mind")
    assert "Source" in chat.text("can coders work from home?")
    assert QUESTIONS[0] in chat.text("make me a plan")
    assert QUESTIONS[1] in chat.text("some college")
    restarted = chat.text("start over")
    assert "Let's make a plan" in restarted and QUESTIONS[0] in restarted


def test_an_answer_it_cannot_use_is_asked_again_once_then_skipped(chat: Chat) -> None:
    chat.text("make me a plan")
    again = chat.say("blorp")
    assert "couldn't use that" in again[0]["text"] and QUESTIONS[0] in again[-1]["text"]
    assert [b["title"] for b in again[-1]["buttons"]][-1] == "Not sure"
    skipped = chat.text("blorp blorp")
    assert "not sure" in skipped and QUESTIONS[1] in skipped


def test_a_server_restart_in_the_middle_resumes_where_it_was(private: PrivateBot) -> None:
    chat = Chat(private.settings)
    chat.text("make me a plan")
    assert QUESTIONS[1] in chat.text("high school")
    private.rasa.stop()
    private.rasa.start()
    assert QUESTIONS[2] in chat.text("office work")
    events = private.tracker(chat.sender)
    assert events["slots"]["plan_education"] == "high_school"
    assert events["slots"]["plan_experience"] == "office"
    assert events["active_loop"]["name"] == "plan_form"


def test_slack_shows_the_plan_as_block_kit_sections_with_buttons(bot: servers.Settings,
                                                                 fake_slack: FakeSlack) -> None:
    dm, user = new_dm(), f"U{uuid.uuid4().hex[:9].upper()}"
    for text in ("make me a plan", "not sure", "not sure", "not sure", "not sure"):
        count = len(fake_slack.posts(dm))
        assert post_json(bot, message(text, dm, user=user)).status_code == 200
        fake_slack.wait_for(lambda posts, n=count: len([p for p in posts if p.get("channel") == dm]) > n, 45)
        time.sleep(0.5)
    assert post_json(bot, message("not sure", dm, user=user)).status_code == 200
    posts = settled(fake_slack, dm)
    plan = next(p for p in posts if "Timeline" in (p.get("text") or ""))
    blocks = plan["blocks"] if isinstance(plan["blocks"], list) else json.loads(plan["blocks"])
    sections = [b for b in blocks if b["type"] == "section"]
    assert len(sections) >= 7  # the intro, 6 steps, the last line
    assert all(len(b["text"]["text"]) <= 3000 for b in sections)
    assert sections[1]["text"]["text"].startswith("Step 1. Training:")
    assert [b["text"]["text"] for b in buttons(plan)][0] == "How long will it all take?"
