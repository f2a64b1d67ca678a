"""The "Was this helpful?" row: when it is offered, when a click counts, and how each channel shows it."""

from __future__ import annotations

from typing import Any, Dict, List

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import ActionAnswer, ActionDecline
from actions.feedback import ActionFeedback
from bot import feedback, knowledge
from bot.channels import terminal
from bot.channels.socketio import SocketIOOutput
from bot.nlu.components import button_intents
from bot.nlu.guard import NOT_UNDERSTOOD, guard_text

ROOT_DOMAIN = yaml.safe_load(open(knowledge.default_dir().parent / "domain.yml", encoding="utf-8"))
ROW = ROOT_DOMAIN["responses"][feedback.ROW_RESPONSE][0]
ANSWER_BOT = {"event": "bot", "text": "Pay is about $40,000.\nSource: BLS (2024)",
              "data": {"buttons": [{"title": "Exam cost", "payload": "/ask_cost"}]},
              "metadata": {feedback.FOLLOWED_BY_FEEDBACK: True}}
ROW_BOT = {"event": "bot", "text": ROW["text"], "data": {"buttons": ROW["buttons"]}}


def tracker(intent: str, events: List[Dict[str, Any]], text: str = "") -> Tracker:
    click = {"event": "user", "text": text or f"/{intent}", "parse_data": {"intent": {"name": intent}}}
    return Tracker.from_dict({
        "sender_id": "feedback", "paused": False, "followup_action": None, "active_loop": {},
        "latest_action_name": "action_listen", "slots": {"topic": "salary"},
        "latest_message": {"text": click["text"], "intent": {"name": intent, "confidence": 1.0}, "entities": []},
        "events": [*events, click],
    })


async def run(action: Any, t: Tracker) -> tuple[list, List[Dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, t, {})
    return events, dispatcher.messages


ASKED = [{"event": "user", "text": "how much do coders make?", "parse_data": {"intent": {"name": "ask_salary"}}},
         {"event": "action", "name": "action_answer"}, ANSWER_BOT, ROW_BOT]


def test_the_row_is_two_buttons_whose_payloads_are_the_feedback_intents() -> None:
    assert ROW["text"] == "Was this helpful?"
    assert [b["payload"] for b in ROW["buttons"]] == ["/feedback_helpful", "/feedback_not_helpful"]
    assert feedback.is_feedback_row(ROW["buttons"])
    assert not feedback.is_feedback_row([*ROW["buttons"], {"title": "x", "payload": "/ask_cost"}])
    assert not feedback.is_feedback_row([])


@pytest.mark.asyncio
async def test_a_fact_answer_is_followed_by_the_row_but_not_mid_plan_or_after_a_decline() -> None:
    t = tracker("ask_salary", [])
    t.latest_message["text"] = "how much do coders make?"
    _, messages = await run(ActionAnswer(), t)
    assert [m.get("response") for m in messages] == [None, feedback.ROW_RESPONSE]
    assert messages[0][feedback.FOLLOWED_BY_FEEDBACK] is True and messages[0]["text"]

    in_plan = tracker("ask_salary", [])
    in_plan.latest_message["text"] = "how much does the CPC pay?"
    in_plan.active_loop = {"name": "plan_form"}
    _, messages = await run(ActionAnswer(), in_plan)  # the plan's next question follows: no row in between
    assert len(messages) == 1 and feedback.FOLLOWED_BY_FEEDBACK not in messages[0]

    weather = tracker("out_of_scope", [], text="what's the weather tomorrow")
    events, messages = await run(ActionDecline(), weather)
    assert events == [SlotSet("declined", True)] and messages == []


@pytest.mark.asyncio
async def test_thumbs_down_on_the_latest_answer_is_recorded_and_asks_what_was_wanted() -> None:
    events, messages = await run(ActionFeedback(), tracker(feedback.NOT_HELPFUL, ASKED))
    assert events == [SlotSet("feedback", "not_helpful")]
    assert [m["response"] for m in messages] == [feedback.ASK_RESPONSE]


@pytest.mark.asyncio
async def test_thumbs_up_is_recorded_and_thanked() -> None:
    events, messages = await run(ActionFeedback(), tracker(feedback.HELPFUL, ASKED))
    assert events == [SlotSet("feedback", "helpful")]
    assert [m["response"] for m in messages] == [feedback.THANKS_RESPONSE]


@pytest.mark.asyncio
async def test_a_click_that_no_row_just_offered_is_thanked_but_not_counted() -> None:
    clicked_once = [*ASKED, {"event": "user", "text": "/feedback_helpful"},
                    {"event": "bot", "text": "Thanks for the feedback!"}]
    greeted = [{"event": "user", "text": "hi"}, {"event": "bot", "text": "Hi!", "data": {"buttons": []}}]
    for events_before in (clicked_once, greeted, []):
        for intent in feedback.INTENTS:
            events, messages = await run(ActionFeedback(), tracker(intent, events_before))
            assert events == [] and [m["response"] for m in messages] == [feedback.THANKS_RESPONSE]


def test_only_the_exact_feedback_payloads_pass_the_input_guard() -> None:
    kb = knowledge.get()
    allowed = button_intents(kb)
    known = {etype: set(kb.entity_ids(etype)) for etype in knowledge.ENTITY_TYPES}
    assert guard_text("/feedback_helpful", allowed, known) == "/feedback_helpful"
    assert guard_text("/feedback_not_helpful", allowed, known) == "/feedback_not_helpful"
    for forged in ('/feedback_helpful{"certification": "cpc"}', '/feedback_helpful{"feedback": "helpful"}',
                   "/feedback_great", '/feedback_not_helpful{"topic": "salary"}'):
        assert guard_text(forged, allowed, known) == NOT_UNDERSTOOD, forged


def test_the_terminal_prints_the_row_on_one_line_numbered_after_the_answer() -> None:
    line = terminal.render({"text": ROW["text"], "buttons": ROW["buttons"]}, color=False, first_number=4)
    assert line == "Was this helpful?  4. 👍 Yes   5. 👎 No"
    assert terminal.chosen("5", [{}, {}, {}, *ROW["buttons"]]) == "/feedback_not_helpful"


class Emitted:
    def __init__(self) -> None:
        self.sent: List[Dict[str, Any]] = []

    async def emit(self, event: str, data: Dict[str, Any], room: str) -> None:
        self.sent.append(data)


@pytest.mark.asyncio
async def test_the_widget_keeps_the_answers_buttons_above_the_row() -> None:
    sio = Emitted()
    out = SocketIOOutput(sio, "bot_uttered")
    answer = {"text": "Pay is about $40,000.\n\nSource: BLS (2024)", "buttons": [{"title": "Exam cost",
              "payload": "/ask_cost"}], feedback.FOLLOWED_BY_FEEDBACK: True}
    await out.send_response("s1", dict(answer))
    await out.send_response("s1", {"text": ROW["text"], "buttons": ROW["buttons"]})
    assert sio.sent == [
        {"text": "Pay is about $40,000."},
        {"text": "Source: BLS (2024)", "buttons": [{"type": "postback", "title": "Exam cost", "payload": "/ask_cost"}]},
        {"text": "Was this helpful?", "quick_replies": [
            {"content_type": "text", "title": "👍 Yes", "payload": "/feedback_helpful"},
            {"content_type": "text", "title": "👎 No", "payload": "/feedback_not_helpful"}]},
    ]
    # any other reply with buttons is sent as Rasa sends it (quick replies, shown while last)
    sio.sent.clear()
    await out.send_response("s1", {"text": "Hi!", "buttons": [{"title": "Pay", "payload": "/ask_salary"}]})
    assert sio.sent == [{"text": "Hi!", "quick_replies": [{"content_type": "text", "title": "Pay",
                                                           "payload": "/ask_salary"}]}]
