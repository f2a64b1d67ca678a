"""``make chat`` in a pseudo-terminal, as a person would use it."""

from __future__ import annotations

import os
import re
from typing import Any

import pytest

from bot import servers

from .conftest import MODEL, free_port

pexpect = pytest.importorskip("pexpect")

pytestmark = pytest.mark.e2e

ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]")
PROMPT = "You:"


def say(child: Any, text: str, marker: str) -> str:
    """Type ``text``; what the screen shows until the next prompt after ``marker`` (prompt redraws aside)."""
    child.sendline(text)
    child.expect(marker, timeout=60)
    shown = child.before + child.after
    child.expect(PROMPT, timeout=60)
    return shown + child.before


def test_make_chat_quiet_start_typing_after_buttons_and_numbered_choices() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    env.update(RASA_PORT=str(free_port()), ACTION_PORT=str(free_port()), BOT_MODEL=str(MODEL), TERM="xterm")
    child = pexpect.spawn("make", ["--no-print-directory", "chat"], cwd=str(servers.ROOT), env=env,
                          encoding="utf-8", dimensions=(50, 90), timeout=180)
    try:
        child.expect(PROMPT)
        start = child.before
        greeting = say(child, "hello", "Type a number to pick")
        # typed right after a reply with buttons: taken as a question, not lost in a selection list
        remote = say(child, "can I work from home as a coder?", "Source")
        picked = say(child, "1", "Source")  # the first button of that reply
        # a plan: a button picked by its number, free text, skips; the plan wrapped to the terminal
        plan = say(child, "make me a plan", "highest level of school")
        plan += say(child, "2", "worked in healthcare")  # "High school or GED"
        plan += say(child, "i was a cashier mostly", "billing")
        plan += say(child, "not sure", "Where would you like")
        plan += say(child, "not sure", "How much time")
        plan += say(child, "evenings", "Timeline")
        child.sendline("/stop")
        child.expect(pexpect.EOF, timeout=60)
    finally:
        child.close(force=True)
    screen = ANSI.sub("", start + greeting + remote + picked)
    assert "Traceback" not in screen and "Warning" not in screen, screen[:3000]
    assert len([line for line in ANSI.sub("", start).splitlines() if line.strip()]) <= 6, start
    assert "Type a number to pick" in ANSI.sub("", greeting)
    assert "remote" in ANSI.sub("", remote).lower() and "Source" in remote, remote
    first_button = re.search(r"^\s+1\. (.+)$", ANSI.sub("", remote), re.M)
    assert first_button, remote
    assert "Source" in picked and ANSI.sub("", picked).strip() != ANSI.sub("", remote).strip()
    longest = max(len(line) for line in ANSI.sub("", remote + picked + plan).splitlines())
    assert longest <= 90, longest
    plan = ANSI.sub("", plan)
    assert "Traceback" not in plan
    assert "high school or GED; no related experience; part time" in " ".join(plan.split()), plan
    assert re.search(r"^\s*Step 1\. Training: a certificate program", plan, re.M), plan
    assert "Source" in plan.split("Timeline", 1)[1], plan
