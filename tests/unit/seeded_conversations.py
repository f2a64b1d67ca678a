"""Five known conversations, stored with Rasa's own SQL tracker store, and the report's exact figures.

The events are the ones the bot's rules and actions produce (compare a real
``tracker.db``): an answer is ``action_answer``, the answer flagged as followed
by the feedback row, the row, then ``SlotSet("topic")``; a fallback is
``action_decline`` setting ``declined``, then ``utter_fallback``; and so on.
The conversations are saved turn by turn, in turns, so their events are
interleaved in the table as they are when people chat at the same time.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from typing import Any, Dict, List

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot import feedback

DAY1 = datetime(2026, 11, 1, 9, 0, tzinfo=timezone.utc).timestamp()
DAY2 = datetime(2026, 11, 2, 14, 0, tzinfo=timezone.utc).timestamp()
ROW = [{"title": "👍 Yes", "payload": "/feedback_helpful"}, {"title": "👎 No", "payload": "/feedback_not_helpful"}]
EMAIL = "jane.doe@gmail.com"
PHONE = "555-123-4567"


def user(text: str, intent: str, confidence: float = 0.93, entities: List[Dict[str, Any]] | None = None) -> Event:
    parse = {"text": text, "intent": {"name": intent, "confidence": confidence}, "entities": entities or []}
    return UserUttered(text, parse["intent"], entities or [], parse_data=parse, input_channel="rest")


def listen() -> Event:
    return ActionExecuted("action_listen")


def answer(text: str, topic: str, action: str = "action_answer", declined: bool | None = None) -> List[Event]:
    events: List[Event] = [
        ActionExecuted(action),
        BotUttered(text, {"buttons": [{"title": "Exam cost", "payload": "/ask_cost"}]},
                   {feedback.FOLLOWED_BY_FEEDBACK: True}),
        BotUttered("Was this helpful?", {"buttons": ROW}, {"utter_action": feedback.ROW_RESPONSE}),
        SlotSet("topic", topic),
    ]
    if declined is not None:
        events.append(SlotSet("declined", declined))
    return [*events, listen()]


def click(intent: str, counted: bool) -> List[Event]:
    reply = "Thanks for telling me. What were you looking for?" if counted and intent == feedback.NOT_HELPFUL \
        else "Thanks for the feedback!"
    events = [user(f"/{intent}", intent, 1.0), ActionExecuted("action_feedback"), BotUttered(reply)]
    if counted:
        events.append(SlotSet("feedback", feedback.VALUES[intent]))
    return [*events, listen()]


def fallback() -> List[Event]:
    return [ActionExecuted("action_decline"), SlotSet("declined", True), ActionExecuted("utter_fallback"),
            BotUttered("Sorry, I'm not sure what you mean."), ActionExecuted("action_suggest_topics"),
            BotUttered("These topics look closest:", {"buttons": [{"title": "Pay", "payload": "/ask_salary"}]}),
            listen()]


def declined() -> List[Event]:
    return [ActionExecuted("action_decline"), SlotSet("declined", True), ActionExecuted("utter_out_of_scope"),
            BotUttered("Sorry, that's outside what I know."), listen()]


def fixed(action: str, text: str) -> List[Event]:
    return [ActionExecuted(action), BotUttered(text), listen()]


#: conversation id -> (start time, turns); each turn is a list of events, the user message first
CONVERSATIONS: Dict[str, tuple] = {
    "c1": (DAY1, [
        [user("How much do coders make?", "ask_salary"), *answer("Coders earn about $48,780.", "salary")],
        click(feedback.NOT_HELPFUL, counted=True),
        [user(f"I wanted the pay in Texas, email me at {EMAIL}", "ask_salary"),
         *answer("Pay depends on the state.", "salary")],
        click(feedback.HELPFUL, counted=True),
    ]),
    "c2": (DAY1 + 60, [
        [user("hi", "greet"), *fixed("utter_greet", "Hi! I answer questions about ...")],
        [user("whats the cpc exam pass rate in my state", "nlu_fallback", 0.30), *fallback()],
        [user("what's the weather tomorrow", "out_of_scope", 0.9), *declined()],
        [user("do I need a software coding bootcamp for this", "out_of_scope", 0.62), *declined()],
    ]),
    "c3": (DAY2, [
        [user("Can AI replace medical coders?", "ask_ai_automation"),
         *answer("AI may affect demand.", "ai_automation")],
        [user("that's not what I asked", "complain"), *fixed("utter_complain", "Sorry, I missed what you meant.")],
        click(feedback.HELPFUL, counted=False),
    ]),
    "c4": (DAY2 + 120, [
        [user(f"call me at {PHONE}, can I work from home as a biller?", "ask_remote"),
         *answer("Many billers work from home.", "remote")],
        click(feedback.HELPFUL, counted=True),
        [user("and coders?", "out_of_scope", 0.4), *answer("Coders too, after experience.", "remote",
                                                            action="action_decline", declined=False)],
    ]),
    "c5": (DAY2 + 300, [
        [user("What is the CPC exam pass rate in my state?", "nlu_fallback", 0.28), *fallback()],
    ]),
}

#: What the report must say about them.
EXPECTED_SUMMARY = {
    "period": ["2026-11-01", "2026-11-02"],
    "conversations": 5,
    "questions": 11,
    "feedback_clicks": 4,
    "outcomes": {"answered": 5, "declined": 2, "fallback": 2, "complaint": 1, "other": 1},
    "per_day": {"2026-11-01": {"conversations": 2, "messages": 8},
                "2026-11-02": {"conversations": 3, "messages": 7}},
    "topics": {"salary": 2, "remote": 2, "ai_automation": 1},
    "feedback_by_topic": {"remote": {"helpful": 1, "not_helpful": 0},
                          "salary": {"helpful": 1, "not_helpful": 1}},
    "unanswered": 5,
}
#: unanswered.csv: (count, example, reasons, bot reading, comments, conversations), largest group first
EXPECTED_GROUPS = [
    ("2", "whats the cpc exam pass rate in my state", "fallback 2", "nlu_fallback (0.29)", "", "c2 c5"),
    ("1", "How much do coders make?", "thumbs down 1", "ask_salary (0.93)",
     "I wanted the pay in Texas, email me at [email]", "c1"),
    ("1", "do I need a software coding bootcamp for this", "declined 1", "out_of_scope (0.62)", "", "c2"),
    ("1", "Can AI replace medical coders?", "complaint 1", "ask_ai_automation (0.93)", "that's not what I asked",
     "c3"),
]


def trackers() -> Dict[str, List[Event]]:
    """Each conversation's full event list, timestamps set (a second apart within a turn)."""
    out: Dict[str, List[Event]] = {}
    for sender, (start, turns) in CONVERSATIONS.items():
        events: List[Event] = [ActionExecuted("action_session_start"), SessionStarted(), listen()]
        for turn in turns:
            events.extend(turn)
        for i, event in enumerate(events):
            event.timestamp = start + i
        out[sender] = events
    return out


def save(store: SQLTrackerStore) -> None:
    """Store the conversations turn by turn, taking turns, as Rasa's server would."""
    full = trackers()
    cut: Dict[str, List[int]] = {}
    for sender, (_, turns) in CONVERSATIONS.items():
        ends, total = [], 3
        for turn in turns:
            total += len(turn)
            ends.append(total)
        cut[sender] = ends

    async def run() -> None:
        for index in range(max(len(v) for v in cut.values())):
            for sender, ends in cut.items():
                if index < len(ends):
                    tracker = DialogueStateTracker.from_events(sender, full[sender][:ends[index]])
                    await store.save(tracker)

    asyncio.run(run())
