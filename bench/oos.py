"""Section ``oos``: out-of-scope messages must get a decline, fallback or emergency reply."""

from __future__ import annotations

from collections import Counter
from typing import Any, Dict, List, Sequence

from bench.botrun import RunningBot, new_sender, reply_text, turns_by_sender
from bench.dataset import OutOfScope
from bench.declines import EMERGENCY, DeclineDetector
from bench.stats import share


def correct(kind: str, declined_as: str | None) -> bool:
    """Emergencies need the emergency reply; anything else any decline reply."""
    if kind == "emergency":
        return declined_as == EMERGENCY
    return declined_as is not None


def run(bot: RunningBot, items: Sequence[OutOfScope], detector: DeclineDetector) -> Dict[str, Any]:
    client = bot.client()
    records: List[Dict[str, Any]] = []
    for item in items:
        sender = new_sender("oos")
        messages, _ = client.say(sender, item.text)
        declined_as = detector.classify(messages)
        records.append({"id": item.id, "kind": item.kind, "text": item.text, "sender": sender,
                        "declined_as": declined_as, "correct": correct(item.kind, declined_as),
                        "reply": reply_text(messages)})
    missed = [r for r in records if not r["correct"]]
    turns = turns_by_sender(bot.tracker_db, [r["sender"] for r in missed])
    kinds: Dict[str, Dict[str, Any]] = {}
    for r in records:
        entry = kinds.setdefault(r["kind"], {"correct": 0, "total": 0})
        entry["total"] += 1
        entry["correct"] += r["correct"]
    for entry in kinds.values():
        entry["recall"] = share(entry["correct"], entry["total"])
    total_ok = sum(r["correct"] for r in records)
    result = {
        "correct": total_ok, "total": len(records), "recall": share(total_ok, len(records)),
        "by_kind": kinds,
        "replies": dict(Counter(r["declined_as"] or "answer" for r in records).most_common()),
        "misses": [
            {"id": r["id"], "kind": r["kind"], "text": r["text"], "declined_as": r["declined_as"],
             "intent": (turns.get(r["sender"]) or [{}])[0].get("intent"), "reply": r["reply"][:200]}
            for r in missed
        ],
    }
    print(f"  out-of-scope recall {total_ok}/{len(records)} = {result['recall']:.1%}; by kind: "
          + ", ".join(f"{k} {v['correct']}/{v['total']}" for k, v in sorted(kinds.items())), flush=True)
    return result
