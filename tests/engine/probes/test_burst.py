"""The burst probe against healthy, resetting and tiny-backlog servers."""

from __future__ import annotations

import asyncio
import resource
import socket
import threading
import time

from engine.faults import BEHAVIOURS, Behaviour, FaultServer, readable, unused_port
from engine.probes.base import BURST_HARD_CAP, ProbeOptions, ProbeResult, Target
from engine.probes.burst import probe_burst


def _burst(port: int, size: int = 50) -> ProbeResult:
    return asyncio.run(probe_burst(Target("127.0.0.1", port), ProbeOptions(burst_size=size)))


def test_healthy_server_takes_the_whole_burst() -> None:
    """50 concurrent connects to a server that accepts them all: rate 0, kind 'none'."""
    with FaultServer(BEHAVIOURS["stall"]) as server:
        result = _burst(server.port)
    assert result.facts == {"burst_failure_rate": 0.0, "burst_failure_kind": "none"}
    assert result.evidence["counts"] == {"ok": 50}


def test_reset_on_accept_is_reset() -> None:
    """A server that resets every accepted connection: (nearly) all fail, kind 'reset'.

    The loopback server resets from a thread per connection; under load a few
    resets may land after the probe's hold time, hence 'nearly'.
    """
    with FaultServer(BEHAVIOURS["reset-on-accept"]) as server:
        result = _burst(server.port)
    assert result.facts["burst_failure_kind"] == "reset"
    assert result.facts["burst_failure_rate"] >= 0.9


def test_tiny_backlog_never_drained_times_out() -> None:
    """Accept queue of 1 never drained: SYNs beyond it are dropped, most connects time out."""
    with FaultServer(BEHAVIOURS["stall"], backlog=1, accepting=False) as server:
        result = _burst(server.port, 20)
    assert result.facts["burst_failure_kind"] == "timeout"
    assert result.facts["burst_failure_rate"] >= 0.8


def test_burst_size_is_capped() -> None:
    """A burst of 2000 is cut to the hard cap of 500 (plus the one first connect)."""
    with FaultServer(BEHAVIOURS["reset-on-accept"]) as server:
        result = _burst(server.port, 2000)
        accepted = server.settled_accepts()
    assert result.evidence["size"] == BURST_HARD_CAP
    assert accepted <= BURST_HARD_CAP + 1


def test_closed_port_is_skipped() -> None:
    """A port that refuses even one connect: skipped (the port probe says 'closed')."""
    result = _burst(unused_port())
    assert (result.status, result.facts) == ("skipped", {})


def test_low_file_limit_shrinks_the_burst_instead_of_blaming_the_target() -> None:
    """Under a soft limit of 300 open files the burst is cut to fit; no failure is invented."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (300, hard))
    try:
        with FaultServer(BEHAVIOURS["stall"]) as server:
            result = _burst(server.port, 500)
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    assert result.evidence["size"] < 300
    assert result.facts == {"burst_failure_rate": 0.0, "burst_failure_kind": "none"}


def _capped(limit: int, release_after: float = 0.0) -> Behaviour:
    """An SMTP-like server that greets up to ``limit`` clients and turns the rest away.

    Past the cap it says "421 Too many connections" and closes, as Postfix,
    vsftpd, sshd past MaxStartups and Redis past maxclients do in their words.
    A place is freed ``release_after`` seconds after its client left (sshd
    counts a connection until its child process has gone).
    """
    lock = threading.Lock()
    active = [0]

    def behaviour(conn: socket.socket, server: FaultServer) -> None:
        with lock:
            full = active[0] >= limit
            active[0] += 0 if full else 1
        if full:
            conn.sendall(b"421 Too many connections\r\n")
            return
        try:
            conn.sendall(b"220 mail.example ESMTP\r\n")
            readable(conn, 5.0)  # the client's first command, or its close, frees the slot
        finally:
            time.sleep(release_after)
            with lock:
                active[0] -= 1
    return behaviour


def test_a_cap_that_says_so_and_closes_counts_as_reset() -> None:
    """Past a cap of 5, the burst's connections get '421' and a close: they failed."""
    with FaultServer(_capped(5)) as server:
        result = _burst(server.port)
    assert result.facts["burst_failure_kind"] == "reset"
    assert result.facts["burst_failure_rate"] >= 0.8
    assert "turned away by a cap" in result.evidence["said_and_closed"]


def test_a_cap_still_full_of_the_bursts_own_connections_is_still_a_cap() -> None:
    """A cap that frees its places 0.3 s after the clients left turns away the lone connection
    opened right after the burst too; asked again a moment later it greets: a cap, counted
    (in CI, sshd's MaxStartups read 0 % this way before)."""
    with FaultServer(_capped(5, release_after=0.3)) as server:
        result = _burst(server.port)
    assert result.facts["burst_failure_kind"] == "reset"
    assert result.facts["burst_failure_rate"] >= 0.8
    assert "turned away by a cap" in result.evidence["said_and_closed"]


def test_a_service_that_always_says_and_closes_is_not_a_cap() -> None:
    """Redis in protected mode answers every client '-DENIED' and closes: no failure."""
    def denied(conn: socket.socket, server: FaultServer) -> None:
        conn.sendall(b"-DENIED Redis is running in protected mode\r\n")

    with FaultServer(denied) as server:
        result = _burst(server.port)
    assert result.facts == {"burst_failure_rate": 0.0, "burst_failure_kind": "none"}
    assert "the service's way" in result.evidence["said_and_closed"]
