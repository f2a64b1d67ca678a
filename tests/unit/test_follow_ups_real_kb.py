"""Follow-ups on the project's real knowledge base, where topics and entities interact."""

from __future__ import annotations

from typing import Any, Dict

import pytest
from answering import without_feedback_row
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import ActionAnswer, ActionDecline
from actions.comparisons import ActionCompare
from bot import knowledge


def inform(entities: Dict[str, str], slots: Dict[str, Any], text: str) -> Tracker:
    return Tracker.from_dict({
        "sender_id": "real-kb", "paused": False, "followup_action": None, "active_loop": {},
        "latest_action_name": "action_listen", "events": [],
        "slots": {"topic": None, **{etype: None for etype in knowledge.ENTITY_TYPES}, **slots},
        "latest_message": {"text": text, "intent": {"name": "inform", "confidence": 0.9},
                           "entities": [{"entity": e, "value": v, "start": 0, "end": 1} for e, v in entities.items()]},
    })


async def reply(t: Tracker) -> tuple[list, str]:
    dispatcher = CollectingDispatcher()
    events = await ActionAnswer().run(dispatcher, t, {})
    return events, without_feedback_row(dispatcher.messages)[0]["text"]


@pytest.mark.asyncio
async def test_what_about_billers_after_experienced_pay_keeps_the_level() -> None:
    events, text = await reply(inform({"role": "biller"}, {"topic": "salary", "experience_level": ["experienced"]},
                                      "what about billers"))
    assert "$60,000 to $70,000" in text  # experienced pay, not the field's general average
    assert SlotSet("experience_level", None) not in events


@pytest.mark.asyncio
async def test_what_about_a_body_after_experienced_pay_is_about_the_body() -> None:
    slots = {"topic": "salary", "experience_level": ["experienced"], "role": ["coder"]}
    events, text = await reply(inform({"organization": "ahima"}, slots, "what about AHIMA?"))
    assert "American Health Information Management Association" in text and "$60,000" not in text
    assert SlotSet("topic", "organization") in events


@pytest.mark.asyncio
async def test_entry_level_ones_after_job_titles_stays_on_job_titles() -> None:
    events, text = await reply(inform({"experience_level": "entry"}, {"topic": "job_titles"}, "entry level ones?"))
    assert text.startswith("Medical records clerk and billing assistant are entry-level titles")
    assert SlotSet("topic", "salary") not in events


@pytest.mark.asyncio
async def test_the_senior_ones_after_job_titles_are_the_leadership_titles() -> None:
    _, text = await reply(inform({"experience_level": "experienced"}, {"topic": "job_titles"}, "and the senior ones?"))
    assert text.startswith("Leadership titles")  # a job-titles fact about that level, not "nothing specific"
    assert "manager" in text


@pytest.mark.asyncio
@pytest.mark.parametrize("text", ["who runs that one", "who gives it out?"])
async def test_who_issues_it_after_a_credential_is_answered_even_when_unsure(text: str) -> None:
    tracker = Tracker.from_dict({
        "sender_id": "real-kb", "paused": False, "followup_action": None, "active_loop": {},
        "latest_action_name": "action_listen", "events": [],
        "slots": {"topic": "salary", **{etype: None for etype in knowledge.ENTITY_TYPES}, "certification": ["cpc_p"]},
        "latest_message": {"text": text, "intent": {"name": "nlu_fallback", "confidence": 0.3}, "entities": []},
    })
    dispatcher = CollectingDispatcher()
    events = await ActionDecline().run(dispatcher, tracker, {})
    assert SlotSet("declined", False) in events
    assert "AAPC" in dispatcher.messages[0]["text"]


@pytest.mark.asyncio
async def test_a_comparison_naming_things_of_two_kinds_answers_about_them() -> None:
    """'I'm a biller, is the CPB just paper or will it change my salary?': two things named, no two of one kind."""
    t = Tracker.from_dict({
        "sender_id": "real-kb", "paused": False, "followup_action": None, "active_loop": {},
        "latest_action_name": "action_listen", "events": [],
        "slots": {"topic": None, **{etype: None for etype in knowledge.ENTITY_TYPES}},
        "latest_message": {"text": "I'm a biller. Is the CPB just another piece of paper, or will it change my salary?",
                           "intent": {"name": "compare", "confidence": 0.9}, "fact_scores": {"salary-cpb": 0.9},
                           "entities": [{"entity": "role", "value": "biller", "start": 0, "end": 1},
                                        {"entity": "certification", "value": "cpb", "start": 0, "end": 1}]},
    })
    dispatcher = CollectingDispatcher()
    await ActionCompare().run(dispatcher, t, {})
    text = without_feedback_row(dispatcher.messages)[0]["text"]
    assert not text.startswith("Tell me the two things to compare")
    assert "$56,981" in text  # CPB holders' pay



def two_parts(intent: str, parts: list, entities: Dict[str, str], text: str) -> Tracker:
    t = inform(entities, {}, text)
    t.latest_message["intent"] = {"name": intent, "confidence": 0.9}
    t.latest_message["parts_reading"] = [
        {"text": part, "intent": {"name": name, "confidence": confidence}, "fact_scores": {}}
        for part, name, confidence in parts]
    return t


@pytest.mark.asyncio
async def test_a_two_part_question_gets_both_answers_about_its_subject() -> None:
    events, text = await reply(two_parts(
        "ask_cost", [("How long is the CPB exam?", "ask_exam", 0.88), ("what does it cost?", "ask_cost", 1.0)],
        {"certification": "cpb"}, "How long is the CPB exam and what does it cost?"))
    assert "$425" in text and "135 multiple-choice questions" in text  # the fee, then the exam's length
    assert text.index("$425") < text.index("135 multiple-choice")
    assert SlotSet("topic", "cost") in events  # the message's own topic stays the context


@pytest.mark.asyncio
@pytest.mark.parametrize("parts", [
    [("How long is the CPB exam?", "ask_exam", 0.6), ("what does it cost?", "ask_cost", 1.0)],  # unsure
    [("How much is the CPB exam?", "ask_cost", 0.9), ("what is the fee?", "ask_cost", 1.0)],    # one topic
])
async def test_an_unsure_or_same_topic_part_adds_nothing(parts: list) -> None:
    _, text = await reply(two_parts("ask_cost", parts, {"certification": "cpb"}, "two questions"))
    assert "$425" in text and "135 multiple-choice questions" not in text


@pytest.mark.asyncio
async def test_the_second_answer_does_not_repeat_a_fact_of_the_first() -> None:
    _, text = await reply(two_parts(
        "ask_exam", [("What is the CPC certification?", "ask_certification", 1.0),
                     ("what are its eligibility requirements?", "ask_education", 0.53)],
        {"certification": "cpc"}, "What is the CPC certification and what are its eligibility requirements?"))
    assert "offered by AAPC" in text  # the CPC's card, after the exam's facts
    assert text.count("The CPC exam is 100 multiple-choice questions") == 1


@pytest.mark.asyncio
async def test_whether_a_credentials_exam_needs_membership_is_answered_about_it() -> None:
    t = inform({"certification": "ccs"}, {}, "do I have to be a member to take the CCS exam?")
    t.latest_message["intent"] = {"name": "ask_exam", "confidence": 0.95}
    t.latest_message["fact_scores"] = {"exam-membership": 0.82, "exam-ccs-eligibility": 0.80,
                                       "difficulty-ccs-rate": 0.6, "difficulty-ccs-format": 0.6}
    _, text = await reply(t)
    assert "open to non-members" in text and "The CCS requires a high school diploma" in text


@pytest.mark.asyncio
async def test_and_nationally_after_a_states_pay_gives_the_national_figures() -> None:
    events, text = await reply(inform({"place": "us_national"}, {"topic": "salary", "place": ["us_state"]},
                                      "and nationally?"))
    assert "$48,780" in text and "Pay depends a lot on the state" not in text
    assert SlotSet("place", ["us_national"]) in events


def swap_after(previous: Dict[str, Any] | None) -> Tracker:
    """"and for the RHIA?" after a question about the RHIT's schooling (fact scores as the model gave them)."""
    events = [] if previous is None else [{"event": "user", "text": previous["text"], "parse_data": previous}]
    events.append({"event": "user", "text": "and for the RHIA?", "parse_data": {}})
    return Tracker.from_dict({
        "sender_id": "real-kb", "paused": False, "followup_action": None, "active_loop": {},
        "latest_action_name": "action_listen", "events": events,
        "slots": {**{etype: None for etype in knowledge.ENTITY_TYPES}, "topic": "education", "certification": ["rhit"]},
        "latest_message": {"text": "and for the RHIA?", "intent": {"name": "inform", "confidence": 0.99},
                           "entities": [{"entity": "certification", "value": "rhia", "start": 12, "end": 16}],
                           "fact_scores": {"org-ahima-him": 0.70, "start-rhit-path": 0.70, "cert-rhia": 0.66}},
    })


@pytest.mark.asyncio
async def test_and_for_another_credential_answers_the_question_before_about_it() -> None:
    previous = {"text": "Do I need a CAHIIM-accredited program for the RHIT?",
                "intent": {"name": "ask_education", "confidence": 0.93},
                "fact_scores": {"exam-rhit-eligibility": 0.92, "org-cahiim": 0.91, "start-rhit-path": 0.75,
                                "cert-rhia": 0.48}}
    events, text = await reply(swap_after(previous))
    assert "bachelor's" in text  # the RHIA's schooling, not what the RHIA is
    assert SlotSet("topic", "getting_started") in events


@pytest.mark.asyncio
async def test_and_for_another_credential_with_no_question_before_says_what_it_is() -> None:
    events, text = await reply(swap_after(None))
    assert "Registered Health Information Administrator" in text
    assert SlotSet("topic", "certification") in events
