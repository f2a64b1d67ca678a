"""``python -m bench.choice_scan`` finds the stories the choice rule compares, and only those."""

from __future__ import annotations

from bench.choice_scan import fired


def test_the_scan_counts_stories_and_lists_those_asking_which_named_credential() -> None:
    stories, hits = fired([
        ("a", "He was lost. CBCS, CPC, CCA... they all sound the same. Which one is going to get me a job?"),
        ("b", "I looked at the CPC and the CCA. How long does it take?"),
        ("c", "Which one pays more?"),  # no story
    ])
    assert stories == 2
    assert hits == [("a", "Which one is going to get me a job?")]
