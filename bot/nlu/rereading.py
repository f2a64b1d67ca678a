"""Which messages are read a second time, and what the second reading changes.

Two kinds of message get a second reading, by the classifier that read the first:

=============================  ===========================================  ==========================================
message                        second reading                                it decides the intent when
=============================  ===========================================  ==========================================
a story, then a question       its last question (:mod:`bot.nlu.question`),  :func:`bot.nlu.question.decided_intent`
                               in the message's own NLU run
two questions at once          each part (:func:`bot.nlu.question.parts`),    never: the action server answers the
("how long is it and what      in the message's own NLU run                  other part too (:mod:`bot.dialogue`)
does it cost?")
a short follow-up pointing     the same words after the subject in context   :func:`bot.nlu.context.promoted_intent`
back ("how do I get it?")      ("CRC: how do I get it", :mod:`bot.nlu.context`),
                               in a second NLU run
=============================  ===========================================  ==========================================

A story's question and a two-part question's parts are known from the text alone
(:func:`read_alongside`), so they are read in the same run of the NLU graph as the message, as a second message of
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
    """The texts read in the same NLU run as the message: a story's last question, then a two-part question's parts."""
    asked = question.final_question(text or "")
    return ([asked] if asked is not None else []) + question.parts(text or "")


def read_parts(parse_data: Dict[str, Any], readings: Sequence[Mapping[str, Any]]) -> None:
    """The readings of a two-part question's parts, kept for the action server."""
    if len(readings) == 2:
        parse_data[question.PARTS_KEY] = [
            {"text": str(r.get("text") or ""), "intent": r.get("intent") or {}, FACT_SCORES: r.get(FACT_SCORES) or {}}
            for r in readings]


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
    story = len(alongside) % 2  # parts come in twos: a story's question is the odd one, read first
    for reading in alongside[:story]:
        read_final_question(parse_data, reading)
    read_parts(parse_data, alongside[story:])
    await read_in_context(parse, parse_data, slots, label_cache)
