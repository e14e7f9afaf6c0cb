"""``--log FILE``: read a log or stack trace ('-' is stdin) for connection errors.

The file is streamed (``engine.logs``) and at most ``MAX_LOG_BYTES`` are
read; a longer log is read up to that bound and a note says so on stderr.
Each line is read whole up to ``MAX_LINE_BYTES``; past it, the rest of the line
is skipped and one note names the first such line and how many there were.
What the log implies becomes ``log`` statements: the error facts most of
its failures agree on (detail: the pattern id) and the timing observations
(detail: ``log timing``); when it has warnings or errors, its informational
lines are set aside and a note on stderr says how many. The report's ``error_lines`` lists the first
``KEEP_LINES`` lines read, with their line number, pattern and facts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TextIO

from cli.compressed import Decompressed, open_log_stream
from cli.environment import Environment
from cli.peerview import split_peer_view
from engine.errors import InputError
from engine.errortext import reader_for
from engine.facts import FactRecord, Source
from engine.logs import MAX_LINE_BYTES, ByteSource, LogScan, LogScanner
from engine.logtiming import events_that_count, majority_facts, timing_facts
from engine.session import Session

MAX_LOG_BYTES = 512 * 1024 * 1024
LINE_CHARS = 300


def log_records(session: Session, file: str, env: Environment, *,
                peer: bool = False) -> list[FactRecord]:
    """Statements read from a log file ('-' is stdin), at most MAX_LOG_BYTES of it.

    With ``peer`` (``--peer-log``) the log is the other end's: only the facts
    both ends share are taken (``cli.peerview``), and its failures' count and
    timing, which are the peer's (all its clients'), are not.
    """
    flag = "--peer-log" if peer else "--log"
    scanner = LogScanner(reader_for(session.knowledge))
    try:
        if file == "-":
            scan, damage = _scan(scanner, _binary_stdin(env), file, flag)
        else:
            with Path(file).open("rb") as handle:
                scan, damage = _scan(scanner, handle, file, flag)
    except OSError as error:
        raise InputError(f"{flag} {file}: cannot read: {error.strerror or error}") from error
    if damage:
        env.message(f"{flag} {file}: {damage}")
    if scan.truncated:
        env.message(f"{flag} {file}: read only the first {MAX_LOG_BYTES // 2**20} MiB")
    if scan.first_long_line is not None:
        env.message(long_lines_note(scan, f"{flag} {file}"))
    if not scan.matched_lines:
        env.message(f"{flag} {file}: no connection error found in {scan.lines_read} line(s)")
    set_aside = len(scan.events) - len(events_that_count(scan.events))
    if set_aside:
        env.message(f"{flag} {file}: {set_aside} informational failure(s) (info, notice, debug) "
                    "set aside: the log has warnings or errors, read from those")
    session.error_lines.extend(error_line_entries(scan, peer=peer))
    facts = majority_facts(scan.events)
    if peer:
        facts, _ = split_peer_view(facts)
        if timing := timing_facts(scan):
            env.message(f"{flag} {file}: the count and timing of its failures "
                        f"({', '.join(sorted(timing))}) are the peer's, all its clients': "
                        "not used")
        return [FactRecord(fact, value, Source.LOG, f"peer_log {pattern_id}")
                for fact, (value, pattern_id) in facts.items()]
    records = [FactRecord(fact, value, Source.LOG, pattern_id)
               for fact, (value, pattern_id) in facts.items()]
    timing = timing_facts(scan)
    for fact, value in timing.items():
        if fact not in {r.fact for r in records}:
            records.append(FactRecord(fact, value, Source.LOG, "log timing"))
    return records


def _scan(scanner: LogScanner, raw: ByteSource, name: str,
          flag: str) -> tuple[LogScan, str | None]:
    """Scan the log (decompressed when it is a rotated .gz, .bz2 or .xz); and any damage."""
    stream = open_log_stream(raw, name, flag)
    scan = scanner.scan(stream, MAX_LOG_BYTES)
    return scan, stream.damage if isinstance(stream, Decompressed) else None


def long_lines_note(scan: LogScan, where: str) -> str:
    """The one note for the lines cut at MAX_LINE_BYTES: the first, and how many."""
    others = scan.long_lines - 1
    more = f" (and {others} more line(s) as long)" if others else ""
    return (f"{where}: line {scan.first_long_line} is longer than {MAX_LINE_BYTES // 2**20} MiB"
            f"{more}: read its first {MAX_LINE_BYTES // 2**20} MiB, the rest skipped")


class _EncodedText:
    """A text stream read as UTF-8 bytes, chunk by chunk (stdin without a buffer, in tests)."""

    def __init__(self, text: TextIO) -> None:
        self._text = text

    def read(self, size: int = -1, /) -> bytes:
        return self._text.read(size).encode("utf-8", errors="replace")


def _binary_stdin(env: Environment) -> ByteSource:
    buffer = getattr(env.stdin, "buffer", None)
    return buffer if buffer is not None else _EncodedText(env.stdin)


def error_line_entries(scan: LogScan, *, peer: bool = False) -> list[dict[str, Any]]:
    """The report's account of the lines read: number, text, time, pattern and facts
    (for the peer's log, what was ``not_used`` as well: the peer's own view)."""
    entries = []
    for line in scan.kept:
        facts = {fact: value for fact, (value, _) in line.reading.facts.items()}
        entry: dict[str, Any] = {
            "source": "peer_log" if peer else "log", "line": line.number,
            "text": line.reading.excerpt(line.text, LINE_CHARS), "timestamp": line.timestamp_text,
            "pattern": line.reading.best_pattern, "patterns": line.reading.pattern_ids,
            "fact_patterns": line.reading.fact_patterns, "facts": facts,
        }
        if peer:
            entry["facts"], entry["not_used"] = split_peer_view(facts)
        entries.append(entry)
    return entries
