"""Scanning a whole log or stack trace for connection errors, streamed and bounded.

The log is read in blocks of ``BLOCK_BYTES``, never whole, so memory stays
flat whatever its size; at most ``max_bytes`` are read. In each block a few
substrings of the patterns' literals, chosen for this log by
``engine.triggers``, are searched in the ASCII-lowercased bytes at C speed
(one regular expression per first byte); only the lines holding one and a
pattern's literal are decoded, and read only with those patterns. Most log
lines hold none, which is why this runs far faster than matching every line.

A line is read whole, however long, up to ``MAX_LINE_BYTES`` (1 MiB): the
error reader searches a long one in overlapping windows (``engine.errortext``),
so an error at the end of a 16 KB JSON record is found as surely as at its
start. Past that hard bound the rest of the line is skipped, unsearched, so
that one multi-gigabyte line cannot take the memory; the scan counts such
lines and names the first (``LogScan.long_lines``), for the caller to say so.

Matched lines are grouped into *events*: a line with its own timestamp
starts one, and untimed lines just after it (a stack trace) join it unless a
timestamped line (a new log record) comes between; an untimed event takes the
time of the log line above it. The
first ``keep`` matched lines are kept for the report; the timing statistics
(``engine.logtiming``) see every event, up to ``MAX_EVENTS``.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from engine.errortext import ErrorReader, Reading
from engine.loglevel import is_informational
from engine.logtime import find_timestamp, parse_timestamp
from engine.triggers import TriggerPlan

BLOCK_BYTES = 1 << 20
MAX_LINE_BYTES = BLOCK_BYTES  # at least a block: only a block's first line can be longer
MAX_LINE_CHARS = 10_000  # of a line's head, kept for the report and read for time and level
MAX_EVENTS = 100_000
KEEP_LINES = 50
EVENT_GAP_LINES = 5
LOOKBACK_LINES = 20


class ByteSource(Protocol):
    """Anything read in byte chunks: a binary file, stdin's buffer, an adapter."""

    def read(self, size: int = -1, /) -> bytes: ...


@dataclass(frozen=True)
class ErrorLine:
    """One log line read as a connection error (``text``: at most MAX_LINE_CHARS of it,
    around the match that decided when the line is longer)."""

    number: int
    text: str
    timestamp: float | None
    timestamp_text: str | None
    reading: Reading


@dataclass(slots=True)
class Event:
    """One failure: a timestamped error line and the untimed lines that follow it.

    ``facts`` is shared between events that read the same (see ``_FactsCache``),
    so a log with a hundred thousand failures costs about a hundred bytes each.
    """

    first_line: int
    last_line: int
    timestamp: float | None
    quiet_seconds: float | None
    facts: dict[str, tuple[Any, str]]
    informational: bool | None = None  # written at info or below (engine.loglevel)


class _FactsCache:
    """One shared, never-mutated dict per distinct set of facts."""

    def __init__(self) -> None:
        self._seen: dict[str, dict[str, tuple[Any, str]]] = {}

    def shared(self, facts: dict[str, tuple[Any, str]]) -> dict[str, tuple[Any, str]]:
        key = repr(sorted(facts.items()))
        return self._seen.setdefault(key, facts)


@dataclass
class LogScan:
    """What a log held: every event, the first matched lines, and how much was read."""

    lines_read: int = 0
    bytes_read: int = 0
    truncated: bool = False
    matched_lines: int = 0
    kept: list[ErrorLine] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    events_dropped: int = 0
    long_lines: int = 0
    first_long_line: int | None = None

    def cut_line(self, number: int) -> None:
        """Note a line longer than MAX_LINE_BYTES, whose rest was skipped."""
        self.long_lines += 1
        if self.first_long_line is None:
            self.first_long_line = number


def _utf8_blocks(stream: ByteSource, max_bytes: int, scan: LogScan) -> Iterator[bytes]:
    """The stream in blocks of at most BLOCK_BYTES, UTF-16 (by BOM) re-encoded as UTF-8
    (and cut again, as UTF-8 can be half as long again)."""
    first = stream.read(min(BLOCK_BYTES, max_bytes))
    decoder = None
    if first[:2] in (b"\xff\xfe", b"\xfe\xff"):
        decoder = codecs.getincrementaldecoder("utf-16")(errors="replace")
    block = first
    while block:
        scan.bytes_read += len(block)
        if decoder is None:
            yield block
        else:
            text = decoder.decode(block).encode("utf-8")
            yield from (text[at:at + BLOCK_BYTES] for at in range(0, len(text), BLOCK_BYTES))
        left = max_bytes - scan.bytes_read
        if left <= 0:
            scan.truncated = bool(stream.read(1))
            return
        block = stream.read(min(BLOCK_BYTES, left))


def _lines(stream: ByteSource, max_bytes: int, scan: LogScan) -> Iterator[tuple[bytes, int]]:
    """Blocks cut at line ends, with the number of the block's first line.

    A line longer than MAX_LINE_BYTES is cut there: its first MAX_LINE_BYTES
    are kept and the rest skipped up to its end (noted in ``scan``), so one
    huge line cannot take all the memory. Only the line the carry starts can
    be that long: every other line of the data lies within one block.
    """
    carry = b""
    skipping = False
    line = 1
    for block in _utf8_blocks(stream, max_bytes, scan):
        if skipping:
            end = block.find(b"\n")
            if end < 0:
                continue
            block, skipping = block[end + 1:], False
            line += 1
        data = carry + block if carry else block
        first = data.find(b"\n")
        if first > MAX_LINE_BYTES or (first < 0 and len(data) > MAX_LINE_BYTES):
            scan.cut_line(line)
            if first < 0:
                yield data[:MAX_LINE_BYTES] + b"\n", line
                skipping, carry = True, b""
                continue
            data = data[:MAX_LINE_BYTES] + data[first:]
        cut = data.rfind(b"\n")
        if cut < 0:
            carry = data
            continue
        body, carry = data[:cut + 1], data[cut + 1:]
        yield body, line
        line += body.count(b"\n")
    if carry:
        yield carry + b"\n", line


def _candidates(lowered: bytes, plan: TriggerPlan) -> list[tuple[int, set[int]]]:
    """Start offsets of the lines holding a planned gram, with the patterns to read them with."""
    starts: set[int] = set()
    for search in plan.searches:
        found = search.search(lowered)
        while found is not None:
            position = found.start()
            starts.add(lowered.rfind(b"\n", 0, position) + 1)
            end = lowered.find(b"\n", position)
            found = search.search(lowered, end + 1) if end >= 0 else None
    candidates = []
    for start in sorted(starts):
        end = lowered.find(b"\n", start)
        patterns = plan.patterns_in(lowered[start:end if end >= 0 else len(lowered)])
        if patterns:
            candidates.append((start, patterns))
    return candidates


class LogScanner:
    """Reads a log stream with one KB's error patterns."""

    def __init__(self, reader: ErrorReader, keep: int = KEEP_LINES) -> None:
        self.reader = reader.log_reader
        self.keep = keep
        self.plan: TriggerPlan | None = None
        self._facts = _FactsCache()
        self._matched_starts: set[int] = set()
        self._last_start = -1

    def scan(self, stream: ByteSource, max_bytes: int) -> LogScan:
        """Read at most max_bytes of the stream; return every connection error found."""
        scan = LogScan()
        last_line = -EVENT_GAP_LINES - 1
        for body, first_line in _lines(stream, max_bytes, scan):
            self._matched_starts = set()
            self._last_start = -1
            scan.lines_read = first_line - 1 + body.count(b"\n")
            line = first_line
            previous = 0
            for start, patterns in self._candidates(body):
                line += body.count(b"\n", previous, start)
                previous = start
                end = body.find(b"\n", start)
                text = body[start:end if end >= 0 else len(body)].decode("utf-8", errors="replace")
                reading = self.reader.reading(text, sorted(patterns) if patterns else None)
                if not reading.matches:
                    continue
                self._record(scan, body, start, line, text, reading, last_line)
                self._matched_starts.add(start)
                last_line = line
        return scan

    def _candidates(self, body: bytes) -> list[tuple[int, set[int]]]:
        """The lines of the block worth reading, each with the patterns to read it with."""
        if self.plan is None:
            self.plan = self.reader.planner.plan(body)
        if self.plan.every_line:
            return [(start, set()) for start in _line_starts(body)]
        return _candidates(body.lower(), self.plan)

    def _record(self, scan: LogScan, body: bytes, start: int, line: int, whole: str,
                reading: Reading, last_line: int) -> None:
        scan.matched_lines += 1
        text = whole[:MAX_LINE_CHARS]  # the head: where a line's time and level are
        found = find_timestamp(text)
        stamp = found[0] if found else None
        if len(scan.kept) < self.keep:  # kept for the report: the part around the match
            scan.kept.append(ErrorLine(line, reading.excerpt(whole, MAX_LINE_CHARS), stamp,
                                       found[1] if found else None, reading))
        before = _nearest_stamp(body, start)
        after_last = self._last_start
        self._last_start = start
        current = scan.events[-1] if scan.events else None
        new_record = stamp is not None or (before is not None and before[1] > after_last)
        if current is not None and not new_record and line - last_line <= EVENT_GAP_LINES:
            current.last_line = line
            current.facts = self._facts.shared({**reading.facts, **current.facts})
            return
        if len(scan.events) >= MAX_EVENTS:
            scan.events_dropped += 1
            return
        quiet = None
        if stamp is None and before is not None:
            stamp = before[0]
        elif stamp is not None and before is not None and before[1] not in self._matched_starts:
            quiet = stamp - before[0] if stamp >= before[0] else None
        scan.events.append(Event(line, line, stamp, quiet, self._facts.shared(dict(reading.facts)),
                                 is_informational(text)))


def _line_starts(body: bytes) -> list[int]:
    """Every line start of the block (the slow path, for patterns without a literal)."""
    starts = [0]
    position = body.find(b"\n")
    while 0 <= position < len(body) - 1:
        starts.append(position + 1)
        position = body.find(b"\n", position + 1)
    return starts


def _nearest_stamp(body: bytes, start: int) -> tuple[float, int] | None:
    """The time and start offset of the nearest earlier timestamped line in the block.

    An untimed error line (an exception under a log line) takes that time; a
    timed one measures from it the quiet time before the failure, unless that
    line was itself an error.
    """
    end = start - 1
    for _ in range(LOOKBACK_LINES):
        if end <= 0:
            return None
        begin = body.rfind(b"\n", 0, end) + 1
        text = body[begin:min(end, begin + MAX_LINE_CHARS)].decode("utf-8", errors="replace")
        stamp = parse_timestamp(text)
        if stamp is not None:
            return stamp, begin
        end = begin - 1
    return None
