"""The idle probe against servers that end idle connections in different ways."""

from __future__ import annotations

import asyncio
import itertools
import time

from engine.faults import BEHAVIOURS, FaultServer, unused_port
from engine.faults_tls import tls_http
from engine.probes.base import ProbeOptions, ProbeResult, Target
from engine.probes.idle import probe_idle
from engine.probes.idle_ladder import idle_ladder


def _idle(port: int, budget: float) -> tuple[ProbeResult, float]:
    started = time.monotonic()
    options = ProbeOptions(idle_max_seconds=budget)
    result = asyncio.run(probe_idle(Target("127.0.0.1", port), options))
    return result, time.monotonic() - started


def test_fin_after_idle_is_dated_and_the_probe_stops_there() -> None:
    """A server that closes idle connections with FIN after 2.5 s: 'fin' at 2.5 s, done by then."""
    with FaultServer(BEHAVIOURS["close-idle-fin"], seconds=2.5) as server:
        result, wall = _idle(server.port, 8)
    assert result.facts["idle_close_kind"] == "fin"
    assert abs(result.facts["idle_close_seconds"] - 2.5) < 0.3
    assert wall < 2.5 + 1.5


def test_rst_after_idle_is_rst() -> None:
    """A server that resets idle connections after 2 s (an LB's RST on idle): 'rst' at 2 s."""
    with FaultServer(BEHAVIOURS["close-idle-rst"], seconds=2.0) as server:
        result, _ = _idle(server.port, 6)
    assert result.facts["idle_close_kind"] == "rst"
    assert abs(result.facts["idle_close_seconds"] - 2.0) < 0.3


def test_connection_surviving_the_budget_is_none_with_the_range_covered() -> None:
    """A server that never closes: 'none', no close time, and the covered range is the budget."""
    with FaultServer(BEHAVIOURS["stall"]) as server:
        result, wall = _idle(server.port, 3)
    assert result.facts == {"idle_close_kind": "none"}
    assert result.evidence["range_covered_s"] == [1.0, 3.0]
    assert result.evidence["alive"] == [1.0, 2.0, 3.0]
    assert wall < 3 + 2


def test_a_server_closing_at_a_fixed_time_asked_or_not_closes_without_reply() -> None:
    """Idle connections and a GET alike end at 2 s, the GET unanswered: a forwarder retrying.

    HAProxy before a server that refuses accepts, retries, and closes 3 s
    later whatever the client sent; the protocol probe's wait ends sooner.
    """
    with FaultServer(BEHAVIOURS["close-idle-fin"], seconds=2.0) as server:
        result, _ = _idle(server.port, 6)
    assert result.facts["closes_without_reply"] is True
    assert abs(result.facts["idle_close_seconds"] - 2.0) < 0.3


def test_an_idle_timer_that_answers_requests_is_not_a_forwarder() -> None:
    """The same 2 s close of idle connections, but the GET is answered: no closes_without_reply."""
    with FaultServer(BEHAVIOURS["http-keepalive"], seconds=2.0, seconds_before=2.0) as server:
        result, _ = _idle(server.port, 6)
    assert result.facts["idle_close_kind"] == "fin"
    assert "closes_without_reply" not in result.facts


def test_http_keepalive_after_a_request_is_measured_separately() -> None:
    """HTTP closing 1.5 s after a response, 4 s before any request: 1.5 s, found in 1.5 s."""
    with FaultServer(BEHAVIOURS["http-keepalive"], seconds=1.5, seconds_before=4.0) as server:
        result, wall = _idle(server.port, 6)
    assert result.facts["idle_close_kind"] == "fin"
    assert abs(result.facts["idle_close_seconds"] - 1.5) < 0.3
    assert result.evidence["before_request"]["kind"] == "none"  # the ladder stopped at 1.5 s
    assert result.evidence["after_request"]["scheme"] == "http"
    assert wall < 1.25 * 1.5 + 3


def test_https_keepalive_is_measured_over_tls() -> None:
    """A TLS-only HTTP server closing 1.5 s after a response: measured through TLS."""
    with FaultServer(tls_http, seconds=1.5, seconds_before=5.0) as server:
        result, _ = _idle(server.port, 6)
    assert result.evidence["after_request"]["scheme"] == "https"
    assert abs(result.facts["idle_close_seconds"] - 1.5) < 0.3


def test_a_slow_acceptor_with_a_small_queue_is_not_an_idle_reset() -> None:
    """A server that never closes, with an accept queue of 2 and one accept every 50 ms: 'none'.

    Python's http.server (a queue of 5) read as 'rst' at 4.5-8.5 s: the ladder's
    connects, all at once, overflowed its queue; connections whose handshake's last
    ACK was dropped were never accepted, and their first keepalive met an RST.
    """
    with FaultServer(BEHAVIOURS["stall"], backlog=2, accept_pause=0.05) as server:
        result, wall = _idle(server.port, 6)
    assert result.facts == {"idle_close_kind": "none"}, result.evidence
    assert result.evidence["range_covered_s"] == [1.0, 6.0]
    for rung in result.evidence["closed"]:  # one the queue still lost is set aside, and said so
        assert f"the {rung:g} s rung was reset" in result.evidence["note"]
    assert wall < 6 + 3


def test_flooding_server_is_skipped_not_misread() -> None:
    """A server that sends data on idle connections: skipped with the reason, no fact."""
    with FaultServer(BEHAVIOURS["flood"]) as server:
        result, wall = _idle(server.port, 5)
    assert result.status == "skipped"
    assert result.facts == {}
    assert "sends data" in (result.reason or "")
    assert wall < 5


def test_closed_port_is_skipped() -> None:
    """Nothing to hold idle on a closed port: skipped with the reason."""
    result, _ = _idle(unused_port(), 5)
    assert result.status == "skipped"
    assert result.reason == "no TCP connection to hold idle: connection refused"


def test_ladder_steps_stay_within_ten_percent() -> None:
    """Rungs are whole seconds, at most 8 % + 1 s apart, ending at the budget."""
    for budget in (2, 30, 400):
        rungs = idle_ladder(budget)
        assert rungs[0] == 1.0 and rungs[-1] == float(budget)
        assert all(b - a <= 0.08 * a + 1 for a, b in itertools.pairwise(rungs))


def test_reset_on_accept_is_not_an_idle_timeout() -> None:
    """A server that resets every connection at once: skipped, it says nothing about idleness."""
    with FaultServer(BEHAVIOURS["reset-on-accept"]) as server:
        result, wall = _idle(server.port, 5)
    assert result.status == "skipped"
    assert result.facts == {}
    assert wall < 1.5
