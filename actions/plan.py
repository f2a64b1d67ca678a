"""The personal plan: starting ``plan_form``, reading its answers, and giving the plan.

Thin, like the other actions: what a message means to the form is decided in
:mod:`bot.dialogue.plan`, the plan is built in :mod:`bot.plan.build`.
"""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import dispatch
from bot import dialogue, knowledge
from bot.dialogue import plan as plan_turns
from bot.plan import build, data, reader
from bot.plan.data import QUESTIONS

#: The question already asked again once after an answer the bot could not use.
RETRY_SLOT = "plan_retry"
REQUESTED_SLOT = "requested_slot"

reader.prepare(data.get())  # fail fast at start-up if knowledge/plan.yml is malformed; matchers built now


class ActionPlanStart(Action):
    """A new plan: forget earlier answers (a rule has said what is coming; the form then asks)."""

    def name(self) -> str:
        return "action_plan_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        return [SlotSet(q, None) for q in (*QUESTIONS, RETRY_SLOT, REQUESTED_SLOT)]


class ValidatePlanForm(FormValidationAction):
    """Reads each message for the form: an answer, an interruption, or a question to ask again."""

    def name(self) -> str:
        return "validate_plan_form"

    async def get_extraction_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        requested = tracker.get_slot(REQUESTED_SLOT)
        turn = dialogue.Turn.from_tracker(tracker, knowledge.get())
        reading = plan_turns.read_plan_turn(turn, data.get(), requested, turn.plan, tracker.get_slot(RETRY_SLOT))
        if reading.kind == plan_turns.RETRY:
            dispatcher.utter_message(response="utter_plan_retry")
            return [SlotSet(RETRY_SLOT, requested)]
        if reading.kind == plan_turns.SKIP:
            dispatcher.utter_message(response="utter_plan_skipped")
        # an interruption sets nothing, so the form rejects the turn and a rule answers it
        return [SlotSet(q, value) for q, value in reading.answers.items()]

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        """The answers read above are valid as they are (no ``validate_<slot>`` methods to look for)."""
        wanted = (*QUESTIONS, RETRY_SLOT)
        return [SlotSet(name, value) for name, value in tracker.slots_to_validate().items() if name in wanted]


class ActionPlan(Action):
    """Every question answered or skipped: the plan, which becomes the conversation's context."""

    def name(self) -> str:
        return "action_plan"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        kb = knowledge.get()
        turn = dialogue.Turn.from_tracker(tracker, kb)
        reply = build.render(kb, build.make(kb, data.get(), turn.plan))
        dispatch(dispatcher, reply, ask_feedback=True)
        changes = dialogue.remembered(turn, reply)
        return [SlotSet(RETRY_SLOT, None), *(SlotSet(name, value) for name, value in changes.items())]
