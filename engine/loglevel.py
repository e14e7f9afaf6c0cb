"""Whether a log line was written at an informational level, where the line says so.

A server logs its own failures at warning and above and, at info, the
clients that went away: nginx writes ``[crit] accept4() failed (24: Too many
open files)`` once and then ``[info] client prematurely closed connection``
for every client that gave up waiting. Counted alike, the consequences
outvote the cause. ``engine.logtiming`` therefore reads a log that holds
warnings or errors from those lines, and its informational ones only when
nothing more severe matched.

The level is looked for in the line's head only, in the forms logs write it:
``[error]`` (nginx, Apache's ``[proxy:error]``), ``level=warn`` and
``"level":"info"`` (logfmt, JSON), a bare upper-case word (log4j, Python's
logging, zap's console) and klog's leading letter (``I1121 10:00:00``). A
line without one, or with one this does not know (Postgres's ``LOG:``, at
which it reports client resets; syslog's priority, which HAProxy sets to
info for every traffic line), is ``None``: it always counts.
"""

from __future__ import annotations

import re

HEAD_CHARS = 120

INFORMATIONAL = frozenset({"debug", "trace", "info", "notice", "verbose"})
PROBLEM = frozenset({"warn", "warning", "error", "err", "crit", "critical", "alert", "emerg",
                     "fatal", "severe", "panic"})
_NAMES = "|".join(sorted(INFORMATIONAL | PROBLEM, key=len, reverse=True))

BRACKETED = re.compile(rf"\[(?:[\w.-]{{1,30}}:)?({_NAMES})\]", re.IGNORECASE)
KEYED = re.compile(rf"""\b(?:level|severity|lvl)["']?\s?[=:]\s?["']?({_NAMES})\b""",
                   re.IGNORECASE)
BARE = re.compile(rf"(?<![\w-])({_NAMES.upper()})(?![\w-])")
KLOG = re.compile(r"^([IWEF])\d{4} \d{2}:\d{2}:\d{2}")
KLOG_LEVELS = {"I": "info", "W": "warning", "E": "error", "F": "fatal"}


def level_of(line: str) -> str | None:
    """The level the line names in its head (lower case), or None.

    A line can carry two markers when one program wraps another's output
    (``[info] time=… level=fatal msg=…``, a supervisor around logrus): the
    more severe wins, so a wrapped failure is never set aside as info. A bare
    upper-case word counts only when no bracket or key names a level.
    """
    head = line[:HEAD_CHARS]
    klog = KLOG.match(head)
    if klog:
        return KLOG_LEVELS[klog.group(1)]
    named = [str(found).lower() for pattern in (BRACKETED, KEYED)
             for found in pattern.findall(head)]
    if named:
        return next((level for level in named if level in PROBLEM), named[0])
    bare = BARE.search(head)
    return bare.group(1).lower() if bare else None


def is_informational(line: str) -> bool | None:
    """True for debug/info/notice lines, False for warnings and worse, None when unsaid."""
    level = level_of(line)
    return None if level is None else level in INFORMATIONAL
