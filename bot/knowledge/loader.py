"""Reads ``knowledge/*.yml``, validates it and reports problems precisely.

Every problem is reported as ``file:line: path.inside: what is wrong`` so that
whoever edits the YAML can jump straight to it. All problems found are reported
together; loading fails if there is at least one.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterable, List, Sequence, Tuple, Type, TypeVar

import yaml
from pydantic import ValidationError

from bot.knowledge.schema import (
    ENTITY_TYPES,
    EntitiesFile,
    FactsFile,
    Record,
    SourcesFile,
    TopicsFile,
)

PathInside = Tuple[Any, ...]
M = TypeVar("M", bound=Record)


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.path or '(top level)'}: {self.message}"


class KnowledgeError(Exception):
    """The knowledge base is malformed; ``problems`` says where and why."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        lines = "\n".join(f"  {p}" for p in self.problems)
        super().__init__(f"{len(self.problems)} problem(s) in the knowledge base:\n{lines}")


def format_path(path: PathInside) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


class _Document:
    """One YAML file: its data plus the node tree, to turn paths into lines."""

    def __init__(self, path: Path, display: str) -> None:
        self.display = display
        text = path.read_text(encoding="utf-8")
        self.root = yaml.compose(text, Loader=yaml.SafeLoader)
        self.data = yaml.safe_load(text)

    def line_of(self, path: PathInside) -> int | None:
        node = self.root
        line = node.start_mark.line + 1 if node is not None else None
        for part in path:
            if isinstance(node, yaml.MappingNode):
                match = next((v for k, v in node.value if k.value == part), None)
                if match is None:
                    break
                key = next(k for k, v in node.value if v is match)
                node, line = match, key.start_mark.line + 1
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
                if part >= len(node.value):
                    break
                node = node.value[part]
                line = node.start_mark.line + 1
            else:
                break
        return line

    def problem(self, path: PathInside, message: str) -> Problem:
        return Problem(self.display, self.line_of(path), format_path(path), message)

    def duplicate_keys(self) -> List[Problem]:
        problems: List[Problem] = []

        def walk(node: Any, path: PathInside) -> None:
            if isinstance(node, yaml.MappingNode):
                seen: Dict[str, int] = {}
                for key, value in node.value:
                    if key.value in seen:
                        problems.append(
                            Problem(
                                self.display,
                                key.start_mark.line + 1,
                                format_path(path + (key.value,)),
                                f"duplicate key (first at line {seen[key.value]})",
                            )
                        )
                    seen.setdefault(key.value, key.start_mark.line + 1)
                    walk(value, path + (key.value,))
            elif isinstance(node, yaml.SequenceNode):
                for index, item in enumerate(node.value):
                    walk(item, path + (index,))

        walk(self.root, ())
        return problems


def _parse(
    doc: _Document, model: Type[M], problems: List[Problem]
) -> M | None:
    if not isinstance(doc.data, dict):
        problems.append(doc.problem((), f"expected a mapping with the keys of {model.__name__}"))
        return None
    try:
        return model.parse_obj(doc.data)
    except ValidationError as error:
        for item in error.errors():
            loc = tuple(p for p in item["loc"] if p != "__root__")
            problems.append(doc.problem(loc, item["msg"]))
        return None


def _open(path: Path, root: Path, problems: List[Problem]) -> _Document | None:
    display = str(path.relative_to(root.parent)) if root.parent in path.parents else str(path)
    try:
        doc = _Document(path, display)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark else None
        message = getattr(error, "problem", None) or str(error)
        problems.append(Problem(display, line, "", f"not valid YAML: {message}"))
        return None
    except (OSError, UnicodeDecodeError) as error:
        problems.append(Problem(display, None, "", f"cannot be read: {error}"))
        return None
    problems.extend(doc.duplicate_keys())
    return doc


@dataclass
class Parsed:
    """Validated files, with the documents kept for cross-reference errors."""

    sources: SourcesFile
    entities: EntitiesFile
    topics: TopicsFile
    facts: List[Tuple[_Document, FactsFile]]
    docs: Dict[str, _Document]


def load_files(root: Path) -> Parsed:
    """Parse and validate every file under ``root``; raise :class:`KnowledgeError`."""
    problems: List[Problem] = []
    root = root.resolve()
    if not root.is_dir():
        raise KnowledgeError([Problem(str(root), None, "", "knowledge folder not found")])

    singles: Dict[str, Any] = {}
    docs: Dict[str, _Document] = {}
    for name, model in (
        ("sources.yml", SourcesFile),
        ("entities.yml", EntitiesFile),
        ("topics.yml", TopicsFile),
    ):
        path = root / name
        if not path.is_file():
            problems.append(Problem(f"{root.name}/{name}", None, "", "file is missing"))
            continue
        doc = _open(path, root, problems)
        if doc is not None:
            docs[name] = doc
            singles[name] = _parse(doc, model, problems)

    fact_files: List[Tuple[_Document, FactsFile]] = []
    fact_paths = sorted((root / "facts").glob("*.yml"))
    if not fact_paths:
        problems.append(Problem(f"{root.name}/facts", None, "", "no fact files (*.yml)"))
    for path in fact_paths:
        doc = _open(path, root, problems)
        if doc is None:
            continue
        parsed = _parse(doc, FactsFile, problems)
        if parsed is not None:
            fact_files.append((doc, parsed))

    complete = len(singles) == 3 and None not in singles.values()
    if not complete or len(fact_files) != len(fact_paths):
        raise KnowledgeError(problems)

    parsed_all = Parsed(
        sources=singles["sources.yml"],
        entities=singles["entities.yml"],
        topics=singles["topics.yml"],
        facts=fact_files,
        docs=docs,
    )
    problems.extend(_cross_check(parsed_all))
    if problems:
        raise KnowledgeError(problems)
    return parsed_all


def _normalise(form: str) -> str:
    return " ".join(form.lower().replace("-", " ").split())


def _duplicates(
    items: Iterable[Tuple[str, PathInside]], doc: _Document, what: str
) -> List[Problem]:
    seen: Dict[str, PathInside] = {}
    problems = []
    for value, path in items:
        if value in seen:
            first = doc.line_of(seen[value])
            problems.append(doc.problem(path, f"duplicate {what} {value!r} (first at line {first})"))
        else:
            seen[value] = path
    return problems


def _cross_check(p: Parsed) -> List[Problem]:
    problems: List[Problem] = []
    src_doc, ent_doc, top_doc = p.docs["sources.yml"], p.docs["entities.yml"], p.docs["topics.yml"]

    source_ids = {s.id for s in p.sources.sources}
    problems += _duplicates(
        ((s.id, ("sources", i, "id")) for i, s in enumerate(p.sources.sources)), src_doc, "source id"
    )
    topic_ids = {t.id for t in p.topics.topics}
    problems += _duplicates(
        ((t.id, ("topics", i, "id")) for i, t in enumerate(p.topics.topics)), top_doc, "topic id"
    )

    entity_ids: Dict[str, set] = {}
    forms: List[Tuple[str, PathInside]] = []
    for etype in ENTITY_TYPES:
        records = getattr(p.entities.entities, etype)
        entity_ids[etype] = {r.id for r in records}
        problems += _duplicates(
            ((r.id, ("entities", etype, i, "id")) for i, r in enumerate(records)),
            ent_doc,
            f"{etype} id",
        )
        for i, record in enumerate(records):
            base = ("entities", etype, i)
            for form_index, form in enumerate(record.surface_forms()):
                field = _form_field(record, form_index)
                forms.append((_normalise(form), base + field))
            for j, source in enumerate(record.sources):
                if source not in source_ids:
                    problems.append(ent_doc.problem(base + ("sources", j), f"unknown source {source!r}"))
    # the same name may not point at two different things (a name repeated
    # inside one record, e.g. abbreviation also listed as alias, is harmless)
    owner: Dict[str, PathInside] = {}
    for form, path in forms:
        prev = owner.get(form)
        if prev is not None and prev[:3] != path[:3]:
            problems.append(
                ent_doc.problem(
                    path, f"duplicate alias {form!r}: also names the entity at line {ent_doc.line_of(prev[:3])}"
                )
            )
        owner.setdefault(form, path)

    for i, cert in enumerate(p.entities.entities.certification):
        if cert.issued_by not in entity_ids["organization"]:
            problems.append(
                ent_doc.problem(
                    ("entities", "certification", i, "issued_by"),
                    f"unknown organization {cert.issued_by!r}",
                )
            )

    for i, topic in enumerate(p.topics.topics):
        for j, follow in enumerate(topic.follow_ups):
            if follow not in topic_ids:
                problems.append(top_doc.problem(("topics", i, "follow_ups", j), f"unknown topic {follow!r}"))
        for etype, ids in topic.covers.items():
            for j, entity_id in enumerate(ids):
                if entity_id not in entity_ids[etype]:
                    where = ("topics", i, "covers", etype, j)
                    problems.append(top_doc.problem(where, f"unknown {etype} {entity_id!r}"))

    fact_ids: List[Tuple[str, _Document, PathInside]] = []
    # a question under two facts would tie them: it must say which one answers it
    asked: Dict[str, Tuple[str, _Document, PathInside]] = {}
    for doc, facts_file in p.facts:
        for i, fact in enumerate(facts_file.facts):
            base = ("facts", i)
            fact_ids.append((fact.id, doc, base + ("id",)))
            for j, question in enumerate(fact.asks):
                key, path = _normalise(question), base + ("asks", j)
                if key in asked and asked[key][0] != fact.id:
                    other_id, other_doc, other_path = asked[key]
                    problems.append(doc.problem(path, f"question {question!r} is also asked of fact {other_id!r} "
                                                      f"({other_doc.display}:{other_doc.line_of(other_path)})"))
                asked.setdefault(key, (fact.id, doc, path))
            if fact.topic not in topic_ids:
                problems.append(doc.problem(base + ("topic",), f"unknown topic {fact.topic!r}"))
            for j, source in enumerate(fact.sources):
                if source not in source_ids:
                    problems.append(doc.problem(base + ("sources", j), f"unknown source {source!r}"))
            for etype, ids in fact.about.items():
                for j, entity_id in enumerate(ids):
                    if entity_id not in entity_ids[etype]:
                        problems.append(
                            doc.problem(base + ("about", etype, j), f"unknown {etype} {entity_id!r}")
                        )
    topic_of = {fact.id: fact.topic for _, facts_file in p.facts for fact in facts_file.facts}
    for i, topic in enumerate(p.topics.topics):
        for j, fact_id in enumerate(topic.unasked_order):
            if topic_of.get(fact_id) != topic.id:
                problems.append(top_doc.problem(("topics", i, "unasked_order", j),
                                                f"{fact_id!r} is no fact of topic {topic.id!r}"))
    first_seen: Dict[str, Tuple[_Document, PathInside]] = {}
    for fact_id, doc, path in fact_ids:
        if fact_id in first_seen:
            other_doc, other_path = first_seen[fact_id]
            problems.append(
                doc.problem(
                    path,
                    f"duplicate fact id {fact_id!r} (first in {other_doc.display}:{other_doc.line_of(other_path)})",
                )
            )
        else:
            first_seen[fact_id] = (doc, path)
    return problems


def _form_field(record: Any, index: int) -> PathInside:
    """Path of the ``index``-th surface form: name, aliases[i] or abbreviation."""
    if index == 0:
        return ("name",)
    if index <= len(record.aliases):
        return ("aliases", index - 1)
    return ("abbreviation",)
