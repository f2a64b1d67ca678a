"""Section ``sources``: questions written from the sources, asked over REST.

Two check sets stand for the hidden evaluation's questions about the seed facts
(``from_seeds.yml``) and about the topics of ``knowledge-supplement-2.yml``
(``from_supplement2.yml``). Helpers wrote them from those files alone, in the
ways people write (``style``: plain, typos, capitals, a story first, casual),
with follow-ups that have no pointer word; ``from_seeds_b.yml`` and ``from_supplement2_b.yml``
were written the same way a day later, in the styles the first two lack (indirect, narrated,
two questions at once, other careers' words); ``followups_dev.yml`` holds only
conversations and is the development set for follow-ups. They are not real people's questions
(``real`` measures those) and, like every bench set, never training data.
Scored like the dev set (:mod:`bench.answers`); failures go to
``bench/out/sources_failures.md``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Dict, List

import yaml

from bench import FOLLOW_UPS_DEV, FROM_SEEDS, FROM_SEEDS_B, FROM_SUPPLEMENT2, FROM_SUPPLEMENT2_B, OUT, answers
from bench.botrun import RunningBot
from bench.dataset import load_dev
from bench.declines import DeclineDetector
from bench.stats import share

#: The check sets, then the follow-up conversations changes for follow-ups are chosen on (``followups_dev.yml``).
SETS = {"seeds": FROM_SEEDS, "supplement2": FROM_SUPPLEMENT2, "seeds_b": FROM_SEEDS_B,
        "supplement2_b": FROM_SUPPLEMENT2_B, "followups_dev": FOLLOW_UPS_DEV}


def styles(path: Path) -> Dict[str, str]:
    """``{question id: style}``; conversation turns have none."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {str(q["id"]): str(q.get("style") or "") for q in data.get("questions") or []}


def style(by_id: Dict[str, str]) -> Callable[[Dict[str, Any]], str]:
    """A record's style: its question's, or where a conversation's turn stands in it."""
    return lambda r: by_id.get(r["id"]) or ("follow-up" if r["turn"] else "conversation opening")


def run(bot: RunningBot, detector: DeclineDetector) -> Dict[str, Any]:
    result: Dict[str, Any] = {}
    everything: List[Dict[str, Any]] = []
    for name, path in SETS.items():
        questions, conversations = load_dev(path)
        records = answers.ask_all(bot.client(), questions, conversations, detector)
        answers.attach_nlu(records, bot.tracker_db)
        summary = answers.summarise(records)
        summary["by_style"] = answers.tally(records, style(styles(path)))
        result[name] = summary
        everything += records
        q, t = summary["questions"], summary["conversation_turns"]
        print(f"  {name}: single questions {q['passed']}/{q['total']}, conversation turns {t['passed']}/{t['total']}, "
              f"overall {summary['overall']['score']:.1%}; by style: "
              + ", ".join(f"{k} {v['passed']}/{v['total']}" for k, v in summary["by_style"].items()), flush=True)
    answers.write_failures(everything, OUT / "sources_failures.md")
    passed, total = sum(r["passed"] for r in everything), len(everything)
    result["overall"] = {"passed": passed, "total": total, "score": share(passed, total)}
    return result
