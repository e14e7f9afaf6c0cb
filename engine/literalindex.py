"""Which patterns' literals a line holds, found without testing every literal.

The log scanner's block prefilter (``engine.triggers``) finds the candidate
lines by a few short grams, but a gram such as "ror" belongs to a hundred and
fifty literals, and testing each of them against every candidate line was a
third of a scan's time. Here each distinct literal is filed under one key, a
``KEY_BYTES``-byte substring of it that as few other literals share as
possible; one regular expression finds, at C speed and overlapping, every
key in a line, and only the literals filed under those keys are tested.
A literal that holds its key can only be in a line that holds the key, so
the answer is exactly "every pattern whose literal is in the line".
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

KEY_BYTES = 4

Entry = tuple[bytes, tuple[int, ...]]  # a literal, and the patterns that have it


class LiteralIndex:
    """Literal keys of one KB's patterns (built once per reader, reused for every log)."""

    def __init__(self, literals: Sequence[bytes]) -> None:
        by_literal: dict[bytes, list[int]] = {}
        for index, literal in enumerate(literals):
            if literal:
                by_literal.setdefault(literal, []).append(index)
        shared: Counter[bytes] = Counter()
        for literal in by_literal:
            shared.update(set(_keys_of(literal)))
        self._keyed: dict[bytes, list[Entry]] = {}
        self._short: list[Entry] = []
        for literal, indexes in by_literal.items():
            keys = _keys_of(literal)
            if not keys:
                self._short.append((literal, tuple(indexes)))
                continue
            key = min(keys, key=lambda k: (shared[k], k))
            self._keyed.setdefault(key, []).append((literal, tuple(indexes)))
        any_key = trie_regex(key.decode("ascii") for key in self._keyed)
        self._find_keys = re.compile(b"(?=(" + any_key + b"))") if self._keyed else None

    def patterns_in(self, lowered_line: bytes) -> set[int]:
        """Every pattern whose literal the (lowercased) line holds."""
        found: set[int] = set()
        keys = self._find_keys.findall(lowered_line) if self._find_keys else []
        for key in set(keys):
            for literal, indexes in self._keyed[key]:
                if literal in lowered_line:
                    found.update(indexes)
        for literal, indexes in self._short:
            if literal in lowered_line:
                found.update(indexes)
        return found


def _keys_of(literal: bytes) -> list[bytes]:
    """The literal's substrings of ``KEY_BYTES`` bytes (none when it is shorter)."""
    return [literal[start:start + KEY_BYTES] for start in range(len(literal) - KEY_BYTES + 1)]


def trie_regex(strings: Iterable[str]) -> bytes:
    """One regex matching any of the ASCII strings, as a trie: each shared prefix is tried once.

    An alternation of a thousand literal strings is tried branch by branch at
    every position; a trie fails at the first byte no string starts with.
    """
    root: dict[str, dict[str, Any]] = {}
    for string in strings:
        node = root
        for char in string:
            node = node.setdefault(char, {})
        node[""] = {}

    def build(node: dict[str, dict[str, Any]]) -> str:
        branches = [re.escape(char) + build(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(root).encode("ascii")
