"""The port probe against real loopback sockets."""

from __future__ import annotations

import asyncio

from engine.faults import FaultServer, stall, unused_port
from engine.probes.base import ProbeOptions, Target
from engine.probes.netutil import INITIAL_TIMEOUT
from engine.probes.port import probe_port


def test_open_port_is_open_with_a_connect_time() -> None:
    """A listening server is 'open' with a median connect time."""
    with FaultServer(stall) as server:
        result = asyncio.run(probe_port(Target("127.0.0.1", server.port), ProbeOptions()))
    assert result.status == "ok"
    assert result.facts["port_state"] == "open"
    assert result.facts["intermittent_connect"] is False
    assert result.facts["connect_ms"] > 0
    assert result.facts["connect_loss"] == 0.0


def test_closed_port_is_refused() -> None:
    """Nothing listening: the kernel answers RST, the probe says 'closed'."""
    port = unused_port()
    result = asyncio.run(probe_port(Target("127.0.0.1", port), ProbeOptions()))
    assert result.facts == {"port_state": "closed", "intermittent_connect": False}


def test_name_that_does_not_resolve_is_unresolved() -> None:
    """A DNS failure is its own result, not an error."""
    result = asyncio.run(probe_port(Target("no-such-host.invalid", 80), ProbeOptions()))
    assert result.status == "ok"
    assert result.facts == {"port_state": "unresolved"}


def test_timeouts_adapt_to_the_measured_round_trip() -> None:
    """After the first connect, the timeout shrinks from the initial 1 s to srtt + 4·rttvar."""
    with FaultServer(stall) as server:
        result = asyncio.run(probe_port(Target("127.0.0.1", server.port), ProbeOptions()))
    timeouts = result.evidence["addresses"][0]["timeouts_ms"]
    assert timeouts[0] == INITIAL_TIMEOUT * 1000
    assert all(t < timeouts[0] for t in timeouts[1:])
    assert len(timeouts) == ProbeOptions().connect_tries  # loopback: no path to count losses on


def test_every_address_of_a_name_is_tried() -> None:
    """'localhost' resolves to several addresses; each one gets connects of its own."""
    with FaultServer(stall) as server:
        result = asyncio.run(probe_port(Target("localhost", server.port), ProbeOptions()))
    entries = result.evidence["addresses"]
    addresses = [entry["address"] for entry in entries]
    assert "127.0.0.1" in addresses
    by_address = {entry["address"]: entry["states"] for entry in entries}
    assert set(by_address["127.0.0.1"]) == {"open"}
    if "::1" in by_address:  # the server listens on IPv4 only: IPv6 is refused
        assert set(by_address["::1"]) == {"closed"}
