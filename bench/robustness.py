"""Probes, not evaluations: the dev set's questions rewritten the ways people write.

``python -m bench.robustness`` asks every single question of ``dev_questions.yml``
as it is, in capitals, lower-case without punctuation, with keyboard typos
(seeded), and after each of three story openings, and prints how many pass. The
rewrites are generated here, so the figures say how much a way of writing costs,
not how well the bot answers real people (``real_questions.yml`` does that).
The story openings were written before ``decided_intent`` gave a doubtful reading
of the whole message way to a sure question (bench/README.md).
"""

from __future__ import annotations

import dataclasses
import random
from typing import Callable, Dict

from bench import ROOT, answers
from bench.botrun import running_bot
from bench.dataset import load_dev
from bench.declines import DeclineDetector

OPENINGS = (
    "Hi everyone, long time lurker here. I'm 41 and have been a cashier for almost 15 years, and my feet "
    "and back are done. My sister-in-law mentioned this field at Thanksgiving and I can't stop thinking about it.",
    "So I was laid off from my warehouse job in March and I've been trying to figure out what's next. I don't "
    "want to go back to school for four years and I have two kids at home.",
    "Sorry if this is a dumb question. I graduated high school in 2009, worked at a call center, then stayed "
    "home with my son. Now he's in school full time and I need something I can do long term.",
)
#: The key to the right on a QWERTY keyboard (the row's last key: its first).
_NEAR = dict(zip("qwertyuiopasdfghjklzxcvbnm", "wertyuiopqsdfghjklaxcvbnmz", strict=True))


def typos(text: str, rng: random.Random) -> str:
    """About one word in three of five letters or more gets a dropped, swapped or neighbouring letter."""
    out = []
    for word in text.split():
        if len(word) > 4 and word.isalpha() and rng.random() < 0.3:
            i, kind = rng.randrange(1, len(word) - 1), rng.random()
            if kind < 0.4:
                word = word[:i] + word[i + 1:]
            elif kind < 0.7:
                word = word[:i] + word[i + 1] + word[i] + word[i + 2:]
            else:
                word = word[:i] + _NEAR.get(word[i].lower(), word[i]) + word[i + 1:]
        out.append(word)
    return " ".join(out)


def after(opening: str) -> Callable[[str], str]:
    def told(text: str) -> str:
        question = text[:1].upper() + text[1:]
        return f"{opening} {question}{'' if question.rstrip().endswith('?') else '?'}"
    return told


def rewrites() -> Dict[str, Callable[[str], str]]:
    rng = random.Random(7)
    ways: Dict[str, Callable[[str], str]] = {
        "as written": lambda t: t,
        "capitals": str.upper,
        "lower case, no punctuation": lambda t: "".join(c for c in t.lower() if c.isalnum() or c.isspace()),
        "typos": lambda t: typos(t, rng),
    }
    for n, opening in enumerate(OPENINGS, start=1):
        ways[f"after story opening {n}"] = after(opening)
    return ways


def main() -> None:
    questions, _ = load_dev()
    detector = DeclineDetector.from_domain()
    with running_bot(ROOT / "models" / "current.tar.gz") as bot:
        for name, rewrite in rewrites().items():
            asked = [dataclasses.replace(q, text=rewrite(q.text)) for q in questions]
            records = answers.ask_all(bot.client(), asked, [], detector)
            passed, declined = sum(r["passed"] for r in records), sum(bool(r.get("declined")) for r in records)
            print(f"{name:28s} {passed}/{len(records)} = {passed / len(records):.1%}, declined {declined}", flush=True)


if __name__ == "__main__":
    main()
