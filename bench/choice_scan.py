"""Which known texts the choice rule reads as a comparison: ``python -m bench.choice_scan``.

:func:`bot.nlu.question.choice_among_named` turns a story that names several
credentials and asks which to choose into ``compare``. This runs it over every
text the project holds (:func:`bench.scope_diff.texts`: the bench sets and the
training examples), with the entity matcher of the NLU pipeline on the raw text,
and prints each story it fires on and the count; no model, no server.
"""

from __future__ import annotations

from typing import Any, Dict, List, Tuple

from bench.scope_diff import texts
from bot import knowledge
from bot.nlu import question
from bot.nlu.matching import EntityMatcher


def parse_data(matcher: EntityMatcher, text: str) -> Dict[str, Any]:
    """The text and its entities, as the NLU pipeline's entity extractor gives them."""
    return {"text": text, "entities": [{"entity": m.entity, "value": m.value, "start": m.start, "end": m.end}
                                       for m in matcher.find(text)]}


def fired(found: List[Tuple[str, str]]) -> Tuple[int, List[Tuple[str, str]]]:
    """How many of ``found`` are stories with a last question, and those the rule fires on."""
    kb = knowledge.get()
    matcher = EntityMatcher(kb.surface_forms(), year_spans=kb.year_spans())
    stories, hits = 0, []
    for where, text in found:
        asked = question.final_question(text)
        if asked is None:
            continue
        stories += 1
        if question.choice_among_named(parse_data(matcher, text), asked):
            hits.append((where, asked))
    return stories, hits


def main() -> None:
    found = texts()
    stories, hits = fired(found)
    for where, asked in hits:
        print(f"{where}: {asked}")
    print(f"{len(hits)} of {len(found)} texts ({stories} stories with a last question)")


if __name__ == "__main__":
    main()
