"""The expect-matcher shared by the bot and baseline scores.

An ``expect`` list holds items; each item is a string or a list of alternatives
(any one alternative suffices). A reply passes when every item is found as a
case-insensitive substring after dashes and whitespace are normalised.
"""

from __future__ import annotations

from typing import List, Sequence, Union

Item = Union[str, Sequence[str]]

#: Hyphen-like characters read as a plain ``-`` (hyphen, non-breaking hyphen,
#: figure dash, en dash, em dash, horizontal bar, minus sign).
DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"
_DASH_TABLE = str.maketrans({ch: "-" for ch in DASHES})


def normalise(text: str | None) -> str:
    """Lower case, dashes to ``-``, every run of white space to one space."""
    return " ".join((text or "").translate(_DASH_TABLE).split()).casefold()


def alternatives(item: Item) -> List[str]:
    if isinstance(item, str):
        return [item]
    alts = list(item)
    if not alts or not all(isinstance(a, str) for a in alts):
        raise ValueError(f"an expect item must be a string or a non-empty list of strings: {item!r}")
    return alts


def item_found(item: Item, text: str) -> bool:
    haystack = normalise(text)
    return any(normalise(alt) in haystack for alt in alternatives(item))


def missing(expect: Sequence[Item], text: str) -> List[Item]:
    """The items of ``expect`` that ``text`` does not contain."""
    haystack = normalise(text)
    return [item for item in expect if not any(normalise(a) in haystack for a in alternatives(item))]


def matches(expect: Sequence[Item], text: str) -> bool:
    if not expect:
        raise ValueError("an empty expect list would pass any reply")
    return not missing(expect, text)


def describe(item: Item) -> str:
    """``"a"`` or ``"a | b"`` for reports."""
    return " | ".join(alternatives(item))
