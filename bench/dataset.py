"""Loads the held-out sets: ``dev_questions.yml``, ``out_of_scope.yml`` and the real-question sets.

The real-question sets (``real_questions.yml`` for development, ``real_test.yml``
held out until a change is done) hold questions people posted on public pages,
each with its ``source`` address; see :func:`load_real`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Tuple

import yaml

from bench import DEV_QUESTIONS, OUT_OF_SCOPE
from bench.matching import Item, alternatives


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    expect: Tuple[Item, ...]
    topic: str = ""
    kind: str = ""
    source: str = ""


@dataclass(frozen=True)
class Conversation:
    id: str
    turns: Tuple[Question, ...]  # turn ids are "<conversation id>.<n>", n from 1


@dataclass(frozen=True)
class OutOfScope:
    id: str
    text: str
    kind: str


_TOPIC = re.compile(r"^\s*#\s*-+\s*topic:\s*(?P<topic>[\w-]+)")
_ID = re.compile(r"^\s*-\s*id:\s*[\"']?(?P<id>[\w.-]+)")


def topics_from_comments(text: str) -> Dict[str, str]:
    """``{question id: topic}`` from the ``# --- topic: x`` comments above the questions."""
    topics: Dict[str, str] = {}
    current = ""
    for line in text.splitlines():
        if line.startswith("conversations:"):
            current = ""
        found = _TOPIC.match(line)
        if found:
            current = found.group("topic")
            continue
        found = _ID.match(line)
        if found and current:
            topics[found.group("id")] = current
    return topics


def _expect(raw: object, where: str) -> Tuple[Item, ...]:
    if not isinstance(raw, list) or not raw:
        raise ValueError(f"{where}: expect must be a non-empty list")
    items: List[Item] = []
    for item in raw:
        if isinstance(item, str):
            items.append(item)
        else:
            try:
                items.append(tuple(alternatives(item)))
            except (TypeError, ValueError) as error:
                raise ValueError(f"{where}: {error}") from None
    return tuple(items)


def load_dev(path: Path = DEV_QUESTIONS) -> Tuple[List[Question], List[Conversation]]:
    text = path.read_text(encoding="utf-8")
    data = yaml.safe_load(text) or {}
    topics = topics_from_comments(text)
    questions = [
        Question(
            str(q["id"]), str(q["text"]), _expect(q.get("expect"), f"{path}: {q['id']}"), topics.get(str(q["id"]), "")
        )
        for q in data.get("questions") or []
    ]
    conversations = []
    for conv in data.get("conversations") or []:
        cid = str(conv["id"])
        turns = tuple(
            Question(f"{cid}.{n}", str(t["text"]), _expect(t.get("expect"), f"{path}: {cid} turn {n}"), "conversation")
            for n, t in enumerate(conv.get("turns") or [], start=1)
        )
        conversations.append(Conversation(cid, turns))
    ids = [q.id for q in questions] + [c.id for c in conversations]
    if len(ids) != len(set(ids)):
        raise ValueError(f"{path}: duplicate ids")
    return questions, conversations


def load_out_of_scope(path: Path = OUT_OF_SCOPE) -> List[OutOfScope]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return [OutOfScope(str(o["id"]), str(o["text"]), str(o["kind"])) for o in data.get("out_of_scope") or []]


@dataclass(frozen=True)
class RealSet:
    questions: List[Question]
    conversations: List[Conversation]
    declines: List[OutOfScope]


def load_real(path: Path) -> RealSet:
    """A real-question set: ``questions`` (with ``kind`` and ``source``), ``conversations``, ``declines``.

    Every item must name the page it was taken from; a set without sources is
    not a real-question set.
    """
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    questions: List[Question] = []
    for q in data.get("questions") or []:
        where = f"{path}: {q.get('id')}"
        if not str(q.get("source") or "").startswith("http"):
            raise ValueError(f"{where}: every question needs its source address")
        questions.append(Question(str(q["id"]), str(q["text"]), _expect(q.get("expect"), where),
                                  str(q.get("topic") or ""), str(q.get("kind") or "question"), str(q["source"])))
    conversations: List[Conversation] = []
    for conv in data.get("conversations") or []:
        cid = str(conv["id"])
        if not str(conv.get("source") or "").startswith("http"):
            raise ValueError(f"{path}: {cid}: every conversation needs its source address")
        turns = tuple(
            Question(f"{cid}.{n}", str(t["text"]), _expect(t.get("expect"), f"{path}: {cid} turn {n}"),
                     "conversation", "turn", str(conv["source"]))
            for n, t in enumerate(conv.get("turns") or [], start=1)
        )
        conversations.append(Conversation(cid, turns))
    declines = [OutOfScope(str(d["id"]), str(d["text"]), str(d.get("kind") or "other_topic"))
                for d in data.get("declines") or []]
    ids = [q.id for q in questions] + [c.id for c in conversations] + [d.id for d in declines]
    if len(ids) != len(set(ids)):
        raise ValueError(f"{path}: duplicate ids")
    return RealSet(questions, conversations, declines)
