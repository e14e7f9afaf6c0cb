"""Live progress of a probe run on stderr: a table on a terminal, plain lines otherwise.

On a TTY, rich draws one row per probe with its status and, for the idle
test, a countdown. When stderr is not a terminal (CI, logs, pipes), each
start and end is one line, and the countdown is a line every ten seconds.
``--quiet`` silences it all. The engine reports ``ProbeEvent`` values; only
this module knows how they look.
"""

from __future__ import annotations

import time
from types import TracebackType
from typing import Any

from cli.environment import Environment
from engine.probes.base import ProbeEvent

PLAIN_COUNTDOWN_EVERY = 10.0


class ProbeProgress:
    """A progress callback for ``run_probes``; use it as a context manager."""

    def __init__(self, env: Environment, target: str) -> None:
        self.env = env
        self.target = target
        self.rows: dict[str, tuple[str, str, float | None, float]] = {}
        self._live: Any = None
        self._last_plain: dict[str, float] = {}
        self.tty = bool(getattr(env.stderr, "isatty", lambda: False)())

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

    def __call__(self, event: ProbeEvent) -> None:
        """Receive one event from the runner."""
        if self.env.quiet:
            return
        self.rows[event.name] = (event.status, event.detail, event.seconds_left, time.monotonic())
        if self._live is None:
            self._plain(event)

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
