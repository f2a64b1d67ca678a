"""How ``make chat`` prints a reply and reads a typed number (bot.channels.terminal)."""

from __future__ import annotations

from bot.channels import terminal


def test_render_wraps_sets_the_source_apart_and_numbers_buttons() -> None:
    message = {"text": "word " * 60 + "\n- an item " + "long " * 30 + "\nSources: AAPC salary survey (2023)",
               "buttons": [{"title": "How much does it pay?", "payload": "/ask_salary"}, {"title": "HIPAA"}]}
    lines = terminal.render(message, columns=50, color=False).splitlines()
    assert all(len(line) <= 50 for line in lines), lines
    source = lines.index("Sources: AAPC salary survey (2023)")
    assert lines[source - 1] == ""
    item_lines = lines[lines.index(next(li for li in lines if li.startswith("- an item"))) + 1]
    assert item_lines.startswith("  ")
    assert lines[-2:] == ["  1. How much does it pay?", "  2. HIPAA"]
    buttons = message["buttons"]
    assert terminal.chosen("1", buttons) == "/ask_salary"
    assert terminal.chosen(" 2 ", buttons) == "HIPAA"
    assert terminal.chosen("3", buttons) == "3"
    assert terminal.chosen("how long does it take?", buttons) == "how long does it take?"
