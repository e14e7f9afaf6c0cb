"""Every socket is closed: the quick suite 200 times leaves no file descriptor behind."""

from __future__ import annotations

import asyncio
import os
import socket

from engine.faults import BEHAVIOURS, FaultServer, unused_port
from engine.faults_tls import tls_http
from engine.probes.base import ProbeOptions, ProbeRun, Target
from engine.probes.registry import QUICK, REGISTRY
from engine.probes.runner import run_probes

RUNS = 200
AT_ONCE = 10


def _open_fds() -> set[str]:
    return {f"{fd} -> {os.readlink(f'/proc/self/fd/{fd}')}" for fd in os.listdir("/proc/self/fd")
            if os.path.exists(f"/proc/self/fd/{fd}")}


def _servers() -> list[FaultServer]:
    return [FaultServer(BEHAVIOURS["ssh"], backlog=1024),
            FaultServer(BEHAVIOURS["reset-on-accept"], backlog=1024),
            FaultServer(tls_http, backlog=1024),
            FaultServer(BEHAVIOURS["http-keepalive"], backlog=1024)]


def _run_all(count: int, options: ProbeOptions) -> list[ProbeRun]:
    specs = REGISTRY.select(list(QUICK), None)
    servers = _servers()
    for server in servers:
        server.__enter__()
    try:
        ports = [server.port for server in servers] + [unused_port()]

        async def many() -> list[ProbeRun]:
            runs: list[ProbeRun] = []
            for start in range(0, count, AT_ONCE):
                batch = [run_probes(Target("127.0.0.1", ports[(start + i) % len(ports)]), specs,
                                    options) for i in range(min(AT_ONCE, count - start))]
                runs += await asyncio.gather(*batch)
            return runs

        return asyncio.run(many())
    finally:
        for server in servers:
            server.stop()


def test_quick_suite_200_times_leaks_no_file_descriptor() -> None:
    """200 quick runs against open, resetting, TLS and closed ports: same fds before and after."""
    options = ProbeOptions(burst_size=5)
    _run_all(AT_ONCE, options)  # warm caches (TLS certificate, contexts) before counting
    before = _open_fds()
    runs = _run_all(RUNS, options)
    after = _open_fds()
    assert len(runs) == RUNS
    assert all(p.status in ("ok", "skipped") for run in runs for p in run.probes)
    assert after == before


def test_fault_server_answers_on_a_descriptor_above_1023() -> None:
    """A process holding over a thousand descriptors (as the 200 runs above do) still gets its
    answer: the fault server waits with poll, where select failed on descriptors past 1023."""
    fillers = [os.open(os.devnull, os.O_RDONLY) for _ in range(1100)]
    try:
        with FaultServer(BEHAVIOURS["http-keepalive"]) as server, \
                socket.create_connection(("127.0.0.1", server.port), timeout=5) as client:
            assert client.fileno() > 1023
            client.sendall(b"GET / HTTP/1.1\r\nHost: test\r\n\r\n")
            assert client.recv(64).startswith(b"HTTP/1.1 ")
    finally:
        for fd in fillers:
            os.close(fd)
