"""The transfer probe, judged from TCP acknowledgements on loopback."""

from __future__ import annotations

import asyncio

from engine.faults import BEHAVIOURS, FaultServer, unused_port
from engine.faults_tls import tls_http, tls_sink
from engine.probes.base import ProbeOptions, ProbeResult, Target
from engine.probes.transfer import probe_transfer


def _transfer(port: int) -> ProbeResult:
    return asyncio.run(probe_transfer(Target("127.0.0.1", port), ProbeOptions()))


def test_server_reading_everything_is_ok() -> None:
    """A server that reads the whole upload: 'ok', every byte acknowledged."""
    with FaultServer(BEHAVIOURS["sink"]) as server:
        result = _transfer(server.port)
    assert result.facts == {"large_transfer": "ok"}
    assert result.evidence["bytes_acked"] == result.evidence["bytes_to_send"]


def test_rejecting_with_unread_data_is_reset() -> None:
    """A server that answers 413 and closes with the body unread: 'reset', reply in evidence."""
    with FaultServer(BEHAVIOURS["reject-unread"]) as server:
        result = _transfer(server.port)
    assert result.facts == {"large_transfer": "reset"}
    assert result.evidence["reply"].startswith("HTTP/1.1 413")


def test_peer_that_stops_reading_is_not_a_stall() -> None:
    """A server that never reads fills its window; segments were acknowledged, so 'ok'."""
    with FaultServer(BEHAVIOURS["stall"]) as server:
        result = _transfer(server.port)
    assert result.facts == {"large_transfer": "ok"}
    assert "stopped reading" in result.evidence["note"]
    assert result.seconds < 5


def test_closed_port_is_skipped() -> None:
    """No connection: skipped, no fact."""
    result = _transfer(unused_port())
    assert (result.status, result.facts) == ("skipped", {})


def test_tls_port_gets_the_upload_inside_tls() -> None:
    """On a TLS-only port the upload goes inside TLS and is acknowledged: 'ok'."""
    with FaultServer(tls_sink) as server:
        result = _transfer(server.port)
        accepted = server.settled_accepts()
    assert result.evidence["tls"] is True
    assert accepted == 2
    assert result.facts == {"large_transfer": "ok"}


def test_https_server_closing_with_the_body_unread_is_reset() -> None:
    """An HTTPS server that closes with the upload unread: 'reset', measured inside TLS."""
    with FaultServer(tls_http) as server:
        result = _transfer(server.port)
    assert result.facts == {"large_transfer": "reset"}
    assert result.evidence["tls"] is True
