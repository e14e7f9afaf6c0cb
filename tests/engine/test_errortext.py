"""The error reader: compiled once, bounded, lenient, fast on hostile input, accurate."""

from __future__ import annotations

import re
import time
from pathlib import Path

import yaml

from engine.errortext import (
    MAX_TEXT_CHARS,
    ErrorReader,
    decode_lenient,
    reader_for,
    trigger_literals,
)
from engine.kbmodel import KnowledgeBase

HELDOUT = Path(__file__).resolve().parent.parent / "data" / "heldout_errors.yaml"
PER_PATTERN_BUDGET_SECONDS = 0.005


def test_reader_is_compiled_once_per_kb(knowledge: KnowledgeBase) -> None:
    """The same KB object gets the same compiled reader back."""
    assert reader_for(knowledge) is reader_for(knowledge)


def test_triggers_cover_every_literal(knowledge: KnowledgeBase) -> None:
    """Every pattern literal contains a trigger, so the block prefilter misses no line."""
    reader = reader_for(knowledge)
    for compiled in reader.patterns:
        assert compiled.literal is not None
        assert any(trigger in compiled.literal for trigger in reader.triggers), compiled.literal


def test_trigger_literals_drop_literals_containing_shorter_ones() -> None:
    """'reset' covers 'connection reset by peer'; unrelated literals stay."""
    assert trigger_literals(["connection reset by peer", "reset", "broken pipe"]) == [
        "reset", "broken pipe"]


def test_input_is_bounded(knowledge: KnowledgeBase) -> None:
    """Text past MAX_TEXT_CHARS is not read."""
    reader = reader_for(knowledge)
    assert reader.read("x" * MAX_TEXT_CHARS + " connection reset by peer") == {}
    assert reader.read("x" * 100 + " connection reset by peer")["error_kind"][0] == "reset"


def test_binary_junk_and_odd_encodings_decode_without_crashing(knowledge: KnowledgeBase) -> None:
    """Latin-1, UTF-16 with BOM and random bytes decode; the error in them is still read."""
    reader = reader_for(knowledge)
    samples = [
        "Fehler: Verbindung zurückgesetzt: connection reset by peer".encode("latin-1"),
        b"\xff\xfe" + "read: connection reset by peer".encode("utf-16-le"),
        bytes(range(256)) * 4 + b" connection reset by peer",
    ]
    for raw in samples:
        assert reader.read(decode_lenient(raw))["error_kind"][0] == "reset"


def _adversarial_lines(literal: str) -> list[str]:
    """10,000-character lines that tempt backtracking around a pattern's literal."""
    size = 10_000
    return [
        (literal + " ") * (size // (len(literal) + 1)),
        literal + "a" * (size - len(literal)),
        (literal + ":" + " " * 40) * (size // (len(literal) + 41)),
        "-1 " * (size // 3),
        ("[" + literal + "(") * (size // (len(literal) + 2)),
        literal.upper() + "\t" * (size - len(literal)),
    ]


def _timed_search(regex: re.Pattern[str], line: str) -> float:
    """Seconds one search takes (the best of repeats is taken: the machine is shared)."""
    start = time.perf_counter()
    regex.search(line)
    return time.perf_counter() - start


def test_no_pattern_takes_more_than_a_few_ms_on_hostile_lines(knowledge: KnowledgeBase) -> None:
    """Each regex searches each 10,000-char adversarial line within the budget."""
    slow = []
    for compiled in reader_for(knowledge).patterns:
        for line in _adversarial_lines(compiled.literal or "x"):
            took = min(_timed_search(compiled.regex, line) for _ in range(3))
            if took > PER_PATTERN_BUDGET_SECONDS:
                slow.append(f"{compiled.pattern.id}: {took * 1000:.1f} ms")
    assert slow == []


def test_fresh_reader_matches_cached_reader(knowledge: KnowledgeBase) -> None:
    """A reader built directly reads the same as the cached one."""
    line = "curl: (56) Recv failure: Connection reset by peer"
    assert ErrorReader(knowledge).read(line) == reader_for(knowledge).read(line)


def test_heldout_lines_are_read_right_at_least_95_percent(knowledge: KnowledgeBase) -> None:
    """Real lines from public issue threads, not written against: error_kind >= 95% right."""
    lines = yaml.safe_load(HELDOUT.read_text(encoding="utf-8"))["lines"]
    reader = reader_for(knowledge)
    right = sum(
        1 for item in lines
        if reader.read(item["line"]).get("error_kind", (None,))[0] == item["error_kind"]
    )
    assert len(lines) >= 100
    assert right / len(lines) >= 0.95, f"{right}/{len(lines)}"
