"""The idle ladder's verdict: when rungs that went silent count as an idle timeout."""

from __future__ import annotations

from engine.probes.idle_ladder import Rung, decide

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
    """Nothing longer can confirm the top rung: its silence counts."""
    verdict = decide(_ladder(alive=[1, 2, 3], silent=[4]), NOW, WAIT)
    assert verdict is not None
    assert (verdict.kind, verdict.bracket) == ("silent", [3, 4])
