"""The last question of a message that tells a story first."""

from __future__ import annotations

import pytest
from rasa_sdk import Tracker

from bot import knowledge
from bot.dialogue.turn import Turn
from bot.nlu import question


def intent(name: str, confidence: float) -> dict:
    return {"intent": {"name": name, "confidence": confidence}}


@pytest.mark.parametrize("text, asked", [
    ("I keep hearing about AHIMA's CCS. What are the requirements to sit for that exam?",
     "What are the requirements to sit for that exam?"),
    ("I'm 45. Is it worth it? Thanks!", "Is it worth it?"),                # the last question, not the last sentence
    ("Hi! What does a coder make? And a biller?", "And a biller?"),
    # a quoted question: the closing quote ends the sentence and is not part of the question
    ("She looked at me. \u201cSilas, be honest. Is it actually hard?\u201d", "Is it actually hard?"),
    ('He asked, "is it legit? Like, can you make a real living doing that?" I had no answer.',
     "Like, can you make a real living doing that?"),
])
def test_the_last_question_of_several_sentences(text: str, asked: str) -> None:
    assert question.final_question(text) == asked


@pytest.mark.parametrize("text", [
    "what does a coder make?",                                              # one sentence
    "I'm 42, been a cashier for 15 years, would coding from home be realistic?",
    "I'm 45. I want to switch careers.",                                   # no question
    "Ok. ???",                                                              # no words in the question
    '/ask_salary{"certification": "cpc"}. What?',
    "",
])
def test_otherwise_there_is_no_question_to_read(text: str) -> None:
    assert question.final_question(text) is None


@pytest.mark.parametrize("whole, asked", [
    (intent("ask_organization", 0.6), intent("ask_exam", 1.0)),            # the background named AHIMA
    (intent("ask_exam", 0.95), {"text": "Will it rain in Chicago?", **intent("out_of_scope", 0.9)}),
    # a patient's story names a bill, not the work: the question's decline decides
    ({"text": "The hospital sent my mother a bill for $900. Should I just pay the bill?", **intent("ask_salary", 0.48)},
     {"text": "Should I just pay the bill?", **intent("out_of_scope", 0.86)}),
    # a long story leaves the classifier unsure of the whole: "laid off from my warehouse job ... What even is
    # medical billing and coding?" falls back; its question is sure
    (intent("nlu_fallback", 0.3), intent("ask_overview", 0.97)),
    (intent("out_of_scope", 0.34), intent("ask_role_duties", 0.95)),      # the classifier's doubtful decline
])
def test_a_sure_reading_of_the_question_decides(whole: dict, asked: dict) -> None:
    assert question.decided_intent(whole, asked) == asked["intent"]


@pytest.mark.parametrize("whole, asked", [
    (intent("medical_emergency", 0.7), intent("ask_duration", 0.95)),      # an emergency told first stands
    (intent("out_of_scope", 0.9), intent("ask_salary", 0.95)),             # so does a sure decline of the whole
    (intent("out_of_scope", 1.0), intent("ask_stress", 1.0)),              # a rule's (another occupation named)
    (intent("out_of_scope", 0.34), intent("out_of_scope", 0.9)),           # a doubtful decline is not re-declined
    (intent("nlu_fallback", 0.3), intent("ask_overview", 0.6)),            # nor replaced by an unsure question
    (intent("ask_exam", 0.6), intent("ask_cost", 0.7)),                    # the question is not sure enough
    (intent("ask_exam", 0.6), intent("ask_exam", 0.99)),                   # same reading
    (intent("ask_exam", 0.6), intent("greet", 0.99)),                      # not a question about a topic
    (intent("ask_exam", 0.6), intent("nlu_fallback", 0.99)),
    (intent("ask_salary", 0.68), {"text": "Teachers are paid terribly here, what would I make?",  # a rule's decline
                                  **intent("out_of_scope", 1.0)}),
    # a story about the work whose question only points back at it
    ({"text": "She had just passed her CPC exam, but the offers were low. What's the real number?",
      **intent("ask_salary", 0.86)}, {"text": "What's the real number?", **intent("out_of_scope", 0.89)}),
    ({"text": "She was a medical biller, sharp as a tack, but her pay was stuck. How do I prove I'm worth more?",
      **intent("ask_career_advancement", 0.45)},
     {"text": "How do I prove I'm worth more?", **intent("out_of_scope", 0.9)}),
    ({}, intent("ask_exam", 0.99)),
])
def test_otherwise_the_whole_message_decides(whole: dict, asked: dict) -> None:
    assert question.decided_intent(whole, asked) is None


def test_a_story_is_answered_by_each_fact_s_better_score_of_story_and_question() -> None:
    whole = {"degree-length": 0.7, "certificate-length": 0.5, "exam-prep": 0.4}
    asked = {"degree-length": 0.3, "certificate-length": 0.8}
    assert question.fact_scores(whole, asked) == {"degree-length": 0.7, "certificate-length": 0.8, "exam-prep": 0.4}


def test_without_a_question_s_scores_the_whole_message_s_stand() -> None:
    assert question.fact_scores({"a": 0.5}, {}) == {"a": 0.5}


@pytest.mark.parametrize("reading", [None, {}, {"text": "Why?"}, {"fact_scores": "broken"}, "broken"])
def test_a_turn_without_a_question_s_scores_keeps_the_whole_message_s(reading) -> None:
    latest = {"text": "a story. a question?", "intent": {"name": "ask_duration", "confidence": 0.9},
              "fact_scores": {"a": 0.5}, "question_reading": reading}
    tracker = Tracker.from_dict({"sender_id": "s", "slots": {}, "latest_message": latest, "events": [],
                                 "paused": False, "followup_action": None, "active_loop": {},
                                 "latest_action_name": "action_listen"})
    assert Turn.from_tracker(tracker, knowledge.get()).scores == {"a": 0.5}


@pytest.mark.parametrize("text, asked", [
    ("How long is the CPB exam and what does it cost?", ["How long is the CPB exam?", "what does it cost?"]),
    ("what is medical billing and coding and is it easy", ["what is medical billing and coding?", "is it easy"]),
    ("I'm 40 and stuck in retail. How long does it take, and what does it cost?",
     ["How long does it take?", "what does it cost?"]),
    ("Two questions: can I work from home and do I need a degree?", ["can I work from home?", "do I need a degree?"]),
    ("So, where do coders work? And what kind of salary can you expect?",
     ["So, where do coders work?", "what kind of salary can you expect?"]),
])
def test_a_question_of_two_parts_is_cut_at_its_joint(text: str, asked: list) -> None:
    assert question.parts(text) == asked


@pytest.mark.parametrize("text", [
    "what do coders and billers do?",                        # "and" joins two jobs, not two questions
    "What are the pros and cons?",
    "Hi! What does a coder make? And a biller?",             # a follow-up fragment, not a question of its own
    "I did my research and how do I start?",                 # the first part asks nothing
    "What is it and why?",                                   # a part of one word
    '/ask_salary{"certification": "cpc"} and what?',
])
def test_one_question_is_not_cut(text: str) -> None:
    assert question.parts(text) == []


def story(text: str, credentials: list, reading: dict) -> dict:
    """Parse data of ``text`` naming each credential at its first mention, read as ``reading``."""
    entities = [{"entity": "certification", "value": c.lower(), "start": text.index(c), "end": text.index(c) + len(c)}
                for c in credentials]
    return {"text": text, "entities": entities, **reading}


CHOICE = ("He was lost in the alphabet soup. \u201cCBCS, CPC, CCA\u2026 they all sound the same. "
          "Which one is going to actually get me a job?\u201d")


@pytest.mark.parametrize("text, credentials", [
    (CHOICE, ["CBCS", "CPC", "CCA"]),
    ("She was staring at a sea of acronyms: AHIMA, AAPC, CCA, CPC. How do I possibly choose?", ["CCA", "CPC"]),
    ("I'm staring at CPC, CPB, CCS. How on earth do I choose between billing and coding?", ["CPC", "CPB", "CCS"]),
])
def test_a_story_naming_credentials_then_asking_which_one_compares_them(text: str, credentials: list) -> None:
    whole = story(text, credentials, intent("ask_role_duties", 0.6))
    asked = {"text": question.final_question(text), **intent("ask_getting_started", 0.92)}
    assert question.decided_intent(whole, asked) == {"name": "compare", "confidence": 0.92}


@pytest.mark.parametrize("text, credentials, whole_intent", [
    ("I keep reading about the CPC. Which one is going to get me a job?", ["CPC"], "ask_role_duties"),  # one only
    ("I looked at the CPC and the CCA. How long does it take?", ["CPC", "CCA"], "ask_role_duties"),     # no choice
    ("I'm torn. Which one, the CPC or the CCS?", ["CPC", "CCS"], "ask_role_duties"),  # the question names its own
    # where to start asks for each one's road, not a comparison
    ("CPC, CCA, RHIT... so many letters. Where should I start?", ["CPC", "CCA", "RHIT"], "ask_getting_started"),
    (CHOICE, ["CBCS", "CPC", "CCA"], "medical_emergency"),                           # an emergency still stands
])
def test_otherwise_the_choice_is_not_read_as_a_comparison(text: str, credentials: list, whole_intent: str) -> None:
    whole = story(text, credentials, intent(whole_intent, 0.9))
    asked = {"text": question.final_question(text), **intent("ask_getting_started", 0.92)}
    assert (question.decided_intent(whole, asked) or {}).get("name") != "compare"
