"""The progress display: plain lines with a throttled countdown, rich table on a terminal."""

from __future__ import annotations

import io

import pytest

import cli.progress
from cli.environment import Environment
from cli.progress import ProbeProgress
from engine.probes.base import ProbeEvent


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_plain_countdown_is_one_line_every_ten_seconds(monkeypatch: pytest.MonkeyPatch) -> None:
    """Off a terminal, the idle countdown prints at most one line per 10 s, then the result."""
    clock = _Clock()
    monkeypatch.setattr(cli.progress.time, "monotonic", clock)
    err = io.StringIO()
    with ProbeProgress(Environment(stderr=err), "db:5432") as progress:
        progress(ProbeEvent("idle", "started", seconds_left=38))
        for second in range(1, 25):
            clock.now = 100.0 + second
            progress(ProbeEvent("idle", "running", f"holding 28 idle connections, {second} s",
                                38 - second))
        progress(ProbeEvent("idle", "ok", "idle_close_kind=fin, idle_close_seconds=5.0"))
    assert err.getvalue().splitlines() == [
        "probing db:5432",
        "probe idle: started",
        "probe idle: holding 28 idle connections, 10 s (28 s left at most)",
        "probe idle: holding 28 idle connections, 20 s (18 s left at most)",
        "probe idle: ok (idle_close_kind=fin, idle_close_seconds=5.0)",
    ]


def test_terminal_table_shows_a_countdown() -> None:
    """On a terminal, the live table shows the running probe with seconds left."""
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    err = Terminal()
    with ProbeProgress(Environment(stderr=err), "db:5432") as progress:
        progress(ProbeEvent("idle", "started", seconds_left=38))
        progress(ProbeEvent("idle", "running", "holding 28 idle connections", 30))
    text = err.getvalue()
    assert "probing db:5432" in text
    assert "s left" in text and "holding 28 idle connections" in text


def test_quiet_prints_nothing() -> None:
    """--quiet: the callback accepts events and writes nothing."""
    err = io.StringIO()
    env = Environment(stderr=err, quiet=True)
    with ProbeProgress(env, "db:5432") as progress:
        progress(ProbeEvent("port", "started"))
        progress(ProbeEvent("port", "ok", "port_state=open"))
    assert err.getvalue() == ""


@pytest.mark.parametrize("quiet", [False, True])
def test_ctrl_c_keeps_the_probes_that_finished(quiet: bool) -> None:
    """Ctrl-C during a run becomes ProbesInterrupted (still a KeyboardInterrupt) holding the
    finished probes, in the runner's order, and not the one still running (even with --quiet)."""
    from cli.progress import ProbesInterrupted
    from engine.probes.base import ProbeResult

    port = ProbeResult(name="port", status="ok", facts={"port_state": "open"}, seconds=0.01)
    tls = ProbeResult(name="tls", status="error", reason="boom", seconds=0.2)
    with pytest.raises(KeyboardInterrupt) as caught, \
            ProbeProgress(Environment(stderr=io.StringIO(), quiet=quiet), "127.0.0.1:5432") as p:
        for result in (tls, port):
            p(ProbeEvent(result.name, "started"))
            p(ProbeEvent(result.name, result.status, result=result))
        p(ProbeEvent("idle", "started", seconds_left=30))
        raise KeyboardInterrupt
    assert isinstance(caught.value, ProbesInterrupted)
    run = caught.value.run
    assert run.target == "127.0.0.1:5432" and run.addresses == ["127.0.0.1"]
    assert run.vantage.source_address == "127.0.0.1"
    assert run.probes == [port, tls]
