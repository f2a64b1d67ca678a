"""The personal plan's questions answered in free text, end to end over REST (``--only plan``).

Each item of ``bench/plan_answers.yml`` is one conversation: "make me a plan",
"not sure" to every question before the item's, the item's reply, then "not
sure" to the rest. What the bot made of the reply is read from what a user
sees: "couldn't use that" (asked again), the same question again after an
answer (a question it answered instead), or else the plan's "from your
answers (...)" line, where an answer the plan does not list is "not sure".
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List

import yaml

from bench.botrun import RunningBot, new_sender, reply_text
from bot.plan.build import ANSWER_WORDS, INTRO_NONE
from bot.plan.data import NOT_SURE, QUESTIONS

ANSWERS = Path(__file__).resolve().parent / "plan_answers.yml"
START = "make me a plan"
SKIP = "not sure"
RETRY = "couldn't use that"
#: The first words of each question (domain.yml), to tell which one the bot asked.
ASKS = {
    "plan_education": "highest level of school",
    "plan_experience": "worked in healthcare",
    "plan_goal": "drawn more to billing",
    "plan_setting": "Where would you like to work",
    "plan_time": "How much time can you give",
}


def load(path: Path = ANSWERS) -> List[Dict[str, str]]:
    return list(yaml.safe_load(path.read_text(encoding="utf-8"))["items"])


def asked(text: str) -> str | None:
    """The question a reply ends with."""
    last = max(((text.rfind(words), question) for question, words in ASKS.items()), default=(-1, None))
    return last[1] if last[0] >= 0 else None


def answers_in_plan(text: str) -> Dict[str, str]:
    """The plan's "from your answers (...)" line read back into answers."""
    if INTRO_NONE in text or "from your answers (" not in text:
        return {}
    listed = text.split("from your answers (", 1)[1].split(").", 1)[0].split("; ")
    words = {said: (question, option) for question, options in ANSWER_WORDS.items() for option, said in options.items()}
    return {words[w][0]: words[w][1] for w in listed if w in words}


def reading(bot: RunningBot, item: Dict[str, str]) -> str:
    """What the bot made of ``item``'s reply: an answer, ``retry`` or ``interruption``."""
    client, sender = bot.client(), new_sender("plan")
    client.say(sender, START)
    target = QUESTIONS.index(item["question"])
    for _ in QUESTIONS[:target]:
        client.say(sender, SKIP)
    messages, _ = client.say(sender, item["reply"])
    text = reply_text(messages)
    if RETRY in text:
        return "retry"
    if asked(text) == item["question"]:
        return "interruption"
    for _ in range(len(QUESTIONS)):
        if "Timeline:" in text:
            break
        messages, _ = client.say(sender, SKIP)
        text = reply_text(messages)
    return answers_in_plan(text).get(item["question"], NOT_SURE)


def run(bot: RunningBot, items: List[Dict[str, str]] | None = None) -> Dict[str, Any]:
    items = load() if items is None else items
    by_set: Dict[str, Dict[str, int]] = {}
    misses: List[Dict[str, str]] = []
    for item in items:
        got = reading(bot, item)
        tally = by_set.setdefault(item["set"], {"passed": 0, "total": 0})
        tally["total"] += 1
        if got == item["expected"]:
            tally["passed"] += 1
        else:
            misses.append({**item, "got": got})
    for name, tally in sorted(by_set.items()):
        print(f"  plan answers, {name}: {tally['passed']}/{tally['total']}", flush=True)
    check = by_set.get("check", {"passed": 0, "total": 0})
    return {"by_set": by_set, "check_score": check["passed"] / check["total"] if check["total"] else None,
            "misses": misses}
