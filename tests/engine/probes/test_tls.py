"""The TLS probe against TLS-only, SNI-rejecting, half-open and plaintext servers."""

from __future__ import annotations

import asyncio

from engine.faults import BEHAVIOURS, FaultServer, unused_port
from engine.faults_tls import tls_half_open, tls_http, tls_reject_sni
from engine.probes.base import ProbeOptions, ProbeResult, Target
from engine.probes.tls import probe_tls


def _tls(port: int) -> ProbeResult:
    return asyncio.run(probe_tls(Target("127.0.0.1", port), ProbeOptions()))


def test_tls_server_handshakes_and_plaintext_to_it_is_shown() -> None:
    """A TLS-only server: 'ok' with version and cipher; a plaintext request's fate in evidence."""
    with FaultServer(tls_http) as server:
        result = _tls(server.port)
    assert result.facts == {"tls_handshake": "ok"}
    assert result.evidence["version"].startswith("TLSv1.")
    assert result.evidence["cipher"]
    assert result.evidence["plaintext_request_gets"] in ("a reset", "a close (EOF)",
                                                          "a TLS alert")


def test_sni_policy_alert_is_an_alert_with_its_name() -> None:
    """A server rejecting the SNI with a fatal alert: 'alert', named 'unrecognized_name'."""
    with FaultServer(tls_reject_sni) as server:
        result = _tls(server.port)
    assert result.facts == {"tls_handshake": "alert"}
    assert "unrecognized_name" in result.evidence["alert"]


def test_half_open_tls_is_a_timeout_within_budget() -> None:
    """A server that reads the ClientHello and never answers: 'timeout', not a hang."""
    with FaultServer(tls_half_open) as server:
        result = _tls(server.port)
    assert result.facts == {"tls_handshake": "timeout"}
    assert result.seconds < 6


def test_tls_hello_to_plain_http_is_not_tls_with_the_reply() -> None:
    """A plaintext HTTP server answers the ClientHello with HTTP 400: 'not_tls' and the reply."""
    with FaultServer(BEHAVIOURS["http-keepalive"]) as server:
        result = _tls(server.port)
    assert result.facts == {"tls_handshake": "not_tls"}
    assert result.evidence["reply_to_client_hello"].startswith("HTTP/1.1 400")


def test_reset_on_accept_is_reset() -> None:
    """A server that resets at once: 'reset' during the handshake."""
    with FaultServer(BEHAVIOURS["reset-on-accept"]) as server:
        result = _tls(server.port)
    assert result.facts == {"tls_handshake": "reset"}


def test_flood_is_not_tls_and_bounded() -> None:
    """A server that floods bytes: 'not_tls' after reading only the first of them."""
    with FaultServer(BEHAVIOURS["flood"]) as server:
        result = _tls(server.port)
    assert result.facts == {"tls_handshake": "not_tls"}
    assert result.seconds < 2


def test_closed_port_is_skipped() -> None:
    """No TCP connection: skipped, no fact."""
    result = _tls(unused_port())
    assert (result.status, result.facts) == ("skipped", {})
    assert result.reason == "no TCP connection to try TLS on: connection refused"


def test_close_during_handshake_is_eof() -> None:
    """A server that closes (FIN) without answering the ClientHello: 'eof', not 'reset'."""
    with FaultServer(BEHAVIOURS["close-idle-fin"], seconds=0.3) as server:
        result = _tls(server.port)
    assert result.facts == {"tls_handshake": "eof"}
    assert result.evidence["detail"] == "the server closed during the handshake"
