"""The error reader: compiled once, bounded, lenient, fast on hostile input, accurate."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

import engine.errortext
from engine.errortext import (
    MATCH_CHARS,
    MAX_TEXT_CHARS,
    WINDOW_CHARS,
    ErrorReader,
    decode_lenient,
    reader_for,
)
from engine.kbmodel import KnowledgeBase
from tests.heldout import heldout_files, heldout_lines, kind_claimed_by, read_right

PER_PATTERN_BUDGET_SECONDS = 0.005


def test_reader_is_compiled_once_per_kb(knowledge: KnowledgeBase) -> None:
    """The same KB object gets the same compiled reader back."""
    assert reader_for(knowledge) is reader_for(knowledge)


def test_planned_grams_cover_every_literal(knowledge: KnowledgeBase) -> None:
    """Every literal a log scan reads holds a planned gram: the block prefilter misses no line."""
    reader = reader_for(knowledge).log_reader
    plan = reader.planner.plan(b"2026-11-21T10:00:00Z GET / 200\n" * 100)
    assert plan.every_line == ()
    for index, compiled in enumerate(reader.patterns):
        assert compiled.literal is not None
        line = compiled.literal.encode()
        groups = [i for i, search in enumerate(plan.searches) if search.search(line)]
        assert groups, compiled.pattern.id
        assert all(index in plan.patterns[i] for i in groups), compiled.pattern.id


def test_plan_avoids_grams_common_in_this_log(knowledge: KnowledgeBase) -> None:
    """In a log where every line says timeout and connection, the grams chosen hit few lines."""
    sample = b"INFO pool timeout=30s connection=keep-alive retries=3 established\n" * 500
    plan = reader_for(knowledge).planner.plan(sample)
    hit_lines = sum(1 for gram in plan.grams if gram in sample.lower())
    assert hit_lines <= 2, [g for g in plan.grams if g in sample.lower()]


def test_input_is_bounded(knowledge: KnowledgeBase) -> None:
    """Text past MAX_TEXT_CHARS is not read."""
    reader = reader_for(knowledge)
    assert reader.read("x" * MAX_TEXT_CHARS + " connection reset by peer") == {}
    assert reader.read("x" * 100 + " connection reset by peer")["error_kind"][0] == "reset"


@pytest.mark.parametrize("offset", [15_000, 25_000, 500_000, MAX_TEXT_CHARS - 30])
def test_an_error_anywhere_in_a_long_text_is_read(knowledge: KnowledgeBase, offset: int) -> None:
    """A long paste (a whole stack trace) is read to its end: before, past 20,000
    characters nothing was read and nothing said so."""
    text = ("\tat com.example.Pool.borrow(Pool.java:88)\n" * (offset // 40 + 1))[:offset]
    reading = reader_for(knowledge).reading(text + "Connection reset by peer")
    assert reading.facts["error_kind"] == ("reset", "reset-by-peer")
    starts = {m.pattern.id: m.start for m in reading.matches}
    assert starts["reset-by-peer"] == offset  # where it is in the whole text, not in a window


def test_a_window_edge_is_not_read_as_the_end_of_the_text(
    knowledge: KnowledgeBase, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A window cut just after "no such host" of "no such hostname" reads no DNS failure:
    the text goes on, and ``\\b`` at the cut would be a false word end."""
    head = "x " * 2500 + "dial tcp: lookup "
    tail = ": no such host"
    text = head + "a" * (WINDOW_CHARS - len(head) - len(tail)) + tail + "name, says the test"
    text += " z" * 5000
    assert text.index(tail) + len(tail) == WINDOW_CHARS
    reader = reader_for(knowledge)
    assert "go-dial-dns-failure" not in reader.reading(text).pattern_ids
    monkeypatch.setattr(engine.errortext, "CONTEXT_CHARS", 0)  # without the guard, it would
    assert "go-dial-dns-failure" in reader.reading(text).pattern_ids


def test_reading_in_windows_reads_as_the_whole_text(
    knowledge: KnowledgeBase, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Pattern examples placed across window edges read the same in windows as whole."""
    reader = reader_for(knowledge)
    examples = [line for c in reader.patterns for line in c.pattern.examples.match][::25]
    texts = [("ok 200 in 3 ms; " * 1000)[:offset - len(line) // 2] + " " + line + " " + "y" * 3000
             for line in examples for offset in (7_400, WINDOW_CHARS)]
    windowed = [reader.reading(text) for text in texts]
    monkeypatch.setattr(engine.errortext, "WINDOW_CHARS", MAX_TEXT_CHARS)
    whole = [reader.reading(text) for text in texts]
    assert [(r.pattern_ids, r.facts) for r in windowed] == [(r.pattern_ids, r.facts) for r in whole]


def test_every_bounded_pattern_fits_in_the_windows_overlap(knowledge: KnowledgeBase) -> None:
    """A pattern whose matches have a longest length is found wherever it is only if that
    length is at most MATCH_CHARS (raise it, or bound the pattern less tightly)."""
    import re._parser as parser  # the regex's width: CPython's own parser (3.11+)

    too_long = []
    for compiled in reader_for(knowledge).patterns:
        _, longest = parser.parse(compiled.pattern.regex, engine.errortext.FLAGS).getwidth()
        if MATCH_CHARS < longest < parser.MAXREPEAT:
            too_long.append(f"{compiled.pattern.id}: {longest}")
    assert too_long == []


def test_escaped_line_breaks_in_a_quoted_message_start_new_lines(
    knowledge: KnowledgeBase,
) -> None:
    """Ansible's "msg" holds \\r\\n: the ssh message after it is read as a line of its own."""
    reader = reader_for(knowledge)
    quoted = ('"msg": "Failed to connect to the host via ssh: Connection closed\\r\\n'
              'Connection to 192.0.2.14 closed by remote host.\\r\\n",')
    assert reader.read(quoted)["error_kind"] == ("eof", "ssh-closed-by-remote-host")
    okhttp = "java.io.EOFException: \\n not found: limit=0 content=\u2026"
    assert reader.read(okhttp)["error_kind"][0] == "eof"


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
    """CPU seconds one search takes (CPU time, best of repeats: the machine is shared)."""
    start = time.thread_time()
    regex.search(line)
    return time.thread_time() - start


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


@pytest.mark.parametrize("file", heldout_files(), ids=lambda file: file.name)
def test_heldout_lines_are_read_right_at_least_95_percent(
    knowledge: KnowledgeBase, file: Path
) -> None:
    """Real lines from public issue threads (see README for first-contact scores): >= 95%."""
    lines = heldout_lines(file)
    reader = reader_for(knowledge)
    right = sum(
        1 for item in lines
        if read_right(kind_claimed_by(reader, item["line"]), item["error_kind"])
    )
    assert len(lines) >= 15
    assert right / len(lines) >= 0.95, f"{right}/{len(lines)}"


def test_heldout_lines_are_never_misread(knowledge: KnowledgeBase) -> None:
    """A line that tells how it failed is read so or left unread, never given another kind.

    (Lines labelled ``unknown`` -- the collector found they do not tell -- can
    only be read right by claiming nothing; they count in the 95% test above.)
    """
    reader = reader_for(knowledge)
    wrong = []
    for file in heldout_files():
        for item in heldout_lines(file):
            got = kind_claimed_by(reader, item["line"])
            if item["error_kind"] != "unknown" and got is not None and got != item["error_kind"]:
                wrong.append((file.name, item["line"][:80], got))
    assert wrong == []
