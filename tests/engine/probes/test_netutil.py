"""Round trips from connect times, where a lost SYN was resent."""

from __future__ import annotations

import pytest

from engine.probes.netutil import handshake_round_trip


@pytest.mark.parametrize(("connect_seconds", "round_trip"), [
    (0.0004, 0.0004),  # answered at once
    (0.35, 0.35),  # a distant host, nothing lost
    (1.0004, 0.0004),  # the SYN (or SYN-ACK) lost once, resent after 1 s
    (3.05, 0.05),  # lost twice: resent at 1 s and at 3 s
])
def test_a_resent_syn_does_not_count_as_delay(connect_seconds: float, round_trip: float) -> None:
    """A connect that waited for a resent SYN measured the path only since the resend."""
    assert handshake_round_trip(connect_seconds) == pytest.approx(round_trip)
