"""What the error text and the log were read as, one entry per line read, for every renderer.

The JSON's ``error_lines`` holds these entries in full. The text, rich and
Markdown reports show the first few, so a user who pasted an error or gave
``--log`` sees which line gave which fact, and which text matched no
pattern, without asking for JSON. All renderers draw the same rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from cli.how import show
from engine.report import DiagnosisReport

MAX_SHOWN = 8
TEXT_CHARS = 100
NOTHING_READ = "nothing (no known error pattern matched)"


@dataclass(frozen=True)
class ReadingRow:
    """One text that was read: where it came from, its first line, and what it said."""

    where: str
    text: str
    read_as: str
    pattern: str | None


CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def visible(text: str) -> str:
    """Control characters as escapes (``\\x1b``): a pasted error or a log line must not
    retitle, clear or recolour the user's terminal when the report echoes it."""
    return CONTROL_CHARS.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def _first_line(text: str) -> str:
    """The first non-blank line, shortened; a multi-line paste says how many lines follow."""
    lines = [visible(line.strip()) for line in text.splitlines() if line.strip()]
    if not lines:
        return ""
    first = lines[0]
    if len(first) > TEXT_CHARS:
        first = first[:TEXT_CHARS - 3] + "..."
    more = len(lines) - 1
    return f"{first} (+{more} more line{'s' if more > 1 else ''})" if more else first


def _where(entry: dict[str, Any]) -> str:
    if entry.get("source") == "log":
        where = f"log line {entry['line']}" if entry.get("line") else "log"
        return f"{where} ({entry['timestamp']})" if entry.get("timestamp") else where
    if entry.get("source") == "peer_log":
        return "peer's log"
    return "error text"


def _via(entry: dict[str, Any], fact: str) -> str:
    """The suffix ' via PATTERN' for a fact another pattern than the row's own gave, or ''."""
    pattern = (entry.get("fact_patterns") or {}).get(fact)
    return f" via {pattern}" if pattern and pattern != entry.get("pattern") else ""


def reading_rows(report: DiagnosisReport) -> list[ReadingRow]:
    """The first ``MAX_SHOWN`` texts read, in the order they were read."""
    rows = []
    for entry in report.error_lines[:MAX_SHOWN]:
        facts = entry.get("facts") or {}
        read_as = ", ".join(f"{fact}={show(value)}{_via(entry, fact)}"
                            for fact, value in facts.items())
        if entry.get("not_used"):  # the peer's own view of the failure, not this side's
            peer_view = ", ".join(f"{f}={show(v)}" for f, v in entry["not_used"].items())
            read_as = f"{read_as}; " if read_as else ""
            read_as += f"not used, the peer's own view: {peer_view}"
        rows.append(ReadingRow(_where(entry), _first_line(str(entry.get("text", ""))),
                               read_as or NOTHING_READ, entry.get("pattern")))
    return rows


_READ_FROM = {"log": "the log", "peer_log": "the peer's log"}


def readings_heading(report: DiagnosisReport) -> str:
    """The section title: which inputs were read."""
    sources = {entry.get("source") for entry in report.error_lines}
    names = [name for source, name in _READ_FROM.items() if source in sources]
    if sources - set(_READ_FROM):
        names.insert(0, "the error text")
    return "Read from " + " and ".join(names)


def not_shown(report: DiagnosisReport) -> str | None:
    """A note on the entries left out, pointing to the JSON that has them."""
    hidden = len(report.error_lines) - MAX_SHOWN
    if hidden <= 0:
        return None
    return f"... and {hidden} more in --format json (error_lines)"
