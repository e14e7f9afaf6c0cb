"""The runner: concurrency under budgets, crash and overrun as results, contract enforcement."""

from __future__ import annotations

import asyncio
import http.server
import socket
import threading
import time

import pytest

from engine.faults import BEHAVIOURS, FaultServer, stall
from engine.probes.base import (
    ProbeEvent,
    ProbeOptions,
    ProbeResult,
    ProbeSpec,
    Target,
    report_progress,
)
from engine.probes.registry import QUICK, REGISTRY
from engine.probes.runner import run_probes


async def _crash(target: Target, options: ProbeOptions) -> ProbeResult:
    raise RuntimeError("socket exploded\nsecond line")


async def _sleepy(target: Target, options: ProbeOptions) -> ProbeResult:
    report_progress("waiting", 5.0)
    await asyncio.sleep(30)
    return ProbeResult(name="sleepy", status="ok")


async def _greedy(target: Target, options: ProbeOptions) -> ProbeResult:
    return ProbeResult(name="greedy", status="ok",
                       facts={"port_state": "open", "tls_handshake": "ok"})


def _spec(name: str, function: object, budget: float = 5.0) -> ProbeSpec:
    return ProbeSpec(name=name, function=function, sets=frozenset({"port_state"}),  # type: ignore[arg-type]
                     budget_seconds=lambda _o: budget, max_connections=1)


def test_crash_and_overrun_become_results_and_the_run_goes_on() -> None:
    """A crashing probe is 'error' (one line), an overrunning one 'timeout'; others still run."""
    events: list[ProbeEvent] = []
    specs = [_spec("crash", _crash), _spec("sleepy", _sleepy, budget=0.3),
             _spec("greedy", _greedy)]
    with FaultServer(stall) as server:
        started = time.monotonic()
        run = asyncio.run(run_probes(Target("127.0.0.1", server.port), specs, ProbeOptions(),
                                     events.append))
        wall = time.monotonic() - started
    by_name = {p.name: p for p in run.probes}
    assert by_name["crash"].status == "error"
    assert by_name["crash"].reason == "RuntimeError: socket exploded"
    assert by_name["sleepy"].status == "timeout"
    assert by_name["sleepy"].reason == "did not finish within its budget of 0.3 s"
    assert by_name["sleepy"].facts == {}
    assert wall < 1.5
    assert ProbeEvent("sleepy", "running", "waiting", 5.0) in events
    assert [e.status for e in events if e.name == "crash"] == ["started", "error"]


def test_undeclared_facts_are_dropped_and_named() -> None:
    """A probe cannot set facts outside its contract: they are dropped and named in the reason."""
    run = asyncio.run(run_probes(Target("127.0.0.1", 9), [_spec("greedy", _greedy)],
                                 ProbeOptions()))
    result = run.probes[0]
    assert result.facts == {"port_state": "open"}
    assert result.reason == "dropped undeclared facts: tls_handshake"


def test_results_record_target_addresses_vantage_and_times() -> None:
    """The run says what was probed, from where, when, and how long it took."""
    run = asyncio.run(run_probes(Target("localhost", 9), [_spec("greedy", _greedy)],
                                 ProbeOptions()))
    assert run.target == "localhost:9"
    assert "127.0.0.1" in run.addresses
    assert run.vantage.host
    assert run.vantage.source_address in ("127.0.0.1", "::1")
    assert run.started_at.endswith("Z")
    assert run.seconds >= run.probes[0].seconds >= 0


async def _addresses(target: Target, options: ProbeOptions) -> ProbeResult:
    from engine.probes.netutil import resolve

    return ProbeResult(name="greedy", status="ok",
                       evidence={"seen": [a for _, a in await resolve(target.host, target.port)]})


def test_all_probes_of_a_run_share_one_resolution(monkeypatch: pytest.MonkeyPatch) -> None:
    """The name is looked up once per run, so every probe measures the same address."""
    calls: list[str] = []
    real = asyncio.base_events.BaseEventLoop.getaddrinfo

    async def counting(self, host, *args, **kwargs):
        calls.append(host)
        return await real(self, host, *args, **kwargs)

    monkeypatch.setattr(asyncio.base_events.BaseEventLoop, "getaddrinfo", counting)
    specs = [_spec(f"p{i}", _addresses) for i in range(4)]
    run = asyncio.run(run_probes(Target("localhost", 9), specs, ProbeOptions()))
    assert calls == ["localhost"]
    assert len({tuple(p.evidence["seen"]) for p in run.probes}) == 1


class _QuietHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        """Quiet: the probes' connects are not news."""


class _SmallBacklogServer(http.server.ThreadingHTTPServer):
    """Python's own threaded server, not engine.faults.FaultServer: its accept loop (select,
    accept, start a thread) is slow enough that a dozen simultaneous SYNs overflow it, as
    they do a real one; FaultServer drains its queue too fast to show the fault reliably."""

    request_queue_size = 5  # socketserver's default, kept by many small services
    daemon_threads = True


def test_the_port_probe_measures_a_quiet_target() -> None:
    """The other probes' connects (a dozen at once) overflow a small accept queue; the port
    probe runs before them, so a healthy server with a short backlog is not judged flaky."""
    specs = REGISTRY.select(list(QUICK), None)
    for _ in range(3):  # a fresh server each time: a burst's crowd takes a while to drain
        server = _SmallBacklogServer(("127.0.0.1", 0), _QuietHandler)
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
        thread.start()
        try:
            run = asyncio.run(run_probes(Target("127.0.0.1", server.server_address[1]), specs,
                                         ProbeOptions()))
        finally:
            server.shutdown()
            server.server_close()
            thread.join(timeout=5)
        port = next(p for p in run.probes if p.name == "port")
        assert port.facts["port_state"] == "open"
        assert port.facts["intermittent_connect"] is False, port.evidence


def test_the_burst_runs_alone_between_the_quick_probes_and_the_idle_test() -> None:
    """Order, not luck: the port probe first; the burst only when port, reachability, tls and
    protocol ended; the idle test only when the burst ended (a server out of slots closes
    idle connections to make room, and the idle test would time the burst)."""
    events: list[tuple[str, str, float]] = []
    specs = REGISTRY.select([*QUICK, "idle"], None)
    with FaultServer(stall) as server:
        asyncio.run(run_probes(Target("127.0.0.1", server.port), specs,
                               ProbeOptions(idle_max_seconds=1),
                               lambda event: events.append((event.name, event.status,
                                                            time.monotonic()))))
    started = {name: t for name, status, t in events if status == "started"}
    ended = {name: t for name, status, t in events if status in ("ok", "error", "timeout")}
    assert all(started[name] >= ended["port"] for name in started if name != "port"), events
    assert all(ended[name] <= started["burst"]
               for name in ("port", "reachability", "tls", "protocol")), events
    assert started["idle"] >= ended["burst"], events


def test_after_a_dead_first_address_the_probes_talk_where_a_client_ends_up(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A name giving 127.0.0.2 (nothing listens there) before 127.0.0.1 (an HTTP server),
    as ``localhost`` gives ``::1`` before an IPv4-only server: a client moves on from the
    refusal and talks HTTP. The port probe reports the first address (closed, the two
    disagreeing); the protocol probe talks to the one that accepted, as the client does.
    Before, it was skipped: 'no TCP connection to listen on'. The resolver is the only
    stand-in; every connect is real."""
    async def dead_first(host: str, port: int) -> list[tuple[int, str]]:
        return [(socket.AF_INET, "127.0.0.2"), (socket.AF_INET, "127.0.0.1")]

    monkeypatch.setattr("engine.probes.netutil.resolve", dead_first)
    monkeypatch.setattr("engine.probes.port.resolve", dead_first)
    specs = [REGISTRY.specs["port"], REGISTRY.specs["protocol"]]
    with FaultServer(BEHAVIOURS["http-keepalive"]) as server:
        run = asyncio.run(run_probes(Target("svc.test", server.port), specs, ProbeOptions()))
    results = {r.name: r for r in run.probes}
    assert results["port"].facts["port_state"] == "closed"
    assert results["port"].facts["addresses_disagree"] is True
    assert results["protocol"].facts["protocol_guess"] == "http"
