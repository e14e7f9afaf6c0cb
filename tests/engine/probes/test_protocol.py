"""The protocol probe against banner-first services, TLS, HTTP, Postgres and Redis look-alikes."""

from __future__ import annotations

import asyncio
import socket

import pytest

from engine.faults import BEHAVIOURS, Behaviour, FaultServer, readable, unused_port
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
    ("ssh", "ssh"), ("sshd-full", "ssh"), ("smtp", "smtp"), ("mysql", "mysql"), ("redis", "redis"),
    ("postgres", "postgres"), ("http-keepalive", "http"),
    ("http-app-stalled", "http"),  # the request waits; the 400 to the TLS hello names HTTP
])
def test_protocol_is_recognised(behaviour: str, expected: str) -> None:
    """Each service is named by its banner or by its answer to a small question, in one wait."""
    with FaultServer(BEHAVIOURS[behaviour]) as server:
        result = _protocol(server.port)
    assert result.facts == {"protocol_guess": expected, "closes_without_reply": False}
    assert _lasted_one_wait(result)


def test_tls_port_is_tls() -> None:
    """A TLS-only server answers the ClientHello with a TLS record: 'tls'."""
    with FaultServer(tls_http) as server:
        assert _protocol(server.port).facts == {"protocol_guess": "tls",
                                                "closes_without_reply": False}


def test_bytes_no_question_explains_are_an_answer_still() -> None:
    """A flood of bytes is 'unknown', but the port did not close on us unanswered."""
    with FaultServer(BEHAVIOURS["flood"]) as server:
        result = _protocol(server.port)
    assert result.facts == {"protocol_guess": "unknown", "closes_without_reply": False}


@pytest.mark.parametrize("behaviour", [BEHAVIOURS["stall"], tls_half_open])
def test_silence_is_unknown_within_one_wait(behaviour: Behaviour) -> None:
    """A server that says nothing and keeps the connections: 'unknown', in one wait.

    Whether it would close them later is not known yet (a forwarder retrying
    its backend does, after seconds), so closes_without_reply is not set.
    """
    with FaultServer(behaviour) as server:
        result = _protocol(server.port)
    assert result.facts == {"protocol_guess": "unknown"}
    assert _lasted_one_wait(result)


def _close_at_once(conn: socket.socket, server: FaultServer) -> None:
    """docker-proxy or kubectl port-forward with nothing behind: accept, then FIN."""
    conn.shutdown(socket.SHUT_RDWR)


@pytest.mark.parametrize("behaviour", [_close_at_once, BEHAVIOURS["reset-on-accept"]])
def test_a_forwarder_with_nothing_behind_closes_without_reply(behaviour: Behaviour) -> None:
    """Every connection ended without a byte, the one sent nothing too: closes_without_reply."""
    with FaultServer(behaviour) as server:
        result = _protocol(server.port)
    assert result.facts == {"protocol_guess": "unknown", "closes_without_reply": True}
    assert "the one sent nothing too" in result.evidence["closed_without_reply"]
    assert _lasted_one_wait(result)


def _close_on_bytes_it_cannot_read(conn: socket.socket, server: FaultServer) -> None:
    """A strict binary protocol: garbage ends the connection, a silent client is waited on."""
    if readable(conn, server.seconds):
        conn.shutdown(socket.SHUT_RDWR)


def test_a_server_closing_only_on_our_questions_is_not_a_forwarder() -> None:
    """Closing what it cannot parse is not closing every connection: the silent one lived."""
    with FaultServer(_close_on_bytes_it_cannot_read, seconds=10) as server:
        result = _protocol(server.port)
    assert result.facts == {"protocol_guess": "unknown"}


def test_banner_first_service_opens_few_connections() -> None:
    """Five connections at most (one banner wait, four questions)."""
    with FaultServer(BEHAVIOURS["stall"]) as server:
        _protocol(server.port)
        assert server.settled_accepts() <= 5


def test_closed_port_is_skipped() -> None:
    """No TCP connection: skipped, no fact."""
    result = _protocol(unused_port())
    assert (result.status, result.facts) == ("skipped", {})


def test_interrupting_the_probe_during_the_banner_wait_just_cancels_it() -> None:
    """Ctrl-C cancels the probe while it waits for a banner: the cancellation comes out
    (for the command's one 'interrupted' line), not an error of the probe's own, and the
    questions it had sent are ended too."""
    async def interrupted() -> list[asyncio.Task[object]]:
        probe = asyncio.ensure_future(probe_protocol(Target("127.0.0.1", server.port),
                                                     ProbeOptions()))
        await asyncio.sleep(0.2)
        probe.cancel()
        with pytest.raises(asyncio.CancelledError):
            await probe
        return [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]

    with FaultServer(BEHAVIOURS["stall"]) as server:
        assert asyncio.run(interrupted()) == []
