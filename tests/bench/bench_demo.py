"""Wall time of ``conndoctor demo`` end to end (issue 6: under 20 s, loopback only).

    python tests/bench/bench_demo.py [RUNS]

Each run starts the faulty server, provokes the client's real error, probes
the server with every registered probe but the idle test, and diagnoses it.
Prints one row per run with the error the client got and the top cause.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 3
TARGET_SECONDS = 20.0


def main() -> int:
    """Run the demo RUNS times; print seconds, client error and top cause."""
    env = dict(os.environ, PYTHONPATH=str(REPO))
    print(f"{'run':>3} {'seconds':>8}  {'client error':<40} top cause")
    worst = 0.0
    for run in range(1, RUNS + 1):
        started = time.perf_counter()
        result = subprocess.run([sys.executable, "-m", "cli", "demo", "--format", "json"],
                                capture_output=True, text=True, env=env, cwd=REPO,
                                timeout=120, check=True)
        seconds = time.perf_counter() - started
        worst = max(worst, seconds)
        report = json.loads(result.stdout)
        got = next((line.split("got: ", 1)[1] for line in result.stderr.splitlines()
                    if "got: " in line), "?")
        top = report["diagnoses"][0]["cause"] if report["diagnoses"] else "(none)"
        print(f"{run:>3} {seconds:>8.2f}  {got[:40]:<40} {top}")
    verdict = "yes" if worst < TARGET_SECONDS else "NO"
    print(f"(worst {worst:.2f} s; under {TARGET_SECONDS:g} s: {verdict})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
