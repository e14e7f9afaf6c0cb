"""The protocol probe against banner-first services, TLS, HTTP, Postgres and Redis look-alikes."""

from __future__ import annotations

import asyncio

import pytest

from engine.faults import BEHAVIOURS, FaultServer, unused_port
from engine.faults_tls import tls_half_open, tls_http
from engine.probes.base import ProbeOptions, ProbeResult, Target
from engine.probes.protocol import probe_protocol


def _protocol(port: int) -> ProbeResult:
    return asyncio.run(probe_protocol(Target("127.0.0.1", port), ProbeOptions()))


def _lasted_one_wait(result: ProbeResult) -> bool:
    """The banner wait and the four questions ran side by side: under two waits in all.

    The wait adapts to the connect time (8x it, at least 0.5 s), so a busy CI
    machine gets a longer wait; a fixed bound in seconds would test the machine.
    """
    return result.seconds < 2 * float(result.evidence["wait_s"])


@pytest.mark.parametrize(("behaviour", "expected"), [
    ("ssh", "ssh"), ("smtp", "smtp"), ("mysql", "mysql"), ("redis", "redis"),
    ("postgres", "postgres"), ("http-keepalive", "http"), ("stall", "unknown"),
    ("flood", "unknown"), ("reset-on-accept", "unknown"),
    ("http-app-stalled", "http"),  # the request waits; the 400 to the TLS hello names HTTP
])
def test_protocol_is_recognised(behaviour: str, expected: str) -> None:
    """Each service is named by its banner or by its answer to a small question."""
    with FaultServer(BEHAVIOURS[behaviour]) as server:
        result = _protocol(server.port)
    assert result.facts == {"protocol_guess": expected}
    assert _lasted_one_wait(result)


def test_tls_port_is_tls() -> None:
    """A TLS-only server answers the ClientHello with a TLS record: 'tls'."""
    with FaultServer(tls_http) as server:
        assert _protocol(server.port).facts == {"protocol_guess": "tls"}


def test_half_open_tls_is_unknown_within_the_wait() -> None:
    """A server that never answers anything: 'unknown' after one bounded wait."""
    with FaultServer(tls_half_open) as server:
        result = _protocol(server.port)
    assert result.facts == {"protocol_guess": "unknown"}
    assert _lasted_one_wait(result)


def test_banner_first_service_opens_few_connections() -> None:
    """Five connections at most (one banner wait, four questions)."""
    with FaultServer(BEHAVIOURS["stall"]) as server:
        _protocol(server.port)
        assert server.settled_accepts() <= 5


def test_closed_port_is_skipped() -> None:
    """No TCP connection: skipped, no fact."""
    result = _protocol(unused_port())
    assert (result.status, result.facts) == ("skipped", {})
