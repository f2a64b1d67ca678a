"""``python -m bot export``: conversations as JSON lines, and unanswered questions as NLU stubs.

* ``--out FILE.jsonl``: one conversation per line, ``{"conversation_id": ...,
  "events": [...]}``, the events exactly as Rasa stores them (user messages with
  their intent and entities, actions, bot replies, slots such as ``feedback``,
  timestamps), with personal data masked (:mod:`bot.privacy`). The events load
  back with Rasa's own ``DialogueStateTracker.from_dict``.
* ``--nlu FILE.yml``: the questions ``python -m bot report`` lists as
  unanswered, as Rasa NLU training data with ``intent: TODO``, one block per
  group of similar wording with a comment saying why and how often. Moving
  each block's examples to the right intent (or a new one) is the fix.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Iterable, Iterator, List, TextIO, Tuple

import sqlalchemy as sa

from bot.conversations import store
from bot.conversations.report import Group
from bot.privacy import mask, mask_any

TODO_INTENT = "TODO"


def conversations(db: sa.engine.Engine, since: float | None = None) -> Iterator[Tuple[str, List[dict]]]:
    """(conversation id, events) for each conversation, in order of id; masked."""
    query = sa.select(store.EVENTS.c.sender_id, store.EVENTS.c.data).order_by(
        store.EVENTS.c.sender_id, store.EVENTS.c.id)
    if since is not None:
        query = query.where(store.EVENTS.c.timestamp >= since)
    current: str | None = None
    events: List[dict] = []
    with db.connect() as connection:
        result = connection.execution_options(stream_results=True, max_row_buffer=store.BATCH).execute(query)
        for batch in result.partitions(store.BATCH):
            for sender_id, data in batch:
                if sender_id != current:
                    if current is not None:
                        yield mask(current), events
                    current, events = sender_id, []
                events.append(mask_any(json.loads(data or "{}")))
    if current is not None:
        yield mask(current), events


def write_jsonl(items: Iterable[Tuple[str, List[dict]]], out: TextIO) -> int:
    count = 0
    for conversation_id, events in items:
        out.write(json.dumps({"conversation_id": conversation_id, "events": events}, ensure_ascii=False) + "\n")
        count += 1
    return count


def _yaml_line(text: str) -> str:
    """One example line of a Rasa ``examples: |`` block (a single line of plain text)."""
    return " ".join(text.split()).replace("](", "] (").replace("]{", "] {")  # never an entity annotation


def write_nlu(groups: List[Group], out: TextIO) -> int:
    """The unanswered questions as NLU stubs (``intent: TODO``); returns the number of examples."""
    out.write('version: "3.1"\n')
    out.write("# Unanswered questions from python -m bot report, one block per group of similar\n")
    out.write("# wording. Move each example to the intent it should have been, then retrain.\n")
    if not any(i.text.strip() for g in groups for i in g.items):
        out.write("nlu: []  # nothing unanswered\n")
        return 0
    out.write("nlu:\n")
    count = 0
    for group in groups:
        wordings = list(dict.fromkeys(_yaml_line(i.text) for i in group.items if _yaml_line(i.text)))
        if not wordings:
            continue
        reasons = Counter(r for i in group.items for r in i.reasons)
        why = ", ".join(f"{r} {n}" for r, n in reasons.most_common())
        out.write(f"# group {group.number}: {len(group.items)} messages ({why}); "
                  f"read as {group.row()['bot_reading']}\n")
        out.write(f"- intent: {TODO_INTENT}\n  examples: |\n")
        for text in wordings:
            out.write(f"    - {text}\n")
            count += 1
    return count


def write(db: sa.engine.Engine, out: Path | None, nlu: Path | None, since: float | None,
          groups: List[Group] | None = None) -> Tuple[int, int]:
    """Write the export files asked for: (conversations written, NLU examples written)."""
    written = examples = 0
    if out is not None:
        with out.open("w", encoding="utf-8") as file:
            written = write_jsonl(conversations(db, since), file)
    if nlu is not None:
        with nlu.open("w", encoding="utf-8") as file:
            examples = write_nlu(groups or [], file)
    return written, examples
