"""Reading pasted error text: which KB error patterns match, and what they imply.

Patterns are compiled once per KB (``reader_for`` caches the reader while
the KB lives). Each pattern carries a lowercase ``literal`` that every
matching line contains, so a pattern is skipped with one substring test
before its regular expression runs; the log scanner (``engine.logs``) goes
further and searches whole blocks of text for a few substrings of those
literals (``engine.triggers``), so lines that cannot match are never looked
at one by one, and a line that might is read only with the patterns that
could match it.

Guesses from plain words (``pasted_only`` patterns below priority 0,
``kb/errors/fallback.yaml``) count only on text no other pattern matched: a
family that knows a message and sets no ``error_kind`` means the message
does not tell. A guess elsewhere in the paste fills facts the families left
unset, and overrides a vague wrapper's ``error_kind: unknown`` (priority 0
or below), as an errno elsewhere in the paste would.

Precedence when patterns disagree on a fact: the highest ``priority`` wins,
then the most specific reading (the longest matched text), then the pattern
found first. The catalogue's convention (``kb/errors/generic.yaml``): 30 for
a stack's own message that overrides the errno inside it (Node's "socket
hang up" carries ``ECONNRESET``), 20 for errno-level text ("connection reset
by peer"), 10 for library and proxy messages, 0 for vague wrappers, below 0
for guesses.

Text is read whole, up to ``MAX_TEXT_CHARS`` (callers warn when they cut
there), in windows: a text longer than ``WINDOW_CHARS`` is searched window by
window, each ``WINDOW_CHARS`` long and overlapping the next by ``MATCH_CHARS``
and ``CONTEXT_CHARS``, so a match of up to ``MATCH_CHARS`` lies whole in one
window wherever it is, and no regex ever runs on more than ``WINDOW_CHARS``
(the hostile-input budget is measured on lines of that length). A window
edge is not the text's edge: a search sees the text before its window
(``^``, ``\b``, lookbehind), and a match ending within ``CONTEXT_CHARS`` of a
window's end, where ``$``, ``\b`` or a lookahead would see a false end, is
left to the next window. Bytes are decoded leniently, so any encoding or
binary junk reads as text with replacement characters.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from engine.kbmodel import KnowledgeBase
from engine.literalindex import LiteralIndex
from engine.schema import ErrorPattern, FactType
from engine.triggers import TriggerPlanner

MAX_TEXT_CHARS = 1 << 20  # the hard bound: 1,048,576 characters, as a log line's 1 MiB
WINDOW_CHARS = 10_000
MATCH_CHARS = 2_500  # the longest match found wherever it is (a test checks the KB's)
CONTEXT_CHARS = 100  # what a ``$``, ``\b`` or lookahead may need to see after a match
WINDOW_STEP = WINDOW_CHARS - MATCH_CHARS - CONTEXT_CHARS
EDGE_RETRIES = 4
# ASCII: ``\b`` and ``\w`` must see a boundary between "报错" and "Connection reset";
# MULTILINE: ``^`` and ``$`` anchor lines of a multi-line paste.
FLAGS = re.IGNORECASE | re.MULTILINE | re.ASCII


class CompiledPattern:
    """An error pattern with its literal lowercased and its regex compiled on first use.

    Most text never gets past a pattern's literal, so compiling all of a
    catalogue's regexes up front would cost more than reading one error line.
    """

    __slots__ = ("_regex", "literal", "pattern")

    def __init__(self, pattern: ErrorPattern, literal: str | None) -> None:
        self.pattern = pattern
        self.literal = literal
        self._regex: re.Pattern[str] | None = None

    @property
    def regex(self) -> re.Pattern[str]:
        """The compiled regular expression (compiled once, on first use)."""
        if self._regex is None:
            self._regex = re.compile(self.pattern.regex, FLAGS)
        return self._regex


@dataclass(frozen=True)
class PatternMatch:
    """One pattern that matched, with the text it matched."""

    pattern: ErrorPattern
    text: str
    start: int


@dataclass(frozen=True)
class Reading:
    """What one text says: the facts after precedence, and every pattern that matched."""

    facts: dict[str, tuple[Any, str]]
    matches: tuple[PatternMatch, ...]

    @property
    def pattern_ids(self) -> list[str]:
        """The ids of the patterns that matched, in catalogue order."""
        return [m.pattern.id for m in self.matches]

    @property
    def best_pattern(self) -> str | None:
        """The pattern that decided ``error_kind`` (else the first that matched)."""
        if "error_kind" in self.facts:
            return self.facts["error_kind"][1]
        return self.matches[0].pattern.id if self.matches else None

    @property
    def fact_patterns(self) -> dict[str, str]:
        """Which pattern gave each fact: one line can be read by several, each for its part."""
        return {fact: pattern_id for fact, (_, pattern_id) in self.facts.items()}

    def excerpt(self, text: str, limit: int) -> str:
        """The text as a report shows it: whole when it fits in ``limit``, else the part
        around the match that decided (a 16 KB JSON record's error sits in its last field,
        so its first 300 characters would show everything but the error)."""
        if len(text) <= limit:
            return text
        best = self.best_pattern
        match = next((m for m in self.matches if m.pattern.id == best), None)
        if match is None or not match.text.strip():
            return text[:limit]
        # found again by its text: escaped line breaks shift the reader's offsets
        at = text.find(match.text.splitlines()[0])
        if at < 0 or at + len(match.text) <= limit - 3:  # unseen, or within the head
            return text[:limit]
        start = max(0, at - limit // 10)
        return "..." + text[start:start + limit - 3]


ESCAPED_NEWLINE = re.compile(r"\\r\\n|\\n(?=[A-Z])")


def unescape_newlines(text: str) -> str:
    """Escaped line breaks as real ones: Ansible's ``"msg"``, JSON logs and
    tracebacks quoted in a string hold ``\\r\\n`` where the tool wrote a new
    line, and a message after it ("...\\r\\nConnection to host closed by
    remote host.") must start a line for ``^`` and ``\\b`` to see it. A lone
    ``\\n`` counts only before a capital, so OkHttp's "\\n not found" and
    Windows paths stay as they are.
    """
    return ESCAPED_NEWLINE.sub("\n", text) if "\\" in text else text


def overlaps_any(match: PatternMatch, others: list[PatternMatch]) -> bool:
    """Whether the match's text shares a character with any of the others' texts."""
    end = match.start + len(match.text)
    return any(o.start < end and match.start < o.start + len(o.text) for o in others)


def yields_to_guess(
    fact: str, current: tuple[tuple[int, int], Any, str], match: PatternMatch
) -> bool:
    """Whether a vague family's ``error_kind: unknown`` gives way to a guess.

    A wrapper at priority 0 or below says "failed, not saying how" so that
    an errno elsewhere in the same paste wins; a plain word elsewhere in it
    ("... UNAVAILABLE: connection closed") tells the kind just as well.
    Only guesses on other text than every family's get here.
    """
    (priority, _), value, _ = current
    return fact == "error_kind" and value == "unknown" and priority <= 0 and is_guess(match.pattern)


def windows(length: int) -> Iterator[tuple[int, int]]:
    """The (start, end) of the windows a text of ``length`` characters is searched in."""
    for start in range(0, max(length, 1), WINDOW_STEP):
        end = min(start + WINDOW_CHARS, length)
        yield start, end
        if end == length:
            return


def match_in_window(regex: re.Pattern[str], text: str, start: int,
                    end: int) -> re.Match[str] | None:
    """The regex's first match that this window answers for, or None.

    A window answers for the matches starting before the next window does
    (the last one for all the rest) and ending ``CONTEXT_CHARS`` before its
    own end, where the text's true continuation is still in view. A match
    that starts in time but ends nearer (longer than ``MATCH_CHARS``, or
    ended falsely by the cut) is passed over and the search goes on after
    its start, a few times at most.
    """
    last = end == len(text)
    answers_for = len(text) if last else start + WINDOW_STEP
    position = start
    for _ in range(EDGE_RETRIES):
        match = regex.search(text, position, end)
        if match is None or match.start() >= answers_for:
            return None
        if last or match.end() <= end - CONTEXT_CHARS:
            return match
        position = match.start() + 1
    return None


def decode_lenient(raw: bytes) -> str:
    """Bytes as text whatever the encoding: UTF-16 by its BOM, else UTF-8 with replacement."""
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return raw.decode("utf-16", errors="replace")
    return raw.decode("utf-8", errors="replace")


def is_guess(pattern: ErrorPattern) -> bool:
    """A guess from plain words: pasted text only, and below every family's priority."""
    return pattern.pasted_only and pattern.priority < 0


class ErrorReader:
    """The compiled error patterns of one KB.

    ``log_reader`` leaves out the ``pasted_only`` patterns. Most are guesses:
    text given as the error is an error, so "connection ... closed" in it
    says how it failed, but in a log the same words are ordinary lines and
    reading them would invent failures. The rest are texts with no ASCII for
    the log prefilter to key on (a Chinese Winsock message), which would
    make a scan read every line.
    """

    def __init__(self, knowledge: KnowledgeBase) -> None:
        self.patterns = [
            CompiledPattern(p, p.literal.lower() if p.literal else None)
            for p in knowledge.patterns.values()
        ]
        self._list_facts = frozenset(
            fact for fact, observation in knowledge.observations.items()
            if observation.type is FactType.LIST
        )

    @cached_property
    def log_reader(self) -> ErrorReader:
        """The reader for scanning logs: this one less its ``pasted_only`` patterns.

        It shares this reader's compiled patterns (and so their compiled
        regexes) and needs nothing of the KB, which may be gone by then.
        """
        kept = [c for c in self.patterns if not c.pattern.pasted_only]
        if len(kept) == len(self.patterns):
            return self
        reader = ErrorReader.__new__(ErrorReader)
        reader.patterns = kept
        reader._list_facts = self._list_facts
        return reader

    @cached_property
    def planner(self) -> TriggerPlanner:
        """The gram planner for log scanning (built on first use: ``--error`` needs none)."""
        return TriggerPlanner([c.literal for c in self.patterns])

    @cached_property
    def literal_index(self) -> tuple[LiteralIndex, tuple[int, ...]]:
        """The index of the ASCII literals, and the patterns it cannot rule out (built on
        first use: only a text longer than a window needs it)."""
        literals = [c.literal.encode("ascii") if c.literal and c.literal.isascii() else b""
                    for c in self.patterns]
        return LiteralIndex(literals), tuple(i for i, lit in enumerate(literals) if not lit)

    def matches(self, text: str, only: Iterable[int] | None = None) -> list[PatternMatch]:
        """Every pattern (of ``only``, by index, when given) that matches the bounded text,
        each with its first match, in catalogue order."""
        text = unescape_newlines(text[:MAX_TEXT_CHARS])
        if len(text) > WINDOW_CHARS:
            return self._windowed_matches(text, only)
        lowered = text.lower()
        found = []
        chosen = self.patterns if only is None else [self.patterns[i] for i in only]
        for compiled in chosen:
            if compiled.literal is not None and compiled.literal not in lowered:
                continue
            match = compiled.regex.search(text)
            if match is not None:
                found.append(PatternMatch(compiled.pattern, match.group(0), match.start()))
        return found

    def _windowed_matches(self, text: str, only: Iterable[int] | None) -> list[PatternMatch]:
        """``matches`` on a text longer than a window: each pattern searched window by window
        until it matches; only the patterns whose literal the text holds are tried."""
        if only is None:
            literals, unindexed = self.literal_index
            lowered = text.lower().encode("utf-8", errors="replace")
            only = literals.patterns_in(lowered) | set(unindexed)
        left = sorted(only)
        found: dict[int, PatternMatch] = {}
        for start, end in windows(len(text)):
            lowered_window = text[start:end].lower()
            for index in left:
                compiled = self.patterns[index]
                if compiled.literal is not None and compiled.literal not in lowered_window:
                    continue
                match = match_in_window(compiled.regex, text, start, end)
                if match is not None:
                    found[index] = PatternMatch(compiled.pattern, match.group(0), match.start())
            left = [index for index in left if index not in found]
            if not left:
                break
        return [found[index] for index in sorted(found)]

    def reading(self, text: str, only: Iterable[int] | None = None) -> Reading:
        """The facts the text implies after precedence, and the matches behind them."""
        found = self.matches(text, only)
        families = [match for match in found if not is_guess(match.pattern)]
        # a family knows this text: what it leaves unsaid stays unsaid
        counted = [m for m in found if not is_guess(m.pattern) or not overlaps_any(m, families)]
        chosen: dict[str, tuple[tuple[int, int], Any, str]] = {}
        # families first, so a guess only ever overrides what yields_to_guess lets it
        for match in sorted(counted, key=lambda m: is_guess(m.pattern)):
            rank = (match.pattern.priority, len(match.text))
            for fact, value in match.pattern.sets.items():
                current = chosen.get(fact)
                if current is None or rank > current[0] or yields_to_guess(fact, current, match):
                    chosen[fact] = (rank, self.typed_value(fact, value), match.pattern.id)
        facts = {fact: (value, pattern_id) for fact, (_, value, pattern_id) in chosen.items()}
        return Reading(facts, tuple(counted))

    def read(self, text: str) -> dict[str, tuple[Any, str]]:
        """Facts implied by the text: fact id to (value, pattern id) after precedence."""
        return self.reading(text).facts

    def typed_value(self, fact: str, value: Any) -> Any:
        """A scalar given for a list fact (``path: reverse_proxy``) becomes a one-item list."""
        if fact in self._list_facts and not isinstance(value, list):
            return [value]
        return value


_READERS: dict[int, tuple[weakref.ref[KnowledgeBase], ErrorReader]] = {}


def reader_for(knowledge: KnowledgeBase) -> ErrorReader:
    """The KB's reader, compiled on first use and reused while the KB lives."""
    key = id(knowledge)
    cached = _READERS.get(key)
    if cached is not None and cached[0]() is knowledge:
        return cached[1]
    reader = ErrorReader(knowledge)
    _READERS[key] = (weakref.ref(knowledge, lambda _ref: _READERS.pop(key, None)), reader)
    return reader


@dataclass(frozen=True)
class ExampleFailure:
    """A pattern example that does not behave as its pattern promises."""

    pattern_id: str
    line: str
    problem: str
    where: str | None = None

    def __str__(self) -> str:
        prefix = f"{self.where}: " if self.where else ""
        return f"{prefix}{self.pattern_id}: {self.problem}: {self.line[:120]!r}"


def check_pattern_examples(knowledge: KnowledgeBase) -> list[ExampleFailure]:
    """Every ``match`` example must match (and contain the literal); no ``no_match`` may;
    and no text the regex matches may lack the literal (``engine.literalcheck``).

    The same check runs in pytest and can back ``kb test``: an example that
    fails is a pattern that does not read what its author promised.
    """
    from engine.literalcheck import literal_escape  # kb test only: off the diagnose start-up path

    reader = reader_for(knowledge)
    failures: list[ExampleFailure] = []
    for compiled in reader.patterns:
        pattern = compiled.pattern
        origin = knowledge.origin("pattern", pattern.id)
        where = str(origin) if origin else None
        for line in pattern.examples.match:
            if compiled.literal is not None and compiled.literal not in line.lower():
                failures.append(ExampleFailure(pattern.id, line,
                                               f"lacks the literal {compiled.literal!r}", where))
            elif compiled.regex.search(line[:MAX_TEXT_CHARS]) is None:
                failures.append(ExampleFailure(pattern.id, line, "should match but does not",
                                               where))
        for line in pattern.examples.no_match:
            if compiled.regex.search(line[:MAX_TEXT_CHARS]) is not None:
                failures.append(ExampleFailure(pattern.id, line, "matches but should not", where))
        literal = compiled.literal
        escape = literal_escape(pattern.regex, literal, FLAGS) if literal else None
        if escape is not None:
            failures.append(ExampleFailure(
                pattern.id, escape, f"the regex also matches text without the literal "
                f"{literal!r}, which is never read (split the pattern or widen the "
                f"literal)", where))
    return failures
