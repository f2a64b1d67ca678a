"""Every custom action, run on a tracker the way the action server would (financial-demo style)."""

from __future__ import annotations

from typing import Any, Dict, List

import pytest
from answering import without_feedback_row
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import ActionAnswer, ActionDecline
from actions.comparisons import ActionCompare
from actions.suggestions import ActionSuggestTopics
from bot import knowledge
from bot.dialogue.decide import carried_over

ENTITY_SLOTS = {etype: None for etype in knowledge.ENTITY_TYPES}


@pytest.fixture(autouse=True)
def use_mini_kb(monkeypatch: pytest.MonkeyPatch, mini_kb: knowledge.KnowledgeBase) -> None:
    monkeypatch.setattr(knowledge, "get", lambda root=None: mini_kb)


def tracker(intent: str, entities: Dict[str, Any] = None, slots: Dict[str, Any] | None = None,
            text: str = "", fact_scores: Any = None) -> Tracker:
    ents = [
        {"entity": etype, "value": value, "start": 0, "end": 1}
        for etype, values in (entities or {}).items()
        for value in (values if isinstance(values, list) else [values])
    ]
    return Tracker.from_dict(
        {
            "sender_id": "test-user",
            "slots": {"topic": None, **ENTITY_SLOTS, **(slots or {})},
            "latest_message": {"text": text, "intent": {"name": intent, "confidence": 0.93}, "entities": ents,
                               **({"fact_scores": fact_scores} if fact_scores is not None else {})},
            "events": [],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        }
    )


async def run(action, t: Tracker) -> tuple[List[Dict[str, Any]], List[Dict[str, Any]]]:
    """The action's events and messages, without the feedback row (checked here, and in test_feedback.py)."""
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, t, {})
    return events, without_feedback_row(dispatcher.messages)



def texts(messages: List[Dict[str, Any]]) -> List[str]:
    return [m["text"] for m in messages]


@pytest.mark.asyncio
async def test_topic_question_without_entities() -> None:
    events, messages = await run(ActionAnswer(), tracker("ask_salary"))
    assert events == [SlotSet("topic", "salary")]
    [message] = messages
    assert message["text"].startswith("Pay is about $40,000 to $60,000 a year. Sources differ here:")
    assert "Growth is 8% (Career guide, 2022-2032). Growth is 7% (Body, 2024)." in message["text"]
    assert message["text"].endswith("Sources: Career guide (2022-2032); Body (2024).")
    assert message["buttons"] == [{"title": "Which certification?", "payload": "/ask_certification"}]


@pytest.mark.asyncio
async def test_entity_in_message_narrows_and_becomes_context() -> None:
    events, messages = await run(ActionAnswer(), tracker("ask_salary", {"certification": "cpc"}))
    assert events == [SlotSet("topic", "salary"), SlotSet("certification", ["cpc"])]
    assert texts(messages) == [
        "CPC holders average $58,895.\nSource: Career guide (accessed Nov 14, 2023)."
    ]


@pytest.mark.asyncio
async def test_follow_up_pronoun_uses_context() -> None:
    """'who offers it?' after talking about the CPC."""
    t = tracker("ask_certification", slots={"topic": "salary", "certification": ["cpc"]})
    events, messages = await run(ActionAnswer(), t)
    assert events == [SlotSet("topic", "certification")]
    assert texts(messages)[0].startswith(
        "The CPC (Certified Professional Coder) is offered by AAPC (American Academy of Professional Coders)."
    )


@pytest.mark.asyncio
async def test_inform_keeps_the_topic_and_switches_the_subject() -> None:
    """'what about entry level?' after a CPC salary answer."""
    t = tracker("inform", {"experience_level": "entry"}, slots={"topic": "salary", "certification": ["cpc"]})
    events, messages = await run(ActionAnswer(), t)
    assert events == [SlotSet("certification", None), SlotSet("experience_level", ["entry"])]
    assert texts(messages) == ["Entry-level pay is $40,000 to $45,000.\nSource: Career guide."]


@pytest.mark.asyncio
async def test_inform_without_topic_picks_the_entity_topic() -> None:
    events, messages = await run(ActionAnswer(), tracker("inform", {"certification": "ccs"}))
    assert events == [SlotSet("topic", "certification"), SlotSet("certification", ["ccs"])]
    assert "The CCS (Certified Coding Specialist) is offered by AAPC" in texts(messages)[0]


@pytest.mark.asyncio
async def test_entity_without_facts_says_so_and_gives_the_general_picture() -> None:
    events, messages = await run(ActionAnswer(), tracker("ask_salary", {"certification": "ccs"}))
    assert texts(messages)[0].startswith(
        "My sources have nothing specific on pay for CCS, so here is the general picture.\nPay is about"
    )


@pytest.mark.asyncio
async def test_unknown_entity_values_are_ignored() -> None:
    events, messages = await run(ActionAnswer(), tracker("ask_salary", {"certification": "<script>"}))
    assert events == [SlotSet("topic", "salary")]
    assert texts(messages)[0].startswith("Pay is about")


@pytest.mark.asyncio
async def test_compare_two_named_in_the_message() -> None:
    events, messages = await run(ActionCompare(), tracker("compare", {"certification": ["cpc", "ccs"]}))
    assert events == [SlotSet("topic", "salary"), SlotSet("certification", ["cpc", "ccs"])]
    [message] = messages
    lines = message["text"].split("\n")
    assert lines[0] == "Side by side:"
    assert lines[1].startswith("- CPC: The CPC (Certified Professional Coder) is offered by AAPC")
    assert lines[1].endswith("CPC holders average $58,895.")
    assert lines[2].startswith("- CCS: The CCS (Certified Coding Specialist) is offered by AAPC")
    assert lines[3] == "Source: Career guide (accessed Nov 14, 2023)."


@pytest.mark.asyncio
async def test_compare_one_named_with_one_from_context() -> None:
    """'how does it compare to the CCS?' after talking about the CPC."""
    t = tracker("compare", {"certification": "ccs"}, slots={"topic": "certification", "certification": ["cpc"]})
    events, messages = await run(ActionCompare(), t)
    assert SlotSet("certification", ["cpc", "ccs"]) in events
    assert [line[:5] for line in messages[0]["text"].split("\n")[1:3]] == ["- CPC", "- CCS"]


@pytest.mark.asyncio
async def test_compare_with_nothing_to_compare_asks_for_two() -> None:
    events, messages = await run(ActionCompare(), tracker("compare"))
    assert events == []
    assert messages[0]["text"].startswith("Tell me the two things to compare")
    assert messages[0]["buttons"][0] == {
        "title": "CPC vs CCS", "payload": '/compare{"certification": ["cpc", "ccs"]}'
    }


@pytest.mark.asyncio
async def test_suggestions_offer_closest_topics() -> None:
    events, messages = await run(ActionSuggestTopics(), tracker("nlu_fallback", text="how much money wage"))
    assert events == []
    assert messages[0]["text"] == "These topics look closest to what you asked:"
    assert messages[0]["buttons"][0] == {"title": "How much does it pay?", "payload": "/ask_salary"}


@pytest.mark.asyncio
async def test_which_one_compares_the_two_in_context() -> None:
    """'which one pays more?' right after 'CPC vs CCS'."""
    t = tracker("compare", slots={"topic": "salary", "certification": ["cpc", "ccs"]})
    events, messages = await run(ActionCompare(), t)
    assert events == []  # topic and subject stay as they were
    assert [line[:5] for line in messages[0]["text"].split("\n")[1:3]] == ["- CPC", "- CCS"]


@pytest.mark.asyncio
async def test_billing_or_coding_compares_the_roles(monkeypatch, mini_kb) -> None:
    from bot.knowledge.schema import Entity

    roles = {"biller": Entity(id="biller", name="medical biller"), "coder": Entity(id="coder", name="medical coder")}
    monkeypatch.setitem(mini_kb.entities, "role", roles)
    events, messages = await run(ActionCompare(), tracker("compare", text="which pays better, billing or coding?"))
    assert SlotSet("role", ["biller", "coder"]) in events
    assert [line[:8] for line in messages[0]["text"].split("\n")[1:3]] == ["- medica", "- medica"]


@pytest.mark.asyncio
async def test_organisation_answer_lists_its_credentials() -> None:
    events, messages = await run(ActionAnswer(), tracker("inform", {"organization": "aapc"}))
    assert "AAPC credentials: CPC, CCS." in messages[0]["text"]
    assert messages[0]["text"].startswith("AAPC stands for American Academy of Professional Coders. Issues coding")


@pytest.mark.asyncio
async def test_organisation_stands_for_its_credentials_in_pay_questions() -> None:
    """'how much does the AAPC cert pay' when AAPC issues one or two credentials."""
    events, messages = await run(ActionAnswer(), tracker("ask_salary", {"organization": "aapc"}))
    text = messages[0]["text"]
    assert text.startswith("CPC holders average $58,895.")
    assert "My sources have nothing specific on pay for CCS." in text


@pytest.mark.asyncio
async def test_certification_answer_includes_its_pay() -> None:
    events, messages = await run(ActionAnswer(), tracker("ask_certification", {"certification": "cpc"}))
    assert "The best-known coding credential. CPC holders average $58,895." in messages[0]["text"]


@pytest.mark.asyncio
async def test_covered_entities_get_the_general_answer(monkeypatch, mini_kb) -> None:
    """'how much do coders make': a coder's pay is the field's pay, no 'nothing specific' note."""
    salary = mini_kb.topics["salary"]
    monkeypatch.setitem(mini_kb.topics, "salary", salary.copy(update={"covers": {"certification": ["ccs"]}}))
    events, messages = await run(ActionAnswer(), tracker("ask_salary", {"certification": "ccs"}))
    assert messages[0]["text"].startswith("Pay is about $40,000 to $60,000 a year.")


@pytest.mark.asyncio
async def test_answer_leads_with_the_fact_closest_to_the_question() -> None:
    scores = {"org-general-2": 0.8, "org-general": 0.3}
    _, [message] = await run(ActionAnswer(), tracker("ask_organization", fact_scores=scores))
    assert message["text"].startswith("Joining one gives access to study material. Two associations issue")


@pytest.mark.asyncio
async def test_malformed_fact_scores_are_ignored() -> None:
    _, [plain] = await run(ActionAnswer(), tracker("ask_organization"))
    for junk in (["org-general-2"], "org-general-2", {"org-general-2": "high", 3: 0.9}):
        _, [message] = await run(ActionAnswer(), tracker("ask_organization", fact_scores=junk))
        assert message == plain


@pytest.mark.asyncio
async def test_which_one_compares_the_last_two_discussed() -> None:
    """'what does the CPC pay?' / 'and the CCS?' / 'which one is better?': the CPC is only in the history."""
    t = tracker("compare", slots={"topic": "salary", "certification": ["ccs"]})
    t.events.extend([{"event": "slot", "name": "certification", "value": ["cpc"]},
                     {"event": "slot", "name": "topic", "value": "salary"},
                     {"event": "slot", "name": "certification", "value": ["ccs"]}])
    events, messages = await run(ActionCompare(), t)
    assert [line[:5] for line in messages[0]["text"].split("\n")[1:3]] == ["- CPC", "- CCS"]
    assert SlotSet("certification", ["cpc", "ccs"]) in events


@pytest.mark.asyncio
async def test_a_role_follow_up_keeps_a_field_wide_topic(monkeypatch, mini_kb) -> None:
    """'where could I work?' then 'and billers?': the same question, about billers."""
    from bot.knowledge.schema import Entity

    monkeypatch.setitem(mini_kb.entities, "role", {"biller": Entity(id="biller", name="medical biller")})
    events, messages = await run(ActionAnswer(), tracker("inform", {"role": "biller"}, slots={"topic": "organization"}))
    assert messages[0]["text"].startswith("Two associations issue most credentials.")
    assert SlotSet("role", ["biller"]) in events and SlotSet("topic", "organization") not in events


@pytest.mark.asyncio
async def test_who_offers_it_names_the_issuer_of_the_credential_in_context() -> None:
    t = tracker("ask_organization", slots={"topic": "salary", "certification": ["cpc"]}, text="and who offers it?")
    events, messages = await run(ActionAnswer(), t)
    assert messages[0]["text"].startswith("The CPC (Certified Professional Coder) is offered by AAPC")
    assert SlotSet("topic", "certification") in events
    named = tracker("ask_organization", {"certification": "ccs"})
    _, messages = await run(ActionAnswer(), named)
    assert messages[0]["text"].startswith("The CCS (Certified Coding Specialist) is offered by AAPC")


@pytest.mark.asyncio
async def test_organisation_questions_without_a_credential_stay_general() -> None:
    _, messages = await run(ActionAnswer(), tracker("ask_organization"))
    assert messages[0]["text"].startswith("Two associations issue most credentials.")
    after_cpc = tracker("ask_organization", slots={"certification": ["cpc"]}, text="what are the main organizations?")
    _, messages = await run(ActionAnswer(), after_cpc)
    assert messages[0]["text"].startswith("Two associations issue most credentials.")


@pytest.mark.asyncio
async def test_a_follow_up_about_the_entity_in_context_leaves_a_topic_that_knows_nothing_of_it() -> None:
    """'what's the CPC?' then 'what does it pay?' misread as ask_organization: its facts say nothing on the CPC."""
    scores = {"pay-cpc": 0.5, "org-general": 0.2, "org-general-2": 0.1}
    t = tracker("ask_organization", slots={"topic": "certification", "certification": ["cpc"]},
                text="what does that pay", fact_scores=scores)
    events, messages = await run(ActionAnswer(), t)
    assert SlotSet("topic", "salary") in events
    assert "CPC holders average $58,895." in messages[0]["text"]


@pytest.mark.parametrize("second, topic", [
    ("ask_salary", "salary"),           # read after the CPC, a pay question, and its closest fact is the CPC's pay
    ("ask_organization", "certification"),  # a question, but not the one the CPC's closest fact answers
    ("ask_certification", "certification"),  # the same question as the first reading's: nothing to change
])
@pytest.mark.asyncio
async def test_a_follow_up_leaves_its_topic_only_where_both_second_readings_agree(second: str, topic: str) -> None:
    """'what does that pay' after the CPC, read as who issues it: alone, no fact stands out; 'CPC: ...' reads as pay."""
    t = tracker("ask_organization", slots={"topic": "certification", "certification": ["cpc"]},
                text="what does that pay", fact_scores={"pay-cpc": 0.2, "org-general": 0.1})
    read_in_context(t, second, 0.6, {"pay-cpc": 0.7, "org-general": 0.3})
    events, messages = await run(ActionAnswer(), t)
    if topic == "salary":
        assert SlotSet("topic", "salary") in events and messages[0]["text"].startswith("CPC holders average $58,895.")
    else:  # the CPC's own card: who issues it
        assert SlotSet("topic", "salary") not in events
        assert messages[0]["text"].startswith("The CPC (Certified Professional Coder) is offered by AAPC")


@pytest.mark.asyncio
async def test_a_new_question_keeps_its_topic_despite_the_context() -> None:
    close = {"pay-cpc": 0.3, "org-general": 0.27}  # the entity's fact is not clearly closer
    t = tracker("ask_organization", slots={"certification": ["cpc"]}, text="main associations?", fact_scores=close)
    _, messages = await run(ActionAnswer(), t)
    assert messages[0]["text"].startswith("Two associations issue most credentials.")
    weak = {"pay-cpc": 0.2, "org-general": 0.05}  # clearly closer, but too weak a match to act on
    t = tracker("ask_organization", slots={"certification": ["cpc"]}, text="associations?", fact_scores=weak)
    _, messages = await run(ActionAnswer(), t)
    assert messages[0]["text"].startswith("Two associations issue most credentials.")


@pytest.mark.asyncio
async def test_a_question_naming_an_entity_leaves_a_topic_that_knows_nothing_of_it() -> None:
    """'is it worth getting the CPC?' read as ask_organization: answered from the CPC's closest fact."""
    scores = {"pay-cpc": 0.5, "org-general": 0.2}
    t = tracker("ask_organization", {"certification": "cpc"}, text="is the cpc worth it", fact_scores=scores)
    events, messages = await run(ActionAnswer(), t)
    assert events == [SlotSet("topic", "salary"), SlotSet("certification", ["cpc"])]
    assert "CPC holders average $58,895." in messages[0]["text"]
    close = {"pay-cpc": 0.3, "cert-general": 0.28}  # not clearly closer: the intent's topic stands
    t = tracker("ask_certification", {"certification": "cpc"}, text="which cert, the cpc?", fact_scores=close)
    events, _ = await run(ActionAnswer(), t)
    assert SlotSet("topic", "certification") in events


@pytest.mark.asyncio
async def test_compare_with_one_thing_named_answers_about_it() -> None:
    """'is the CCS worth it?' read as a comparison, with nothing in context to set beside it."""
    events, messages = await run(ActionCompare(), tracker("compare", {"certification": "ccs"}))
    assert events == [SlotSet("topic", "certification"), SlotSet("certification", ["ccs"])]
    assert "The CCS (Certified Coding Specialist) is offered by AAPC" in messages[0]["text"]


@pytest.mark.asyncio
async def test_which_one_after_an_organisation_compares_its_credentials() -> None:
    """'which one is easiest?' after 'what certs does AAPC offer?' (AAPC issues the CPC and the CCS here)."""
    t = tracker("compare", slots={"topic": "certification", "organization": ["aapc"]})
    events, messages = await run(ActionCompare(), t)
    assert SlotSet("certification", ["cpc", "ccs"]) in events
    assert [line[:5] for line in messages[0]["text"].split("\n")[1:3]] == ["- CPC", "- CCS"]


@pytest.mark.asyncio
async def test_a_comparison_is_about_what_the_question_matches() -> None:
    """'which one pays more?' while the certification topic is current: compare their pay."""
    t = tracker("compare", {"certification": ["cpc", "ccs"]}, slots={"topic": "certification"},
                fact_scores={"pay-cpc": 0.5})
    events, messages = await run(ActionCompare(), t)
    assert SlotSet("topic", "salary") in events and "CPC holders average $58,895." in messages[0]["text"]
    weak = tracker("compare", {"certification": ["cpc", "ccs"]}, slots={"topic": "certification"},
                   fact_scores={"pay-cpc": 0.1})
    events, _ = await run(ActionCompare(), weak)
    assert SlotSet("topic", "salary") not in events  # too weak a match: the current topic leads


@pytest.mark.asyncio
async def test_who_issues_it_names_the_issuer_whatever_the_intent() -> None:
    """'who maintains it?' read as another question still names the issuer of what is in context."""
    t = tracker("ask_salary", slots={"topic": "salary", "certification": ["cpc"]}, text="ok and who runs that one")
    _, messages = await run(ActionAnswer(), t)
    assert messages[0]["text"].startswith("The CPC (Certified Professional Coder) is offered by AAPC")
    plain = tracker("ask_salary", slots={"topic": "salary", "certification": ["cpc"]}, text="how much is it")
    _, messages = await run(ActionAnswer(), plain)
    assert messages[0]["text"].startswith("CPC holders average $58,895.")


def declined_tracker(text: str, slots: Dict[str, Any] | None = None) -> Tracker:
    t = tracker("out_of_scope", slots=slots, text=text)
    t.latest_message["intent_ranking"] = [{"name": "out_of_scope", "confidence": 0.8},
                                          {"name": "thanks", "confidence": 0.1},
                                          {"name": "ask_salary", "confidence": 0.06}]
    return t


@pytest.mark.asyncio
async def test_out_of_scope_is_declined_by_the_rule() -> None:
    events, messages = await run(ActionDecline(), declined_tracker("what's the weather like"))
    assert events == [SlotSet("declined", True)] and messages == []


@pytest.mark.asyncio
async def test_a_declined_follow_up_about_the_subject_is_answered() -> None:
    events, messages = await run(ActionDecline(), declined_tracker("how much is it", {"certification": ["cpc"]}))
    assert "$58,895" in texts(messages)[0]
    assert events[0] == SlotSet("topic", "salary") and events[-1] == SlotSet("declined", False)


@pytest.mark.asyncio
@pytest.mark.parametrize("text", [
    "what do nurses make for it",  # another occupation: the scope rule stands
    "ok but honestly what is the single best way for it to go",  # not short
    "how much is the rent",  # points back at nothing
])
async def test_other_declines_stand(text: str) -> None:
    events, messages = await run(ActionDecline(), declined_tracker(text, {"certification": ["cpc"]}))
    assert events == [SlotSet("declined", True)] and messages == []


def bare_tracker(text: str, confidence: float, score: float) -> Tracker:
    t = declined_tracker(text, {"certification": ["cpc"]})
    t.latest_message["intent"]["confidence"] = confidence
    t.latest_message["fact_scores"] = {"pay-cpc": score, "pay-general": 0.1}
    return t


@pytest.mark.asyncio
async def test_a_bare_follow_up_close_to_a_fact_about_the_subject_is_answered() -> None:
    """'how many characters' after ICD-10-PCS names nothing and points back at nothing."""
    events, messages = await run(ActionDecline(), bare_tracker("yearly figure", 0.4, 0.5))
    assert "$58,895" in texts(messages)[0] and events[-1] == SlotSet("declined", False)


@pytest.mark.asyncio
@pytest.mark.parametrize("text, confidence, score", [
    ("yearly figure", 0.6, 0.5),  # read as out of scope with conviction
    ("yearly figure", 0.4, 0.3),  # no fact about the subject is close
    ("and what about the yearly figure", 0.4, 0.5),  # too long for a bare follow-up
])
async def test_other_bare_messages_are_declined(text: str, confidence: float, score: float) -> None:
    events, messages = await run(ActionDecline(), bare_tracker(text, confidence, score))
    assert events == [SlotSet("declined", True)] and messages == []


def test_a_follow_up_keeps_the_level_or_job_and_swaps_the_subject() -> None:
    level = {"experience_level": ["experienced"]}
    assert carried_over("inform", {"role": ["biller"]}, level) == {"experience_level": ["experienced"],
                                                                   "role": ["biller"]}
    assert carried_over("inform", {"experience_level": ["entry"]}, level) == {"experience_level": ["entry"]}
    assert carried_over("inform", {"organization": ["ahima"]}, {"certification": ["cpc"]}) == {
        "organization": ["ahima"]}
    assert carried_over("ask_salary", {"role": ["biller"]}, level) == {"role": ["biller"]}
    assert carried_over("inform", {}, level) == {}


@pytest.mark.asyncio
async def test_what_about_a_credential_keeps_the_level_in_context() -> None:
    """'entry level pay?' then 'and the CPC?': both blocks, the level stays in the slots."""
    t = tracker("inform", {"certification": "cpc"}, slots={"topic": "salary", "experience_level": ["entry"]})
    events, messages = await run(ActionAnswer(), t)
    assert "CPC holders average $58,895." in texts(messages)[0] and "Entry-level pay" in texts(messages)[0]
    assert SlotSet("certification", ["cpc"]) in events and SlotSet("experience_level", None) not in events


def unsure_tracker(text: str, score: float) -> Tracker:
    t = tracker("nlu_fallback", slots={"certification": ["cpc"]}, text=text)
    t.latest_message["intent"]["confidence"] = 0.3
    t.latest_message["intent_ranking"] = [{"name": "nlu_fallback", "confidence": 0.3},
                                          {"name": "ask_salary", "confidence": 0.28}]
    t.latest_message["fact_scores"] = {"pay-cpc": score}
    return t


@pytest.mark.asyncio
async def test_an_unclear_follow_up_about_the_subject_is_answered() -> None:
    events, messages = await run(ActionDecline(), unsure_tracker("and how much for that one", 0.5))
    assert "$58,895" in texts(messages)[0] and events[-1] == SlotSet("declined", False)


@pytest.mark.asyncio
@pytest.mark.parametrize("text, score", [
    ("blorp it zxq", 0.1),  # points back, but matches nothing about the subject
    ("/restart", 0.9),  # a typed payload
])
async def test_other_unclear_messages_get_the_fallback(text: str, score: float) -> None:
    events, messages = await run(ActionDecline(), unsure_tracker(text, score))
    assert events == [SlotSet("declined", True)] and messages == []


def read_in_context(t: Tracker, intent: str, confidence: float, scores: Dict[str, float] | None = None) -> Tracker:
    """The second reading the Rasa server adds for a follow-up pointing back (bot.nlu.context)."""
    t.latest_message["context_reading"] = {"text": f"CPC: {t.latest_message['text']}",
                                           "intent": {"name": intent, "confidence": confidence},
                                           "intent_ranking": [{"name": intent, "confidence": confidence}],
                                           "fact_scores": scores or {}}
    return t


@pytest.mark.asyncio
async def test_an_unclear_follow_up_takes_the_intent_it_has_after_its_subject() -> None:
    """'how do i get it?' after the CPC: nlu_fallback alone, a pay question as 'CPC: how do i get it?'."""
    t = read_in_context(unsure_tracker("how do i get it", 0.1), "ask_salary", 0.7, {"pay-cpc": 0.8})
    events, messages = await run(ActionDecline(), t)
    assert "$58,895" in texts(messages)[0]
    assert events[0] == SlotSet("topic", "salary") and events[-1] == SlotSet("declined", False)


@pytest.mark.asyncio
async def test_a_declined_follow_up_read_as_a_question_keeps_its_own_runner_up() -> None:
    """'who can sit for it?' declined, read as a certification question after the CPC: its own ask_salary answers."""
    t = read_in_context(declined_tracker("who can sit for it", {"certification": ["cpc"]}), "ask_certification", 0.65)
    events, messages = await run(ActionDecline(), t)
    assert events[0] == SlotSet("topic", "salary") and "$58,895" in texts(messages)[0]


@pytest.mark.asyncio
@pytest.mark.parametrize("intent, confidence", [("inform", 0.9), ("ask_salary", 0.4), ("nlu_fallback", 0.3)])
async def test_a_follow_up_not_read_as_a_question_after_its_subject_is_declined(intent: str, confidence: float) -> None:
    """'tell me a joke about it' points back at the CPC, but 'CPC: tell me a joke about it' asks nothing."""
    t = read_in_context(declined_tracker("tell me a joke about it", {"certification": ["cpc"]}), intent, confidence)
    events, messages = await run(ActionDecline(), t)
    assert events == [SlotSet("declined", True)] and messages == []


@pytest.mark.asyncio
@pytest.mark.parametrize("replaced, lead", [
    ({"name": "help", "confidence": 0.8}, "Joining one gives access to study material."),  # intent from the second
    (None, "Two associations issue most credentials."),                                   # the message's own
])
async def test_an_answer_whose_intent_came_from_the_second_reading_takes_its_facts(replaced, lead: str) -> None:
    """The facts follow the reading the intent came from (bot.nlu.context.promoted_intent)."""
    t = tracker("ask_organization", text="what about them", fact_scores={"org-general": 0.8, "org-general-2": 0.3})
    read_in_context(t, "ask_organization", 0.9, {"org-general": 0.2, "org-general-2": 0.9})
    if replaced is not None:
        t.latest_message["context_reading"]["replaced_intent"] = replaced
    _, [message] = await run(ActionAnswer(), t)
    assert message["text"].startswith(lead)


@pytest.mark.asyncio
@pytest.mark.parametrize("label, answered", [
    (0.5, True),    # the message keeps close to the CPC's facts: a question about it
    (0.9, False),   # "CPC: is it going to rain?": the label alone was far closer to them
    (None, True),   # no label scores (a topic's title as label, or an older server): the intent decides
])
async def test_a_declined_follow_up_must_stay_about_its_subject(label, answered: bool) -> None:
    t = read_in_context(declined_tracker("is it going to rain", {"certification": ["cpc"]}), "ask_salary", 0.78,
                        {"pay-cpc": 0.7})
    if label is not None:
        t.latest_message["context_reading"]["label_fact_scores"] = {"pay-cpc": label}
    events, messages = await run(ActionDecline(), t)
    if answered:
        assert events[-1] == SlotSet("declined", False) and "$58,895" in texts(messages)[0]
    else:
        assert events == [SlotSet("declined", True)] and messages == []


def with_comparison(t: Tracker, occupation: str, ranking: List[Dict[str, Any]] | None = None) -> Tracker:
    t.latest_message["compared_occupation"] = occupation
    if ranking is not None:
        t.latest_message["intent_ranking"] = ranking
    return t


@pytest.mark.asyncio
async def test_a_comparison_with_another_career_says_it_answers_one_side() -> None:
    """'is the pay better than nursing?': the field's side, said to be only that."""
    t = with_comparison(tracker("ask_salary", text="is the pay better than nursing"), "nursing")
    _, messages = await run(ActionAnswer(), t)
    [message] = messages
    assert message["text"].startswith(
        "I can only speak for medical billing and coding, not nursing, so here is this side of it.\nPay is about")


@pytest.mark.asyncio
async def test_a_comparison_with_another_career_read_as_compare_answers_the_closest_question() -> None:
    """Nothing of the field is named, so nothing can be set side by side: the best question answers."""
    ranking = [{"name": "compare", "confidence": 0.5}, {"name": "ask_salary", "confidence": 0.3}]
    t = with_comparison(tracker("compare", text="better money than nursing?"), "nursing", ranking)
    events, messages = await run(ActionCompare(), t)
    assert events == [SlotSet("topic", "salary")]
    assert messages[0]["text"].startswith("I can only speak for medical billing and coding, not nursing")


@pytest.mark.asyncio
async def test_a_plain_comparison_without_two_things_still_asks_for_them() -> None:
    ranking = [{"name": "compare", "confidence": 0.5}, {"name": "ask_salary", "confidence": 0.3}]
    _, messages = await run(ActionCompare(), with_comparison(tracker("compare", text="which is better?"), "",
                                                             ranking))
    assert messages[0]["text"].startswith("Tell me the two things to compare")


def test_a_topics_lead_comes_before_any_fact(kb) -> None:
    from bot import answers

    reply = answers.answer_topic(kb, "schools", {})
    assert reply.text.startswith(kb.topics["schools"].lead)
    assert "CAHIIM" in reply.text
