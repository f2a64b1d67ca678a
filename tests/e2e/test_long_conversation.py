"""A long conversation: bounded sessions (bot.rasa_patches) keep the context and store every turn."""

from __future__ import annotations

import pytest

from bot.rasa_patches import MAX_SESSION_TURNS

from .conftest import QUESTION, Chat, PrivateBot, events_of

pytestmark = pytest.mark.e2e

OTHER_QUESTIONS = ["how long does it take to get certified?", "can I work from home?", "do I need a degree?"]


def test_context_and_every_turn_survive_new_sessions(private: PrivateBot) -> None:
    chat = Chat(private.settings)
    assert "CPC" in chat.text(QUESTION)
    for n in range(2 * MAX_SESSION_TURNS):  # crosses two session boundaries
        assert "Source" in chat.text(OTHER_QUESTIONS[n % len(OTHER_QUESTIONS)])
    follow_up = chat.text("how much does it pay?")
    assert "CPC" in follow_up and "Source" in follow_up, follow_up

    tracker = private.tracker(chat.sender)
    said = [e["text"] for e in events_of(tracker, "user")]
    assert said[0] == QUESTION and said[-1] == "how much does it pay?"
    assert len(said) == 2 * MAX_SESSION_TURNS + 2
    assert len(events_of(tracker, "session_started")) == 3
    carried = len(events_of(tracker, "slot"))
    assert carried < 6 * len(said), carried  # each new session carries each slot once, not every earlier copy
