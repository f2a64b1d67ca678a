"""Which known texts a change to the scope rules reads differently: ``python -m bench.scope_diff REV``.

A rule in :mod:`bot.nlu.scope` decides before the classifier (declines, another
occupation weighed against this field), so a new pattern can change messages
nobody looked at. This runs ``override`` and ``compared_occupation`` of ``REV``'s
``bot/nlu/scope.py`` and of the working tree over every text the project holds:
the bench sets' questions, turns and declines, and the training examples. It
prints each text read differently and the count; no model, no server.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import types
from typing import Any, Iterator, List, Tuple

import yaml

from bench import ROOT
from bot.nlu import scope

SETS = ("real_questions.yml", "real_test.yml", "dev_questions.yml", "out_of_scope.yml", "from_seeds.yml",
        "from_supplement2.yml", "from_seeds_b.yml", "from_supplement2_b.yml", "followups_dev.yml")
#: "[CPC]{...}" in a training example: its text is the bracketed words.
_ANNOTATION = re.compile(r"\[([^\]]+)\]\{[^}]*\}")


def _texts_in(node: Any, where: str) -> Iterator[Tuple[str, str]]:
    if isinstance(node, dict):
        if isinstance(node.get("text"), str):
            yield f"{where}:{node.get('id')}", node["text"]
        for value in node.values():
            yield from _texts_in(value, where)
    elif isinstance(node, list):
        for value in node:
            yield from _texts_in(value, where)


def texts() -> List[Tuple[str, str]]:
    """(where, text) of every bench text and training example."""
    found: List[Tuple[str, str]] = []
    for name in SETS:
        found += _texts_in(yaml.safe_load((ROOT / "bench" / name).read_text(encoding="utf-8")), name)
    for path in sorted((ROOT / "data" / "nlu").rglob("*.yml")):
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
            for line in str(block.get("examples") or "").splitlines():
                if line.strip().startswith("- "):
                    found.append((f"{path.name}:{block.get('intent')}", _ANNOTATION.sub(r"\1", line.strip()[2:])))
    return found


def scope_at(rev: str) -> types.ModuleType:
    """``bot/nlu/scope.py`` as it was at ``rev`` (its imports from the working tree)."""
    source = subprocess.run(["git", "-C", str(ROOT), "show", f"{rev}:bot/nlu/scope.py"],
                            capture_output=True, text=True, check=True).stdout
    module = types.ModuleType(f"scope_at_{rev}")
    exec(compile(source, f"{rev}:bot/nlu/scope.py", "exec"), module.__dict__)  # the project's own file, at a commit
    return module


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rev", help="the commit to compare the working tree's scope rules with")
    args = parser.parse_args(argv)
    before = scope_at(args.rev)
    all_texts = texts()
    changed = 0
    for where, text in all_texts:
        old = (before.override(text), before.compared_occupation(text))
        new = (scope.override(text), scope.compared_occupation(text))
        if old != new:
            changed += 1
            print(f"{where} | {old} -> {new} | {text[-140:]}")
    print(f"{changed} of {len(all_texts)} texts read differently")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
