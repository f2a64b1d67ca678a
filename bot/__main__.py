"""Small command line: ``python -m bot check`` validates the knowledge base."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import List, Optional

from bot import knowledge


def _check(folder: Optional[str]) -> int:
    try:
        kb = knowledge.load(Path(folder) if folder else None)
    except knowledge.KnowledgeError as error:
        print(error, file=sys.stderr)
        return 1
    counts = {etype: len(kb.entities[etype]) for etype in knowledge.ENTITY_TYPES}
    print(
        f"knowledge OK: {len(kb.facts)} facts, {len(kb.topics)} topics, "
        f"{len(kb.sources)} sources, entities {counts}"
    )
    return 0


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot")
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="validate the knowledge base")
    check.add_argument("folder", nargs="?", help="knowledge folder (default: knowledge/)")
    args = parser.parse_args(argv)
    if args.command == "check":
        return _check(args.folder)
    return 2  # pragma: no cover - argparse rejects unknown commands


if __name__ == "__main__":
    sys.exit(main())
