"""The knowledge base: loaded and validated once per process.

``get()`` is what actions and NLU components call; the first call reads and
validates ``knowledge/`` (or ``$BOT_KNOWLEDGE_DIR``) and later calls return the
same object. A malformed file raises :class:`KnowledgeError` at that first call,
which the action server and Rasa make at start-up.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

from bot.knowledge.base import DEFAULT_TOPIC_FOR_TYPE, KnowledgeBase, Subject
from bot.knowledge.loader import KnowledgeError, Problem, load_files
from bot.knowledge.schema import ENTITY_TYPES

__all__ = [
    "DEFAULT_TOPIC_FOR_TYPE",
    "ENTITY_TYPES",
    "KnowledgeBase",
    "KnowledgeError",
    "Problem",
    "Subject",
    "default_dir",
    "get",
    "load",
]

REPO_ROOT = Path(__file__).resolve().parents[2]


def default_dir() -> Path:
    return Path(os.environ.get("BOT_KNOWLEDGE_DIR", REPO_ROOT / "knowledge"))


def load(root: Path | None = None) -> KnowledgeBase:
    """Read and validate a knowledge folder (no caching: use ``get`` at run time)."""
    return KnowledgeBase(load_files(Path(root) if root else default_dir()))


@cache
def _cached(root: str) -> KnowledgeBase:
    return load(Path(root))


def get(root: Path | None = None) -> KnowledgeBase:
    """The process-wide knowledge base, loaded on first use."""
    return _cached(str(Path(root or default_dir()).resolve()))
