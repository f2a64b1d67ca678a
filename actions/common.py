"""Reading the tracker into a turn and turning a decision into messages and events."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot import dialogue, knowledge
from bot.answers import Reply

#: Set by ``action_decline``: when true the rules decline (``utter_out_of_scope``,
#: or ``utter_fallback`` after ``nlu_fallback``).
DECLINED_SLOT = "declined"


def decide(tracker: Tracker) -> tuple[dialogue.Turn, dialogue.Decision]:
    turn = dialogue.Turn.from_tracker(tracker, knowledge.get())
    return turn, dialogue.decide(turn)


def dispatch(dispatcher: CollectingDispatcher, reply: Reply) -> None:
    buttons: List[Dict[str, Any]] = [{"title": b.title, "payload": b.payload} for b in reply.buttons]
    dispatcher.utter_message(text=reply.text, buttons=buttons)


def carry_out(dispatcher: CollectingDispatcher, turn: dialogue.Turn, decision: dialogue.Decision) -> List[EventType]:
    """Say the decision's reply; answers and comparisons become the conversation's new context."""
    if decision.reply is None:
        return []
    dispatch(dispatcher, decision.reply)
    if decision.kind == dialogue.ASK_FOR_TWO:
        return []
    return [SlotSet(name, value) for name, value in dialogue.remembered(turn, decision.reply).items()]
