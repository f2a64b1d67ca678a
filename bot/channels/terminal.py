"""``rasa shell`` for people: a short banner, wrapped answers, buttons as numbered choices.

``make chat`` runs ``python -m bot.channels.terminal shell ...``, which is
``rasa shell`` (Rasa's own command line, same arguments) with three changes
made before Rasa starts, in that process only:

* **Quiet start.** Rasa and its libraries print about 40 lines of deprecation
  warnings and INFO logs before the prompt. Warnings are ignored and Rasa's log
  level is WARNING unless ``--verbose`` (``make chat VERBOSE=1``) is given.
* **Typing always works.** After a reply with buttons Rasa's console shows a
  ``questionary.select`` list in which typed text is lost until "Type out your
  own message..." is picked. Here the prompt is always a text prompt; buttons
  are printed as numbered choices, and typing a number picks that button
  (anything else is sent as typed).
* **Readable answers.** Text is wrapped at the terminal's width (at most
  :data:`MAX_WIDTH`), list items keep their indent, and the source line is set
  apart by a blank line and dimmed. The "Was this helpful?" row under an
  answer (:mod:`bot.feedback`) is one dim line with its two numbers.

It replaces two functions of ``rasa.core.channels.console`` (Rasa's terminal
channel, which ``rasa shell`` uses and nothing else does), on Rasa
:data:`bot.rasa_patches.RASA_VERSION` only.
"""

from __future__ import annotations

import logging
import re
import shutil
import sys
import textwrap
import warnings
from typing import Any, Dict, List

from bot import feedback

MAX_WIDTH = 100
BOT_COLOR = "\033[94m"
DIM = "\033[2m"
RESET = "\033[0m"
_SOURCE = re.compile(r"^(Sources?\b|Sources differ here:)")
_ITEM = re.compile(r"^(\s*(?:[-*•]|\d+[.)])\s+)")

#: The buttons of the reply just printed, which a typed number picks from.
_last_buttons: List[Dict[str, Any]] = []


def width() -> int:
    return max(40, min(MAX_WIDTH, shutil.get_terminal_size((80, 24)).columns - 1))


def buttons_of(message: Dict[str, Any]) -> List[Dict[str, Any]]:
    return [b for b in (message.get("buttons") or message.get("quick_replies") or []) if isinstance(b, dict)]


def render(message: Dict[str, Any], columns: int | None = None, color: bool = True, first_number: int = 1) -> str:
    """One bot message as terminal text: wrapped, the source set apart, buttons numbered."""
    columns = columns or width()
    paint = (lambda code, text: f"{code}{text}{RESET}") if color else (lambda _code, text: text)
    buttons = buttons_of(message)
    if feedback.is_feedback_row(buttons):  # "Was this helpful?  6. 👍 Yes   7. 👎 No" on one line
        choices = "   ".join(f"{n}. {b.get('title', '')}" for n, b in enumerate(buttons, first_number))
        return paint(DIM, f"{message.get('text') or ''}  {choices}")
    lines: List[str] = []
    for line in str(message.get("text") or "").splitlines():
        if not line.strip():
            lines.append("")
            continue
        item = _ITEM.match(line)
        indent = " " * len(item.group(1)) if item else ""
        wrapped = textwrap.fill(line, columns, subsequent_indent=indent, break_on_hyphens=False)
        if _SOURCE.match(line):
            if lines and lines[-1]:
                lines.append("")
            lines.append(paint(DIM, wrapped))
        else:
            lines.append(paint(BOT_COLOR, wrapped))
    if buttons:
        lines.append(paint(DIM, "Type a number to pick, or ask anything:"))
        for number, button in enumerate(buttons, first_number):
            lines.append(paint(BOT_COLOR, f"  {number}. {button.get('title', '')}"))
    for key in ("image", "attachment"):
        if message.get(key):
            lines.append(paint(BOT_COLOR, f"{key.title()}: {message[key]}"))
    return "\n".join(lines)


def chosen(typed: str, buttons: List[Dict[str, Any]]) -> str:
    """The payload of the button whose number was typed, else the text as typed."""
    typed = typed.strip()
    if typed.isdigit() and 1 <= int(typed) <= len(buttons):
        return str(buttons[int(typed) - 1].get("payload") or buttons[int(typed) - 1].get("title") or typed)
    return typed


def print_bot_output(message: Dict[str, Any], is_latest_message: bool = False, color: str = "") -> None:
    """Replaces ``console._print_bot_output``: prints, never returns a select question.

    Buttons are numbered on from the reply's earlier messages, so every number typed is unambiguous.
    """
    print(render(message, color=sys.stdout.isatty(), first_number=len(_last_buttons) + 1), flush=True)
    _last_buttons.extend(buttons_of(message))


async def get_user_input(previous_response: Dict[str, Any] | None) -> str | None:
    """Replaces ``console._get_user_input``: always a text prompt; a number picks a button."""
    import questionary
    from prompt_toolkit.styles import Style

    if previous_response is not None:
        print_bot_output(previous_response)
    buttons = list(_last_buttons)
    _last_buttons.clear()
    response = await questionary.text(
        "", qmark="You:", style=Style([("qmark", "#b373d6"), ("", "")])
    ).ask_async()
    if response is None:
        return None
    return chosen(response, buttons)


def _no_warning(*_args: Any, **_kwargs: Any) -> None:
    return None


def install(verbose: bool = False) -> None:
    """Quiet Rasa unless ``verbose``, and put this module's functions into Rasa's console."""
    if not verbose:
        # Not warnings.filterwarnings: an import below (TensorFlow's) replaces the filter list.
        warnings.showwarning = _no_warning
        logging.getLogger().setLevel(logging.WARNING)
    from bot.rasa_patches import check_version

    check_version()
    from rasa.core.channels import console

    console._print_bot_output = print_bot_output  # type: ignore[assignment]
    console._get_user_input = get_user_input  # type: ignore[assignment]


def main(argv: List[str]) -> int:
    """``python -m bot.channels.terminal [--verbose] shell ARGS``: ``rasa shell ARGS``, made friendlier."""
    verbose = "--verbose" in argv
    args = [a for a in argv if a != "--verbose"]
    install(verbose)
    if not verbose and "--quiet" not in args and "-v" not in args and "-vv" not in args:
        args.append("--quiet")
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *args]
    print("Career questions about medical billing and coding. Type a question; /stop or Ctrl-D quits.",
          flush=True)
    rasa_main()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
