"""The loader accepts valid knowledge and pinpoints every kind of mistake."""

from __future__ import annotations

from pathlib import Path
from typing import List

import pytest

from bot import knowledge
from bot.__main__ import main as cli


def problems(kb_dir: Path) -> List[knowledge.Problem]:
    with pytest.raises(knowledge.KnowledgeError) as caught:
        knowledge.load(kb_dir)
    return caught.value.problems


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"fixture changed: {old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1))


def test_valid_fixture_loads(mini_kb: knowledge.KnowledgeBase) -> None:
    assert set(mini_kb.topics) == {"salary", "certification", "organization"}
    assert [f.id for f in mini_kb.general_facts("salary")] == ["pay-general", "pay-growth-a", "pay-growth-b"]
    assert [f.id for f in mini_kb.facts_about("salary", "certification", "cpc")] == ["pay-cpc"]
    assert mini_kb.issuer_of("cpc").abbreviation == "AAPC"
    forms = set(mini_kb.surface_forms())
    assert ("cpc exam", "certification", "cpc") in forms
    assert ("CPC", "certification", "cpc") in forms


def test_real_knowledge_base_is_valid(kb: knowledge.KnowledgeBase) -> None:
    assert len(kb.facts) > 100
    for topic_id in kb.topics:
        assert len(kb.general_facts(topic_id)) >= 2, f"topic {topic_id} needs general facts"


def test_yaml_syntax_error_has_file_and_line(kb_dir: Path) -> None:
    edit(kb_dir / "facts" / "pay.yml", "    topic: salary\n    text: \"Growth is 7%.\"",
         "    topic: salary\n    text: \"Growth is 7%.\n")
    [problem] = problems(kb_dir)
    assert problem.file.endswith("facts/pay.yml")
    assert problem.line is not None and problem.line >= 13
    assert "not valid YAML" in problem.message


def test_missing_field(kb_dir: Path) -> None:
    edit(kb_dir / "facts" / "pay.yml", "    sources: [guide]\n  - id: pay-growth-a", "  - id: pay-growth-a")
    [problem] = problems(kb_dir)
    assert (problem.path, problem.message) == ("facts[0].sources", "field required")
    assert problem.line == 2  # the record starts there; the field is absent


def test_wrong_type(kb_dir: Path) -> None:
    edit(kb_dir / "facts" / "pay.yml", "about: {certification: [cpc]}", "about: cpc")
    [problem] = problems(kb_dir)
    assert problem.path == "facts[3].about"
    assert problem.line == 20
    assert "dict" in problem.message


def test_unknown_key_is_an_error(kb_dir: Path) -> None:
    edit(kb_dir / "facts" / "pay.yml", "    measure: growth\n    sources: [body]",
         "    measure: growth\n    sorces: [body]\n    sources: [body]")
    [problem] = problems(kb_dir)
    assert problem.path == "facts[2].sorces"
    assert "extra fields not permitted" in problem.message


def test_general_is_only_for_a_fact_about_an_entity(kb_dir: Path) -> None:
    edit(kb_dir / "facts" / "pay.yml", "    measure: growth\n    sources: [body]",
         "    measure: growth\n    general: true\n    sources: [body]")
    [problem] = problems(kb_dir)
    assert problem.path == "facts[2].general"
    assert "only a fact with `about`" in problem.message


def test_unknown_source(kb_dir: Path) -> None:
    edit(kb_dir / "facts" / "pay.yml", "    sources: [body]", "    sources: [body, nowhere]")
    [problem] = problems(kb_dir)
    assert problem.path == "facts[2].sources[1]"
    assert problem.message == "unknown source 'nowhere'"
    assert problem.line == 16


def test_unknown_topic_and_entity(kb_dir: Path) -> None:
    edit(kb_dir / "facts" / "pay.yml", "about: {certification: [cpc]}", "about: {certification: [xyz]}")
    edit(kb_dir / "facts" / "pay.yml", "  - id: cert-general\n    topic: certification",
         "  - id: cert-general\n    topic: certifications")
    found = {(p.path, p.message) for p in problems(kb_dir)}
    assert found == {
        ("facts[3].about.certification[0]", "unknown certification 'xyz'"),
        ("facts[5].topic", "unknown topic 'certifications'"),
    }


def test_duplicate_alias_across_entities(kb_dir: Path) -> None:
    edit(kb_dir / "entities.yml", "      abbreviation: CCS\n", "      abbreviation: CCS\n      aliases: [CPC Exam]\n")
    [problem] = problems(kb_dir)
    assert problem.path == "entities.certification[1].aliases[0]"
    assert "duplicate alias 'cpc exam'" in problem.message
    assert problem.line == 20


def test_duplicate_ids_and_keys(kb_dir: Path) -> None:
    edit(kb_dir / "facts" / "pay.yml", "id: pay-entry", "id: pay-cpc")
    edit(kb_dir / "topics.yml", '    title: "Pay"\n', '    title: "Pay"\n    title: "Salary"\n')
    found = {(p.file.split("/")[-1], p.path, p.message.split(" (")[0]) for p in problems(kb_dir)}
    assert ("topics.yml", "topics[0].title", "duplicate key") in found
    assert ("pay.yml", "facts[4].id", "duplicate fact id 'pay-cpc'") in found


def test_unknown_issuer_and_follow_up(kb_dir: Path) -> None:
    edit(kb_dir / "entities.yml", "      issued_by: aapc\n      area: coding\n    ",
         "      issued_by: ahima\n      area: coding\n    ", )
    edit(kb_dir / "topics.yml", "follow_ups: [salary]", "follow_ups: [pay]")
    found = {(p.path, p.message) for p in problems(kb_dir)}
    assert ("topics[1].follow_ups[0]", "unknown topic 'pay'") in found
    assert any(path.endswith("issued_by") and "unknown organization 'ahima'" == msg for path, msg in found)


def test_the_unasked_order_names_facts_of_its_own_topic(kb_dir: Path) -> None:
    order = "    unasked_order: [pay-entry, cert-general, pay-nope]\n"
    edit(kb_dir / "topics.yml", "    follow_ups: [certification]\n  - id: certification",
         f"    follow_ups: [certification]\n{order}  - id: certification")
    found = {(p.path, p.message) for p in problems(kb_dir)}
    assert found == {("topics[0].unasked_order[1]", "'cert-general' is no fact of topic 'salary'"),
                     ("topics[0].unasked_order[2]", "'pay-nope' is no fact of topic 'salary'")}


def test_missing_file(kb_dir: Path) -> None:
    (kb_dir / "topics.yml").unlink()
    [problem] = problems(kb_dir)
    assert problem.file.endswith("topics.yml") and problem.message == "file is missing"


def test_error_message_is_file_line_path(kb_dir: Path) -> None:
    edit(kb_dir / "facts" / "pay.yml", "    sources: [body]", "    sources: [nowhere]")
    with pytest.raises(knowledge.KnowledgeError) as caught:
        knowledge.load(kb_dir)
    assert "knowledge/facts/pay.yml:16: facts[2].sources[0]: unknown source 'nowhere'" in str(caught.value)


def test_cli_check_reports_problems(kb_dir: Path, capsys: pytest.CaptureFixture) -> None:
    assert cli(["check", str(kb_dir)]) == 0
    assert "knowledge OK" in capsys.readouterr().out
    edit(kb_dir / "facts" / "pay.yml", "    sources: [body]", "    sources: [nowhere]")
    assert cli(["check", str(kb_dir)]) == 1
    assert "unknown source 'nowhere'" in capsys.readouterr().err


def test_unknown_entity_in_topic_covers(kb_dir: Path) -> None:
    edit(kb_dir / "topics.yml", "    follow_ups: [certification]\n",
         "    covers: {certification: [nope]}\n    follow_ups: [certification]\n")
    [problem] = problems(kb_dir)
    assert (problem.path, problem.message) == ("topics[0].covers.certification[0]", "unknown certification 'nope'")


def test_a_question_belongs_to_one_fact(kb_dir: Path) -> None:
    edit(kb_dir / "facts" / "pay.yml", '    text: "Growth is 8%."\n',
         '    text: "Growth is 8%."\n    asks: ["how fast is pay growing?"]\n')
    edit(kb_dir / "facts" / "pay.yml", '    text: "Growth is 7%."\n',
         '    text: "Growth is 7%."\n    asks: ["How fast is pay  growing?"]\n')
    [problem] = problems(kb_dir)
    assert problem.path == "facts[2].asks[0]" and problem.line == 16
    assert problem.message.startswith("question 'How fast is pay  growing?' is also asked of fact 'pay-growth-a'")


def test_a_question_listed_twice_or_blank(kb_dir: Path) -> None:
    edit(kb_dir / "facts" / "pay.yml", '    text: "Growth is 8%."\n',
         '    text: "Growth is 8%."\n    asks: ["pay growth?", "Pay growth?"]\n')
    [problem] = problems(kb_dir)
    assert problem.path == "facts[1].asks" and "listed twice" in problem.message


def test_a_levels_years_are_a_span(kb_dir: Path, mini_kb: knowledge.KnowledgeBase) -> None:
    assert mini_kb.year_spans() == []  # no level says which years it spans
    edit(kb_dir / "entities.yml", "      name: entry level\n", "      name: entry level\n      years: [3, 1]\n")
    [problem] = problems(kb_dir)
    assert problem.path.startswith("entities.experience_level[0].years") and "first <= last" in problem.message
    edit(kb_dir / "entities.yml", "years: [3, 1]", "years: [0, 2]")
    assert knowledge.load(kb_dir).year_spans() == [(0, 2, "experience_level", "entry")]


def test_a_third_party_source_must_say_so_in_its_label(kb_dir: Path) -> None:
    edit(kb_dir / "sources.yml", "    kind: issuing_body", "    kind: third_party")
    [problem] = problems(kb_dir)
    assert problem.path == "sources[1].kind"
    assert "third-party" in problem.message


def test_every_third_party_source_is_labelled_in_answers(kb: knowledge.KnowledgeBase) -> None:
    third = [s for s in kb.sources.values() if s.kind == "third_party"]
    assert len(third) >= 10
    assert all("third-party" in s.short.lower() for s in third)
    assert [s.id for s in third if s.year is None] == []  # a third party's figure is only as good as its date


def test_a_fact_citing_sources_of_different_years_shows_each_sources_own_year(kb: knowledge.KnowledgeBase) -> None:
    """One ``as_of`` would be printed beside every source ("OpenExamPrep (2025)" for a 2026 page)."""
    for fact in kb.facts:
        years = [kb.sources[s].year for s in fact.sources]
        if len(fact.sources) > 1 and all(years) and len(set(years)) > 1:
            assert fact.as_of is None, f"{fact.id}: sources of {sorted(set(years))} but as_of {fact.as_of}"
