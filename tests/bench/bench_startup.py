"""Start-up time of the command line against ``python -c pass``.

Runs each command RUNS times in a fresh interpreter (the way a shell runs it)
and prints the median wall time and the extra over the bare interpreter,
with the targets of issue 6: ``--help`` under 250 ms extra, ``diagnose
--no-input --fact ...`` end to end under 400 ms extra.

    python tests/bench/bench_startup.py [RUNS]
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 10
CLI = [sys.executable, "-m", "cli"]
CASES: list[tuple[str, list[str], float | None]] = [
    ("python -c pass", [sys.executable, "-c", "pass"], None),
    ("conndoctor --help", [*CLI, "--help"], 250.0),
    ("conndoctor --version", [*CLI, "--version"], 250.0),
    ("diagnose --no-input --fact ... --error ...",
     [*CLI, "diagnose", "--no-input", "--fact", "after_idle=true", "--fact", "idle_seconds=8",
      "--error", "read: connection reset by peer"], 400.0),
    ("diagnose --no-input --format json (no facts)",
     [*CLI, "diagnose", "--no-input", "--format", "json"], 400.0),
]
SCRIPT = Path(sys.executable).parent / "conndoctor"
if SCRIPT.exists():  # the console script, as a user runs it
    CASES.append(("conndoctor --help (console script)", [str(SCRIPT), "--help"], 250.0))


def wall_ms(command: list[str]) -> float:
    """One run's wall time in milliseconds."""
    env = dict(os.environ, PYTHONPATH=str(REPO))
    started = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   env=env, cwd=REPO, check=True, timeout=60)
    return (time.perf_counter() - started) * 1000


def main() -> int:
    """Print the table (a missed target shows NO; the exit status stays 0: numbers, not a test).

    The commands run interleaved (baseline, then each command, RUNS rounds)
    so that load from other processes hits all of them alike; the extra is
    the difference of medians, and the minimum is shown as the noise-free bound.
    """
    times: dict[str, list[float]] = {name: [] for name, _, _ in CASES}
    for round_ in range(RUNS + 1):
        for name, command, _ in CASES:
            ms = wall_ms(command)
            if round_:  # round 0 warms the disk cache
                times[name].append(ms)
    base_median = statistics.median(times[CASES[0][0]])
    base_min = min(times[CASES[0][0]])
    print(f"{'command':<46} {'median':>7} {'extra':>7} {'min':>7} {'extra':>7} {'target':>7}  ok")
    missed = 0
    for name, _, target in CASES:
        median, least = statistics.median(times[name]), min(times[name])
        extra = median - base_median
        ok = "" if target is None else ("yes" if extra < target else "NO")
        missed += ok == "NO"
        shown = f"<{target:.0f}" if target else ""
        print(f"{name:<46} {median:>7.1f} {extra:>7.1f} {least:>7.1f} "
              f"{least - base_min:>7.1f} {shown:>7}  {ok}")
    print(f"(ms; {RUNS} interleaved runs each; {sys.executable}; {missed} target(s) missed)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
