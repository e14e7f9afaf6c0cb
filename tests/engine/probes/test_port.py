"""The port probe against real loopback sockets."""

from __future__ import annotations

import asyncio
import socket

import pytest

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


def test_addresses_that_answer_differently_are_said_to_disagree(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A name giving 127.0.0.1 (the server) and 127.0.0.2 (nothing listens there): the
    first is open, the second refuses, and ``addresses_disagree`` says so. The resolver
    is the only stand-in (as a hosts file would give the name); the connects are real."""
    async def two_addresses(host: str, port: int) -> list[tuple[int, str]]:
        return [(socket.AF_INET, "127.0.0.1"), (socket.AF_INET, "127.0.0.2")]

    monkeypatch.setattr("engine.probes.port.resolve", two_addresses)
    with FaultServer(stall) as server:
        result = asyncio.run(probe_port(Target("svc.test", server.port), ProbeOptions()))
    assert result.facts["port_state"] == "open"
    assert result.facts["addresses_disagree"] is True
    states = {e["address"]: set(e["states"]) for e in result.evidence["addresses"]}
    assert states == {"127.0.0.1": {"open"}, "127.0.0.2": {"closed"}}


def test_one_address_says_nothing_of_agreement() -> None:
    """A single address cannot disagree with itself: the fact is left unset, not false."""
    with FaultServer(stall) as server:
        result = asyncio.run(probe_port(Target("127.0.0.1", server.port), ProbeOptions()))
    assert "addresses_disagree" not in result.facts
