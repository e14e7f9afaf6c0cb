"""Finding error patterns whose regex backtracks catastrophically, before a hostile line does.

Python's ``re`` backtracks. A repeat inside a repeat that can match the same
text in several ways (``(a+)+``, ``(\\w+\\s?)*``, ``(.*a){12}``) tries every
way of splitting a line it cannot match: 2**n ways for n characters, so 28
characters took 15 s. A search cannot be interrupted (no timeout; no signal
handler runs until it returns), and ``--error`` and ``--log`` read untrusted
text with the patterns of every extra KB. So the checks of a KB that loads
(``kb validate``, ``kb test``, any command with ``--kb``) look for them:

1. Static, every pattern (~6 ms for the built-in KB's 2,030): the parse
   tree's *ambiguous repeats*, repeats of more than one iteration whose body
   varies (holds a repeat of variable count or an alternation). A regex
   without one cannot backtrack exponentially. The source is screened first
   (such a repeat repeats a group: ")" then a quantifier), so ~1 % are parsed.
2. Dynamic, candidates only (17 in the built-in KB): static analysis alone
   cannot tell ``(?:U[A-Z]{1,4},)*`` (a comma ends each part: one way to
   split) from ``(\\w+\\s?)*`` without modelling character sets, which is
   where static detectors get complicated and wrong. So each candidate is
   timed on hostile lines built from its structure -- the text that leads to
   the repeat, the repeat's body spelt again and again (the pump), then a
   character that fails what follows (the breaker) -- of 10 to 160
   characters. Backtracking that is catastrophic shows on such short lines
   (2**20 ways at 20 characters); a linear search of them takes a few µs, so
   one over ``SLOW_SECONDS`` (1 ms) of CPU time, confirmed by a second run,
   is a finding. CPU time, not wall time: the machine is shared. The
   searches run in a child process (``engine.regexworker``), killed by its
   PID when one overruns, so the check ends whatever the regex does.

Why not longer lines: on 20,000 characters even ``\\w+$`` takes 0.9 s (a
failed search starts again at every character: quadratic, not
catastrophic), and so would every "fixed" regex. Not caught here: slowness
without nested repeats (``.*.*.*x`` is cubic); pytest's hostile-line test
covers the built-in KB for that.
"""

from __future__ import annotations

import json
import os
import re
import select
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

from engine.errortext import WINDOW_CHARS
from engine.literalcheck import texts_of_items
from engine.regexworker import hostile_line, pump_count

SLOW_SECONDS = 0.001  # CPU time of a search of a short hostile line that is a finding
SEARCH_TIMEOUT = 1.0  # wall seconds before a search is stopped (and its CPU time read)
STARTUP_TIMEOUT = 10.0  # wall seconds for the worker to start and report its first search
RETRIES = 2  # a stopped search that got little CPU (a busy machine) is tried again
TOTAL_SECONDS = 30.0  # wall time of the whole dynamic check; what is left is reported
SIZES = (10, 15, 20, 25, 30, 40, 60, 80, 120, 160)  # characters of the hostile lines
BREAKERS = ("!", "_", "\n")  # not a word character; a word character but not a letter; a line end
MAX_REPEATS = 8  # ambiguous repeats tried per pattern, outermost first
MAX_PUMPS = 2  # texts of each repeat's body tried as the pump
REPEATS = (sre.MAX_REPEAT, sre.MIN_REPEAT)  # possessive repeats never give back
# An ambiguous repeat repeats a group: a ")" then a quantifier (in verbose mode, maybe
# after spaces or a comment: any regex that may set the x flag is parsed).
MAY_NEST = re.compile(r"\)(?:[*+]|\{)|\(\?[a-zA-Z-]*x")
WORKER = Path(__file__).resolve().parent / "regexworker.py"
FIX = ("make the repeats unambiguous, so each part of a line can match only one way "
       "('a+' for '(a+)+', '\\w+(?: \\w+)*' for '(\\w+\\s?)*'), possessive ('\\w++') "
       "or bounded ('{1,30}')")


@dataclass(frozen=True)
class Attack:
    """A hostile line shape for one ambiguous repeat: prefix, pump repeated, breaker."""

    prefix: str
    pump: str
    breaker: str
    cap: int | None  # most pumps the repeat takes without completing (its maximum - 1)

    def line(self, size: int) -> str:
        """The hostile line of about ``size`` characters."""
        return hostile_line(self.prefix, self.pump, self.breaker, self.cap, size)

    def shape(self, size: int) -> str:
        """The line as a reader can picture it: ``'GET ' + 'a' × 20 + '!'``."""
        count = pump_count(self.pump, self.cap, size)
        fill = len(self.line(size)) - len(self.prefix) - count * len(self.pump)
        parts = [repr(self.prefix)] if self.prefix else []
        parts.append(f"{self.pump!r} × {count}")
        parts.append(repr(self.breaker) + (f" × {fill}" if fill > 1 else ""))
        return " + ".join(parts)


@dataclass(frozen=True)
class Finding:
    """A pattern whose search of a hostile line took too long (or was not checked)."""

    attack: Attack | None
    size: int
    seconds: float
    finished: bool
    before: tuple[int, float] | None = None  # the previous size and its time
    unchecked: str | None = None  # why the pattern could not be checked

    def message(self, pattern_id: str, regex: str) -> str:
        """One line: the pattern, the slow line's shape and time, how to fix it, the regex."""
        if self.unchecked is not None or self.attack is None:
            return (f"{pattern_id}: regex not checked for catastrophic backtracking: "
                    f"{self.unchecked} (got {regex!r})")
        length = len(self.attack.line(self.size))
        took = (f"took {_duration(self.seconds)} of CPU" if self.finished
                else f"was stopped after {_duration(self.seconds)} of CPU")
        earlier = ""
        if self.before is not None:
            earlier = f" ({self.before[0]} characters: {_duration(self.before[1])})"
        # a regex never runs on more than one window of a line (engine.errortext)
        longest = self.seconds * WINDOW_CHARS / length
        return (f"{pattern_id}: regex backtracks catastrophically: a search of "
                f"{self.attack.shape(self.size)} ({length} characters) {took}{earlier}, so a "
                f"{WINDOW_CHARS:,}-character stretch of a line takes {_duration(longest)} or "
                f"more; {FIX} (got {regex!r})")


def _duration(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.1f} s"
    return f"{seconds * 1000:.2f} ms" if seconds < 0.01 else f"{seconds * 1000:.0f} ms"


def attacks(regex: str, flags: int) -> list[Attack]:
    """The hostile line shapes for the regex's ambiguous repeats (none for most regexes)."""
    if not MAY_NEST.search(regex):
        return []
    found: list[tuple[str, list[Any], int | None]] = []
    try:
        _ambiguous_repeats(list(sre_parse.parse(regex, flags)), "", found)
    except (re.error, RecursionError, OverflowError):
        return []  # reported as not compiling by the caller
    shapes: list[Attack] = []
    for prefix, body, cap in found[:MAX_REPEATS]:
        pumps = list(dict.fromkeys(text for text in texts_of_items(body) if text))
        for pump in pumps[:MAX_PUMPS]:
            shapes.extend(Attack(prefix, pump, breaker, cap) for breaker in BREAKERS)
    return shapes


def _ambiguous_repeats(
    items: list[Any], prefix: str, found: list[tuple[str, list[Any], int | None]]
) -> None:
    """Each repeat of several iterations whose body varies, with the text that leads to it.

    Inside atomic groups, possessive repeats and lookarounds too: they give
    nothing back once matched, but backtrack while they are being matched.
    """
    for op, value in items:
        if op in REPEATS:
            _, high, body = value
            unbounded = high is sre.MAXREPEAT
            if (unbounded or high > 1) and _varies(list(body)):
                found.append((prefix, list(body), None if unbounded else high - 1))
        for part in _parts(op, value):
            _ambiguous_repeats(part, prefix, found)
        spelt = texts_of_items([(op, value)])
        prefix += spelt[0] if spelt else ""


def _parts(op: Any, value: Any) -> list[list[Any]]:
    """The item lists nested in one parsed item (a group's, each branch's, a repeat's body)."""
    if op in (*REPEATS, sre.POSSESSIVE_REPEAT):
        return [list(value[2])]
    if op is sre.SUBPATTERN:
        return [list(value[-1])]
    if op in (sre.ASSERT, sre.ASSERT_NOT):
        return [list(value[1])]
    if op is sre.ATOMIC_GROUP:
        return [list(value)]
    if op is sre.BRANCH:
        return [list(branch) for branch in value[1]]
    if op is sre.GROUPREF_EXISTS:
        return [list(branch) for branch in value[1:] if branch is not None]
    return []


def _varies(items: list[Any]) -> bool:
    """Whether the items can match one text in several ways or texts of several lengths.

    Atomic groups and possessive repeats never give back what they matched, so
    they do not count; lookarounds match no text.
    """
    return any(_item_varies(op, value) for op, value in items)


def _item_varies(op: Any, value: Any) -> bool:
    if op in REPEATS:
        low, high, body = value
        return bool(low != high or _varies(list(body)))
    if op is sre.SUBPATTERN:
        return _varies(list(value[-1]))
    return op in (sre.BRANCH, sre.GROUPREF_EXISTS)


def find_slow(patterns: Sequence[tuple[str, str]], flags: int) -> dict[str, Finding]:
    """Pattern id to finding for each pattern whose regex backtracks catastrophically.

    ``patterns`` holds (id, regex) pairs of regexes that compile. Bounded: no
    search runs past ``SEARCH_TIMEOUT`` (times ``4 ** RETRIES`` on a starved
    machine) and the whole check past ``TOTAL_SECONDS``, after which the
    patterns left are reported as not checked.
    """
    jobs = [(pattern_id, regex, attack) for pattern_id, regex in patterns
            for attack in attacks(regex, flags)]
    if not jobs:
        return {}
    return _Run(jobs, flags).findings


@dataclass
class _Search:
    """The search the worker said it started: which job, what size, its CPU clock then."""

    job: int
    size: int
    cpu_at_start: float


class _Run:
    """Runs the jobs in worker processes, one at a time, starting a new one after each kill.

    A worker stopped while it got little CPU (a busy machine, not a slow regex)
    is started again with four times the time, at most ``RETRIES`` times in a
    run; after that, the patterns left are reported as not checked.
    """

    def __init__(self, jobs: list[tuple[str, str, Attack]], flags: int) -> None:
        self.jobs = jobs
        self.flags = flags
        self.findings: dict[str, Finding] = {}
        self.timings: dict[int, tuple[int, float]] = {}
        self.starved = 0
        self.deadline = time.monotonic() + TOTAL_SECONDS
        pending = list(range(len(jobs)))
        while pending:
            pending = [i for i in pending if self._open(i)]
            if pending and time.monotonic() >= self.deadline:
                self._unchecked(pending, f"the check's {TOTAL_SECONDS:g} s were spent on "
                                "slower patterns; fix those and validate again")
                break
            if pending:
                pending = self._worker(pending)

    def _open(self, job: int) -> bool:
        """Whether the job's pattern still needs timing (no finding for it yet)."""
        return self.jobs[job][0] not in self.findings

    def _unchecked(self, pending: list[int], reason: str) -> None:
        for job in pending:
            if self._open(job):
                self.findings[self.jobs[job][0]] = Finding(None, 0, 0.0, False, unchecked=reason)

    def _worker(self, pending: list[int]) -> list[int]:
        """Run the jobs in one worker; return those left when it had to be stopped."""
        import tempfile

        request = {
            "flags": self.flags, "slow": SLOW_SECONDS, "sizes": list(SIZES),
            "jobs": [[i, pattern_id, regex, a.prefix, a.pump, a.breaker, a.cap]
                     for i in pending for pattern_id, regex, a in [self.jobs[i]]],
        }
        # The request goes in a file: writing it to a pipe could block on a worker that hangs.
        with tempfile.TemporaryFile() as stdin:
            stdin.write(json.dumps(request).encode())
            stdin.seek(0)
            try:
                worker = subprocess.Popen([sys.executable, "-I", "-S", str(WORKER)], stdin=stdin,
                                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
            except OSError as error:
                self._unchecked(pending, f"cannot start {sys.executable or 'python'}: {error}")
                return []
        try:
            return self._drive(worker, pending)
        finally:
            if worker.returncode is None:
                worker.kill()  # by its PID: only when interrupted (Ctrl-C) or a read failed
                worker.wait()
            if worker.stdout is not None:
                worker.stdout.close()

    def _drive(self, worker: subprocess.Popen[bytes], pending: list[int]) -> list[int]:
        """Read the worker's reports until it ends, or stop it when a report is overdue."""
        assert worker.stdout is not None
        events = _Lines(worker.stdout.fileno())
        running: _Search | None = None
        current = pending[0]
        last_event = time.monotonic()
        while True:
            wait = SEARCH_TIMEOUT if running else STARTUP_TIMEOUT
            line = events.next(min(last_event + wait * 4.0 ** self.starved, self.deadline))
            if line is None:
                break
            if line == b"":
                return self._stopped(worker, running, [i for i in pending if i >= current])
            last_event = time.monotonic()
            try:
                kind, current, size, seconds = json.loads(line)
            except ValueError:
                worker.kill()  # by its PID: it does not speak our protocol
                break
            if kind == "start":
                running = _Search(current, size, seconds)
            else:
                running = None
                self._timed(current, size, seconds)
        if worker.wait() != 0 or running is not None:
            self._unchecked([i for i in pending if i >= current], "the regex timing process "
                            f"failed (exit {worker.returncode})")
        return []

    def _timed(self, job: int, size: int, seconds: float) -> None:
        pattern_id, _, attack = self.jobs[job]
        if seconds > SLOW_SECONDS and self._open(job):
            self.findings[pattern_id] = Finding(attack, size, seconds, True,
                                                self.timings.get(job))
        self.timings[job] = (size, seconds)

    def _stopped(self, worker: subprocess.Popen[bytes], running: _Search | None,
                 left: list[int]) -> list[int]:
        """Kill the overdue worker (by its PID) and judge its search by the CPU it used."""
        os.kill(worker.pid, signal.SIGKILL)
        _, status, usage = os.wait4(worker.pid, 0)
        worker.returncode = os.waitstatus_to_exitcode(status)
        spent = usage.ru_utime + usage.ru_stime - (running.cpu_at_start if running else 0.0)
        if running is not None and spent >= SLOW_SECONDS:
            pattern_id, _, attack = self.jobs[running.job]
            self.findings[pattern_id] = Finding(attack, running.size, spent, False,
                                                self.timings.get(running.job))
            return left
        if time.monotonic() >= self.deadline:
            return left  # out of time: the caller reports what is left
        if self.starved < RETRIES:
            self.starved += 1  # it got little CPU: a busy machine, not a slow regex
            return left
        self._unchecked(left, f"the machine was too busy to time it (a search got "
                        f"{_duration(spent)} of CPU before it was stopped); validate again")
        return []


class _Lines:
    """Lines read from a pipe with a deadline (``select``: a read alone could block forever)."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.buffer = b""

    def next(self, deadline: float) -> bytes | None:
        """The next line; None at end of output; ``b""`` when the deadline passed first."""
        while b"\n" not in self.buffer:
            wait = deadline - time.monotonic()
            if wait <= 0 or not select.select([self.fd], [], [], wait)[0]:
                return b""
            chunk = os.read(self.fd, 65536)
            if not chunk:
                return None
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        return line
