"""Timestamps at the start of log lines, in the formats logs actually use.

Only lines already read as connection errors (and their neighbours) are
parsed, so this runs a few times per error, not once per log line. Times
without a zone are taken as UTC and syslog times without a year as the year
2000: only differences between times matter to the timing observations. The
report shows each timestamp as the line wrote it.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

HEAD_CHARS = 200

MONTHS = {name: index for index, name in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}

# 2026-11-21T10:00:00.123Z, 2026-11-21 10:00:00,123 +0100 (ISO 8601, log4j, Postgres, ALB)
ISO = re.compile(
    r"(?<!\d)(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?"
    r" ?(Z|[+-]\d{2}:?\d{2})?"
)
# 2026/11/21 10:00:00 (nginx error log, Go's log package)
SLASHED = re.compile(r"(?<!\d)(\d{4})/(\d{2})/(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?")
# [21/Nov/2026:10:00:00.123 +0000] (common log format, HAProxy)
CLF = re.compile(
    r"\[(\d{2})/([A-Za-z]{3})/(\d{4}):(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?: ([+-]\d{4}))?\]"
)
# Nov 21 10:00:00 (syslog, RFC 3164)
SYSLOG = re.compile(r"^(?:<\d+>)?([A-Za-z]{3}) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?")
# E1121 10:00:00.123456 (klog: kubectl, kubelet)
KLOG = re.compile(r"^[IWEF](\d{2})(\d{2}) (\d{2}):(\d{2}):(\d{2})\.(\d{1,9})")


def _zone(text: str | None) -> timezone:
    if not text or text == "Z":
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:4])))


def _fraction(text: str | None) -> float:
    return float("0." + text) if text else 0.0


def _stamp(year: int, month: int, day: int, hms: tuple[str, str, str],
           fraction: str | None, zone: timezone) -> float | None:
    try:
        moment = datetime(year, month, day, int(hms[0]), int(hms[1]), int(hms[2]), tzinfo=zone)
    except ValueError:
        return None
    return moment.timestamp() + _fraction(fraction)


def find_timestamp(line: str) -> tuple[float, str] | None:
    """The first timestamp near the start of the line: seconds since the epoch, and its text."""
    head = line[:HEAD_CHARS]
    seconds: float | None = None
    match = ISO.search(head)
    if match:
        y, mo, d, h, mi, s, frac, zone = match.groups()
        seconds = _stamp(int(y), int(mo), int(d), (h, mi, s), frac, _zone(zone))
    elif match := SLASHED.search(head):
        y, mo, d, h, mi, s, frac = match.groups()
        seconds = _stamp(int(y), int(mo), int(d), (h, mi, s), frac, UTC)
    elif match := CLF.search(head):
        d, mon, y, h, mi, s, frac, zone = match.groups()
        month = MONTHS.get(mon.lower())
        seconds = _stamp(int(y), month, int(d), (h, mi, s), frac, _zone(zone)) if month else None
    elif match := SYSLOG.search(head):
        mon, d, h, mi, s, frac = match.groups()
        month = MONTHS.get(mon.lower())
        seconds = _stamp(2000, month, int(d), (h, mi, s), frac, UTC) if month else None
    elif match := KLOG.search(head):
        mo, d, h, mi, s, frac = match.groups()
        seconds = _stamp(2000, int(mo), int(d), (h, mi, s), frac, UTC)
    if seconds is None or match is None:
        return None
    return seconds, match.group(0).strip("[] ")


def parse_timestamp(line: str) -> float | None:
    """Seconds since the epoch of the first timestamp near the start of the line, if any."""
    found = find_timestamp(line)
    return found[0] if found else None
