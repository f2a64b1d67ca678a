"""Side-by-side answers: "CPC vs CCS", "certificate or associate degree?"."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.common import carry_out, decide


class ActionCompare(Action):
    def name(self) -> str:
        return "action_compare"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        return carry_out(dispatcher, tracker, *decide(tracker))
