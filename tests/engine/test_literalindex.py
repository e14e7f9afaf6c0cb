"""The literal index answers exactly "which patterns' literals does this line hold"."""

from __future__ import annotations

from engine.errortext import reader_for
from engine.kbmodel import KnowledgeBase
from engine.literalindex import LiteralIndex
from tests.heldout import heldout_files, heldout_lines

ORDINARY = [
    b'10.0.3.4 - - [21/nov/2026:10:00:01 +0000] "get /api/v1/items/7 http/1.1" 200 31 "-"',
    b"2026-11-21t10:00:00z info order-service status=200 connection=keep-alive",
    b"",
    b"ror",
]


def brute_force(literals: list[bytes], line: bytes) -> set[int]:
    """The answer by testing every literal."""
    return {index for index, literal in enumerate(literals) if literal and literal in line}


def test_index_finds_exactly_the_literals_a_line_holds(knowledge: KnowledgeBase) -> None:
    """On real error lines, ordinary lines and the literals themselves, index == brute force."""
    literals = [(c.literal or "").encode("ascii", errors="ignore") if (c.literal or "").isascii()
                else b"" for c in reader_for(knowledge).patterns]
    index = LiteralIndex(literals)
    lines = [entry["line"].lower().encode("utf-8") for file in heldout_files()
             for entry in heldout_lines(file)]
    lines += ORDINARY + [literal for literal in literals if literal]
    lines += [b" ".join(literals[i:i + 5]) for i in range(0, len(literals), 5)]
    misses = [line for line in lines if index.patterns_in(line) != brute_force(literals, line)]
    assert not misses, misses[:3]
    assert sum(1 for line in lines if index.patterns_in(line)) > len(lines) // 2


def test_short_and_shared_literals() -> None:
    """Literals shorter than a key, and literals sharing keys or bytes, are all found."""
    literals = [b"eof", b"reset", b"connection reset", b"", b"reset", b"set b"]
    index = LiteralIndex(literals)
    assert index.patterns_in(b"read: connection reset by peer") == {1, 2, 4, 5}
    assert index.patterns_in(b"unexpected eof") == {0}
    assert index.patterns_in(b"nothing here") == set()
    assert LiteralIndex([b"", b"ab"]).patterns_in(b"xaby") == {1}
