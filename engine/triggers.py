"""Choosing the few substrings the log scanner searches for, from the log itself.

Every error pattern has a lowercase ``literal`` that any line it matches
contains, so any substring of that literal (a *gram*) is also in the line.
The scanner searches each block of the log for a set of grams and reads only
the lines that hold one, with only the patterns whose literal holds one of
the grams found. Grams with the same first byte are searched together, by
one regular expression per first byte (a trie of the grams' tails): the
regex engine skips to each occurrence of that byte at C speed, so a group
costs one pass plus a small cost per occurrence of its first byte, and a
further gram in an open group is nearly free.

Which grams to search is a weighted set cover: every literal must contain a
chosen gram; a gram costs the lines it hits, and opening its first byte's
group costs a pass and the stops at that byte. Both are estimated on a
sample of the log itself (its first ``SAMPLE_BYTES``), so a gram common in
this log (say "timeout" in a log full of config dumps) is avoided in favour
of a rarer one. The greedy approximation (lazy, with a heap) takes a few
tens of milliseconds.
"""

from __future__ import annotations

import heapq
import re
from collections import Counter
from dataclasses import dataclass

from engine.literalindex import LiteralIndex, trie_regex

GRAM_MIN = 3
GRAM_MAX = 6
SAMPLE_BYTES = 16_384
PASS_COST = 1.0
STOP_COST = 0.00003
HIT_COST = 0.004
BLOCK_SCALE = 1 << 20


@dataclass(frozen=True)
class TriggerPlan:
    """The grams to search and, for each, the patterns a hit must be read with."""

    grams: tuple[bytes, ...]
    searches: tuple[re.Pattern[bytes], ...]
    patterns: tuple[tuple[int, ...], ...]
    every_line: tuple[int, ...]
    index: LiteralIndex

    def patterns_in(self, lowered_line: bytes) -> set[int]:
        """The patterns to read a candidate line with: those whose literal it holds."""
        return self.index.patterns_in(lowered_line)


class TriggerPlanner:
    """Precomputes, for one KB, which grams cover which pattern literals."""

    def __init__(self, literals: list[str | None]) -> None:
        self.every_line = tuple(
            index for index, literal in enumerate(literals)
            if not literal or not literal.isascii()
        )
        self._literals = tuple(
            literal.encode("ascii") if literal and literal.isascii() else b""
            for literal in literals
        )
        self.index = LiteralIndex(self._literals)
        self._by_literal: dict[str, list[int]] = {}
        for index, literal in enumerate(literals):
            if literal and literal.isascii():
                self._by_literal.setdefault(literal, []).append(index)
        self._covers: dict[str, set[str]] = {}
        for literal in self._by_literal:
            for gram in literal_grams(literal):
                self._covers.setdefault(gram, set()).add(literal)
        self._by_first: dict[str, list[str]] = {}
        for gram in self._covers:
            self._by_first.setdefault(gram[0], []).append(gram)

    def plan(self, sample: bytes) -> TriggerPlan:
        """The cheapest cover of every literal for a log that starts with ``sample``."""
        text = sample[:SAMPLE_BYTES].lower().decode("ascii", errors="replace")
        scale = BLOCK_SCALE / max(len(text), 1)
        seen: Counter[str] = Counter(text)
        for size in range(GRAM_MIN, GRAM_MAX + 1):
            seen.update(text[i:i + size] for i in range(len(text) - size + 1))
        opened: set[str] = set()

        def cost(gram: str) -> float:
            hits = seen.get(gram, 0) * scale * HIT_COST
            if gram[0] in opened:
                return hits
            return hits + PASS_COST + seen.get(gram[0], 0) * scale * STOP_COST

        uncovered = set(self._by_literal)
        heap = [(cost(gram) / len(covered), gram) for gram, covered in self._covers.items()]
        heapq.heapify(heap)
        chosen: list[str] = []
        while uncovered and heap:
            _, gram = heapq.heappop(heap)
            fresh = len(self._covers[gram] & uncovered)
            if not fresh:
                continue
            ratio = cost(gram) / fresh
            if heap and ratio > heap[0][0]:
                heapq.heappush(heap, (ratio, gram))
                continue
            chosen.append(gram)
            uncovered -= self._covers[gram]
            if gram[0] not in opened:
                opened.add(gram[0])
                for other in self._by_first.get(gram[0], ()):
                    left = len(self._covers[other] & uncovered)
                    if left:
                        heapq.heappush(heap, (cost(other) / left, other))
        return self._plan_for(chosen)

    def _plan_for(self, chosen: list[str]) -> TriggerPlan:
        groups: dict[str, list[str]] = {}
        for gram in chosen:
            groups.setdefault(gram[0], []).append(gram)
        return TriggerPlan(
            grams=tuple(gram.encode("ascii") for gram in chosen),
            searches=tuple(re.compile(trie_regex(grams)) for grams in groups.values()),
            patterns=tuple(
                tuple(sorted({i for gram in grams for i in self._patterns_for(gram)}))
                for grams in groups.values()
            ),
            every_line=self.every_line,
            index=self.index,
        )

    def _patterns_for(self, gram: str) -> set[int]:
        return {index for literal in self._covers[gram] for index in self._by_literal[literal]}


def literal_grams(literal: str) -> set[str]:
    """The substrings of the literal usable as grams (the literal itself when short)."""
    if len(literal) <= GRAM_MIN:
        return {literal}
    return {
        literal[start:start + size]
        for size in range(GRAM_MIN, min(GRAM_MAX, len(literal)) + 1)
        for start in range(len(literal) - size + 1)
    }

