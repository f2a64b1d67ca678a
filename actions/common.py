"""Reading the tracker into a turn and turning a decision into messages and events."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot import dialogue, feedback, knowledge
from bot.answers import Reply

#: Set by ``action_decline``: when true the rules decline (``utter_out_of_scope``,
#: or ``utter_fallback`` after ``nlu_fallback``).
DECLINED_SLOT = "declined"


def decide(tracker: Tracker) -> tuple[dialogue.Turn, dialogue.Decision]:
    turn = dialogue.Turn.from_tracker(tracker, knowledge.get())
    return turn, dialogue.decide(turn)


def dispatch(dispatcher: CollectingDispatcher, reply: Reply, ask_feedback: bool = False) -> None:
    """Say ``reply``; a fact answer (``ask_feedback``) is followed by the "Was this helpful?" row."""
    buttons: List[Dict[str, Any]] = [{"title": b.title, "payload": b.payload} for b in reply.buttons]
    if not ask_feedback:
        dispatcher.utter_message(text=reply.text, buttons=buttons)
        return
    dispatcher.utter_message(text=reply.text, buttons=buttons, **{feedback.FOLLOWED_BY_FEEDBACK: True})
    dispatcher.utter_message(response=feedback.ROW_RESPONSE)


def carry_out(dispatcher: CollectingDispatcher, tracker: Tracker, turn: dialogue.Turn,
              decision: dialogue.Decision) -> List[EventType]:
    """Say the decision's reply; answers and comparisons become the conversation's new context."""
    if decision.reply is None:
        return []
    if decision.kind == dialogue.ASK_FOR_TWO:
        dispatch(dispatcher, decision.reply)
        return []
    dispatch(dispatcher, decision.reply, ask_feedback=feedback.offered(tracker.active_loop))
    return [SlotSet(name, value) for name, value in dialogue.remembered(turn, decision.reply).items()]
