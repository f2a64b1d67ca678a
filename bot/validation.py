"""``rasa data validate --fail-on-warnings``, minus two false positives: what forms, actions and buttons use.

Rasa's validator warns that a response "is not used in any story or rule" when
only a form asks it (``utter_ask_<slot>``) or a custom action says it by name
(``dispatcher.utter_message(response=...)``): it reads stories and rules, not
forms or action code, and ``--fail-on-warnings`` turns that into a failure. Here
Rasa's own checks run unchanged and fail on warnings as with that flag, except
for that one warning about exactly those responses: the form questions of the
domain's forms and :data:`SAID_BY_ACTIONS`. Any other unused response still fails.
Likewise it warns that an intent has no NLU examples; the
:data:`PAYLOAD_ONLY_INTENTS` have none on purpose (only buttons send them).
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from typing import Callable, Iterable, List, Set

from bot import feedback

#: Responses a custom action says by name (kept in step with actions/ by a unit test).
SAID_BY_ACTIONS = ("utter_plan_retry", "utter_plan_skipped",
                   feedback.ROW_RESPONSE, feedback.THANKS_RESPONSE, feedback.ASK_RESPONSE)
_UNUSED = re.compile(r"The utterance '(?P<name>utter_\w+)' is not used in any story or rule\.")
#: Intents only buttons send (:mod:`bot.feedback`): no NLU examples, on purpose.
PAYLOAD_ONLY_INTENTS = feedback.INTENTS
_NO_EXAMPLES = re.compile(r"The intent '(?P<name>\w+)' is listed in the domain file, but is not found in the NLU")


def expected_unused(forms: dict) -> Set[str]:
    """The responses only forms and actions say."""
    asked = {f"utter_ask_{slot}" for form in forms.values() for slot in (form or {}).get("required_slots", [])}
    return asked | set(SAID_BY_ACTIONS)


def unexpected(messages: Iterable[str], expected: Set[str]) -> List[str]:
    """The warnings that fail validation: all but the false ones about ``expected`` names.

    False warnings: "unused" about responses only forms and actions say, and "no
    NLU examples" about the payload-only intents.
    """
    kept = []
    for message in messages:
        match = _UNUSED.search(message) or _NO_EXAMPLES.search(message)
        if not (match and match.group("name") in expected):
            kept.append(message)
    return kept


def _filtered(check: Callable[..., bool], expected: Set[str]) -> Callable[..., bool]:
    """``check`` (a Validator method) warning only about what :func:`unexpected` keeps."""

    def run(ignore_warnings: bool = True) -> bool:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            valid = check(ignore_warnings=True)
        failed = unexpected([str(w.message) for w in caught], expected)
        for message in failed:
            warnings.warn(message, UserWarning, stacklevel=2)
        return valid and (ignore_warnings or not failed)

    return run


def validate(root: Path) -> int:
    """What ``rasa data validate --fail-on-warnings`` does, with the exception above; 0 when valid."""
    from rasa.cli import utils as cli
    from rasa.shared.importers.importer import TrainingDataImporter
    from rasa.validator import Validator

    importer = TrainingDataImporter.load_from_config(
        config_path=str(root / "config.yml"), domain_path=str(root / "domain.yml"),
        training_data_paths=[str(root / "data")],
    )
    validator = Validator.from_importer(importer)
    expected = expected_unused(importer.get_domain().forms) | set(PAYLOAD_ONLY_INTENTS)
    for name in ("verify_utterances_in_stories", "verify_intents"):
        setattr(validator, name, _filtered(getattr(validator, name), expected))
    # the steps of rasa.cli.utils.validate_files (Rasa 3.6), with fail_on_warnings
    valid = all([cli._validate_domain(validator), cli._validate_nlu(validator, True),
                 cli._validate_story_structure(validator, None, True)])
    validator.warn_if_config_mandatory_keys_are_not_set()
    print("Project validation " + ("OK." if valid else "completed with errors."))
    return 0 if valid else 1
