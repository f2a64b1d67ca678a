"""Sections ``real`` and ``real_test``: questions real people posted, asked over REST.

Questions and conversation turns are scored like the dev set
(:mod:`bench.answers`); the set's declines like the out-of-scope set
(:mod:`bench.oos`). Results are broken down by the question's ``kind``
(long story, typos and capitals, an unknown such as a named school, one that
mentions another job). Failures go to ``bench/out/real_failures.md`` (or
``real_test_failures.md``).
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Dict

from bench import OUT, answers, oos
from bench.botrun import RunningBot
from bench.dataset import RealSet
from bench.declines import DeclineDetector


def run(bot: RunningBot, real: RealSet, detector: DeclineDetector, name: str = "real") -> Dict[str, Any]:
    records = answers.ask_all(bot.client(), real.questions, real.conversations, detector)
    answers.attach_nlu(records, bot.tracker_db)
    result = answers.summarise(records)
    kinds = {q.id: q.kind for q in real.questions}
    result["by_kind"] = answers.tally(records, lambda r: kinds.get(r["id"], "turn"))
    result["failures_by_kind"] = dict(Counter(kinds.get(r["id"], "turn") for r in records
                                              if not r["passed"]).most_common())
    answers.write_failures(records, OUT / f"{name}_failures.md")
    result["nlu_runs"] = answers.nlu_runs(records, bot.tracker_db)
    if real.declines:
        result["declines"] = oos.run(bot, real.declines, detector)
    o = result["overall"]
    print(f"  {name}: {o['passed']}/{o['total']} = {o['score']:.1%} answered with the right facts; by kind: "
          + ", ".join(f"{k} {v['passed']}/{v['total']}" for k, v in result["by_kind"].items())
          + f"; one NLU run for {result['nlu_runs']['one_run']}/{result['nlu_runs']['messages']} messages", flush=True)
    return result
