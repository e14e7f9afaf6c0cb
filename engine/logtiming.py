"""Timing observations from the connection errors of one log.

From the events found by ``engine.logs`` (one per failure, with its time when
the line has one) this derives what a person would otherwise be asked:

- ``error_count``: how many failures the log holds;
- ``frequency``: ``once`` for one failure, ``intermittent`` for several;
- ``many_at_once``: true when ``BURST_SIZE`` or more failures share one
  second, false when at least that many timed failures never do;
- ``error_period_seconds``: the failures recur at a fixed period (a cron
  job, a health check, a timer closing connections), when at least
  ``MIN_REPEATS`` intervals agree within ``TOLERANCE``;
- ``after_idle`` and ``idle_seconds``: each failure follows the same quiet
  time since the previous (non-error) log line, the mark of an idle timeout.

Which error facts the log supports (``error_kind``, ``side``...) is decided
by majority over events, so one odd line does not outvote a hundred. A log
that holds warnings or errors is read from those: its informational lines
(nginx logs each client that gave up at info) are set aside, so the
consequences of a failure do not outvote its cause (``engine.loglevel``).
"""

from __future__ import annotations

from collections import Counter
from itertools import pairwise
from statistics import median
from typing import Any

from engine.logs import Event, LogScan

BURST_SIZE = 3
MIN_REPEATS = 3
TOLERANCE = 0.1
MIN_PERIOD_SECONDS = 1.0


def _agreeing(values: list[float]) -> float | None:
    """The median of the values when nearly all lie within TOLERANCE of it, else None."""
    if len(values) < MIN_REPEATS:
        return None
    middle = median(values)
    if middle < MIN_PERIOD_SECONDS:
        return None
    slack = max(TOLERANCE * middle, 1.0)
    close = sum(1 for value in values if abs(value - middle) <= slack)
    return round(middle, 1) if close >= 0.8 * len(values) else None


def events_that_count(events: list[Event]) -> list[Event]:
    """The events, less the informational ones when the log has warnings or errors too."""
    if any(event.informational is False for event in events):
        return [event for event in events if event.informational is not True]
    return events


def timing_facts(scan: LogScan) -> dict[str, Any]:
    """The timing observations the log's events support (absent when it cannot tell)."""
    events = events_that_count(scan.events)
    facts: dict[str, Any] = {}
    if not events:
        return facts
    count = len(events) + scan.events_dropped
    facts["error_count"] = count
    facts["frequency"] = "once" if count == 1 else "intermittent"
    stamps = sorted(e.timestamp for e in events if e.timestamp is not None)
    if len(stamps) >= BURST_SIZE:
        per_second = Counter(int(stamp) for stamp in stamps)
        facts["many_at_once"] = max(per_second.values()) >= BURST_SIZE
    distinct = sorted(set(stamps))
    intervals = [b - a for a, b in pairwise(distinct)]
    period = _agreeing(intervals)
    if period is not None:
        facts["error_period_seconds"] = period
    quiet = [e.quiet_seconds for e in events if e.quiet_seconds is not None]
    idle = _agreeing(quiet)
    if idle is not None and len(quiet) >= 0.5 * len(events):
        facts["after_idle"] = True
        facts["idle_seconds"] = idle
    return facts


def majority_facts(events: list[Event]) -> dict[str, tuple[Any, str]]:
    """For each error fact, the value most events support, with a pattern that said it."""
    votes: dict[str, Counter[str]] = {}
    example: dict[tuple[str, str], tuple[Any, str]] = {}
    for event in events_that_count(events):
        for fact, (value, pattern_id) in event.facts.items():
            key = repr(value)
            votes.setdefault(fact, Counter())[key] += 1
            example.setdefault((fact, key), (value, pattern_id))
    chosen = {}
    for fact, counter in votes.items():
        key, _ = counter.most_common(1)[0]
        chosen[fact] = example[(fact, key)]
    return chosen
