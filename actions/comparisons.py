"""Side-by-side answers: "CPC vs CCS", "certificate or associate degree?"."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import answer
from actions.common import (
    TOPIC_SLOT,
    best_question,
    context_subject,
    dispatch,
    fact_scores,
    message_subject,
    recent_subject,
    remember,
)
from bot import answers, knowledge
from bot.nlu import scope


def comparison_subject(said: Dict[str, List[str]], context: Dict[str, List[str]],
                       history: Dict[str, List[str]] | None = None) -> Dict[str, List[str]]:
    """Two things to compare: both from the message, one said and one from context,
    or ("which one pays more?") the two already being discussed, or else the last
    two of one kind the conversation was about (``history``, newest first)."""
    if answers.comparable(said):
        return said
    for etype, ids in said.items():
        earlier = [i for i in context.get(etype, []) if i not in ids]
        if earlier:
            return {etype: earlier[:1] + ids}
    if not said and answers.comparable(context):
        return context
    if not said and history:
        for etype in context or history:  # the kind being discussed now first
            ids = history.get(etype, [])
            if len(ids) >= 2:
                return {etype: list(reversed(ids[:2]))}  # in the order they came up
    return said


class ActionCompare(Action):
    def name(self) -> str:
        return "action_compare"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        kb = knowledge.get()
        said = message_subject(tracker, kb) or answers.implied_comparison(kb, tracker.latest_message.get("text"))
        context = context_subject(tracker)
        subject = comparison_subject(said, context, recent_subject(tracker))
        # "which one is easiest?" after AHIMA's credentials: those credentials
        pair = answers.comparable(subject) or answers.comparable(answers.credentials_to_compare(kb, said or context))
        if pair is None:
            if sum(len(ids) for ids in said.values()) == 1:
                # "is the CRC worth it?": one thing named and nothing to set beside it: say what it is
                return answer(dispatcher, tracker, said, context, intent="inform")
            asked = best_question(tracker)
            if tracker.latest_message.get(scope.COMPARED_KEY) and asked:
                # "is it faster to get into this than nursing": the field's side, on the closest question
                return answer(dispatcher, tracker, said, context, intent=asked)
            dispatch(dispatcher, answers.needs_two_things(kb))
            return []
        asked = answers.comparison_topic(kb, *pair, fact_scores(tracker))  # "which one pays more?" -> salary
        reply = answers.answer_comparison(kb, *pair, topic_id=asked or tracker.get_slot(TOPIC_SLOT))
        dispatch(dispatcher, reply)
        return remember(tracker, reply)
