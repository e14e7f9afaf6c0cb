"""Finding texts a pattern's regex matches although they lack its literal.

A pattern's ``literal`` is the prefilter: a text without it is never tried
with the regex. So a regex branch that can match without the literal (an
alternation ``ClientConnector(?:Certificate|SSL)Error`` with the literal
"sslerror") silently reads nothing on that branch, and its examples may
never show it. Here the regex's parse tree is walked to spell out short
texts it matches, one per combination of alternatives (bounded), taking
the fewest repetitions and a plain character for each class; a text the
regex really matches (lookarounds are checked by searching it) and that
lacks the literal is a counterexample.
"""

from __future__ import annotations

import itertools
import re
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

MAX_TEXTS = 256
CATEGORY_CHARS = {
    sre.CATEGORY_DIGIT: "0", sre.CATEGORY_NOT_DIGIT: "a", sre.CATEGORY_SPACE: " ",
    sre.CATEGORY_NOT_SPACE: "a", sre.CATEGORY_WORD: "a", sre.CATEGORY_NOT_WORD: " ",
}


def texts_of(regex: str, flags: int = 0) -> list[str]:
    """Up to ``MAX_TEXTS`` short texts spelled from the regex's alternatives."""
    return _sequence(list(sre_parse.parse(regex, flags)))[:MAX_TEXTS]


def texts_of_items(items: list[tuple[Any, Any]]) -> list[str]:
    """Up to ``MAX_TEXTS`` short texts spelled from parsed items (a part of a parse tree)."""
    return _sequence(items)


def literal_escape(regex: str, literal: str, flags: int) -> str | None:
    """A text the regex matches that does not hold the (lowercase) literal, if one is found."""
    compiled = re.compile(regex, flags)
    for text in texts_of(regex, flags):
        if literal not in text.lower() and compiled.search(text) is not None:
            return text
    return None


def _sequence(items: list[tuple[Any, Any]]) -> list[str]:
    texts = [""]
    for op, value in items:
        options = _item(op, value)
        texts = [a + b for a, b in itertools.islice(itertools.product(texts, options), MAX_TEXTS)]
    return texts


def _item(op: Any, value: Any) -> list[str]:
    if op is sre.LITERAL:
        return [chr(value)]
    if op is sre.NOT_LITERAL:
        return ["a" if chr(value) != "a" else "b"]
    if op is sre.ANY:
        return ["a"]
    if op is sre.IN:
        return [_in_char(value)]
    if op is sre.BRANCH:
        return [text for branch in value[1] for text in _sequence(list(branch))][:MAX_TEXTS]
    if op is sre.SUBPATTERN:
        return _sequence(list(value[-1]))
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, getattr(sre, "POSSESSIVE_REPEAT", None)):
        low, _, body = value
        once = _sequence(list(body))
        if low == 0:
            return ["", *once]
        return [text * low for text in once]
    if op is sre.ATOMIC_GROUP:
        return _sequence(list(value))
    return [""]  # anchors, lookarounds, group references: checked by searching the text


def _in_char(items: list[tuple[Any, Any]]) -> str:
    if items and items[0][0] is sre.NEGATE:
        return "\x01"
    for op, value in items:
        if op is sre.LITERAL:
            return chr(value)
        if op is sre.RANGE:
            return chr(value[0])
        if op is sre.CATEGORY:
            return CATEGORY_CHARS.get(value, "a")
    return "a"
