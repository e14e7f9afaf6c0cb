"""Benchmark the probes: quick suite wall time, filtered-port decision, idle-timeout accuracy.

Run: python tests/bench/bench_probes.py   (root adds the namespace rows)

- quick suite (port, reachability, tls, protocol, burst) against loopback
  servers: target < 1.5 s wall;
- a filtered port (iptables DROP in a namespace router): decided < 3 s;
- the idle test against a timeout T: found within 10 % + 1 s, in wall time
  <= 1.25·T + 3 s, for FIN and RST servers on loopback and for a silent
  conntrack expiry in a namespace router.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from engine.faults import BEHAVIOURS, FaultServer, unused_port
from engine.faults_tls import tls_http
from engine.probes.base import ProbeOptions, Target
from engine.probes.idle import probe_idle
from engine.probes.registry import QUICK, REGISTRY
from engine.probes.runner import run_probes

QUICK_RUNS = 5
IDLE_TIMEOUTS = (2, 5, 10, 20)
SILENT_TIMEOUTS = (3, 6, 12)
IDLE_MAX = 30.0


def _lab_ok() -> bool:
    return os.geteuid() == 0 and all(shutil.which(t) for t in ("ip", "iptables", "sysctl"))


def bench_quick() -> list[tuple[str, float, float]]:
    """(target kind, median wall, max wall) of the quick suite."""
    rows = []
    specs = REGISTRY.select(list(QUICK), None)
    kinds = {"http": BEHAVIOURS["http-keepalive"], "ssh": BEHAVIOURS["ssh"], "tls": tls_http,
             "silent": BEHAVIOURS["stall"]}
    for kind, behaviour in [*kinds.items(), ("closed", None)]:
        walls = []
        for _ in range(QUICK_RUNS):
            server = FaultServer(behaviour) if behaviour else None
            port = server.__enter__().port if server else unused_port()
            started = time.monotonic()
            asyncio.run(run_probes(Target("127.0.0.1", port), specs, ProbeOptions()))
            walls.append(time.monotonic() - started)
            if server:
                server.stop()
        rows.append((kind, statistics.median(walls), max(walls)))
    return rows


def bench_idle_loopback() -> list[tuple[str, float, float, float]]:
    """(kind, T, found, wall) for servers closing idle connections after T s."""
    rows = []
    for kind, behaviour in (("fin", "close-idle-fin"), ("rst", "close-idle-rst")):
        for timeout in IDLE_TIMEOUTS if kind == "fin" else IDLE_TIMEOUTS[:2]:
            with FaultServer(BEHAVIOURS[behaviour], seconds=timeout) as server:
                started = time.monotonic()
                result = asyncio.run(probe_idle(Target("127.0.0.1", server.port),
                                                ProbeOptions(idle_max_seconds=IDLE_MAX)))
                wall = time.monotonic() - started
            rows.append((kind, timeout, result.facts.get("idle_close_seconds", -1.0), wall))
    for timeout in (2, 5):  # keep-alive after a request, 60 s before any request
        with FaultServer(BEHAVIOURS["http-keepalive"], seconds=timeout,
                         seconds_before=60) as server:
            started = time.monotonic()
            result = asyncio.run(probe_idle(Target("127.0.0.1", server.port),
                                            ProbeOptions(idle_max_seconds=IDLE_MAX)))
            wall = time.monotonic() - started
        rows.append(("http keep-alive", timeout, result.facts.get("idle_close_seconds", -1.0),
                     wall))
    return rows


def bench_lab() -> tuple[float | None, list[tuple[str, float, float, float]], list[str]]:
    """Filtered-port decision time, silent idle rows, and the quick suite through the
    namespace router (where the port probe counts lost handshakes), root only."""
    from tests.lab.netlab import Lab, probe_result

    filtered = None
    rows = []
    routed = []
    lab = Lab().up()
    try:
        lab.serve("stall", 8080)
        for _ in range(QUICK_RUNS):
            quick = lab.probe(8080, *(flag for name in QUICK for flag in ("--only", name)))
            port = probe_result(quick, "port")
            routed.append(f"{quick['seconds']:.2f} s (port {port['seconds']:.3f} s, "
                          f"{len(port['evidence']['addresses'][0]['states'])} connects)")
        lab.run(lab.router, "iptables", "-A", "FORWARD", "-p", "tcp", "--dport", "9090",
                "-j", "DROP")
        port = probe_result(lab.probe(9090, "--only", "port"), "port")
        filtered = port["seconds"] if port["facts"]["port_state"] == "filtered" else None
        lab.run(lab.router, "iptables", "-A", "FORWARD", "-m", "conntrack", "--ctstate",
                "INVALID", "-j", "DROP")
        lab.run(lab.router, "sysctl", "-qw", "net.netfilter.nf_conntrack_tcp_loose=0")
        for timeout in SILENT_TIMEOUTS:
            lab.run(lab.router, "sysctl", "-qw",
                    f"net.netfilter.nf_conntrack_tcp_timeout_established={timeout}")
            idle = probe_result(lab.probe(8080, "--only", "idle", "--idle-max", str(IDLE_MAX)),
                                "idle")
            rows.append((f"silent ({idle['facts'].get('idle_close_kind')})", timeout,
                         idle["facts"].get("idle_close_seconds", -1.0), idle["seconds"]))
    finally:
        lab.close()
    return filtered, rows, routed

def main() -> None:
    """Print the tables."""
    print("quick suite (port, reachability, tls, protocol, burst) on loopback, "
          f"{QUICK_RUNS} runs each; target < 1.5 s")
    print(f"  {'target':<8} {'median s':>9} {'max s':>7}  ok")
    for kind, median, worst in bench_quick():
        print(f"  {kind:<8} {median:9.3f} {worst:7.3f}  {'yes' if worst < 1.5 else 'NO'}")
    rows = bench_idle_loopback()
    filtered = None
    routed: list[str] = []
    if _lab_ok():
        filtered, lab_rows, routed = bench_lab()
        rows += lab_rows
    if routed:
        print("quick suite through the namespace router (a real path: the port probe goes on "
              f"to count lost handshakes), {len(routed)} runs:")
        for line in routed:
            print(f"  {line}")
    print()
    if filtered is not None:
        print(f"filtered port (iptables DROP in a namespace router): decided in {filtered:.2f} s "
              f"(target < 3 s: {'yes' if filtered < 3 else 'NO'})")
    else:
        print("filtered port: not measured (needs root, ip, iptables for the namespace lab)")
    print()
    print(f"idle test, --idle-max {IDLE_MAX:g}: found within 10 % + 1 s, wall <= 1.25·T + 3 s")
    print(f"  {'kind':<16} {'T s':>5} {'found s':>8} {'error s':>8} {'wall s':>7} "
          f"{'bound s':>8}  ok")
    for kind, timeout, found, wall in rows:
        error = abs(found - timeout)
        bound = 1.25 * timeout + 3
        good = error <= 0.1 * timeout + 1 and wall <= bound
        print(f"  {kind:<16} {timeout:5g} {found:8.2f} {error:8.2f} {wall:7.2f} {bound:8.2f}  "
              f"{'yes' if good else 'NO'}")


if __name__ == "__main__":
    main()
