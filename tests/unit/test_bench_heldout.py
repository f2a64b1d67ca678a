"""The held-out sets stay held out: nothing the bot learns from or matches against repeats them."""

from __future__ import annotations

import re
from typing import List

from rapidfuzz import fuzz, process
from rasa.shared.nlu.training_data.loading import load_data

from bench import (
    FOLLOW_UPS_DEV,
    FROM_SEEDS,
    FROM_SEEDS_B,
    FROM_SUPPLEMENT2,
    FROM_SUPPLEMENT2_B,
    REAL_DEV,
    REAL_TEST,
    ROOT,
)
from bench.dataset import load_dev, load_out_of_scope, load_real
from bot import knowledge

#: Near-verbatim: "is the CPMA exam open book?" vs "Is the CPMA exam open book". Template-alike
#: questions about other things ("how long is the CRC exam?" vs "how long is the cca exma") score lower.
NEAR_VERBATIM = 97


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def held_out() -> List[str]:
    texts: List[str] = []
    for path in (None, FROM_SEEDS, FROM_SUPPLEMENT2, FROM_SEEDS_B, FROM_SUPPLEMENT2_B, FOLLOW_UPS_DEV):
        questions, conversations = load_dev() if path is None else load_dev(path)
        texts += [q.text for q in questions] + [t.text for c in conversations for t in c.turns]
    for path in (REAL_DEV, REAL_TEST):
        real = load_real(path)
        texts += [q.text for q in real.questions] + [t.text for c in real.conversations for t in c.turns]
        texts += [d.text for d in real.declines]
    return [_norm(t) for t in texts + [o.text for o in load_out_of_scope()]]


def near_copies(candidates: List[str], targets: List[str]) -> List[tuple]:
    found = []
    for text in candidates:
        hit = process.extractOne(_norm(text), targets, scorer=fuzz.ratio, score_cutoff=NEAR_VERBATIM)
        if hit is not None:
            found.append((text, hit[0]))
    return found


def test_no_fact_question_repeats_a_held_out_question(kb: knowledge.KnowledgeBase) -> None:
    asks = [q for f in kb.facts for q in f.asks]
    assert len(asks) > 500
    assert near_copies(asks, held_out()) == []


#: Short questions ("salary?", "tell me a joke", "what is hipaa") are how anyone would ask;
#: a training example that long repeating a held-out question is a copy.
MIN_COPY_WORDS = 7


def test_no_long_training_example_repeats_a_held_out_question() -> None:
    examples = [m.get("text") for m in load_data(str(ROOT / "data" / "nlu")).training_examples]
    assert len(examples) > 2000
    long_ones = [e for e in examples if len(e.split()) >= MIN_COPY_WORDS]
    assert near_copies(long_ones, held_out()) == []


def test_near_copies_are_found() -> None:
    assert near_copies(["Is the CPMA exam open book?"], [_norm("is the cpma exam open book")])
    assert not near_copies(["how long is the CRC exam?"], [_norm("how long is the cca exma")])


def test_real_question_sets_name_their_sources_and_are_big_enough() -> None:
    dev, test = load_real(REAL_DEV), load_real(REAL_TEST)
    assert len(dev.questions) >= 200 and len(dev.conversations) >= 30
    assert all(q.source.startswith("http") for q in dev.questions + test.questions)
    assert not {_norm(q.text) for q in dev.questions} & {_norm(q.text) for q in test.questions}
