"""Start-up time of the command line against ``python -c pass``.

Runs each command RUNS times in a fresh interpreter (the way a shell runs it)
and prints the median wall time and the extra over the bare interpreter,
with the targets of issue 6: ``--help`` under 250 ms extra, ``diagnose
--no-input --fact ...`` end to end under 400 ms extra.

    python tests/bench/bench_startup.py [RUNS]

The runs see the bytecode cache (``__pycache__``) as an installed user's
do: pip compiles it at install time, and an editable install writes it on
the first run. ``PYTHONDONTWRITEBYTECODE`` is therefore removed from the
children's environment (it is set on some build machines, this one among
them, and recompiling conndoctor's ~60 modules from source on every run
adds ~50 ms that no installed user pays). Round 0 writes the caches.
"""

from __future__ import annotations

import os
import resource
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


def timed_run(command: list[str]) -> tuple[float, float]:
    """One run's wall time and CPU time (user + system of the child), in milliseconds."""
    env = dict(os.environ, PYTHONPATH=str(REPO))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   env=env, cwd=REPO, check=True, timeout=60)
    wall = (time.perf_counter() - started) * 1000
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000
    return wall, cpu


def main() -> int:
    """Print the table (a missed target shows NO; the exit status stays 0: numbers, not a test).

    The commands run interleaved (baseline, then each command, RUNS rounds)
    so that load from other processes hits all of them alike; the extra is
    the difference of medians.
    """
    walls: dict[str, list[float]] = {name: [] for name, _, _ in CASES}
    cpus: dict[str, list[float]] = {name: [] for name, _, _ in CASES}
    for round_ in range(RUNS + 1):
        for name, command, _ in CASES:
            wall, cpu = timed_run(command)
            if round_:  # round 0 warms the disk and bytecode caches
                walls[name].append(wall)
                cpus[name].append(cpu)
    base = CASES[0][0]
    base_wall, base_cpu = statistics.median(walls[base]), statistics.median(cpus[base])
    print(f"{'command':<46} {'wall':>7} {'extra':>7} {'cpu':>7} {'extra':>7} {'target':>7}  ok")
    missed = 0
    for name, _, target in CASES:
        wall, cpu = statistics.median(walls[name]), statistics.median(cpus[name])
        extra = wall - base_wall
        ok = "" if target is None else ("yes" if extra < target else "NO")
        missed += ok == "NO"
        shown = f"<{target:.0f}" if target else ""
        print(f"{name:<46} {wall:>7.1f} {extra:>7.1f} {cpu:>7.1f} {cpu - base_cpu:>7.1f} "
              f"{shown:>7}  {ok}")
    print(f"(ms, medians of {RUNS} interleaved runs; the target is on wall-clock extra; "
          f"cpu = user+system of the process, steadier on a loaded machine; "
          f"{missed} target(s) missed)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
