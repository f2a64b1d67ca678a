"""``knowledge/plan.yml``: how people answer the plan's questions, and which facts make the plan.

Read and checked once per process, against the knowledge base: every fact id,
credential id and entity id it names must exist, every answer must belong to
its question, and a path's months must be figures its facts state, so a plan
never shows a number without the source that gives it.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Dict, List, Tuple

import yaml
from pydantic import BaseModel, Extra, Field, ValidationError

from bot import knowledge

#: The form's questions, in the order they are asked (also the slot names).
QUESTIONS = ("plan_education", "plan_experience", "plan_goal", "plan_setting", "plan_time")
#: The answer that skips a question.
NOT_SURE = "not_sure"
#: Each question's answers, ``not_sure`` included; the slots hold these ids.
OPTIONS: Dict[str, Tuple[str, ...]] = {
    "plan_education": ("no_diploma", "high_school", "some_college", "degree", NOT_SURE),
    "plan_experience": ("healthcare", "office", "none", NOT_SURE),
    "plan_goal": ("coding", "billing", NOT_SURE),
    "plan_setting": ("remote", "hospital", "physician_office", "insurer", NOT_SURE),
    "plan_time": ("full_time", "part_time", NOT_SURE),
}
#: Conditions may also test the training path chosen.
PATH = "path"


class _Record(BaseModel):
    class Config:
        extra = Extra.forbid
        allow_mutation = False


class TrainingPath(_Record):
    months: Tuple[int, int]
    facts: List[str] = Field(..., min_items=1)
    when: Dict[str, List[str]] = {}
    or_when: Dict[str, List[str]] = {}


class CredentialChoice(_Record):
    when: Dict[str, List[str]]
    credentials: List[str] = Field(..., min_items=1)
    why: List[str] = Field(..., min_items=1)
    fees: List[str] = []
    #: the credentials are taken one after another ("the CCA now, then the CCS"), not alternatives
    sequence: bool = False


class PlanRules(_Record):
    paths: Dict[str, TrainingPath]
    exam_prep: List[str] = []
    part_time: List[str] = []
    no_diploma: List[str] = []
    credentials: List[CredentialChoice] = Field(..., min_items=1)
    first_job: Dict[str, List[str]]
    apprentice: Dict[str, List[str]] = {}
    pay: List[str] = Field(..., min_items=1)
    remote: List[str] = []


class Answers(_Record):
    plan_education: Dict[str, List[str]]
    plan_experience: Dict[str, List[str]]
    plan_goal: Dict[str, List[str]]
    plan_setting: Dict[str, List[str]]
    plan_time: Dict[str, List[str]]
    #: answers only to the question just asked, by question
    when_asked: Dict[str, Dict[str, List[str]]] = {}
    any: Dict[str, List[str]]
    #: words that cancel a phrase right after them ("not an office")
    negations: List[str] = []
    entities: Dict[str, Dict[str, Dict[str, str]]] = {}

    def phrases(self, question: str, asked: bool = False) -> Dict[str, List[str]]:
        """A question's answers and their phrases; ``asked``: with those taken only when it was just asked."""
        own: Dict[str, List[str]] = {o: list(p) for o, p in getattr(self, question, {}).items()}
        for option, phrases in (self.when_asked.get(question, {}) if asked else {}).items():
            own.setdefault(option, []).extend(phrases)
        return own


class PlanData(_Record):
    answers: Answers
    plan: PlanRules

    def holds(self, condition: Dict[str, List[str]], answers: Dict[str, str]) -> bool:
        """Whether every key of ``condition`` has one of its listed values in ``answers``."""
        return all(answers.get(key) in values for key, values in condition.items())


class PlanDataError(ValueError):
    pass


def _fact_ids(data: PlanData) -> List[str]:
    rules = data.plan
    ids = [f for p in rules.paths.values() for f in p.facts]
    ids += rules.exam_prep + rules.part_time + rules.no_diploma + rules.pay + rules.remote
    ids += [f for c in rules.credentials for f in c.why + c.fees]
    ids += [f for facts in [*rules.first_job.values(), *rules.apprentice.values()] for f in facts]
    return ids


def check(data: PlanData, kb: knowledge.KnowledgeBase) -> List[str]:
    """Every problem ``data`` has against the knowledge base (empty when it is sound)."""
    problems: List[str] = []
    known_facts = {f.id for f in kb.facts}
    problems += [f"unknown fact id {fid!r}" for fid in _fact_ids(data) if fid not in known_facts]
    for choice in data.plan.credentials:
        problems += [f"unknown credential {c!r}" for c in choice.credentials if not kb.certification(c)]
        for key, values in choice.when.items():
            allowed = data.plan.paths if key == PATH else OPTIONS.get(key, ())
            problems += [f"{key}: unknown answer {v!r}" for v in values if v not in allowed]
    for question in QUESTIONS:
        problems += [f"{question}: unknown answer {o!r}" for o in data.answers.phrases(question, asked=True)
                     if o not in OPTIONS[question]]
    problems += [f"when_asked: unknown question {q!r}" for q in data.answers.when_asked if q not in QUESTIONS]
    for question, by_type in data.answers.entities.items():
        for etype, mapping in by_type.items():
            for eid, option in mapping.items():
                if not kb.entity(etype, eid):
                    problems.append(f"{question}: unknown {etype} {eid!r}")
                if option not in OPTIONS.get(question, ()):
                    problems.append(f"{question}: unknown answer {option!r}")
    for name, path in data.plan.paths.items():
        said = " ".join(kb.fact(f).text for f in path.facts if f in known_facts)
        numbers = {int(n) for n in re.findall(r"\d+", said)}
        numbers |= {12 * int(n) for n in re.findall(r"(\d+) years?", said)}
        for month in set(path.months):
            if month not in numbers:
                problems.append(f"path {name}: {month} months is not a figure its facts give")
    for level in data.plan.first_job:
        if level not in OPTIONS["plan_experience"]:
            problems.append(f"first_job: unknown answer {level!r}")
    return problems


def load(path: Path, kb: knowledge.KnowledgeBase) -> PlanData:
    try:
        data = PlanData.parse_obj(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (OSError, yaml.YAMLError, ValidationError) as error:
        raise PlanDataError(f"{path}: {error}") from error
    problems = check(data, kb)
    if problems:
        raise PlanDataError(f"{path}: " + "; ".join(problems))
    return data


@cache
def get() -> PlanData:
    """The process-wide plan data (``plan.yml`` next to the knowledge base's files)."""
    return load(knowledge.default_dir() / "plan.yml", knowledge.get())
