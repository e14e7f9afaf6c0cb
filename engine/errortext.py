"""Reading pasted error text: which KB error patterns match, and what they imply.

Patterns are compiled once per KB. Each pattern carries a lowercase literal
that every matching line contains, so most patterns are skipped with a cheap
substring test before any regular expression runs. When several patterns set
the same fact, the one with the highest ``priority`` wins, then the longest
match (the most specific reading of the line).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from engine.kbmodel import KnowledgeBase
from engine.schema import ErrorPattern

MAX_TEXT_CHARS = 20_000


@dataclass(frozen=True)
class CompiledPattern:
    """An error pattern with its regex compiled."""

    pattern: ErrorPattern
    regex: re.Pattern[str]
    literal: str | None


@dataclass(frozen=True)
class PatternMatch:
    """One pattern that matched, with the text it matched."""

    pattern: ErrorPattern
    text: str
    start: int


class ErrorReader:
    """The compiled error patterns of one KB."""

    def __init__(self, knowledge: KnowledgeBase) -> None:
        self.patterns = [
            CompiledPattern(p, re.compile(p.regex, re.IGNORECASE),
                            p.literal.lower() if p.literal else None)
            for p in knowledge.patterns.values()
        ]

    def matches(self, text: str) -> list[PatternMatch]:
        """Every pattern that matches the text (bounded to MAX_TEXT_CHARS)."""
        text = text[:MAX_TEXT_CHARS]
        lowered = text.lower()
        found = []
        for compiled in self.patterns:
            if compiled.literal is not None and compiled.literal not in lowered:
                continue
            match = compiled.regex.search(text)
            if match is not None:
                found.append(PatternMatch(compiled.pattern, match.group(0), match.start()))
        return found

    def read(self, text: str) -> dict[str, tuple[Any, str]]:
        """Facts implied by the text: fact id to (value, pattern id) after precedence."""
        chosen: dict[str, tuple[tuple[int, int], Any, str]] = {}
        for match in self.matches(text):
            rank = (match.pattern.priority, len(match.text))
            for fact, value in match.pattern.sets.items():
                current = chosen.get(fact)
                if current is None or rank > current[0]:
                    chosen[fact] = (rank, value, match.pattern.id)
        return {fact: (value, pattern_id) for fact, (_, value, pattern_id) in chosen.items()}
