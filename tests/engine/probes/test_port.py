"""The port probe against real loopback sockets."""

from __future__ import annotations

import asyncio

from engine.faults import FaultServer, stall, unused_port
from engine.probes.base import ProbeOptions, Target
from engine.probes.port import probe_port


def test_open_port_is_open_with_a_connect_time() -> None:
    """A listening server is 'open' with a median connect time."""
    with FaultServer(stall) as server:
        result = asyncio.run(probe_port(Target("127.0.0.1", server.port), ProbeOptions()))
    assert result.status == "ok"
    assert result.facts["port_state"] == "open"
    assert result.facts["intermittent_connect"] is False
    assert result.facts["connect_ms"] > 0


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
