"""Small, documented fixes to Rasa 3.6.21, applied in every Rasa process.

Installed when ``bot.nlu.components`` is imported, which every process that
loads the model does (``rasa run``, ``rasa shell``, ``rasa test``); installing
twice is harmless. Each patch replaces code of exactly Rasa 3.6.21, so
:func:`install` refuses any other version with a clear error
(:class:`UnsupportedRasaVersion`) instead of patching code it has not seen.

* ``RemoteAction._validate_action_result`` calls ``jsonschema.validate`` for
  every custom action, which re-checks the (constant) schema and builds a new
  validator each time: 35-40 ms per answer on this machine, most of a turn.
  Here the validator is built once; responses are validated exactly as before
  and a bad one raises the same error with the same hint. Each event is also
  checked against the one sub-schema of its own ``event`` name instead of all
  23 alternatives of the schema's ``oneOf`` (every alternative fixes ``event``
  to a different constant, so the verdict is the same); that was ~7% of the
  server's GIL time under load. Whatever this quick check rejects goes through
  the full validator, which gives the error.
* The action-server apology of :mod:`bot.channels.resilience`.
* ``Event.resolve_by_type`` walks every ``Event`` subclass (``all_subclasses``,
  recursive, with ``inspect.isabstract``) for each event read back from the
  tracker store: 60 or so per turn. The class found for each type name is
  remembered; unknown names still go through the original.
* ``MessageProcessor.parse_message`` runs the NLU graph on the event loop's
  thread, so while one message is in the sentence encoder (ONNX Runtime, which
  releases the GIL) the server can do nothing else. Here the same graph call
  runs in a small thread pool and the loop serves other conversations
  meanwhile; messages of one conversation stay in order (Rasa's lock store
  holds the conversation for the whole turn). The patch also gives
  :mod:`bot.nlu.rereading` a way to read texts beside the message in the same
  graph run (Rasa's graph and components take a list of messages; Rasa passes
  one) and to parse a text a second time; which texts are read, and what that
  changes, is decided there, not here.
  Everything else in the method is Rasa's own code.
* ``GraphSchema.minimal_graph_schema`` walks the whole dependency tree of the
  graph again, without memoising shared sub-trees, every time the graph runs:
  once for the NLU and once for the policies on every turn, ~6% of the
  server's GIL time under load. A loaded model's schema does not change, so
  the result for each set of targets is remembered on the schema object.
* ``rasa.server.add_root_route`` answers ``GET /`` with "Hello from Rasa: 3.6.21":
  on a public site that tells an attacker which version's weaknesses to try.
  The route still answers (a liveness probe), without the version. It is
  installed before the app exists because the channel modules Rasa imports
  first (:mod:`bot.channels.socketio`, :mod:`bot.channels.slack`) install the patches.
* **Bounded sessions.** Every turn Rasa reads back the conversation's latest
  session and walks all of it, several times: rebuilding the tracker,
  ``applied_events``, the rule policy's states for each prediction, and the
  tracker sent to the action server. A turn in a new conversation took 27 ms,
  one after 200 turns 196 ms and after 500 turns 337 ms. Rasa bounds that work
  with sessions, which it starts only after ``session_expiration_time``
  minutes of silence. ``MessageProcessor._has_session_expired`` here also
  says "expired" once the latest session holds :data:`MAX_SESSION_TURNS`
  user messages; Rasa then runs ``action_session_start`` as it would after a
  pause, which carries the slots (what the conversation is about) into the
  new session (``carry_over_slots_to_new_session: true`` in ``domain.yml``).
  Every event stays stored; only what a turn reads is bounded.
* **One carried-over ``SlotSet`` per slot.** Rasa's ``ActionSessionStart``
  copies *every* ``SlotSet`` of the session into the next one, the copies of
  the session before included, so each new session starts longer than the
  last (after 500 turns with a new session every 10: 139,862 stored slot
  events). Here each slot set in the session is carried once, with its last
  value and metadata, in the order Rasa would have left them: the slots of
  the new session are the same.
* ``RulePolicy._get_possible_keys`` tests every rule against the conversation's
  last state (``_is_rule_applicable``, 234 rules here, twice a turn: about half
  of the rule policy's time). A rule whose last state names a previous action
  can only apply when the conversation's last previous action is that one, so
  the rules are indexed once by it and only the rules of that action, and those
  naming none, are tested, by Rasa's own ``_is_rule_applicable``; the rest of
  the method is Rasa's (it also stops once no rule is left). The keys found are
  the same set.
* SQLite tracker store: write-ahead logging with ``synchronous=NORMAL``, so a
  turn's commit does not wait for a full disk sync. A crash of the process
  loses nothing; a power cut may lose the last turns.
"""

from __future__ import annotations

import asyncio
import functools
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from typing import Any, Dict, List, Set, Tuple

import structlog
from jsonschema import ValidationError, validators
from jsonschema.exceptions import best_match
from rasa.core.actions.action import ActionSessionStart, RemoteAction
from rasa.core.channels.channel import UserMessage
from rasa.core.policies.rule_policy import RulePolicy
from rasa.core.processor import MessageProcessor
from rasa.engine.constants import PLACEHOLDER_MESSAGE, PLACEHOLDER_TRACKER
from rasa.engine.graph import GraphSchema
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.constants import PREVIOUS_ACTION, SHOULD_NOT_BE_SET
from rasa.shared.core.events import Event, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import (
    ACTION_NAME,
    ENTITIES,
    INTENT,
    INTENT_NAME_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from sqlalchemy import event
from sqlalchemy.engine import Engine

from bot.nlu import rereading

structlogger = structlog.get_logger()

_HINT = (
    ". Failed to validate Action server response from API, make sure your response from the Action "
    f"endpoint is valid. For more information about the format visit {DOCS_BASE_URL}/custom-actions"
)


@lru_cache(maxsize=1)
def _response_validator() -> Any:
    schema = RemoteAction.action_response_format_spec()
    cls = validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


@lru_cache(maxsize=1)
def _quick_validators() -> Tuple[Any, Dict[str, Any]] | None:
    """A validator for the response without its events, and one per event name; None if the schema changed."""
    schema = RemoteAction.action_response_format_spec()
    try:
        events = schema["properties"]["events"]
        item = events["items"]
        names = [sub["properties"]["event"]["const"] for sub in item["oneOf"]]
    except (KeyError, TypeError):
        return None
    if len(set(names)) != len(names):
        return None
    cls = validators.validator_for(schema)
    outer = cls({**schema, "properties": {**schema["properties"], "events": {**events, "items": {"type": "object"}}}})
    base = {k: v for k, v in item.items() if k != "oneOf"}
    return outer, {name: cls({**base, "oneOf": [sub]}) for name, sub in zip(names, item["oneOf"], strict=True)}


def _quickly_valid(result: Any) -> bool:
    quick = _quick_validators()
    if quick is None:
        return False
    outer, per_event = quick
    if not outer.is_valid(result):
        return False
    for item in result.get("events") or []:
        name = item.get("event")
        check = per_event.get(name) if isinstance(name, str) else None
        if check is None or not check.is_valid(item):
            return False
    return True


def _validate_action_result(self: RemoteAction, result: Dict[str, Any]) -> bool:
    if _quickly_valid(result):
        return True
    error = best_match(_response_validator().iter_errors(result))
    if error is not None:
        error.message += _HINT
        raise error
    return True


_original_resolve_by_type = Event.resolve_by_type
_event_classes: Dict[str, Any] = {}


def _resolve_by_type(type_name: str, default: Any = None) -> Any:
    found = _event_classes.get(type_name)
    if found is None:
        found = _original_resolve_by_type(type_name, default)
        if found is not None and found is not default:
            _event_classes[type_name] = found
    return found


_original_minimal_graph_schema = GraphSchema.minimal_graph_schema
_MINIMAL = "_bot_minimal_schemas"


def _minimal_graph_schema(self: GraphSchema, targets: Any = None) -> GraphSchema:
    key = (tuple(targets) if targets else None, id(self.nodes), len(self.nodes))
    cache: Dict[Any, GraphSchema] = self.__dict__.setdefault(_MINIMAL, {})
    found = cache.get(key)
    if found is None:
        found = cache[key] = _original_minimal_graph_schema(self, targets)
    return found


#: Threads for NLU parsing: the machine this is tuned for has 2 cores.
NLU_THREADS = 2
_nlu_pool: ThreadPoolExecutor | None = None


def _pool() -> ThreadPoolExecutor:
    global _nlu_pool
    if _nlu_pool is None:
        _nlu_pool = ThreadPoolExecutor(max_workers=NLU_THREADS, thread_name_prefix="nlu")
    return _nlu_pool


async def _parse_message(
    self: MessageProcessor,
    message: UserMessage,
    tracker: DialogueStateTracker | None = None,
    only_output_properties: bool = True,
) -> Dict[str, Any]:
    """``MessageProcessor.parse_message`` of Rasa 3.6.21, with the graph call off the event loop."""
    if self.http_interpreter:
        parse_data = await self.http_interpreter.parse(message)
    else:
        if tracker is None:
            tracker = DialogueStateTracker.from_events(message.sender_id, [])
        batch = [message] + [UserMessage(text, sender_id=message.sender_id)
                             for text in rereading.read_alongside(message.text or "")]
        parse = functools.partial(_parse_messages_with_graph, self, batch, tracker, only_output_properties)
        parse_data, *alongside = await asyncio.get_running_loop().run_in_executor(_pool(), parse)

        async def parse_again(text: str, as_sender: bool) -> Dict[str, Any]:
            return await _parse_text(self, text, message.sender_id if as_sender else None, tracker)

        slots = {name: slot.value for name, slot in tracker.slots.items()}
        labels: Dict[str, Dict[str, float]] = self.__dict__.setdefault("_context_label_scores", {})
        await rereading.reread(parse_again, parse_data, slots, labels, alongside)
    self._update_full_retrieval_intent(parse_data)
    structlogger.debug("processor.message.parse", parse_data_text=parse_data["text"],
                       parse_data_intent=parse_data["intent"], parse_data_entities=parse_data["entities"])
    self._check_for_unseen_features(parse_data)
    return parse_data


def _parse_messages_with_graph(processor: MessageProcessor, messages: List[UserMessage],
                               tracker: DialogueStateTracker, only_output_properties: bool = True,
                               ) -> List[Dict[str, Any]]:
    """``MessageProcessor._parse_message_with_graph`` of Rasa 3.6.21 for several messages in one graph run.

    Rasa's graph takes a list of messages and every NLU component processes the list
    (the sentence encoder encodes so few texts one by one: :data:`bot.nlu.embeddings.FEW`);
    Rasa itself only ever passes one. A single message goes through Rasa's own method.
    """
    if len(messages) == 1:
        return [processor._parse_message_with_graph(messages[0], tracker, only_output_properties)]
    results = processor.graph_runner.run(
        inputs={PLACEHOLDER_MESSAGE: messages, PLACEHOLDER_TRACKER: tracker},
        targets=[processor.model_metadata.nlu_target],
    )
    parsed = results[processor.model_metadata.nlu_target]
    return [{TEXT: "", INTENT: {INTENT_NAME_KEY: None, PREDICTED_CONFIDENCE_KEY: 0.0}, ENTITIES: [],
             **one.as_dict(only_output_properties=only_output_properties)} for one in parsed]


async def _parse_text(processor: MessageProcessor, text: str, sender_id: str | None,
                      tracker: DialogueStateTracker) -> Dict[str, Any]:
    message = UserMessage(text, sender_id=sender_id)
    parse = functools.partial(processor._parse_message_with_graph, message, tracker, True)
    return await asyncio.get_running_loop().run_in_executor(_pool(), parse)


_rasa_get_possible_keys = RulePolicy._get_possible_keys
_RULE_INDEX = "_bot_rule_index"


def _rule_index(policy: RulePolicy, lookup: Dict[str, str]) -> Dict[str | None, List[str]]:
    """The lookup's rule keys by the previous action their last state names (None: names none)."""
    cache: Dict[int, Tuple[Dict[str, str], int, Dict[str | None, List[str]]]] = policy.__dict__.setdefault(
        _RULE_INDEX, {})
    found = cache.get(id(lookup))
    if found is not None and found[0] is lookup and found[1] == len(lookup):
        return found[2]
    index: Dict[str | None, List[str]] = {}
    for key in lookup:
        rule_states = policy._rule_key_to_state(key)
        action = (rule_states[-1].get(PREVIOUS_ACTION) or {}).get(ACTION_NAME) if rule_states else None
        named = isinstance(action, str) and action and action != SHOULD_NOT_BE_SET
        index.setdefault(action if named else None, []).append(key)
    cache[id(lookup)] = (lookup, len(lookup), index)
    return index


def _get_possible_keys(self: RulePolicy, lookup: Dict[str, str], states: List[Dict[str, Any]]) -> Set[str]:
    """``RulePolicy._get_possible_keys`` of Rasa 3.6.21, testing only the rules the last state can match."""
    if not states:
        return set(lookup.keys())
    last = states[-1]
    index = _rule_index(self, lookup)
    action = (last.get(PREVIOUS_ACTION) or {}).get(ACTION_NAME)
    candidates = index.get(None, []) + (index.get(action, []) if action else [])
    possible = {key for key in candidates if self._is_rule_applicable(key, 0, last)}
    for i, state in enumerate(reversed(states[:-1]), start=1):
        if not possible:
            break
        possible = {key for key in possible if self._is_rule_applicable(key, i, state)}
    return possible


#: User messages in a session before the next one starts a new session (slots carried over); see the
#: docstring. Chosen with ``python -m bench --only long``.
MAX_SESSION_TURNS = 10


def session_turns(tracker: DialogueStateTracker, limit: int = MAX_SESSION_TURNS) -> int:
    """User messages since the latest ``SessionStarted`` (or the start), counted up to ``limit``."""
    count = 0
    for past in reversed(tracker.events):
        if isinstance(past, SessionStarted) or count >= limit:
            break
        count += isinstance(past, UserUttered)
    return count


def _has_session_expired(self: MessageProcessor, tracker: DialogueStateTracker) -> bool:
    """Rasa's check (a pause longer than ``session_expiration_time``), or a session that is full."""
    if _rasa_has_session_expired(self, tracker):
        return True
    return self.domain.session_config.are_sessions_enabled() and session_turns(tracker) >= MAX_SESSION_TURNS


def _slot_set_events_from_tracker(tracker: DialogueStateTracker) -> List[SlotSet]:
    """Rasa's carried-over slots, one ``SlotSet`` per slot (its last), in the order of their last setting."""
    last: Dict[str, SlotSet] = {}
    for past in tracker.applied_events():
        if isinstance(past, SlotSet):
            last.pop(past.key, None)
            last[past.key] = past
    return [SlotSet(key=e.key, value=e.value, metadata=e.metadata) for e in last.values()]


def _add_root_route(app: Any) -> None:
    """Rasa's ``add_root_route`` without the version in the reply."""
    from sanic import response

    @app.get("/")
    async def hello(request: Any) -> Any:
        return response.text("Hello from Rasa")


def _sqlite_pragmas(dbapi_connection: Any, connection_record: Any) -> None:
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


_rasa_has_session_expired = MessageProcessor._has_session_expired

#: The Rasa version every patch here was written against and tested with.
RASA_VERSION = "3.6.21"


class UnsupportedRasaVersion(RuntimeError):
    """The installed Rasa is not the one these patches replace code of."""


def check_version(installed: str | None = None) -> None:
    """Raises :class:`UnsupportedRasaVersion` unless Rasa is :data:`RASA_VERSION`."""
    if installed is None:
        from importlib.metadata import version

        installed = version("rasa")
    if installed != RASA_VERSION:
        raise UnsupportedRasaVersion(
            f"bot/rasa_patches.py replaces code of Rasa {RASA_VERSION}, but Rasa {installed} is installed. "
            f"Install rasa=={RASA_VERSION} (pyproject.toml pins it), or re-check each patch against "
            f"the new version's source before changing RASA_VERSION."
        )


def install() -> None:
    from bot.channels import resilience

    check_version()
    import rasa.server

    rasa.server.add_root_route = _add_root_route
    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]
    Event.resolve_by_type = staticmethod(_resolve_by_type)  # type: ignore[method-assign,assignment]
    MessageProcessor.parse_message = _parse_message  # type: ignore[method-assign]
    RulePolicy._get_possible_keys = _get_possible_keys  # type: ignore[method-assign]
    GraphSchema.minimal_graph_schema = _minimal_graph_schema  # type: ignore[method-assign]
    MessageProcessor._has_session_expired = _has_session_expired  # type: ignore[method-assign]
    ActionSessionStart._slot_set_events_from_tracker = staticmethod(_slot_set_events_from_tracker)  # type: ignore
    resilience.install()
    if not event.contains(Engine, "connect", _sqlite_pragmas):
        event.listen(Engine, "connect", _sqlite_pragmas)


__all__ = ["ValidationError", "install"]
