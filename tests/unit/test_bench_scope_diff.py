"""``python -m bench.scope_diff``: the scope rules of a commit against the working tree's, over every known text."""

from __future__ import annotations

from bench import scope_diff


def test_every_bench_set_and_the_training_examples_are_read_without_annotations() -> None:
    found = dict(scope_diff.texts())
    assert any(where.startswith("real_test.yml:") for where in found)
    assert any(where.startswith("compare.yml:compare") for where in found)
    assert not any("]{" in text for text in found.values())  # "[CPC]{...}" read as "CPC"


def test_a_commits_rules_are_loaded_beside_the_working_trees() -> None:
    committed = scope_diff.scope_at("HEAD")  # HEAD: a shallow clone has no older commit
    assert committed is not scope_diff.scope
    text = "Medical Coder or Medical Assistant? Which one fits me?"
    assert committed.compared_occupation(text) == "medical assistant"
    assert committed.override("how do i become a registered nurse") == scope_diff.scope.OTHER
