"""The personal plan: reading answers, building the plan, and the form's actions (exact events)."""

from __future__ import annotations

import itertools
import re
from pathlib import Path
from typing import Any, Dict, List

import pytest
import yaml
from answering import without_feedback_row
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.plan import ActionPlan, ActionPlanStart, ValidatePlanForm
from bot import dialogue, knowledge
from bot.dialogue import plan as plan_turns
from bot.plan import build, data, reader
from bot.plan.data import QUESTIONS

KB = knowledge.get()
DATA = data.get()
DOMAIN = yaml.safe_load((Path(__file__).resolve().parents[2] / "domain.yml").read_text(encoding="utf-8"))


# --- knowledge/plan.yml ---------------------------------------------------------------------

def test_plan_data_is_sound_against_the_knowledge_base() -> None:
    assert data.check(DATA, KB) == []


def test_a_broken_plan_file_names_its_problems(tmp_path: Path) -> None:
    raw = yaml.safe_load((knowledge.default_dir() / "plan.yml").read_text(encoding="utf-8"))
    raw["plan"]["pay"] = ["no-such-fact"]
    raw["plan"]["paths"]["certificate"]["months"] = [5, 12]
    path = tmp_path / "plan.yml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(data.PlanDataError) as error:
        data.load(path, KB)
    assert "unknown fact id 'no-such-fact'" in str(error.value)
    assert "path certificate: 5 months is not a figure its facts give" in str(error.value)


# --- free-text answers ----------------------------------------------------------------------

@pytest.mark.parametrize("question, text, expected", [
    ("plan_education", "i finished high school", "high_school"),
    ("plan_education", "I have my GED", "high_school"),
    ("plan_education", "I didn't finish high school", "no_diploma"),
    ("plan_education", "a couple of college classes, some college", "some_college"),
    ("plan_education", "bachelors in biology", "degree"),
    ("plan_education", "not sure", "not_sure"),
    ("plan_experience", "I'm a CNA", "healthcare"),
    ("plan_experience", "nope", "none"),
    ("plan_experience", "No, but I was a receptionist for years", "office"),
    ("plan_experience", "I worked in a hospital", "healthcare"),
    ("plan_goal", "coding i think", "coding"),
    ("plan_goal", "a bit of both", "not_sure"),
    ("plan_setting", "from home please", "remote"),
    ("plan_setting", "hosptial", "hospital"),
    ("plan_setting", "an insurance company", "insurer"),
    ("plan_time", "evenings only", "part_time"),
    ("plan_time", "I can do full-time", "full_time"),
    ("plan_time", "idk", "not_sure"),
])
def test_a_free_text_answer_is_read_for_the_question_asked(question: str, text: str, expected: str) -> None:
    assert reader.read(DATA, text, requested=question) == {question: expected}


def test_an_answer_answers_another_question_only_with_a_phrase_only_that_question_knows() -> None:
    # "hospital" is where they worked, not where they want to work
    assert reader.read(DATA, "I worked in a hospital", requested="plan_experience") == {"plan_experience": "healthcare"}
    assert reader.read(DATA, "i have my GED, and I'm a CNA right now", requested="plan_education") == {
        "plan_education": "high_school", "plan_experience": "healthcare"}
    # said in passing, "no" and "all day" answer nothing
    assert reader.read(DATA, "no, my kids are in school all day", requested="plan_goal") == {}
    # the longest phrase wins across questions: a stay-at-home mom, not "at home"
    assert reader.read(DATA, "I'm a stay at home mom", requested="plan_experience") == {"plan_experience": "none"}
    assert reader.read(DATA, "I'm a stay at home mom", requested="plan_setting") == {}


def test_the_message_that_starts_the_plan_answers_every_question_it_names_exactly() -> None:
    # "two kids" is no answer about time until that question is asked
    assert reader.read(DATA, "I have a GED and two kids and I want to work from home") == {
        "plan_education": "high_school", "plan_setting": "remote"}
    assert reader.read(DATA, "make me a plan, not sure where to start") == {}


@pytest.mark.parametrize("question, text, expected", [
    ("plan_setting", "anywhere but a hospital, ideally at home", {"plan_setting": "remote"}),
    ("plan_experience", "not an office, I was a nurse", {"plan_experience": "healthcare"}),
    ("plan_experience", "no, I'm a CNA", {"plan_experience": "healthcare"}),  # "no," is no negation of "CNA"
    ("plan_goal", "I hate the phone so anything but billing", {}),  # asked again, not read as billing
    ("plan_experience", "nope, never sat at a desk or worked around patients", {"plan_experience": "none"}),
    ("plan_time", "I can't do this all day, but a couple nights a week", {"plan_time": "part_time"}),
])
def test_a_negated_phrase_is_no_answer(question: str, text: str, expected: Dict[str, str]) -> None:
    assert reader.read(DATA, text, requested=question) == expected


def test_an_nlu_entity_is_an_answer() -> None:
    biller = [{"entity": "role", "value": "biller"}]
    assert reader.read(DATA, "the person who sends claims", biller, requested="plan_goal") == {"plan_goal": "billing"}


def test_every_button_of_every_question_is_read_as_an_answer_of_its_own() -> None:
    for question in QUESTIONS:
        buttons = DOMAIN["responses"][f"utter_ask_{question}"][0]["buttons"]
        read = [reader.read(DATA, b["payload"], requested=question).get(question) for b in buttons]
        assert None not in read, (question, read)
        assert len(set(read)) == len(read), (question, read)


# --- which turn is an answer ----------------------------------------------------------------

def turn(text: str, intent: str = "inform", said: Dict[str, List[str]] | None = None) -> dialogue.Turn:
    return dialogue.Turn(text=text, intent=intent, said=said or {})


@pytest.mark.parametrize("text, intent, retried, kind, answers", [
    ("I have my GED", "ask_education", None, plan_turns.ANSWER, {"plan_education": "high_school"}),
    ("GED?", "ask_education", None, plan_turns.ANSWER, {"plan_education": "high_school"}),
    ("how much does the CPC pay?", "ask_salary", None, plan_turns.INTERRUPTION, {}),
    ("do I need a high school diploma for this?", "ask_education", None, plan_turns.INTERRUPTION, {}),
    ("help", "help", None, plan_turns.INTERRUPTION, {}),
    ("/feedback_helpful", "feedback_helpful", None, plan_turns.INTERRUPTION, {}),  # an old row clicked
    ("my kids are in school all day", "ask_duration", None, plan_turns.RETRY, {}),  # a statement, not a question
    ("did my GED in 2010 at night school", "ask_education", None, plan_turns.ANSWER,
     {"plan_education": "high_school"}),  # "did ..." without "?" is no question
    ("stop", "stop", None, plan_turns.INTERRUPTION, {}),
    ("no, high school. start over", "start_over", None, plan_turns.INTERRUPTION, {}),
    ("blorp", "nlu_fallback", None, plan_turns.RETRY, {}),
    ("blorp", "nlu_fallback", "plan_education", plan_turns.SKIP, {"plan_education": "not_sure"}),
])
def test_what_a_message_means_to_the_form(text: str, intent: str, retried: str | None, kind: str,
                                          answers: Dict[str, str]) -> None:
    reading = plan_turns.read_plan_turn(turn(text, intent), DATA, "plan_education", {}, retried)
    assert (reading.kind, reading.answers) == (kind, answers)



@pytest.mark.parametrize("text, kind, answers", [
    ("evenings only", plan_turns.ANSWER, {"plan_time": "part_time"}),  # read as goodbye 0.32 once
    ("bye", plan_turns.INTERRUPTION, {}),
])
def test_a_goodbye_reading_leaves_the_plan_only_when_nothing_is_answered(text: str, kind: str,
                                                                         answers: Dict[str, str]) -> None:
    reading = plan_turns.read_plan_turn(turn(text, "goodbye"), DATA, "plan_time", {})
    assert (reading.kind, reading.answers) == (kind, answers)


# --- the plan -------------------------------------------------------------------------------

GOALS = ("coding", "billing", "not_sure")
SETTINGS = ("remote", "hospital", "physician_office", "insurer", "not_sure")
TIMES = ("full_time", "part_time")
_FIGURE = re.compile(r"\$|\d")


def expected_credentials(goal: str, setting: str, time: str, education: str) -> List[str]:
    if goal == "billing":
        return ["cpb", "cbcs"]
    if time == "full_time" and (setting == "hospital" or education == "some_college"):
        return ["rhit"]
    return ["cca", "ccs"] if setting == "hospital" else ["cpc"]


@pytest.mark.parametrize("goal, setting, time, education",
                         itertools.product(GOALS, SETTINGS, TIMES, ("high_school", "some_college")))
def test_each_goal_and_setting_gets_its_credential_and_every_figure_a_source(
    goal: str, setting: str, time: str, education: str
) -> None:
    answers = {"plan_education": education, "plan_experience": "none", "plan_goal": goal,
               "plan_setting": setting, "plan_time": time}
    plan = build.make(KB, DATA, answers)
    assert list(plan.choice.credentials) == expected_credentials(goal, setting, time, education)
    assert 4 <= len(plan.steps) <= 7
    text = build.render(KB, plan).text
    for paragraph in text.split("\n\n"):
        if _FIGURE.search(re.sub(r"^Step \d\. ", "", paragraph.split("\n")[0])):
            assert re.search(r"\nSources?: .+\.$", paragraph), paragraph
    assert re.search(r"Timeline: about (6 to 12|24) months of training", text)
    for n in range(1, len(plan.steps) + 1):
        assert f"\n\nStep {n}. " in text


def test_fees_come_with_the_advice_to_confirm_them() -> None:
    text = build.render(KB, build.make(KB, DATA, {"plan_goal": "coding"})).text
    assert "$425" in text and "confirm the current price" in text


def test_a_credential_without_a_fee_in_the_sources_says_so() -> None:
    plan = build.make(KB, DATA, {"plan_goal": "coding", "plan_setting": "hospital", "plan_time": "full_time"})
    assert list(plan.choice.credentials) == ["rhit"]
    text = build.render(KB, plan).text
    assert "Step 3. The exam and its cost. My sources give no fee for the RHIT exam: check the current price on " \
           "AHIMA's own site." in text


def test_no_diploma_adds_the_ged_step_first_and_to_the_timeline() -> None:
    plan = build.make(KB, DATA, {"plan_education": "no_diploma"})
    assert plan.steps[0].title == build.STEP_GED
    assert "finish a GED" in build.render(KB, plan).text.split("\n\n")[0]


def test_conflicting_pay_figures_are_shown_with_both_sources() -> None:
    text = build.render(KB, build.make(KB, DATA, {})).text
    pay = next(p for p in text.split("\n\n") if build.STEP_PAY in p)
    assert "$40,000 to $45,000" in pay and "$35,000 to $45,000" in pay
    assert pay.count("(") >= 2 and "Sources:" in pay


# --- the actions (exact events) -------------------------------------------------------------

def form_tracker(text: str, intent: str, requested: str | None, slots: Dict[str, Any] | None = None,
                 entities: List[Dict[str, Any]] | None = None) -> Tracker:
    return Tracker.from_dict({
        "sender_id": "plan", "paused": False, "followup_action": None,
        "active_loop": {"name": "plan_form"}, "latest_action_name": "action_listen",
        "events": [{"event": "user", "text": text}],
        "slots": {"topic": None, **{e: None for e in knowledge.ENTITY_TYPES}, **{q: None for q in QUESTIONS},
                  "plan_retry": None, "requested_slot": requested, **(slots or {})},
        "latest_message": {"text": text, "intent": {"name": intent, "confidence": 0.9},
                           "entities": entities or []},
    })


async def run(action: Any, t: Tracker) -> tuple[List[Dict[str, Any]], List[Dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, t, DOMAIN)
    return events, without_feedback_row(dispatcher.messages)


@pytest.mark.asyncio
async def test_an_answer_sets_its_slot() -> None:
    events, messages = await run(ValidatePlanForm(), form_tracker("I have my GED", "inform", "plan_education"))
    assert events == [SlotSet("plan_education", "high_school")]
    assert messages == []


@pytest.mark.asyncio
async def test_a_question_in_the_middle_sets_nothing_so_the_form_hands_it_to_the_rules() -> None:
    events, messages = await run(ValidatePlanForm(), form_tracker("how much does the CPC pay?", "ask_salary",
                                                                  "plan_time"))
    assert events == [] and messages == []


@pytest.mark.asyncio
async def test_an_unusable_answer_is_asked_again_once_then_skipped() -> None:
    events, messages = await run(ValidatePlanForm(), form_tracker("blorp", "nlu_fallback", "plan_goal"))
    assert events == [SlotSet("plan_retry", "plan_goal")]
    assert [m["response"] for m in messages] == ["utter_plan_retry"]
    events, messages = await run(ValidatePlanForm(), form_tracker("blorp again", "nlu_fallback", "plan_goal",
                                                                  {"plan_retry": "plan_goal"}))
    assert events == [SlotSet("plan_goal", "not_sure")]
    assert [m["response"] for m in messages] == ["utter_plan_skipped"]


@pytest.mark.asyncio
async def test_starting_a_plan_forgets_earlier_answers() -> None:
    events, messages = await run(ActionPlanStart(), form_tracker("start over", "start_over", "plan_goal",
                                                                 {"plan_education": "degree"}))
    assert events == [SlotSet(q, None) for q in (*QUESTIONS, "plan_retry", "requested_slot")]
    assert messages == []  # the rule says utter_plan_start before it


@pytest.mark.asyncio
async def test_the_plan_becomes_the_conversations_context() -> None:
    answers = {"plan_education": "high_school", "plan_experience": "office", "plan_goal": "coding",
               "plan_setting": "hospital", "plan_time": "part_time"}
    events, messages = await run(ActionPlan(), form_tracker("part time", "inform", None, answers))
    assert events == [SlotSet("plan_retry", None), SlotSet("topic", build.PLAN_TOPIC),
                      SlotSet("certification", ["cca", "ccs"])]
    [message] = messages
    assert message["text"].startswith("Here is a plan from your answers (high school or GED; office experience; "
                                      "coding; a hospital; part time).")
    assert [b["title"] for b in message["buttons"]][:2] == ["How long will it all take?", "What is the CCA?"]


def after_plan(text: str, intent: str, said: Dict[str, List[str]] | None = None) -> dialogue.Turn:
    return dialogue.Turn(text=text, intent=intent, said=said or {}, topic=build.PLAN_TOPIC,
                         context={"certification": ["cca", "ccs"]},
                         plan={"plan_goal": "coding", "plan_setting": "hospital", "plan_time": "part_time"})


def test_how_long_after_the_plan_is_the_plans_timeline() -> None:
    reply = dialogue.decide(after_plan("how long will the whole thing take?", "ask_duration"), KB).reply
    assert reply is not None
    assert reply.text.startswith("From your plan: Timeline: about 6 to 12 months of training")


def test_why_the_plans_credential_puts_the_plans_reason_first() -> None:
    reply = dialogue.decide(after_plan("why the CCS and not the CPC?", "compare",
                                       {"certification": ["ccs", "cpc"]}), KB).reply
    assert reply is not None
    assert reply.text.startswith("Your plan has the CCA (AHIMA) now, then the CCS (AHIMA) because you would like "
                                 "to work in a hospital.\n\n")


def test_the_message_that_starts_the_plan_fills_what_it_answers() -> None:
    text = "I have a GED and two kids and I want to work from home, can you make me a plan?"
    reading = plan_turns.read_plan_turn(turn(text, "make_plan"), DATA, None, {})
    assert (reading.kind, reading.answers) == (plan_turns.ANSWER, {
        "plan_education": "high_school", "plan_setting": "remote"})


def test_every_question_intent_is_answered_in_the_middle_of_the_plan() -> None:
    """A new ``ask_*`` intent must join the plan's interruption rule, or the form would not ask again."""
    rules = yaml.safe_load((Path(__file__).resolve().parents[2] / "data" / "plan_rules.yml").read_text("utf-8"))
    rule = next(r for r in rules["rules"] if r["rule"].startswith("a question in the middle of the plan"))
    listed = {step["intent"] for step in rule["steps"][0]["or"]}
    asked = {intent for intent in DOMAIN["intents"] if str(intent).startswith("ask_")}
    assert asked | {"more"} == listed


def test_the_action_server_builds_the_plan_readers_at_start_up(monkeypatch: pytest.MonkeyPatch) -> None:
    """Importing the actions builds every matcher, so no person's first answer waits for one (~93 ms each)."""
    import actions.plan  # noqa: F401 - what the action server imports at start-up
    from bot.plan import data, reader
    from bot.plan.data import QUESTIONS

    def no_new_matchers(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a matcher was built while reading an answer")

    monkeypatch.setattr(reader, "EntityMatcher", no_new_matchers)
    for question in QUESTIONS:
        reader.read(data.get(), "I have my GED and want to work from home", requested=question)
