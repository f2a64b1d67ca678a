"""Shared fixtures: a small valid knowledge folder and the real one."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot import knowledge
from bot.nlu.matching import EntityMatcher

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def kb_dir(tmp_path: Path) -> Path:
    """A copy of the minimal valid knowledge folder, safe to break."""
    target = tmp_path / "knowledge"
    shutil.copytree(FIXTURES / "knowledge_min", target)
    return target


@pytest.fixture
def mini_kb(kb_dir: Path) -> knowledge.KnowledgeBase:
    return knowledge.load(kb_dir)


@pytest.fixture(scope="session")
def kb() -> knowledge.KnowledgeBase:
    """The project's real knowledge base."""
    return knowledge.get()


@pytest.fixture(scope="session")
def matcher(kb: knowledge.KnowledgeBase) -> EntityMatcher:
    """The entity matcher built from the real knowledge base, as the NLU builds it."""
    return EntityMatcher(kb.surface_forms(), year_spans=kb.year_spans())
