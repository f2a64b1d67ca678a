""""Tell me more": the topic's next facts, never one the conversation already had, then "that's all"."""

from __future__ import annotations

from typing import Any, Dict, List

import pytest
from answering import answer, tracker

from bot import knowledge


async def say(intent: str, said_before: List[str], slots: Dict[str, Any], text: str = "tell me more") -> str:
    return (await answer(tracker(intent, slots=slots, text=text, said_before=said_before)))[1]


def facts_in(text: str, topic: str) -> List[str]:
    return [f.id for f in knowledge.get().facts_for(topic) if f.text.rstrip(".") in text]


@pytest.mark.asyncio
async def test_more_gives_the_next_facts_about_the_subject_then_says_that_is_all() -> None:
    slots = {"topic": "exam", "certification": ["ccs"]}
    said = [await say("ask_exam", [], slots, "what is the CCS exam like?")]
    given = facts_in(said[0], "exam")
    assert given
    for _ in range(8):
        reply = await say("more", said, slots)
        if reply.startswith("That's all my sources say on"):
            break
        new = facts_in(reply, "exam")
        assert new and not set(new) & set(given), "no fact twice"
        assert "Source" in reply.splitlines()[-1]
        given += new
        said.append(reply)
    else:
        pytest.fail("the facts never ran out")
    assert reply.startswith("That's all my sources say on")
    assert "for CCS" in reply  # about what is being discussed
    about_ccs = {f.id for f in knowledge.get().facts_about("exam", "certification", "ccs")}
    assert about_ccs <= set(given), "every fact about the CCS exam was given before the end"


@pytest.mark.asyncio
async def test_more_without_a_topic_gives_the_overview() -> None:
    reply = await say("more", [], {})
    assert facts_in(reply, "overview")
