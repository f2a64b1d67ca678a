"""Which follow-ups are read again after the subject in context, and with what label."""

from __future__ import annotations

import pytest

from bot import knowledge
from bot.nlu import context


def parse(text: str, entities: list | None = None) -> dict:
    return {"text": text, "entities": entities or []}


def test_the_label_names_the_entities_in_context(kb: knowledge.KnowledgeBase) -> None:
    assert context.subject_label({"certification": ["crc"]}, kb) == "CRC"
    assert context.subject_label({"certification": ["cpc", "ccs"], "topic": "salary"}, kb) == "CPC and CCS"
    assert context.subject_label({"coding_system": "icd10pcs"}, kb) == "ICD-10-PCS"


def test_without_entities_the_label_is_the_topic(kb: knowledge.KnowledgeBase) -> None:
    assert context.subject_label({"topic": "outlook", "certification": None}, kb) == kb.topics["outlook"].title
    assert context.subject_label({"topic": "no-such-topic"}, kb) is None
    assert context.subject_label({"certification": ["no-such-credential"]}, kb) is None


def test_a_short_follow_up_pointing_back_gets_the_label_in_front(kb: knowledge.KnowledgeBase) -> None:
    assert context.contextual_text(parse("how do i get it"), {"certification": ["crc"]}, kb) == "CRC: how do i get it"
    assert context.contextual_text(parse("why is that?"), {"topic": "outlook"}, kb) == (
        f"{kb.topics['outlook'].title}: why is that?")
    assert context.contextual_text(parse("why?"), {"topic": "outlook"}, kb) == f"{kb.topics['outlook'].title}: why?"
    assert context.contextual_text(parse("how come"), {"certification": ["crc"]}, kb) == "CRC: how come"
    assert context.contextual_text(parse("how long are the codes"), {"coding_system": "icd10cm"}, kb) == (
        "ICD-10-CM: how long are the codes")
    assert context.contextual_text(parse("any other places"), {"topic": "work_settings"}, kb) == (
        f"{kb.topics['work_settings'].title}: any other places")
    assert context.contextual_text(parse("why?"), {"topic": "outlook", "role": ["coder"]}, kb) == (
        f"{kb.topics['outlook'].title}: why?")


def test_a_job_or_a_level_narrows_what_the_follow_up_points_back_at(kb: knowledge.KnowledgeBase) -> None:
    titles = kb.topics["job_titles"].title
    entry = [{"entity": "experience_level", "value": "entry"}]
    assert context.contextual_text(parse("which ones are entry level", entry), {"topic": "job_titles"}, kb) == (
        f"{titles}: which ones are entry level")
    assert context.contextual_text(parse("what do they pay coders", [{"entity": "role", "value": "coder"}]),
                                   {"certification": ["crc"]}, kb) == "CRC: what do they pay coders"


def read(text: str, intent: str, confidence: float) -> dict:
    return {**parse(text), "intent": {"name": intent, "confidence": confidence}}


@pytest.mark.parametrize("data", [
    read("why though", "affirm", 0.44),         # no pointer word, read as "yes" without conviction
    read("right away?", "affirm", 0.66),
    read("and for beginners?", "help", 0.5),
    read("so what now?", "complain", 0.41),
    read("how low are we talking", "bot_challenge", 0.35),  # after the lowest-paying states, not "are you a bot?"
])
def test_a_short_question_the_first_reading_could_not_tell_is_read_again(kb: knowledge.KnowledgeBase,
                                                                           data: dict) -> None:
    assert context.contextual_text(data, {"topic": "remote"}, kb) == f"{kb.topics['remote'].title}: {data['text']}"


@pytest.mark.parametrize("data", [
    read("ok cool", "affirm", 0.6),                      # not worded as a question
    read("yes please?", "affirm", 0.95),                 # sure of itself
    read("what can you help me with?", "help", 0.99),    # a sure request for help stays one
    read("thanks!", "thanks", 0.99),
    read("are you a bot?", "bot_challenge", 0.99),       # sure: "I'm a bot", whatever the topic
])
def test_small_talk_that_is_no_unsure_question_is_read_once(kb: knowledge.KnowledgeBase, data: dict) -> None:
    assert context.contextual_text(data, {"topic": "remote"}, kb) is None


@pytest.mark.parametrize("data", [
    parse("how long does a certification exam take"),                              # does not point back
    parse("how do i get it", [{"entity": "certification", "value": "ccs"}]),       # names what it is about
    parse("which ones are entry level", [{"entity": "experience_level", "value": "entry"},
                                         {"entity": "certification", "value": "ccs"}]),
    parse("so how would i go about getting it if i only have a diploma"),          # long enough to stand alone
    parse('/ask_salary{"certification": "cpc"}'),                                  # a button
    parse("   "),
    parse("why not"),                                                              # agrees
    parse("why do coders need anatomy"),                                           # asks its own question
])
def test_other_messages_are_read_as_they_are(kb: knowledge.KnowledgeBase, data: dict) -> None:
    assert context.contextual_text(data, {"certification": ["crc"]}, kb) is None


def test_nothing_in_context_nothing_to_add(kb: knowledge.KnowledgeBase) -> None:
    assert context.contextual_text(parse("how do i get it"), {}, kb) is None


def test_the_reading_keeps_what_the_actions_use() -> None:
    second = {"text": "CRC: how do i get it", "intent": {"name": "ask_certification", "confidence": 0.63},
              "intent_ranking": [{"name": f"i{n}", "confidence": 0.1} for n in range(9)],
              "fact_scores": {"cert-crc": 0.71}, "entities": [{"entity": "certification"}]}
    read = context.reading("CRC: how do i get it", second, {"cert-crc": 0.66})
    assert read == {"text": "CRC: how do i get it", "intent": {"name": "ask_certification", "confidence": 0.63},
                    "intent_ranking": second["intent_ranking"][:context.RANKING_LENGTH],
                    "fact_scores": {"cert-crc": 0.71}, context.LABEL_SCORES: {"cert-crc": 0.66}}


def test_the_label_is_the_prefix() -> None:
    assert context.label_of("CPC and CCS: how do i get it: quickly") == "CPC and CCS:"


def intent(name: str, confidence: float) -> dict:
    return {"intent": {"name": name, "confidence": confidence}}


@pytest.mark.parametrize("first, second", [
    (intent("ask_career_advancement", 0.33), intent("ask_experience", 1.0)),  # "how do I get past that?"
    (intent("help", 0.79), intent("ask_coding_systems", 0.98)),               # "what does that cover?" after HCPCS
    ({**intent("affirm", 0.53), "text": "why is that"}, intent("ask_outlook", 0.9)),
    ({**intent("greet", 0.4), "text": "how is it?"}, intent("ask_stress", 0.85)),
    ({**intent("out_of_scope_medical", 0.99), "text": "how do i get rid of it"}, intent("ask_apprentice", 0.9)),
    ({**intent("medical_emergency", 0.32), "text": "why is that happening"}, intent("ask_outlook", 0.95)),
    ({**intent("complain", 0.85), "text": "why is that happening"}, intent("ask_outlook", 0.95)),
])
def test_a_sure_second_reading_replaces_a_first_that_could_not_tell(first: dict, second: dict) -> None:
    assert context.promoted_intent(first, second) == second["intent"]


@pytest.mark.parametrize("first, second", [
    (intent("ask_duration", 0.66), intent("ask_coding_systems", 0.92)),    # the first was sure enough
    # a topic's title drags the second reading to the topic: "how much does it pay" after the outlook
    # reads ask_salary 0.70 alone and ask_outlook 0.97 as "Coder, demand and job outlook: how much does it pay"
    (intent("ask_salary", 0.69), intent("ask_outlook", 0.97)),
    (intent("ask_duration", 0.36), intent("ask_certification", 0.79)),     # the second is not sure enough
    (intent("ask_salary", 0.40), intent("ask_salary", 0.95)),              # same question
    (intent("ask_salary", 0.40), intent("compare", 0.95)),                 # not a question about a topic
    (intent("out_of_scope_medical", 0.46), intent("ask_exam", 0.9)),       # declines stay declines
    ({**intent("out_of_scope_medical", 0.9), "text": "how do i get rid of that rash"}, intent("ask_exam", 0.9)),
    ({**intent("out_of_scope_medical", 0.9), "text": "should i take something for it"}, intent("ask_exam", 0.9)),
    ({**intent("out_of_scope", 0.9), "text": "can you book it for me"}, intent("ask_exam", 0.9)),
    (intent("nlu_fallback", 0.3), intent("ask_exam", 0.9)),                # action_decline reads it itself
    ({**intent("medical_emergency", 0.6), "text": "why is that happening"}, intent("ask_outlook", 0.95)),  # sure
    ({**intent("medical_emergency", 0.3), "text": "my coworker just passed out"}, intent("ask_stress", 0.9)),
    ({**intent("medical_emergency", 0.3), "text": "is that why it hurts"}, intent("ask_stress", 0.9)),
    (intent("greet", 0.2), intent("ask_exam", 0.9)),
    ({**intent("complain", 0.95), "text": "that's not what i asked"}, intent("ask_exam", 0.9)),  # no question
    ({**intent("affirm", 0.6), "text": "yes that's it"}, intent("ask_certification", 0.9)),  # not a question
    ({**intent("thanks", 0.9), "text": "thanks, is that all?"}, intent("ask_exam", 0.9)),   # sure small talk
    ({}, intent("ask_exam", 0.9)),
    (intent("help", 0.9), {}),
])
def test_otherwise_the_first_reading_stands(first: dict, second: dict) -> None:
    assert context.promoted_intent(first, second) is None


def test_a_follow_up_read_as_medical_advice_is_read_after_the_topic_too(kb: knowledge.KnowledgeBase) -> None:
    # after the apprentice designation, "that" is the designation; "CPC:" alone reads ask_apprentice 0.58
    slots = {"certification": ["cpc"], "topic": "apprentice"}
    title = kb.topics["apprentice"].title
    medical = {**parse("how do i get rid of that"), **intent("out_of_scope_medical", 0.98)}
    label = f"CPC, {title[0].lower()}{title[1:]}"
    assert context.contextual_text(medical, slots, kb) == f"{label}: how do i get rid of that"
    asked = {**parse("how do i get rid of that"), **intent("ask_apprentice", 0.6)}
    assert context.contextual_text(asked, slots, kb) == "CPC: how do i get rid of that"
    rash = {**parse("how do i get rid of that rash"), **intent("out_of_scope_medical", 0.98)}
    assert context.contextual_text(rash, slots, kb) == "CPC: how do i get rid of that rash"  # about the body
