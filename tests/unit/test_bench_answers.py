"""Scoring and failure write-up of the answers section (no servers)."""

from bench.answers import _record, summarise, write_failures
from bench.dataset import Question
from bench.declines import DeclineDetector

DETECTOR = DeclineDetector({"utter_fallback": ["Sorry, I'm not sure what you mean. I cover careers."]})


def _records():
    q1 = Question("q1", "how much do coders make", ("$40,000",), "salary")
    q2 = Question("q2", "what is the cpc", ("AAPC", ("exam", "test")), "certifications")
    t1 = Question("c1.1", "tell me about the CCS", ("AHIMA",), "conversation")
    t2 = Question("c1.2", "how much does it pay?", ("$55,763",), "conversation")
    return [
        _record(q1, "question", "s1", 0, [{"text": "Coders start near $40,000 a year."}], DETECTOR),
        _record(q2, "question", "s2", 0, [{"text": "Sorry, I'm not sure what you mean. I cover careers."},
                                          {"text": "Closest:", "buttons": [{"title": "Pay"}]}], DETECTOR),
        _record(t1, "turn", "s3", 0, [{"text": "The CCS comes from AHIMA."}], DETECTOR),
        _record(t2, "turn", "s3", 1, [{"text": "Coders earn $58,895."}], DETECTOR),
    ]


def test_scores_split_single_questions_and_turns():
    summary = summarise(_records())
    assert summary["questions"] == {"passed": 1, "total": 2, "score": 0.5}
    assert summary["conversation_turns"] == {"passed": 1, "total": 2, "score": 0.5}
    assert summary["overall"]["score"] == 0.5
    assert summary["in_scope_declined"]["declined"] == 1
    assert summary["failures_by_cause"] == {"declined (utter_fallback)": 1, "answered, items missing": 1}
    assert [f["id"] for f in summary["failures"]] == ["q2", "c1.2"]
    assert summary["failures"][0]["missing"] == ["AAPC", "exam | test"]


def test_failures_file_shows_question_expected_reply_and_context(tmp_path):
    records = _records()
    records[3]["nlu"] = {"intent": "ask_salary", "confidence": 0.91, "entities": [], "actions": ["action_answer"]}
    text = write_failures(records, tmp_path / "failures.md").read_text()
    assert "### c1.2: how much does it pay?" in text
    assert "earlier turns: “tell me about the CCS”" in text
    assert "- missing: `$55,763`" in text
    assert "> Coders earn $58,895." in text
    assert "intent `ask_salary` (0.91)" in text
    assert "buttons: [Pay]" in text
    assert "q1" not in text
