"""``python -m bench --only plan``: reading the bot's replies back into answers."""

from __future__ import annotations

from pathlib import Path

import yaml

from bench import plan
from bot.plan import build
from bot.plan.data import OPTIONS, QUESTIONS

DOMAIN = yaml.safe_load((Path(__file__).resolve().parents[2] / "domain.yml").read_text(encoding="utf-8"))


def test_the_plans_answer_line_reads_back() -> None:
    text = ("Here is a plan from your answers (no diploma yet; office experience; billing; an insurer; part time).\n"
            "Timeline: about 6 to 12 months ...")
    assert plan.answers_in_plan(text) == {"plan_education": "no_diploma", "plan_experience": "office",
                                          "plan_goal": "billing", "plan_setting": "insurer", "plan_time": "part_time"}
    assert plan.answers_in_plan(build.INTRO_NONE + "\nTimeline: ...") == {}


def test_each_question_is_recognised_by_its_words_in_the_domain() -> None:
    for question in QUESTIONS:
        text = DOMAIN["responses"][f"utter_ask_{question}"][0]["text"]
        assert plan.asked(f"Some answer first.\n{text}") == question


def test_the_answer_set_is_well_formed() -> None:
    items = plan.load()
    assert len(items) == 100
    assert {i["set"] for i in items} == {"dev1", "dev2", "dev3", "check"}
    for item in items:
        assert item["expected"] in OPTIONS[item["question"]], item
        assert item["reply"].strip()
