"""Section ``answers``: the held-out dev questions, asked over REST.

Every single question is a fresh conversation (new sender id); a
conversation's turns share one sender id, in order. A reply passes when its
joined text contains every ``expect`` item. Failures, with what the NLU made of
the turn (read back from the throwaway tracker store), go to
``bench/out/failures.md``.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any, Callable, Dict, List, Sequence

from bench import OUT
from bench.botrun import RestClient, RunningBot, new_sender, reply_text, turns_by_sender
from bench.dataset import Conversation, Question
from bench.declines import DeclineDetector
from bench.matching import describe, missing
from bench.stats import share

FAILURES = OUT / "failures.md"


def _record(q: Question, kind: str, sender: str, turn: int, messages: List[Dict[str, Any]],
            detector: DeclineDetector) -> Dict[str, Any]:
    text = reply_text(messages)
    lacking = missing(q.expect, text)
    return {
        "id": q.id, "topic": q.topic, "kind": kind, "sender": sender, "turn": turn,
        "question": q.text, "expect": [describe(i) for i in q.expect],
        "missing": [describe(i) for i in lacking], "passed": not lacking,
        "declined": detector.classify(messages), "reply": text,
        "buttons": [b.get("title", "") for m in messages for b in m.get("buttons") or [] if isinstance(b, dict)],
    }


def ask_all(client: RestClient, questions: Sequence[Question], conversations: Sequence[Conversation],
            detector: DeclineDetector) -> List[Dict[str, Any]]:
    records = []
    for q in questions:
        sender = new_sender("dev")
        messages, _ = client.say(sender, q.text)
        records.append(_record(q, "question", sender, 0, messages, detector))
    for conv in conversations:
        sender = new_sender(f"dev-{conv.id}")
        for n, turn in enumerate(conv.turns):
            messages, _ = client.say(sender, turn.text)
            records.append(_record(turn, "turn", sender, n, messages, detector))
    return records


def attach_nlu(records: List[Dict[str, Any]], db: Path) -> None:
    """Adds the NLU reading of each failed turn from the tracker store."""
    failed = [r for r in records if not r["passed"]]
    turns = turns_by_sender(db, sorted({r["sender"] for r in failed}))
    for r in failed:
        seen = [t for t in turns.get(r["sender"], []) if not str(t.get("text", "")).startswith("/")]
        if r["turn"] < len(seen):
            r["nlu"] = seen[r["turn"]]


def nlu_runs(records: List[Dict[str, Any]], db: Path) -> Dict[str, Any]:
    """How many of the messages took one NLU graph run, the mean runs and texts read (bot.nlu.rereading)."""
    senders = sorted({r["sender"] for r in records})
    turns = [t for ts in turns_by_sender(db, senders).values() for t in ts]
    runs = [t.get("nlu_runs", 1) for t in turns]
    texts = [t.get("texts_read", 1) for t in turns]
    one = sum(n == 1 for n in runs)
    return {"messages": len(runs), "one_run": one, "share_one_run": share(one, len(runs)),
            "mean": round(sum(runs) / len(runs), 3) if runs else None,
            "one_text": sum(n == 1 for n in texts),
            "mean_texts": round(sum(texts) / len(texts), 3) if texts else None}


def cause(record: Dict[str, Any]) -> str:
    """Short failure class for summaries."""
    if record.get("declined"):
        return f"declined ({record['declined']})"
    if not record["reply"].strip():
        return "empty reply"
    return "answered, items missing"


def tally(records: List[Dict[str, Any]], group: Callable[[Dict[str, Any]], str]) -> Dict[str, Dict[str, Any]]:
    """``{group: {passed, total, score}}``, groups sorted by name."""
    groups: Dict[str, Dict[str, Any]] = {}
    for r in records:
        entry = groups.setdefault(group(r), {"passed": 0, "total": 0})
        entry["total"] += 1
        entry["passed"] += r["passed"]
    for entry in groups.values():
        entry["score"] = share(entry["passed"], entry["total"])
    return dict(sorted(groups.items()))


def summarise(records: List[Dict[str, Any]]) -> Dict[str, Any]:
    singles = [r for r in records if r["kind"] == "question"]
    turns = [r for r in records if r["kind"] == "turn"]
    failed = [r for r in records if not r["passed"]]
    by_topic: Dict[str, Dict[str, int]] = {}
    for r in records:
        entry = by_topic.setdefault(r["topic"] or "?", {"total": 0, "failed": 0})
        entry["total"] += 1
        entry["failed"] += not r["passed"]
    intents = Counter((r.get("nlu") or {}).get("intent") or "?" for r in failed)
    declined_singles = [r for r in singles if r["declined"]]
    return {
        "questions": {"passed": sum(r["passed"] for r in singles), "total": len(singles),
                      "score": share(sum(r["passed"] for r in singles), len(singles))},
        "conversation_turns": {"passed": sum(r["passed"] for r in turns), "total": len(turns),
                               "score": share(sum(r["passed"] for r in turns), len(turns))},
        "overall": {"passed": sum(r["passed"] for r in records), "total": len(records),
                    "score": share(sum(r["passed"] for r in records), len(records))},
        "in_scope_declined": {
            "declined": len(declined_singles), "total": len(singles),
            "share": share(len(declined_singles), len(singles)),
            "by_response": dict(Counter(r["declined"] for r in declined_singles).most_common()),
        },
        "failures_by_topic": {t: v for t, v in sorted(by_topic.items(), key=lambda kv: -kv[1]["failed"])
                              if v["failed"]},
        "failures_by_cause": dict(Counter(cause(r) for r in failed).most_common()),
        "failures_by_intent": dict(intents.most_common()),
        "failures": [
            {"id": r["id"], "topic": r["topic"], "question": r["question"], "missing": r["missing"],
             "intent": (r.get("nlu") or {}).get("intent"), "cause": cause(r), "reply": r["reply"][:240]}
            for r in failed
        ],
    }


def _nlu_line(nlu: Dict[str, Any] | None) -> str:
    if not nlu:
        return "NLU: (not found in tracker)"
    line = f"NLU: intent `{nlu['intent']}` ({nlu['confidence']:.2f})"
    if nlu.get("intent") == "nlu_fallback" and nlu.get("classifier_intent"):
        line += f", classifier's best `{nlu['classifier_intent']}` ({nlu['classifier_confidence']:.2f})"
    line += f"; entities: {', '.join(nlu['entities']) or 'none'}; actions: {', '.join(nlu['actions']) or 'none'}"
    return line


def write_failures(records: List[Dict[str, Any]], path: Path = FAILURES) -> Path:
    failed = [r for r in records if not r["passed"]]
    by_id = {r["id"]: r for r in records}
    lines = [
        "# Dev-set failures",
        "",
        f"{len(failed)} of {len(records)} replies lack an expected item. Grouped by dev-set topic; "
        "`expected` items separated by `|` are alternatives (any one suffices).",
        "",
    ]
    topics: Dict[str, List[Dict[str, Any]]] = {}
    for r in failed:
        topics.setdefault(r["topic"] or "?", []).append(r)
    for topic, items in sorted(topics.items(), key=lambda kv: -len(kv[1])):
        lines += [f"## {topic} ({len(items)})", ""]
        for r in items:
            lines.append(f"### {r['id']}: {r['question']}")
            lines.append("")
            if r["kind"] == "turn":
                conv, n = r["id"].rsplit(".", 1)
                earlier = [by_id.get(f"{conv}.{i}") for i in range(1, int(n))]
                if earlier:
                    lines.append("- earlier turns: " + " / ".join(f"“{e['question']}”" for e in earlier if e))
            lines.append("- expected: " + "; ".join(f"`{e}`" for e in r["expect"]))
            lines.append("- missing: " + "; ".join(f"`{m}`" for m in r["missing"]))
            lines.append(f"- cause: {cause(r)}")
            lines.append(f"- {_nlu_line(r.get('nlu'))}")
            lines.append("- got:")
            lines.append("")
            lines += ["  > " + line for line in (r["reply"] or "(no text)").splitlines()]
            if r.get("buttons"):
                lines.append("  > buttons: " + " / ".join(f"[{b}]" for b in r["buttons"]))
            lines.append("")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run(bot: RunningBot, questions: Sequence[Question], conversations: Sequence[Conversation],
        detector: DeclineDetector) -> Dict[str, Any]:
    records = ask_all(bot.client(), questions, conversations, detector)
    attach_nlu(records, bot.tracker_db)
    result = summarise(records)
    result["nlu_runs"] = runs = nlu_runs(records, bot.tracker_db)
    write_failures(records)
    q, t, o = result["questions"], result["conversation_turns"], result["overall"]
    print(f"  single questions {q['passed']}/{q['total']} = {q['score']:.1%}; "
          f"conversation turns {t['passed']}/{t['total']} = {(t['score'] or 0):.1%}; "
          f"overall {o['score']:.1%}; one NLU run for {runs['one_run']}/{runs['messages']} messages", flush=True)
    d = result["in_scope_declined"]
    print(f"  in-scope questions declined / fallback: {d['declined']}/{d['total']} = {d['share']:.1%}", flush=True)
    print(f"  failures written to {FAILURES.relative_to(OUT.parent.parent)}", flush=True)
    return result
