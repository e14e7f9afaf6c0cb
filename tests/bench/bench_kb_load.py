"""Benchmark: how long loading the built-in KB takes, cold (parsing YAML) and warm (cache).

Run: ``python tests/bench/bench_kb_load.py [--repeats N] [--processes N] [--kb-dir DIR]``.

Two measurements, each reported as the median and minimum wall time and the median CPU time:

- in-process: ``load_kb()`` called N times in this process after the imports,
  cold with no cache (every file parsed by libyaml and validated) and warm
  with a primed cache directory (files hashed, data validated again);
- fresh processes: N new interpreters, each timing ``import engine.loader``
  plus one ``load_kb()`` (what a command pays), cold and warm.

Wall time and the process's CPU time are both shown: on a machine shared
with other work the wall time grows, the CPU time much less.

The target (issue 3) is loading the built-in KB in under 150 ms.
``--kb-dir`` loads that directory instead of the built-in one (to measure
another KB, e.g. a work in progress).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

CHILD = """
import json, sys, time
from pathlib import Path
start, start_cpu = time.perf_counter(), time.process_time()
from engine.loader import load_kb
imported, imported_cpu = time.perf_counter(), time.process_time()
kb_dir = sys.argv[2]
cache = Path(sys.argv[1]) if sys.argv[1] != "-" else None
dirs = [Path(kb_dir)] if kb_dir != "-" else []
knowledge = load_kb(dirs, include_builtin=not dirs, cache_dir=cache)
done, done_cpu = time.perf_counter(), time.process_time()
print(json.dumps({"import": [imported - start, imported_cpu - start_cpu],
                  "load": [done - imported, done_cpu - imported_cpu]}))
"""

Sample = tuple[float, float]  # (wall seconds, CPU seconds of this process)


def _in_process(repeats: int, kb_dir: Path | None, cache: Path | None) -> list[Sample]:
    from engine.loader import load_kb

    dirs = [kb_dir] if kb_dir else []
    load_kb(dirs, include_builtin=not dirs, cache_dir=cache)  # prime the cache and lazy imports
    times = []
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        load_kb(dirs, include_builtin=not dirs, cache_dir=cache)
        times.append((time.perf_counter() - start, time.process_time() - start_cpu))
    return times


def _fresh(processes: int, kb_dir: Path | None, cache: Path | None) -> tuple[list[Sample], ...]:
    loads: list[Sample] = []
    totals: list[Sample] = []
    for _ in range(processes):
        output = subprocess.run(
            [sys.executable, "-c", CHILD, str(cache) if cache else "-", str(kb_dir or "-")],
            cwd=REPO, capture_output=True, text=True, check=True, timeout=60,
        ).stdout
        row = json.loads(output)
        loads.append((row["load"][0], row["load"][1]))
        totals.append((row["import"][0] + row["load"][0], row["import"][1] + row["load"][1]))
    return loads, totals


def _row(name: str, samples: list[Sample]) -> str:
    wall = [w * 1000 for w, _ in samples]
    cpu = [c * 1000 for _, c in samples]
    return (f"| {name:<40} | {statistics.median(wall):9.1f} | {min(wall):8.1f} "
            f"| {statistics.median(cpu):9.1f} | {len(wall):3d} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--processes", type=int, default=7)
    parser.add_argument("--kb-dir", type=Path, default=None)
    args = parser.parse_args()
    from engine.loader import builtin_kb_dir, load_kb

    kb_dir = args.kb_dir
    knowledge = load_kb([kb_dir] if kb_dir else [], include_builtin=kb_dir is None)
    with tempfile.TemporaryDirectory() as scratch:
        cache = Path(scratch) / "cache"
        rows = [
            ("in-process load_kb, cold (no cache)", _in_process(args.repeats, kb_dir, None)),
            ("in-process load_kb, warm (cache)", _in_process(args.repeats, kb_dir, cache)),
        ]
        cold_load, cold_total = _fresh(args.processes, kb_dir, None)
        warm_load, warm_total = _fresh(args.processes, kb_dir, cache)
    rows += [
        ("fresh process: load_kb, cold", cold_load),
        ("fresh process: load_kb, warm", warm_load),
        ("fresh process: import + load_kb, cold", cold_total),
        ("fresh process: import + load_kb, warm", warm_total),
    ]
    print(f"KB: {kb_dir or builtin_kb_dir()} ({len(knowledge.causes)} causes, "
          f"{len(knowledge.evidence_rules) + len(knowledge.derivations)} rules, "
          f"{len(knowledge.cases)} cases); target: load under 150 ms")
    name, wall, low, cpu, count = ("measurement", "wall med", "wall min", "CPU med", "n")
    print(f"| {name:<40} | {wall:>9} | {low:>8} | {cpu:>9} | {count:>3} |")
    print(f"| {'-' * 40} | {'-' * 9} | {'-' * 8} | {'-' * 9} | {'-' * 3} |")
    for name, samples in rows:
        print(_row(name, samples))
    print("times in ms; 'import' is the engine's imports (pydantic, PyYAML), paid once per")
    print("process. CPU time is this process's own; on a busy machine wall time exceeds it.")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
