"""The Rasa fixes keep behaviour: responses are validated as strictly as before."""

from __future__ import annotations

import sqlite3
from types import SimpleNamespace

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from sqlalchemy import create_engine, text

from bot import rasa_patches


@pytest.fixture(scope="module", autouse=True)
def installed() -> None:
    rasa_patches.install()
    rasa_patches.install()  # twice is harmless


def action() -> RemoteAction:
    return RemoteAction("action_answer", None)


def test_valid_response_passes() -> None:
    response = {"events": [{"event": "slot", "name": "topic", "value": "salary"}],
                "responses": [{"text": "hi", "buttons": []}]}
    assert action()._validate_action_result(response) is True


@pytest.mark.parametrize("bad", [{"events": "nope"}, {"events": [{"no_event_key": 1}]}, {"responses": "x"}])
def test_invalid_response_raises_with_the_hint(bad: dict) -> None:
    with pytest.raises(ValidationError) as caught:
        action()._validate_action_result(bad)
    assert "Failed to validate Action server response" in caught.value.message


def test_sqlite_uses_write_ahead_logging(tmp_path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 't.db'}")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA synchronous")).scalar() == 1  # NORMAL
    assert sqlite3.sqlite_version  # the stdlib driver is the one patched


@pytest.mark.asyncio
async def test_sqlite_tracker_store_keeps_connections_and_conversations(tmp_path) -> None:
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker
    from sqlalchemy.pool import QueuePool

    from bot.tracker_store import SQLiteTrackerStore

    domain = Domain.from_yaml("slots:\n  topic:\n    type: text\n    mappings: [{type: custom}]\n")
    store = SQLiteTrackerStore(domain=domain, dialect="sqlite", db=str(tmp_path / "t.db"))
    assert isinstance(store.engine.pool, QueuePool)
    tracker = DialogueStateTracker.from_events("u1", [UserUttered("hi"), SlotSet("topic", "salary")])
    await store.save(tracker)
    again = await SQLiteTrackerStore(domain=domain, dialect="sqlite", db=str(tmp_path / "t.db")).retrieve("u1")
    assert again is not None and again.get_slot("topic") == "salary"


class _StubProcessor:
    """Just what parse_message touches of MessageProcessor; records the thread the graph ran in."""

    http_interpreter = None

    def __init__(self) -> None:
        self.threads: list = []
        self.checked: list = []

    def _parse_message_with_graph(self, message, tracker, only_output_properties=True) -> dict:
        import threading
        import time

        self.threads.append(threading.current_thread().name)
        time.sleep(0.01)
        return {"text": message.text, "intent": {"name": "greet", "confidence": 1.0}, "entities": []}

    def _update_full_retrieval_intent(self, parse_data: dict) -> None:
        parse_data["updated"] = True

    def _check_for_unseen_features(self, parse_data: dict) -> None:
        self.checked.append(parse_data["text"])


@pytest.mark.asyncio
async def test_nlu_parses_off_the_event_loop_and_keeps_rasas_steps() -> None:
    import asyncio

    from rasa.core.channels.channel import UserMessage
    from rasa.core.processor import MessageProcessor

    assert MessageProcessor.parse_message is rasa_patches._parse_message
    stub = _StubProcessor()
    texts = [f"message {n}" for n in range(6)]
    results = await asyncio.gather(*(rasa_patches._parse_message(stub, UserMessage(t)) for t in texts))
    assert [r["text"] for r in results] == texts and all(r["updated"] for r in results)
    assert sorted(stub.checked) == sorted(texts)
    assert all(name.startswith("nlu") for name in stub.threads)



def test_minimal_graph_schema_is_rasas_and_computed_once(monkeypatch) -> None:
    from rasa.engine.graph import GraphSchema, SchemaNode

    def node(*needs: str) -> SchemaNode:
        return SchemaNode(needs={n: n for n in needs}, uses=RemoteAction, constructor_name="create", fn="run",
                          config={})

    schema = GraphSchema({"a": node(), "b": node("a"), "c": node("a", "b"), "d": node(), "t": node("c")})
    expected = rasa_patches._original_minimal_graph_schema(schema, ["t"])
    calls = []
    monkeypatch.setattr(rasa_patches, "_original_minimal_graph_schema",
                        lambda s, targets: calls.append(targets) or expected)
    assert schema.minimal_graph_schema(["t"]) == expected and set(expected.nodes) == {"a", "b", "c", "t"}
    assert schema.minimal_graph_schema(["t"]) is schema.minimal_graph_schema(["t"])
    assert calls == [["t"]]
    schema.nodes["e"] = node("t")  # a schema that changed is walked again
    schema.minimal_graph_schema(["t"])
    assert len(calls) == 2


def _events() -> list:
    from rasa.shared.core.events import (
        ActionExecuted,
        ActiveLoop,
        AllSlotsReset,
        BotUttered,
        FollowupAction,
        Restarted,
        SessionStarted,
        SlotSet,
        UserUttered,
    )

    made = [SlotSet("topic", "salary"), SlotSet("subject", {"certification": ["cpc"]}), ActionExecuted("action_listen"),
            UserUttered("hi", {"name": "greet", "confidence": 0.9}), BotUttered("hello", {"buttons": []}),
            FollowupAction("action_answer"), Restarted(), SessionStarted(), ActiveLoop(None), AllSlotsReset()]
    return [e.as_dict() for e in made]


def _responses() -> list:
    good = _events()
    bad_events = [{"event": "bogus"}, {"event": 3}, {"no_event_key": 1}, {"event": "slot", "timestamp": "noon"},
                  {"event": "user", "parse_data": "not an object"}, {"event": "followup"},
                  {"event": "action", "name": 5}, "not an object"]
    out = [{"events": [e]} for e in good + bad_events]
    out += [{"events": good, "responses": [{"text": "hi", "buttons": []}]}, {"events": good + bad_events[:1]},
            {"events": "nope"}, {"responses": "x"}, {}, {"events": None}, {"responses": [{"text": 3}]}]
    return out


@pytest.mark.parametrize("response", _responses())
def test_the_quick_check_never_passes_what_the_full_schema_rejects(response) -> None:
    full = rasa_patches._response_validator().is_valid(response)
    quick = rasa_patches._quickly_valid(response)
    assert quick == full or (full and not quick)  # the quick check may only send more to the full validator


def test_the_quick_check_passes_rasas_own_events() -> None:
    assert rasa_patches._quickly_valid({"events": _events(), "responses": [{"text": "hi"}]})


class _Slot:
    def __init__(self, value) -> None:
        self.value = value


class _Tracker:
    def __init__(self, **slots) -> None:
        self.slots = {name: _Slot(value) for name, value in slots.items()}


class _ReadingStub(_StubProcessor):
    """Reads every message as it is told: the first as unclear, the prefixed one as a question."""

    def __init__(self, entities: list | None = None, first_intent: dict | None = None,
                 second_confidence: float = 0.7) -> None:
        super().__init__()
        self.entities = entities or []
        self.first_intent = first_intent or {"name": "nlu_fallback", "confidence": 0.3}
        self.second_confidence = second_confidence
        self.parsed: list = []

    def _parse_message_with_graph(self, message, tracker, only_output_properties=True) -> dict:
        self.parsed.append(message.text)
        if message.text.endswith(":"):  # the label alone
            return {"text": message.text, "intent": {"name": "inform", "confidence": 0.9}, "entities": [],
                    "fact_scores": {"cert-crc": 0.66}}
        if ": " in message.text:
            second = {"name": "ask_certification", "confidence": self.second_confidence}
            return {"text": message.text, "intent": dict(second), "intent_ranking": [dict(second)],
                    "entities": [{"entity": "certification", "value": "crc"}], "fact_scores": {"cert-crc": 0.71}}
        return {"text": message.text, "intent": dict(self.first_intent), "entities": self.entities}


@pytest.mark.asyncio
async def test_a_follow_up_pointing_back_is_read_again_after_its_subject() -> None:
    from rasa.core.channels.channel import UserMessage

    from bot.nlu import context

    stub = _ReadingStub()
    result = await rasa_patches._parse_message(stub, UserMessage("how do i get it"), _Tracker(certification=["crc"]))
    assert stub.parsed == ["how do i get it", "CRC: how do i get it", "CRC:"]
    assert result["intent"]["name"] == "nlu_fallback"  # the first reading stays the message's own
    assert result[context.KEY] == {"text": "CRC: how do i get it",
                                   "intent": {"name": "ask_certification", "confidence": 0.7},
                                   "intent_ranking": [{"name": "ask_certification", "confidence": 0.7}],
                                   "fact_scores": {"cert-crc": 0.71}, context.LABEL_SCORES: {"cert-crc": 0.66}}
    again = await rasa_patches._parse_message(stub, UserMessage("is it hard"), _Tracker(certification=["crc"]))
    assert stub.parsed[3:] == ["is it hard", "CRC: is it hard"]  # the label's scores are kept
    assert again[context.KEY][context.LABEL_SCORES] == {"cert-crc": 0.66}


@pytest.mark.asyncio
async def test_a_sure_second_reading_becomes_the_intent_of_a_first_that_could_not_tell() -> None:
    from rasa.core.channels.channel import UserMessage

    from bot.nlu import context

    stub = _ReadingStub(first_intent={"name": "help", "confidence": 0.79}, second_confidence=0.9)
    result = await rasa_patches._parse_message(stub, UserMessage("what does it cover"), _Tracker(certification=["crc"]))
    assert result["intent"] == {"name": "ask_certification", "confidence": 0.9}
    assert result[context.KEY][context.REPLACED] == {"name": "help", "confidence": 0.79}


@pytest.mark.asyncio
@pytest.mark.parametrize("text, slots, entities", [
    ("how do i get it", {}, []),                                        # nothing in context
    ("how do i get it", {"certification": ["crc"]}, [{"entity": "certification", "value": "ccs"}]),  # names one
    ("how long does a certification exam take", {"certification": ["crc"]}, []),  # no pointer back
])
async def test_other_messages_are_read_once(text: str, slots: dict, entities: list) -> None:
    from rasa.core.channels.channel import UserMessage

    from bot.nlu import context

    stub = _ReadingStub(entities)
    result = await rasa_patches._parse_message(stub, UserMessage(text), _Tracker(**slots))
    assert stub.parsed == [text] and context.KEY not in result


class _StoryStub(_StubProcessor):
    """Reads a story with a question as the background says, and the question alone as an exam question.

    Its graph runner records each run's batch of messages, as Rasa's graph receives them.
    """

    def __init__(self) -> None:
        super().__init__()
        self.parsed: list = []
        self.runs: list = []
        self.model_metadata = SimpleNamespace(nlu_target="run_RegexMessageHandler")
        self.graph_runner = SimpleNamespace(run=self._run)

    def _read(self, text: str) -> dict:
        if "." in text:
            return {"text": text, "intent": {"name": "ask_organization", "confidence": 0.6},
                    "entities": [{"entity": "certification", "value": "ccs"}]}
        return {"text": text, "intent": {"name": "ask_exam", "confidence": 0.99}, "entities": []}

    def _run(self, inputs: dict, targets: list) -> dict:
        from rasa.engine.constants import PLACEHOLDER_MESSAGE
        from rasa.shared.nlu.training_data.message import Message

        self.runs.append([m.text for m in inputs[PLACEHOLDER_MESSAGE]])
        read = [self._read(m.text) for m in inputs[PLACEHOLDER_MESSAGE]]
        return {targets[0]: [Message(data=r, output_properties=set(r)) for r in read]}

    def _parse_message_with_graph(self, message, tracker, only_output_properties=True) -> dict:
        self.parsed.append(message.text)
        self.runs.append([message.text])
        return self._read(message.text)


@pytest.mark.asyncio
async def test_the_last_question_of_a_story_is_read_in_the_same_run_and_decides() -> None:
    from rasa.core.channels.channel import UserMessage

    from bot.nlu import question

    stub = _StoryStub()
    text = "I keep hearing about AHIMA's CCS. What do I need to sit for that exam?"
    result = await rasa_patches._parse_message(stub, UserMessage(text), _Tracker())
    assert stub.runs == [[text, "What do I need to sit for that exam?"]]  # one graph run, both texts
    assert result["text"] == text
    assert result["intent"] == {"name": "ask_exam", "confidence": 0.99}
    assert result["entities"] == [{"entity": "certification", "value": "ccs"}]  # the background says which exam
    assert result[question.KEY]["text"] == "What do I need to sit for that exam?"
    assert result[question.KEY]["replaced_intent"] == {"name": "ask_organization", "confidence": 0.6}


@pytest.mark.asyncio
async def test_a_message_of_one_sentence_goes_through_rasas_own_single_parse() -> None:
    from rasa.core.channels.channel import UserMessage

    from bot.nlu import question

    stub = _StoryStub()
    result = await rasa_patches._parse_message(stub, UserMessage("What do I need to sit for the exam?"), _Tracker())
    assert stub.parsed == ["What do I need to sit for the exam?"] and len(stub.runs) == 1
    assert question.KEY not in result


def test_any_other_rasa_version_is_refused_with_a_clear_error() -> None:
    rasa_patches.check_version("3.6.21")
    with pytest.raises(rasa_patches.UnsupportedRasaVersion, match="Rasa 3.6.21.*Rasa 3.7.0 is installed"):
        rasa_patches.check_version("3.7.0")


def test_the_installed_rasa_is_the_patched_one() -> None:
    rasa_patches.check_version()


def test_the_root_route_answers_without_the_version() -> None:
    import asyncio

    import rasa.server

    assert rasa.server.add_root_route is rasa_patches._add_root_route
    routes = {}

    class App:  # records what Rasa's app factory would register
        def get(self, path):
            return lambda handler: routes.setdefault(path, handler)

    rasa.server.add_root_route(App())
    response = asyncio.run(routes["/"](None))
    assert response.body == b"Hello from Rasa"


# --- bounded sessions ------------------------------------------------------------------


def _domain():
    from rasa.shared.core.domain import Domain

    return Domain.load("domain.yml")


def _tracker(turns: int, domain, start_session: bool = True):
    from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    events = [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")]
    events = events if start_session else events[2:]
    for n in range(turns):
        events += [UserUttered(f"question {n}", {"name": "ask_salary"}), ActionExecuted("action_answer"),
                   SlotSet("topic", "salary" if n % 2 else "remote"), SlotSet("certification", ["cpc"]),
                   ActionExecuted("action_listen")]
    return DialogueStateTracker.from_events("s", events, domain.slots)


def _processor(domain):
    from rasa.core.processor import MessageProcessor

    processor = MessageProcessor.__new__(MessageProcessor)
    processor.domain = domain
    return processor


def test_a_session_with_the_most_user_messages_counts_as_expired() -> None:
    domain = _domain()
    processor = _processor(domain)
    limit = rasa_patches.MAX_SESSION_TURNS
    assert not processor._has_session_expired(_tracker(limit - 1, domain))
    assert processor._has_session_expired(_tracker(limit, domain))
    assert processor._has_session_expired(_tracker(limit + 5, domain, start_session=False))
    assert rasa_patches.session_turns(_tracker(500, domain)) == limit  # counting stops at the limit


def test_rasas_own_expiry_after_a_pause_still_applies(monkeypatch) -> None:
    import time

    domain = _domain()
    tracker = _tracker(1, domain)
    later = time.time() + 60 * (domain.session_config.session_expiration_time + 1)
    monkeypatch.setattr(time, "time", lambda: later)
    assert _processor(domain)._has_session_expired(tracker)


def test_carried_over_slots_are_rasas_values_one_event_each() -> None:
    from rasa.core.actions.action import ActionSessionStart
    from rasa.shared.core.events import SlotSet
    from rasa.shared.core.trackers import DialogueStateTracker

    domain = _domain()
    tracker = _tracker(7, domain)
    tracker.update(SlotSet("topic", None))  # unset again: carried as unset, as Rasa does
    rasa_carried = [SlotSet(key=e.key, value=e.value, metadata=e.metadata)
                    for e in tracker.applied_events() if isinstance(e, SlotSet)]  # Rasa 3.6.21's own code
    ours = ActionSessionStart._slot_set_events_from_tracker(tracker)
    assert len(ours) == 2 < len(rasa_carried)

    def slots_after(events):
        return DialogueStateTracker.from_events("s", events, domain.slots).current_slot_values()

    assert slots_after(ours) == slots_after(rasa_carried)
    assert slots_after(ours)["certification"] == ["cpc"] and slots_after(ours)["topic"] is None


def _random_state(rng, start_allowed: bool, for_rule: bool) -> dict:
    from rasa.shared.core.constants import SHOULD_NOT_BE_SET

    state: dict = {}
    if not (start_allowed and rng.random() < 0.15):  # a conversation start has no previous action
        kind = rng.random()
        if kind < 0.8:
            state["prev_action"] = {"action_name": rng.choice(["action_listen", "action_answer", "utter_greet",
                                                               "action_decline"])}
        elif kind < 0.9:
            state["prev_action"] = {"action_text": "hi"}
        else:
            state["prev_action"] = {"action_name": SHOULD_NOT_BE_SET if for_rule else "action_listen"}
    if rng.random() < 0.7:
        state["user"] = {"intent": rng.choice(["greet", "ask_salary", "out_of_scope", "affirm"])}
    if rng.random() < 0.3:
        state["slots"] = {"topic": rng.choice([(1.0,), SHOULD_NOT_BE_SET] if for_rule else [(1.0,)])}
    if rng.random() < 0.2:
        state["active_loop"] = {"name": rng.choice(["plan_form", SHOULD_NOT_BE_SET] if for_rule else ["plan_form"])}
    return state


def test_rule_keys_found_through_the_index_are_rasas() -> None:
    import json
    import random

    from rasa.core.policies.rule_policy import RulePolicy

    rng = random.Random(7)
    policy = RulePolicy.__new__(RulePolicy)  # the methods compared read nothing else of the policy
    for _ in range(40):
        lookup = {}
        for n in range(rng.randint(0, 60)):
            length = rng.randint(1, 4)
            rule = [_random_state(rng, i == 0, for_rule=True) for i in range(length)]
            lookup[json.dumps(rule, sort_keys=True) + " " * n] = "action_x"  # keys differ even for equal rules
        for _ in range(25):
            states = [_random_state(rng, i == 0, for_rule=False) for i in range(rng.randint(0, 6))]
            rasa = rasa_patches._rasa_get_possible_keys(policy, lookup, states)
            assert rasa_patches._get_possible_keys(policy, lookup, states) == rasa


@pytest.mark.asyncio
async def test_a_two_part_questions_parts_are_read_in_the_messages_own_run() -> None:
    from rasa.core.channels.channel import UserMessage

    from bot.nlu import question

    stub = _StoryStub()
    text = "How long is the CPB exam and what does it cost?"
    result = await rasa_patches._parse_message(stub, UserMessage(text), _Tracker())
    assert stub.runs == [[text, "How long is the CPB exam?", "what does it cost?"]]  # one graph run
    assert [p["text"] for p in result[question.PARTS_KEY]] == ["How long is the CPB exam?", "what does it cost?"]
    assert question.KEY not in result  # one sentence: no story's question


@pytest.mark.asyncio
async def test_a_storys_two_part_question_is_read_whole_and_in_parts() -> None:
    from rasa.core.channels.channel import UserMessage

    from bot.nlu import question

    stub = _StoryStub()
    text = "I keep hearing about the CPB. How long is the exam and what does it cost?"
    result = await rasa_patches._parse_message(stub, UserMessage(text), _Tracker())
    assert stub.runs == [[text, "How long is the exam and what does it cost?", "How long is the exam?",
                          "what does it cost?"]]
    assert result[question.KEY]["text"] == "How long is the exam and what does it cost?"
    assert [p["text"] for p in result[question.PARTS_KEY]] == ["How long is the exam?", "what does it cost?"]
