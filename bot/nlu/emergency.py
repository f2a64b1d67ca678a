"""Phrases that sound like a medical emergency or a crisis.

Deliberately a short, high-precision list: when one matches, the bot points to
emergency care before anything else, whatever the classifier thought. Symptoms
count only when someone seems to be having them ("I have chest pain"), not when
a code for them is asked ("ICD-10 code for chest pain").
"""

from __future__ import annotations

import re

_CRISIS = [
    r"overdos\w*",
    r"(took|taken|swallowed|ate) (too many|(a|the|an) (whole|entire|full)? ?(bunch|bottle|handful|box|pack|lot) of"
    r"|all (of )?(my|his|her|their|the)) (pills|tablets|meds|medications?|sleeping pills|painkillers)",
    r"swallowed (a |an |some )?(button )?(batter\w*|poison|bleach|magnets?|chemicals?|pills|detergent)",
    r"suicid\w*", r"kill (myself|me)", r"end (my|it) (life|all)", r"want to die", r"self[ -]?harm",
]
_SYMPTOMS = [
    r"chest (pain|pains|tightness|hurts?)",
    r"(can ?not|can'?t|cannot|unable to|hard to|struggling to) (breathe|breath)",
    r"(isn'?t|is not|not|stopped) breathing", r"heart attack", r"having a stroke", r"stroke symptoms",
    r"seizure", r"seizing",
    r"anaphyla\w*", r"bleeding (heavily|badly|a lot|won'?t stop)", r"won'?t stop bleeding",
    r"severe bleeding", r"unconscious", r"passed out", r"collapsed", r"unresponsive",
    r"face (is )?droop\w*", r"slurred speech",
    r"(won'?t|wont|will not|isn'?t|is not|not) (wake|waking) up\b(?! (in time|early|on time))",
    r"(can'?t|cant|cannot) wake (him|her|them|my \w+)",
    r"throat (is )?(swelling|closing)( up| shut)?", r"turning blue",
    r"worst headache", r"(sudden(ly)?|suddenly can'?t|losing|lost) (my )?(vision|sight)", r"vision is going",
    r"sudden(ly)? (numb|numbness|weakness|paralys\w*)",
]
_PERSON = (
    r"\b(i|i'?m|im|my|me|we|he|she|they|someone|somebody|friend|husband|wife|son|daughter|"
    r"mom|mum|dad|baby|child|kid|partner|coworker)\b"
)
_CODING_CONTEXT = r"\b(code|codes|coded|coding|icd|cpt|hcpcs|modifier)\b"
#: Someone having it now, which outweighs any mention of codes.
_NOW = r"\b(i'?m having|i am having|im having|having an? |right now|help me|call 911|right away|hurry)"

#: A bare cry for help ("emergency!!", "911 help now"): nothing else in the message.
_BARE_ALARM = re.compile(
    r"^\W*(?:(?:this is an? |its an? |it's an? )?emergency|call 911|911|sos)(?:\W+(?:help|now|please|pls|asap))*\W*$",
    re.IGNORECASE,
)

_CRISIS_RE = re.compile(r"\b(?:" + "|".join(_CRISIS) + r")", re.IGNORECASE)
_SYMPTOM_RE = re.compile(r"\b(?:" + "|".join(_SYMPTOMS) + r")", re.IGNORECASE)
_PERSON_RE = re.compile(_PERSON, re.IGNORECASE)
_CODING_RE = re.compile(_CODING_CONTEXT, re.IGNORECASE)
_NOW_RE = re.compile(_NOW, re.IGNORECASE)
#: A case being coded, not someone's own symptoms ("my patient had chest pain. which code?").
_CASE_RE = re.compile(r"\b(patients?|charts?|cases?|scenarios?|documentation|records?|notes?|exam questions?)\b",
                      re.IGNORECASE)
_SENTENCES = re.compile(r"(?<=[.!?;])\s+")


def sounds_like_emergency(text: str) -> bool:
    if not text:
        return False
    if _CRISIS_RE.search(text) or _BARE_ALARM.match(text):
        return True
    if not (_SYMPTOM_RE.search(text) and _PERSON_RE.search(text)):
        return False
    if _NOW_RE.search(text) or not _CODING_RE.search(text):
        return True
    # "My chest hurts and my left arm is numb. How long does coding school take?": the symptom is told
    # in a sentence of its own, with no codes in it; a case being coded names the patient or the chart
    return not _CASE_RE.search(text) and any(
        _SYMPTOM_RE.search(s) and _PERSON_RE.search(s) and not _CODING_RE.search(s) for s in _SENTENCES.split(text))
