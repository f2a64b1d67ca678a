"""Benchmarks for the bot: ``python -m bench`` (``make bench``).

Sections (``--only``): ``nlu`` (5-fold cross-validation), ``answers`` (held-out
dev questions over REST), ``oos`` (out-of-scope declines), ``real`` and ``real_test`` (questions
real people asked, over REST), ``sources`` (questions written from the seeds and supplement 2), ``speed`` (latency,
throughput, start-up, memory), ``baseline`` (TF-IDF search over the seed
articles) and ``training`` (full ``rasa train`` wall clock). Results go to
``bench/results.json`` and ``bench/REPORT.md``; scratch files to ``bench/out/``.

The pure parts (matcher, percentiles, decline detector, passage search) have no
Rasa imports, so unit tests and the load generator stay light.
"""

from __future__ import annotations

from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
OUT = BENCH / "out"
PLOTS = BENCH / "plots"
RESULTS = BENCH / "results.json"
REPORT = BENCH / "REPORT.md"
DEV_QUESTIONS = BENCH / "dev_questions.yml"
OUT_OF_SCOPE = BENCH / "out_of_scope.yml"
#: Questions real people posted on public pages: the development set, and one held out until a change is done.
REAL_DEV = BENCH / "real_questions.yml"
REAL_TEST = BENCH / "real_test.yml"
#: Questions written from the seed articles and from knowledge-supplement-2.yml (not by real people).
FROM_SEEDS = BENCH / "from_seeds.yml"
FROM_SUPPLEMENT2 = BENCH / "from_supplement2.yml"
#: ... and second sets from each, in the styles the first lack (the work described without its names, retold
#: questions, two questions at once, other careers' words).
FROM_SEEDS_B = BENCH / "from_seeds_b.yml"
FROM_SUPPLEMENT2_B = BENCH / "from_supplement2_b.yml"
#: Follow-up conversations written from the sources: the set to choose changes for follow-ups on.
FOLLOW_UPS_DEV = BENCH / "followups_dev.yml"
MODEL = ROOT / "models" / "current.tar.gz"
