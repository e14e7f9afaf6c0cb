"""The idle ladder's verdict: when rungs that went silent count as an idle timeout."""

from __future__ import annotations

import dataclasses
import socket

from engine.probes.idle_ladder import KEEPALIVE_INTERVAL, Rung, decide
from engine.probes.tcpinfo import TcpInfo

WAIT = 0.5
NOW = 100.0  # long after every rung's keepalive: only the rungs' states matter


def _ladder(alive: list[float], silent: list[float],
            still_open: tuple[float, ...] = ()) -> list[Rung]:
    rungs = [Rung(s, state="alive", verified=True) for s in alive]
    rungs += [Rung(s, state="dead", kind="silent", seen_at=0.0, closed_at=s) for s in silent]
    rungs += [Rung(s) for s in still_open]
    return sorted(rungs, key=lambda r: r.seconds)


def test_silent_rungs_from_the_timeout_up_are_a_silent_expiry() -> None:
    """A flow forgotten after 3.5 s: rungs 1-3 live, 4 and 5 go silent; the timeout is in [3, 4]."""
    verdict = decide(_ladder(alive=[1, 2, 3], silent=[4, 5]), NOW, WAIT)
    assert verdict is not None
    assert (verdict.kind, verdict.bracket) == ("silent", [3, 4])


def test_one_silent_rung_below_a_living_one_is_packet_loss() -> None:
    """Rung 2 lost two keepalives in a row but rung 3 lived: no idle timer does that."""
    verdict = decide(_ladder(alive=[1, 3, 4], silent=[2]), NOW, WAIT)
    assert verdict is not None
    assert (verdict.kind, verdict.seconds) == ("none", None)
    assert verdict.note is not None and "2 s rung" in verdict.note


def test_a_silent_rung_waits_for_a_longer_one_to_die_too() -> None:
    """Rung 3 silent, rung 4 not yet judged: no verdict until rung 4 dies or lives."""
    assert decide(_ladder(alive=[1, 2], silent=[3], still_open=(4,)), NOW, WAIT) is None
    verdict = decide(_ladder(alive=[1, 2], silent=[3, 4]), NOW, WAIT)
    assert verdict is not None and verdict.bracket == [2, 3]


def test_the_longest_rung_silent_alone_is_an_expiry_at_the_top() -> None:
    """Nothing longer can confirm the top rung: its silence counts once one more keepalive
    went unanswered too (a lossy path loses two in a row now and then, rarely three)."""
    ladder = _ladder(alive=[1, 2, 3], silent=[4])
    seen = ladder[-1].seen_at
    assert decide(ladder, seen + KEEPALIVE_INTERVAL, WAIT) is None
    verdict = decide(ladder, seen + KEEPALIVE_INTERVAL + WAIT, WAIT)
    assert verdict is not None
    assert (verdict.kind, verdict.bracket) == ("silent", [3, 4])


def test_a_silent_rung_that_answers_a_later_keepalive_lives() -> None:
    """Two keepalives lost, the third acknowledged: the flow lives, the path lost packets.

    Seen in the lab on a path losing every tenth packet: the 6 s rung of a
    6 s ladder went silent, and with nothing longer to contradict it the idle
    test reported an expiry at 5.5 s on a server that never closes.
    """
    ladder = _ladder(alive=[1, 2, 3], silent=[4])
    top = ladder[-1]
    top.sock, top.keepalive, top.seen_at = socket.socket(), True, 10.0
    with top.sock:
        acked_just_now = _info(probes=0, last_ack_recv_ms=100)
        top.check_keepalive(11.5, WAIT, lambda _sock: acked_just_now)
    assert (top.state, top.revived) == ("alive", True)
    verdict = decide(ladder, 11.5, WAIT)
    assert verdict is not None
    assert (verdict.kind, verdict.seconds) == ("none", None)
    assert verdict.note is not None and "4 s rung answered a keepalive" in verdict.note


def _info(probes: int, last_ack_recv_ms: int) -> TcpInfo:
    """TCP_INFO with every field 0 but the two the keepalive check reads."""
    zeros = dict.fromkeys((field.name for field in dataclasses.fields(TcpInfo)), 0)
    return TcpInfo(**{**zeros, "probes": probes, "last_ack_recv_ms": last_ack_recv_ms})


def _reset(seconds: float) -> Rung:
    """A rung whose keepalive was answered with an RST."""
    return Rung(seconds, state="dead", kind="rst", seen_at=0.0, closed_at=seconds)


def test_a_reset_rung_below_a_living_one_was_never_accepted() -> None:
    """Rung 2's keepalive met an RST but rung 3's was answered: no idle timer does that.

    A connection whose handshake's last ACK a full accept queue dropped is
    unknown to the server, which resets it at its first keepalive, whatever the
    rung: http.server (a queue of 5) read as an idle reset at 4.5-8.5 s.
    """
    ladder = sorted([*_ladder(alive=[1, 3, 4], silent=[]), _reset(2)], key=lambda r: r.seconds)
    verdict = decide(ladder, NOW, WAIT)
    assert verdict is not None
    assert (verdict.kind, verdict.seconds) == ("none", None)
    assert verdict.note is not None and "2 s rung was reset" in verdict.note
    assert "never accepted" in verdict.note


def test_a_reset_rung_waits_for_a_longer_one_to_die_too() -> None:
    """Rung 3 reset at its keepalive, rung 4 not yet judged: no verdict until rung 4 is."""
    assert decide(sorted([*_ladder(alive=[1, 2], silent=[], still_open=(4,)), _reset(3)],
                         key=lambda r: r.seconds), NOW, WAIT) is None
    verdict = decide([*_ladder(alive=[1, 2], silent=[]), _reset(3), _reset(4)], NOW, WAIT)
    assert verdict is not None
    assert (verdict.kind, verdict.bracket) == ("rst", [2, 3])


def test_the_longest_rung_reset_alone_is_a_reset_at_the_top() -> None:
    """Nothing longer can contradict the top rung's RST: it stands at once."""
    verdict = decide([*_ladder(alive=[1, 2, 3], silent=[]), _reset(4)], NOW, WAIT)
    assert verdict is not None
    assert (verdict.kind, verdict.bracket) == ("rst", [3, 4])


def test_a_rung_whose_syn_was_resent_does_not_confirm_a_reset() -> None:
    """Rungs 3 and 4 reset, 4's handshake needed a resent SYN, 5 not yet judged: no verdict.

    The connections a full accept queue never accepted come in a batch (the
    SYN resends the overflow caused go out together), so one cannot vouch for
    another; once rung 5 lives, both are set aside.
    """
    batch = dataclasses.replace(_reset(4), resent=True)
    ladder = [*_ladder(alive=[1, 2], silent=[], still_open=(5,)), _reset(3), batch]
    assert decide(sorted(ladder, key=lambda r: r.seconds), NOW, WAIT) is None
    ladder[2] = Rung(5.0, state="alive", verified=True)
    verdict = decide(sorted(ladder, key=lambda r: r.seconds), NOW, WAIT)
    assert verdict is not None
    assert (verdict.kind, verdict.seconds) == ("none", None)
    assert verdict.note is not None and "3 s, 4 s rung was reset" in verdict.note
