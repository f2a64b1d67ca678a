"""``python -m bench --only conversations``: the generated store reads back as the generator meant."""

from __future__ import annotations

from pathlib import Path

from bench import conversations
from bot.conversations import report, store, turns


def test_generated_conversations_read_back_with_every_outcome(tmp_path: Path) -> None:
    db = tmp_path / "tracker.db"
    events = conversations.generate(db, conversations=300, days=3)
    summary, unanswered = report.summarise(turns.read(store.rows(store.engine(url=f"sqlite:///{db}"))))
    assert events > 300 * 8 and summary.conversations == 300
    assert all(summary.outcomes[o] > 0 for o in ("answered", "declined", "fallback", "complaint", "other"))
    assert 0.5 < summary.share("answered") < 0.7  # the generator answers 60% of questions
    assert summary.feedback_clicks > 0 and summary.feedback_by_topic
    assert len(summary.per_day) in (3, 4) and summary.unanswered == len(unanswered) > 0
    assert {r for u in unanswered for r in u.reasons} == {"fallback", "declined", "complaint", "thumbs down"}


def test_grouping_pairs_count_same_topic_pairs() -> None:
    assert conversations._pairs(["a", "a", "b", "c"], [1, 1, 1, 2]) == (3, 1)
