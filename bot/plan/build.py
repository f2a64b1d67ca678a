"""A person's plan from their answers: numbered steps, a timeline in months, a source for every figure.

Which path and credential fit, and which facts back each step, are data
(``plan`` in ``knowledge/plan.yml``); this module only assembles them. Every
sentence with a figure is a knowledge-base fact, shown with its source line, so
a figure here is never one the sources do not give; where two sources give the
same figure differently, both are shown, each with its source.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Mapping, Sequence, Tuple

from bot import answers
from bot.answers import Button, Reply
from bot.knowledge import KnowledgeBase
from bot.knowledge.schema import Fact
from bot.plan.data import NOT_SURE, PATH, QUESTIONS, CredentialChoice, PlanData

#: What the conversation is about once the plan is given (the ``topic`` slot):
#: "how long will it all take?" is then answered from the plan.
PLAN_TOPIC = "plan"

#: How the plan repeats a person's answers back ("you said: ...").
ANSWER_WORDS: Dict[str, Dict[str, str]] = {
    "plan_education": {"no_diploma": "no diploma yet", "high_school": "high school or GED",
                       "some_college": "some college", "degree": "a college degree"},
    "plan_experience": {"healthcare": "healthcare experience", "office": "office experience",
                        "none": "no related experience"},
    "plan_goal": {"coding": "coding", "billing": "billing"},
    "plan_setting": {"remote": "working from home", "hospital": "a hospital",
                     "physician_office": "a physician's office", "insurer": "an insurer"},
    "plan_time": {"full_time": "full time", "part_time": "part time"},
}
PATH_WORDS = {"certificate": "a certificate program", "associate": "an associate degree in health information"}
INTRO = "Here is a plan from your answers ({answers})."
INTRO_NONE = "Here is a plan (you skipped every question, so it is the most common route)."
TIMELINE = ("Timeline: about {months} of training{part_time}, then a few months of exam preparation, "
            "before a first job{gap}.")
PART_TIME = " (longer part time: my sources give no part-time figure)"
GED_GAP = " (plus the time to finish a GED first)"
#: A step's first words ("Step 1. Training: ..."): not "1.", which Markdown (the widget) turns into a list.
STEP = "Step {n}. {title}"
STEP_GED = "Finish high school or a GED first."
STEP_TRAINING = "Training: {path}, about {months}{why}."
WHY_PATH = {"associate": ", because you have the time for it and it opens the RHIT",
            "certificate": ", the quickest route"}
STEP_CREDENTIAL = "Credential: {names}."
STEP_EXAM = "The exam and its cost."
NO_FEE = "My sources give no fee for the {name} exam: check the current price on {issuer}'s own site."
STEP_FIRST_JOB = "Your first job."
STEP_PAY = "Pay to expect at first."
STEP_REMOTE = "Working from home usually comes later."
OUTRO = "Ask me about any step, or say \"start over\" for a new plan."
WHY = "Your plan has {names} because {reasons}."
WHY_DEFAULT = ("Your plan has {names}, one of the two best-known coding credentials, because you did not choose "
               "billing or hospital work (the CCS, the other one, leans toward hospital inpatient coding).")
#: The answers that choose a credential, as reasons.
REASONS: Dict[str, Dict[str, str]] = {
    "plan_goal": {"billing": "you lean to billing", "coding": "you lean to coding"},
    "plan_setting": {"hospital": "you would like to work in a hospital", "remote": "you would like to work from home",
                     "physician_office": "you would like to work in a physician's office",
                     "insurer": "you would like to work for an insurer"},
    PATH: {"associate": "your plan goes through an associate degree, the RHIT's route"},
}
TIMELINE_ONLY = "From your plan: {timeline}"


@dataclass(frozen=True)
class Step:
    title: str
    facts: Tuple[Fact, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class Plan:
    answers: Mapping[str, str]
    path: str
    choice: CredentialChoice
    steps: Tuple[Step, ...]
    timeline: Step


def _facts(kb: KnowledgeBase, ids: Sequence[str]) -> Tuple[Fact, ...]:
    return tuple(f for f in (kb.fact(i) for i in ids) if f is not None)


def _months(months: Tuple[int, int]) -> str:
    low, high = months
    return f"{low} months" if low == high else f"{low} to {high} months"


def _known(answers_given: Mapping[str, str | None]) -> Dict[str, str]:
    """The answers that say something ("not sure" and unanswered questions are left out)."""
    return {q: str(a) for q, a in answers_given.items() if q in QUESTIONS and a and a != NOT_SURE}


def choose_path(data: PlanData, given: Mapping[str, str]) -> str:
    state = dict(given)
    for name, path in data.plan.paths.items():
        if path.when and (data.holds(path.when, state) or (path.or_when and data.holds(path.or_when, state))):
            return name
    return next(name for name, path in data.plan.paths.items() if not path.when)


def choose_credentials(data: PlanData, given: Mapping[str, str], path: str) -> CredentialChoice:
    state = {**given, PATH: path}
    return next(c for c in data.plan.credentials if data.holds(c.when, state))


def _short(kb: KnowledgeBase, etype: str, eid: str) -> str:
    entity = kb.entity(etype, eid)
    return (entity.abbreviation or entity.name) if entity is not None else eid.upper()


def credential_names(kb: KnowledgeBase, choice: CredentialChoice) -> str:
    """"the CPC (AAPC)", "the CPB (AAPC) or the CBCS (NHA)", "the CCA (AHIMA) now, then the CCS (AHIMA)"."""
    names = []
    for cid in choice.credentials:
        cert = kb.certification(cid)
        issuer = _short(kb, "organization", cert.issued_by) if cert is not None else ""
        names.append(f"the {_short(kb, 'certification', cid)}" + (f" ({issuer})" if issuer else ""))
    return (" now, then " if choice.sequence else " or ").join(names)


def make(kb: KnowledgeBase, data: PlanData, answers_given: Mapping[str, str | None]) -> Plan:
    given = _known(answers_given)
    rules = data.plan
    path = choose_path(data, given)
    months = rules.paths[path].months
    choice = choose_credentials(data, given, path)
    part_time = given.get("plan_time") == "part_time"
    no_diploma = given.get("plan_education") == "no_diploma"
    steps: List[Step] = []
    if no_diploma:
        steps.append(Step(STEP_GED, _facts(kb, rules.no_diploma)))
    steps.append(Step(
        STEP_TRAINING.format(path=PATH_WORDS.get(path, path), months=_months(months), why=WHY_PATH.get(path, "")),
        _facts(kb, [*rules.paths[path].facts, *(rules.part_time if part_time else [])]),
    ))
    steps.append(Step(STEP_CREDENTIAL.format(names=credential_names(kb, choice)), _facts(kb, choice.why)))
    if choice.fees:
        cost = kb.topic("cost")
        steps.append(Step(STEP_EXAM, _facts(kb, choice.fees), (cost.note or "") if cost else ""))
    else:
        first = kb.certification(choice.credentials[0])
        issuer = _short(kb, "organization", first.issued_by) if first is not None else ""
        steps.append(Step(STEP_EXAM, (), NO_FEE.format(name=_short(kb, "certification", choice.credentials[0]),
                                                       issuer=issuer)))
    experience = given.get("plan_experience", NOT_SURE)
    first_job = list(rules.first_job.get(experience, rules.first_job.get(NOT_SURE, [])))
    for cid in choice.credentials:
        first_job += rules.apprentice.get(cid, [])
    steps.append(Step(STEP_FIRST_JOB, _facts(kb, first_job)))
    steps.append(Step(STEP_PAY, _facts(kb, rules.pay)))
    if rules.remote:
        steps.append(Step(STEP_REMOTE, _facts(kb, rules.remote)))
    timeline = Step(
        TIMELINE.format(months=_months(months), part_time=PART_TIME if part_time else "",
                        gap=GED_GAP if no_diploma else ""),
        _facts(kb, [*rules.paths[path].facts[:1], *rules.exam_prep]),
    )
    return Plan(dict(given), path, choice, tuple(steps), timeline)


def _step_text(kb: KnowledgeBase, step: Step, number: int | None = None) -> str:
    sentences, refs = answers.render_facts(kb, step.facts)
    parts = [STEP.format(n=number, title=step.title) if number else step.title, *sentences]
    if step.note:
        parts.append(step.note)
    line = answers.source_line(refs)
    return " ".join(parts) + (f"\n{line}" if line else "")


def _timeline_sentence(kb: KnowledgeBase, plan: Plan) -> str:
    """The timeline with the sources of its figures (not their sentences: the steps give those)."""
    _, refs = answers.render_facts(kb, plan.timeline.facts)
    return f"{plan.timeline.title}\n{answers.source_line(refs)}"


def buttons(plan: Plan, kb: KnowledgeBase) -> Tuple[Button, ...]:
    first = plan.choice.credentials[0]
    name = _short(kb, "certification", first)
    cost = (Button(f"What does the {name} exam cost?", f'/ask_cost{{"certification": ["{first}"]}}'),)
    return (
        Button("How long will it all take?", "/ask_duration"),
        Button(f"What is the {name}?", f'/ask_certification{{"certification": ["{first}"]}}'),
        *(cost if plan.choice.fees else ()),
        Button("How do I get experience?", "/ask_experience"),
        Button("Can I work from home?", "/ask_remote"),
    )


def render(kb: KnowledgeBase, plan: Plan) -> Reply:
    said = [ANSWER_WORDS[q][a] for q, a in plan.answers.items() if a in ANSWER_WORDS.get(q, {})]
    intro = INTRO.format(answers="; ".join(said)) if said else INTRO_NONE
    blocks = [f"{intro}\n{_timeline_sentence(kb, plan)}"]
    blocks += [_step_text(kb, step, n) for n, step in enumerate(plan.steps, 1)]
    blocks.append(OUTRO)
    return Reply("\n\n".join(blocks), buttons(plan, kb), topic=PLAN_TOPIC,
                 subject={"certification": list(plan.choice.credentials)})


def timeline_reply(kb: KnowledgeBase, plan: Plan) -> Reply:
    """"How long will the whole thing take?" after the plan."""
    text = TIMELINE_ONLY.format(timeline=_timeline_sentence(kb, plan))
    return Reply(text, buttons(plan, kb)[1:], topic=PLAN_TOPIC,
                 subject={"certification": list(plan.choice.credentials)})


def reason(plan: Plan, kb: KnowledgeBase) -> str:
    """Why the plan has its credential, from the answers that chose it."""
    names = credential_names(kb, plan.choice)
    state = {**plan.answers, PATH: plan.path}
    reasons = [REASONS[key][state[key]] for key in plan.choice.when if state.get(key) in REASONS.get(key, {})]
    return WHY.format(names=names, reasons=" and ".join(reasons)) if reasons else WHY_DEFAULT.format(names=names)
