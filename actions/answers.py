"""Answers about one topic (``ask_*``, ``inform``) and declined messages that may be follow-ups."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import DECLINED_SLOT, carry_out, decide
from bot import dialogue


class ActionAnswer(Action):
    def name(self) -> str:
        return "action_answer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        return carry_out(dispatcher, tracker, *decide(tracker))


class ActionDecline(Action):
    """``out_of_scope`` or ``nlu_fallback``: a follow-up about the subject is answered; else declined.

    It says nothing when declining: it sets ``declined`` and a rule then says
    ``utter_out_of_scope`` (or ``utter_fallback`` and the topic buttons), so the
    wording stays in domain.yml and the responses stay in rules where
    ``rasa data validate`` sees them.
    """

    def name(self) -> str:
        return "action_decline"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        turn, decision = decide(tracker)
        if decision.kind == dialogue.DECLINE:
            return [SlotSet(DECLINED_SLOT, True)]
        return [*carry_out(dispatcher, tracker, turn, decision), SlotSet(DECLINED_SLOT, False)]
