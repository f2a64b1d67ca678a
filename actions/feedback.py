"""A click on the "Was this helpful?" row (see :mod:`bot.feedback`)."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot import feedback


class ActionFeedback(Action):
    """Thanks the person; records the click when the previous turn offered the row.

    A thumbs down also asks what they were looking for; their next message is
    answered as usual (and shows up in ``python -m bot report``).
    """

    def name(self) -> str:
        return "action_feedback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        counted = intent in feedback.VALUES and feedback.offered_in_previous_turn(tracker.events)
        if counted and intent == feedback.NOT_HELPFUL:
            dispatcher.utter_message(response=feedback.ASK_RESPONSE)
        else:
            dispatcher.utter_message(response=feedback.THANKS_RESPONSE)
        return [SlotSet(feedback.SLOT, feedback.VALUES[intent])] if counted else []
