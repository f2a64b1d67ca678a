"""Small, documented fixes to Rasa 3.6.21, applied in every Rasa process.

Installed when ``bot.nlu.components`` is imported, which every process that
loads the model does (``rasa run``, ``rasa shell``, ``rasa test``); installing
twice is harmless.

* ``RemoteAction._validate_action_result`` calls ``jsonschema.validate`` for
  every custom action, which re-checks the (constant) schema and builds a new
  validator each time: 35-40 ms per answer on this machine, most of a turn.
  Here the validator is built once; responses are validated exactly as before
  and a bad one raises the same error with the same hint.
* The action-server apology of :mod:`bot.channels.resilience`.
* ``Event.resolve_by_type`` walks every ``Event`` subclass (``all_subclasses``,
  recursive, with ``inspect.isabstract``) for each event read back from the
  tracker store: 60 or so per turn. The class found for each type name is
  remembered; unknown names still go through the original.
* SQLite tracker store: write-ahead logging with ``synchronous=NORMAL``, so a
  turn's commit does not wait for a full disk sync. A crash of the process
  loses nothing; a power cut may lose the last turns.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict

from jsonschema import ValidationError, validators
from jsonschema.exceptions import best_match
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.events import Event
from sqlalchemy import event
from sqlalchemy.engine import Engine

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


def _validate_action_result(self: RemoteAction, result: Dict[str, Any]) -> bool:
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


def _sqlite_pragmas(dbapi_connection: Any, connection_record: Any) -> None:
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


def install() -> None:
    from bot.channels import resilience

    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]
    Event.resolve_by_type = staticmethod(_resolve_by_type)  # type: ignore[method-assign,assignment]
    resilience.install()
    if not event.contains(Engine, "connect", _sqlite_pragmas):
        event.listen(Engine, "connect", _sqlite_pragmas)


__all__ = ["ValidationError", "install"]
