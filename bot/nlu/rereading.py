"""Which messages are read a second time, and what the second reading changes.

Two kinds of message get a second reading, by the classifier that read the first:

=============================  ===========================================  ==========================================
message                        second reading                                it decides the intent when
=============================  ===========================================  ==========================================
a story, then a question       its last question (:mod:`bot.nlu.question`),  :func:`bot.nlu.question.decided_intent`
                               in the message's own NLU run
a short follow-up pointing     the same words after the subject in context   :func:`bot.nlu.context.promoted_intent`
back ("how do I get it?")      ("CRC: how do I get it", :mod:`bot.nlu.context`),
                               in a second NLU run
=============================  ===========================================  ==========================================

A story's question is known from the text alone (:func:`read_alongside`), so it
is read in the same run of the NLU graph as the message, as a second message of
the batch that Rasa's components process together; only the follow-up, which
needs the first reading to know it points back, takes a second run.

Everything else (nearly every message) is read once. This module is product
logic; :mod:`bot.rasa_patches` only gives it a way to read texts beside the
message and to parse a text again (``parse``) from inside Rasa's
``MessageProcessor.parse_message``.
"""

from __future__ import annotations

from typing import Any, Awaitable, Callable, Dict, List, Mapping, Sequence

from bot import knowledge
from bot.nlu import context, question
from bot.nlu.relevance import FACT_SCORES

#: Parses a text with the loaded model: (text, with the conversation's sender?) -> parse data.
Parse = Callable[[str, bool], Awaitable[Dict[str, Any]]]


def read_alongside(text: str) -> List[str]:
    """The texts read in the same NLU run as the message: the last question of a story, if any."""
    asked = question.final_question(text or "")
    return [asked] if asked is not None else []


def read_final_question(parse_data: Dict[str, Any], reading: Mapping[str, Any]) -> None:
    """A message of several sentences, read beside its last question (``reading``)."""
    asked = str(reading.get("text") or "")
    decided = question.decided_intent(parse_data, reading)
    parse_data[question.KEY] = {"text": asked, "intent": reading.get("intent") or {},
                                FACT_SCORES: reading.get(FACT_SCORES) or {}}
    if decided is not None:
        parse_data[question.KEY]["replaced_intent"] = parse_data["intent"]
        parse_data["intent"] = decided


async def read_in_context(parse: Parse, parse_data: Dict[str, Any], slots: Mapping[str, Any],
                          label_cache: Dict[str, Dict[str, float]]) -> None:
    """A short follow-up pointing back ("how do I get it?") is read again after its subject ("CRC: ...").

    The second reading goes into ``parse_data`` under ``context.KEY``; its intent
    becomes the message's where :func:`context.promoted_intent` says so. The fact
    scores of the label alone ("CRC:") are parsed once per label (``label_cache``).
    """
    if not context.points_back(parse_data):
        return  # most messages: nothing more to do
    text = context.contextual_text(parse_data, slots, knowledge.get())
    if text is None:
        return
    second = await parse(text, True)
    label = context.label_of(text)
    if label not in label_cache:
        if len(label_cache) >= LABEL_CACHE_SIZE:
            label_cache.clear()
        label_cache[label] = dict((await parse(label, False)).get("fact_scores") or {})
    parse_data[context.KEY] = context.reading(text, second, label_cache[label])
    promoted = context.promoted_intent(parse_data, second)
    if promoted is not None:  # the first reading could not tell what was asked; the second can
        parse_data[context.KEY][context.REPLACED] = parse_data["intent"]
        parse_data["intent"] = promoted


#: Labels whose fact scores are kept, per loaded model (a label is a few entity names or a topic title).
LABEL_CACHE_SIZE = 512


async def reread(parse: Parse, parse_data: Dict[str, Any], slots: Mapping[str, Any],
                 label_cache: Dict[str, Dict[str, float]], alongside: Sequence[Mapping[str, Any]] = ()) -> None:
    """Both second readings, in order (see the table above).

    ``alongside``: the readings of :func:`read_alongside`'s texts, from the message's own NLU run.
    """
    for reading in alongside[:1]:
        read_final_question(parse_data, reading)
    await read_in_context(parse, parse_data, slots, label_cache)
