"""Engine speed: load (cold, warm), fixpoint (forward and reverse), one fact, a full diagnosis.

Run ``python tests/bench/bench_engine.py [--sizes 100 1000 10000]``. Every
number is measured in a fresh Python process (the parent only writes the
synthetic KBs and prints the table), so no measurement profits from another's
caches. Targets (issue 4): fixpoint on 10,000 rules at most 0.5 s for both
shapes, reverse order within 20%, one fact on a 1,000-rule memory under 5 ms,
the built-in KB's full diagnosis under 50 ms.
"""

from __future__ import annotations

import argparse
import gc
import inspect
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "bench")]

import synthetic  # noqa: E402

TIMEOUT_SECONDS = 300


def _parts(directory: Path) -> list[Path]:
    """The KB directories the generator wrote under ``directory``, in order."""
    return sorted(directory.glob("part-*"))


def measure_run(directory: Path, shape: str, size: int) -> dict[str, Any]:
    """In this (fresh) process: cold load, compile, first fixpoint, one-fact timings."""
    sys.setrecursionlimit(max(10_000, 3 * size))  # the loader's cycle check recurses per link
    from engine.chaining import Reasoner, RuleBase
    from engine.loader import load_kb

    start = time.perf_counter()
    knowledge = load_kb(_parts(directory), include_builtin=False)
    loaded = time.perf_counter()
    rules = RuleBase.from_kb(knowledge)
    compiled = time.perf_counter()
    reasoner = Reasoner(rules)
    reasoner.assert_facts(synthetic.trigger(shape))
    done = time.perf_counter()
    fixpoints = [done - compiled]
    for _ in range(4):  # more fresh memories on the same rules: the minimum is the least noisy
        begin = time.perf_counter()
        again = Reasoner(rules)
        again.assert_facts(synthetic.trigger(shape))
        fixpoints.append(time.perf_counter() - begin)
        del again  # freeing the memory is not part of reaching the fixpoint
    fired = len(reasoner.firings)
    if fired != synthetic.expected_firings(shape, size):
        raise SystemExit(f"{shape}/{size}: {fired} rules fired, expected {size}")
    one_fact = []
    given = synthetic.trigger(shape)
    for _ in range(20):
        reasoner.retract_facts(list(given))
        gc.collect()  # a collection the retraction deferred is not the new fact's cost
        begin = time.perf_counter()
        reasoner.assert_facts(given)
        one_fact.append(time.perf_counter() - begin)
    return {"load_cold": loaded - start, "compile": compiled - loaded,
            "first_fixpoint": done - compiled, "fixpoint": min(fixpoints),
            "one_fact": statistics.median(one_fact)}


def measure_warm(directory: Path, cache: Path) -> dict[str, Any]:
    """In this (fresh) process: load from the validated cache (primed by an earlier run)."""
    sys.setrecursionlimit(100_000)
    from engine.loader import load_kb

    if "cache_dir" not in inspect.signature(load_kb).parameters:
        return {"load_warm": None}
    start = time.perf_counter()
    load_kb(_parts(directory), include_builtin=False, cache_dir=cache)  # type: ignore[call-arg]
    return {"load_warm": time.perf_counter() - start}


def measure_builtin() -> dict[str, Any]:
    """In this (fresh) process: the built-in KB's full diagnosis, first call and median."""
    from engine.facts import FactRecord, Source
    from engine.loader import load_kb
    from engine.session import Session

    knowledge = load_kb()
    given = {"error_kind": "reset", "after_idle": True, "frequency": "intermittent"}
    times = []
    for _ in range(30):
        begin = time.perf_counter()
        session = Session(knowledge)
        session.add_many(FactRecord(k, v, Source.USER) for k, v in given.items())
        session.report()
        times.append(time.perf_counter() - begin)
    return {"first": times[0], "median": statistics.median(times[1:]),
            "rules": sum(len(c.rules) for c in knowledge.causes.values())
            + len(knowledge.derivations)}


def _best_of(repeat: int, *args: str) -> dict[str, Any]:
    """Each number's minimum over ``repeat`` fresh processes (the machine is shared: noise
    only ever adds time, so the minimum is the fairest estimate)."""
    runs = [_child(*args) for _ in range(repeat)]
    return {key: min(run[key] for run in runs) if runs[0][key] is not None else None
            for key in runs[0]}


def _child(*args: str) -> dict[str, Any]:
    """One measurement in a fresh process, with an empty private cache home (truly cold)."""
    command = [sys.executable, __file__, "--child", *args]
    with tempfile.TemporaryDirectory(prefix="conndoctor-cache-") as home:
        env = {**os.environ, "XDG_CACHE_HOME": home}
        done = subprocess.run(command, capture_output=True, text=True,
                              timeout=TIMEOUT_SECONDS, check=False, env=env)
    if done.returncode != 0:
        raise SystemExit(f"measurement {args} failed:\n{done.stderr.strip()}")
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def _total(row: dict[str, Any]) -> str:
    if row["warm"] is None:
        return "n/a"
    return _ms(row["warm"] + row["forward"]["compile"] + row["forward"]["fixpoint"])


def _ms(seconds: float | None) -> str:
    return "n/a (cache not merged)" if seconds is None else f"{seconds * 1000:9.1f}"


def main() -> int:
    """Write the synthetic KBs, measure each in fresh processes, print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10_000])
    parser.add_argument("--repeat", type=int, default=3, help="fresh processes per number")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        if kind == "run":
            result = measure_run(Path(rest[0]), rest[1], int(rest[2]))
        elif kind == "warm":
            result = measure_warm(Path(rest[0]), Path(rest[1]))
        else:
            result = measure_builtin()
        print(json.dumps(result))
        return 0
    rows = []
    with tempfile.TemporaryDirectory(prefix="conndoctor-bench-") as tmp:
        for shape in synthetic.SHAPES:
            for size in args.sizes:
                row: dict[str, Any] = {"shape": shape, "size": size}
                dirs = {}
                for order in ("forward", "reverse"):
                    dirs[order] = Path(tmp) / f"{shape}-{size}-{order}"
                    synthetic.write_kb(dirs[order], shape, size, reverse=order == "reverse")
                runs: dict[str, list[dict[str, Any]]] = {"forward": [], "reverse": []}
                for _ in range(args.repeat):  # interleaved, so both orders see the same load
                    for order, directory in dirs.items():
                        runs[order].append(_child("run", str(directory), shape, str(size)))
                for order, results in runs.items():
                    row[order] = {key: min(r[key] for r in results) for key in results[0]}
                cache = Path(tmp) / f"cache-{shape}-{size}"
                forward_dir = str(Path(tmp) / f"{shape}-{size}-forward")
                _child("warm", forward_dir, str(cache))  # primes the cache
                row["warm"] = _best_of(args.repeat, "warm", forward_dir, str(cache))["load_warm"]
                rows.append(row)
        builtin = _best_of(args.repeat, "builtin")
    print(f"{'shape':8} {'rules':>6} {'load cold ms':>12} {'load warm ms':>12} "
          f"{'compile ms':>10} {'fixpoint ms':>11} {'reverse ms':>10} {'rev/fwd':>7} "
          f"{'1 fact ms':>9} {'first ms':>8} {'warm+compile+fix ms':>19}")
    for row in rows:
        forward, reverse = row["forward"], row["reverse"]
        ratio = reverse["fixpoint"] / forward["fixpoint"]
        print(f"{row['shape']:8} {row['size']:6d} {_ms(forward['load_cold']):>12} "
              f"{_ms(row['warm']):>12} {_ms(forward['compile']):>10} "
              f"{_ms(forward['fixpoint']):>11} {_ms(reverse['fixpoint']):>10} {ratio:7.2f} "
              f"{forward['one_fact'] * 1000:9.2f} {_ms(forward['first_fixpoint']):>8} "
              f"{_total(row):>19}")
    print(f"\nbuilt-in KB ({builtin['rules']} rules): full diagnosis with next questions "
          f"{builtin['median'] * 1000:.1f} ms median, {builtin['first'] * 1000:.1f} ms first call")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"load average at the end: {load:.1f} on {os.cpu_count()} CPUs. "
          f"Each number: the minimum over {args.repeat} fresh processes.\n"
          "fixpoint = best of 5 runs of a fresh memory to fixpoint after the trigger fact "
          "(compile excluded); first = the first of them in its new process (it also pays the "
          "garbage collection that loading and compiling deferred);\n"
          "1 fact = median time to assert the trigger fact again on the loaded "
          "memory after a garbage collection (it wakes every rule: the worst case).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
