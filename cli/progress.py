"""Live progress of a probe run on stderr: a table on a terminal, plain lines otherwise.

On a TTY, rich draws one row per probe with its status and, for the idle
test, a countdown. When stderr is not a terminal (CI, logs, pipes), each
start and end is one line, and the countdown is a line every ten seconds.
``--quiet`` silences it all. The engine reports ``ProbeEvent`` values; only
this module knows how they look.

It also keeps the results of the probes that finished: on Ctrl-C it turns
the interrupt into ``ProbesInterrupted`` (still a KeyboardInterrupt, so exit
130) holding them as a partial run, which ``--save`` writes so that
``--resume`` runs only the probes that did not finish.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import cached_property
from types import TracebackType
from typing import Any

from cli.environment import Environment
from engine.errors import ConndoctorError
from engine.probes.base import ProbeEvent, ProbeResult, ProbeRun, Target

PLAIN_COUNTDOWN_EVERY = 10.0


class ProbesInterrupted(KeyboardInterrupt):
    """Ctrl-C during a probe run; ``run`` holds the probes that had finished."""

    def __init__(self, partial: Callable[[], ProbeRun]) -> None:
        super().__init__()
        self._partial = partial

    @cached_property
    def run(self) -> ProbeRun:
        """The partial run, made when asked: it looks the target's name up again."""
        return self._partial()


class ProbeProgress:
    """A progress callback for ``run_probes``; use it as a context manager."""

    def __init__(self, env: Environment, target: str) -> None:
        self.env = env
        self.target = target
        self.rows: dict[str, tuple[str, str, float | None, float]] = {}
        self._live: Any = None
        self._last_plain: dict[str, float] = {}
        self.tty = bool(getattr(env.stderr, "isatty", lambda: False)())
        self.finished: list[ProbeResult] = []
        self.started_at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        self._started = time.monotonic()

    def __enter__(self) -> ProbeProgress:
        if self.env.quiet:
            return self
        if self.tty:
            from rich.console import Console
            from rich.live import Live

            console = Console(file=self.env.stderr, stderr=True)
            self._live = Live(self._table(), console=console, refresh_per_second=4,
                              transient=False, get_renderable=self._table)
            self._live.start()
        else:
            self.env.message(f"probing {self.target}")
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._live is not None:
            self._live.stop()
            self._live = None
        if isinstance(exc, KeyboardInterrupt) and not isinstance(exc, ProbesInterrupted):
            raise ProbesInterrupted(self.partial_run) from exc

    def __call__(self, event: ProbeEvent) -> None:
        """Receive one event from the runner."""
        if event.result is not None:
            self.finished.append(event.result)
        if self.env.quiet:
            return
        self.rows[event.name] = (event.status, event.detail, event.seconds_left, time.monotonic())
        if self._live is None:
            self._plain(event)

    def partial_run(self) -> ProbeRun:
        """The probes that finished so far, as a run from this host (as the runner makes it)."""
        from engine.probes.registry import REGISTRY
        from engine.probes.runner import local_vantage

        order = list(REGISTRY.specs)  # the runner's order, whatever finished first
        finished = sorted(self.finished, key=lambda r: order.index(r.name)
                          if r.name in order else len(order))
        try:  # the run resolved this name a moment ago: the answer is cached or numeric
            target = Target.parse(self.target)
            infos = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
            addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
        except (ConndoctorError, OSError):
            addresses = []
        return ProbeRun(target=self.target, addresses=addresses,
                        vantage=local_vantage(addresses), started_at=self.started_at,
                        seconds=round(time.monotonic() - self._started, 4),
                        probes=finished)

    def _plain(self, event: ProbeEvent) -> None:
        if event.status == "running":
            now = time.monotonic()
            if now - self._last_plain.get(event.name, 0.0) < PLAIN_COUNTDOWN_EVERY:
                return
            self._last_plain[event.name] = now
            left = f" ({event.seconds_left:.0f} s left at most)" if event.seconds_left else ""
            self.env.message(f"probe {event.name}: {event.detail}{left}")
            return
        if event.status == "started":
            self._last_plain[event.name] = time.monotonic()
            self.env.message(f"probe {event.name}: started")
            return
        detail = f" ({event.detail})" if event.detail else ""
        self.env.message(f"probe {event.name}: {event.status}{detail}")

    def _table(self) -> Any:
        from rich.table import Table

        table = Table(title=f"probing {self.target}", title_justify="left", box=None,
                      show_header=False, pad_edge=False)
        now = time.monotonic()
        for name, (status, detail, left, at) in self.rows.items():
            if status in ("started", "running"):
                remaining = None if left is None else max(0.0, left - (now - at))
                clock = f"{remaining:4.0f} s left" if remaining is not None else ""
                table.add_row(f"[cyan]{name}[/]", "[yellow]running[/]", clock, detail)
            else:
                colour = "green" if status == "ok" else "red"
                table.add_row(f"[cyan]{name}[/]", f"[{colour}]{status}[/]", "", detail)
        return table
