"""The child process that times regexes on hostile lines (``engine.backtracking`` runs it).

A search in Python's ``re`` cannot be interrupted: no timeout, and no signal
handler runs until it returns. So searches that may never end run here, in a
process of their own that the parent kills by its PID when one overruns.
This file runs as a script (``python -I -S regexworker.py``) and imports
only the standard library, so it starts in ~10 ms and sees none of the
user's environment.

Protocol: stdin holds one JSON object ``{"flags", "slow", "sizes", "jobs"}``,
each job ``[index, pattern, regex, prefix, pump, breaker, cap]``. For each job and
growing size, stdout gets ``["start", index, size, cpu_so_far]`` before the
search (flushed: the parent must know which search overran) and
``["done", index, size, cpu]`` after it, one JSON array a line; the next
sizes of a job (and the other jobs of the same pattern) are skipped once a
search took more than ``slow`` CPU seconds (the pattern is a finding).
"""

from __future__ import annotations

import json
import re
import sys
import time
from typing import Any


def pump_count(pump: str, cap: int | None, size: int) -> int:
    """How many times the pump is repeated in a line of about ``size`` characters."""
    count = max(1, size // len(pump))
    return min(count, cap) if cap is not None else count


def hostile_line(prefix: str, pump: str, breaker: str, cap: int | None, size: int) -> str:
    """``prefix``, then ``pump`` repeated to about ``size`` characters (at most ``cap``
    times), then ``breaker`` to fill up to ``size`` and once more to fail the match."""
    body = pump * pump_count(pump, cap, size)
    return prefix + body + breaker * max(1, size - len(body))


def _search_seconds(regex: re.Pattern[str], line: str, slow: float) -> float:
    """CPU seconds of one search (CPU time, not wall time: the machine is shared).

    A search over ``slow`` is timed again and the shorter time kept, so a
    hiccup (an interrupt, a page fault) is not taken for backtracking.
    """
    best = float("inf")
    for _ in range(2):
        start = time.process_time()
        regex.search(line)
        best = min(best, time.process_time() - start)
        if best <= slow:
            break
    return best


def _emit(*fields: Any, flush: bool = False) -> None:
    sys.stdout.write(json.dumps(fields) + "\n")
    if flush:
        sys.stdout.flush()


def main() -> None:
    """Run the jobs read from stdin, reporting each search before and after."""
    request = json.load(sys.stdin)
    flags, slow, sizes = request["flags"], request["slow"], request["sizes"]
    slow_patterns: set[str] = set()
    for index, pattern, source, prefix, pump, breaker, cap in request["jobs"]:
        if pattern in slow_patterns:
            continue
        regex = re.compile(source, flags)
        for size in sizes:
            line = hostile_line(prefix, pump, breaker, cap, size)
            _emit("start", index, size, time.process_time(), flush=True)
            seconds = _search_seconds(regex, line, slow)
            _emit("done", index, size, seconds)
            if seconds > slow:
                slow_patterns.add(pattern)
                break
    sys.stdout.flush()


if __name__ == "__main__":
    main()
