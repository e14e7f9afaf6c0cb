"""The idle ladder: its rungs, what each rung saw, and the verdict they support.

A rung is one idle connection with keepalive after ``seconds`` of silence.
Its close is *spontaneous* when it came before the rung's own keepalive
fired (the peer or path closed on its own clock, the same moment on every
rung), and *triggered* when it answered the keepalive (an RST) or the
keepalive went unanswered (silent). Spontaneous closes date the timeout
exactly; triggered ones bracket it between the longest living rung and the
shortest dead one.
"""

from __future__ import annotations

import asyncio
import errno
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from engine.probes.tcpinfo import TcpInfo

READ_LIMIT = 64 * 1024
STEP_SHARE = 0.08
MAX_RUNGS = 100
GRACE = 0.3
KEEPALIVE_INTERVAL = 1  # seconds between keepalive probes once one went unanswered


def idle_ladder(budget: float) -> list[float]:
    """Whole seconds from 1 to ``budget``: steps of 1 s, then of about 8 % (at most 100 rungs)."""
    top = max(1, int(budget))
    rungs: list[int] = []
    rung = 1
    while rung < top:
        rungs.append(rung)
        rung += max(1, int(rung * STEP_SHARE))
    rungs.append(top)
    while len(rungs) > MAX_RUNGS:
        rungs = rungs[:1] + rungs[1:-1:2] + rungs[-1:]
    return [float(r) for r in rungs]


@dataclass
class Rung:
    """One idle connection of the ladder and what happened to it."""

    seconds: float
    sock: socket.socket | None = None
    opened: float = 0.0
    connect_seconds: float = 0.0
    keepalive: bool = False
    resent: bool = False  # its handshake needed a SYN resend (a full accept queue, or loss)
    state: str = "open"  # open -> alive | dead | busy
    kind: str | None = None
    closed_at: float | None = None
    seen_at: float = 0.0
    spontaneous: bool = False
    verified: bool = False
    revived: bool = False  # declared silent, then a later keepalive was answered

    async def read_until_closed(self) -> None:
        """Wait for FIN, RST or a keepalive timeout; data beyond 64 KiB makes the rung busy."""
        assert self.sock is not None
        loop = asyncio.get_running_loop()
        total = 0
        while total <= READ_LIMIT:
            try:
                chunk = await loop.sock_recv(self.sock, 4096)
            except ConnectionResetError:
                self._closed("rst")
                return
            except OSError as error:
                self._closed("silent" if error.errno == errno.ETIMEDOUT else "rst")
                return
            if not chunk:
                self._closed("fin")
                return
            total += len(chunk)
        self.state = "busy"

    def _closed(self, kind: str) -> None:
        now = time.monotonic()
        elapsed = now - self.opened
        self.spontaneous = self.state in ("open", "alive") and elapsed < self.seconds - 0.05
        if self.state == "alive" and not self.spontaneous:
            self.spontaneous = True  # it had answered its keepalive: this close is the peer's
        self.state, self.kind, self.seen_at = "dead", kind, now
        self.closed_at = elapsed if self.spontaneous else self.seconds

    def check_keepalive(self, now: float, wait: float,
                        read: Callable[[socket.socket], TcpInfo | None]) -> None:
        """After the first keepalive had time to be answered: alive, or dead and silent.

        Alive as soon as an acknowledgement newer than the probe is seen.
        Silent only after two unanswered probes (one lost probe on a lossy
        path is not a dead flow); the second goes out KEEPALIVE_INTERVAL
        later.
        """
        if self.state == "dead" and self.kind == "silent" and self.sock is not None:
            self._revive_if_answered(now, read)
            return
        if self.state != "open" or self.sock is None:
            return
        probe_at = self.opened + self.seconds
        if now < probe_at + wait:
            return
        info = read(self.sock) if self.keepalive else None
        if info is None:
            self.state = "alive"  # cannot tell more without TCP_INFO; a close still shows
            self.verified = True
        elif info.probes == 0 and info.last_ack_recv_ms / 1000 <= now - probe_at + 0.05:
            self.state, self.verified = "alive", True
        elif info.probes >= 2 or (info.probes and now > probe_at + 2 * wait + KEEPALIVE_INTERVAL):
            self.state, self.kind, self.seen_at = "dead", "silent", now
            self.closed_at = self.seconds
        elif now > probe_at + 4 * wait + KEEPALIVE_INTERVAL:
            self.state, self.verified = "alive", True  # no unanswered probe: nothing died

    def _revive_if_answered(self, now: float,
                            read: Callable[[socket.socket], TcpInfo | None]) -> None:
        """A keepalive answered after two were lost: the flow lives, the path lost packets.

        The kernel goes on probing a silent connection (TCP_KEEPCNT); an
        acknowledgement newer than the verdict resets its count to zero.
        """
        assert self.sock is not None
        info = read(self.sock) if self.keepalive else None
        acked_since = info is not None and info.last_ack_recv_ms / 1000 < now - self.seen_at
        if info is not None and info.probes == 0 and acked_since:
            self.state, self.verified, self.revived = "alive", True, True
            self.kind, self.closed_at = None, None


@dataclass
class Verdict:
    """What the ladder says: the close time (None: survived), its kind, and the range covered."""

    seconds: float | None
    kind: str
    covered: float
    alive: list[float] = field(default_factory=list)
    closed: list[float] = field(default_factory=list)
    bracket: list[float] | None = None
    note: str | None = None

    def summary(self) -> dict[str, Any]:
        """The verdict as evidence."""
        return {"close_seconds": self.seconds, "kind": self.kind, "bracket": self.bracket}


def decide(rungs: list[Rung], now: float, wait: float, final: bool = False) -> Verdict | None:
    """The verdict, or None while the rungs that matter are still undecided.

    A silent death needs a longer rung to die too before it counts: an idle
    timer kills every connection idle longer than it, while a lossy path can
    lose two keepalives of one rung in a row (at 5 % loss, about one rung in a
    hundred; the default ladder has 28). A silent rung that a longer, living
    rung contradicts was packet loss and is set aside.

    A keepalive answered with an RST needs a longer rung to die too, for the
    same reason: a connection the server never accepted (its accept queue
    overflowed and the handshake's last ACK was dropped) is unknown to the
    server's kernel, which resets it at the first packet, whatever the rung.
    One that a longer, living rung contradicts is set aside. Such connections
    come in a batch (the SYN resends the overflow caused go out together), so
    only a longer rung whose handshake needed no resend confirms an RST.
    """
    alive = [r.seconds for r in rungs if r.verified]
    closed = [r.seconds for r in rungs if r.state == "dead"]
    spontaneous = [r for r in rungs if r.spontaneous and r.closed_at is not None]
    if spontaneous:
        first = min(spontaneous, key=lambda r: r.closed_at or 0.0)
        assert first.closed_at is not None and first.kind is not None
        return Verdict(round(first.closed_at, 2), first.kind, first.closed_at, alive, closed)
    lost = _contradicted(rungs, "silent")
    unaccepted = _contradicted(rungs, "rst")
    doubtful = _unconfirmed_resent(rungs) - unaccepted if final else set()
    set_aside = lost | unaccepted | doubtful
    notes = []
    if lost:
        notes.append(f"keepalives lost on the {_rungs(lost)} rung while a longer one lived: "
                     "packet loss, not an idle timer")
    if revived := {r.seconds for r in rungs if r.revived}:
        notes.append(f"the {_rungs(revived)} rung answered a keepalive after two were lost: "
                     "packet loss, not an idle timer")
    if unaccepted:
        notes.append(f"the {_rungs(unaccepted)} rung was reset at its keepalive while a longer "
                     "one lived: a connection the server never accepted (a full accept queue "
                     "dropped its handshake's last ACK), not an idle timer")
    if doubtful:
        notes.append(f"the {_rungs(doubtful)} rung, whose handshake needed a resent SYN (as when "
                     "an accept queue overflows), was reset at its keepalive and no other rung "
                     "confirmed it: perhaps never accepted, set aside")
    note = "; ".join(notes) or None
    dead = [r for r in rungs if r.state == "dead" and r.seconds not in set_aside]
    if dead:
        shortest = min(dead, key=lambda r: r.seconds)
        longer = [r for r in rungs if r.seconds > shortest.seconds]
        # with no longer rung to die too, the longest one's RST stands, and its
        # silence once one more keepalive went unanswered as well (a lossy path
        # loses two in a row)
        confirmed = (shortest.kind not in ("silent", "rst")
                     or (not longer and ((shortest.kind == "rst" and not shortest.resent) or
                                         now - shortest.seen_at >= KEEPALIVE_INTERVAL + wait))
                     or any(r.state == "dead" and not (shortest.kind == "rst" and r.resent)
                            for r in longer))
        below = [r for r in rungs if r.seconds < shortest.seconds]
        settled = all(r.state in ("alive", "busy") or r.seconds in set_aside for r in below)
        if final or (confirmed and settled and now - shortest.seen_at >= GRACE):
            low = max((r.seconds for r in below if r.state == "alive"), default=0.0)
            assert shortest.kind is not None
            return Verdict((low + shortest.seconds) / 2, shortest.kind, shortest.seconds, alive,
                           closed, bracket=[low, shortest.seconds], note=note)
        return None
    if all(r.state == "busy" for r in rungs):
        return Verdict(None, "busy", 0.0, note="the server sends data on idle connections")
    if all(r.state in ("alive", "busy") or r.seconds in set_aside for r in rungs) or final:
        covered = max(alive, default=0.0)
        if not covered:
            note = "no keepalive could be confirmed"
        return Verdict(None, "none", covered, alive, closed, note=note)
    return None


def _contradicted(rungs: list[Rung], kind: str) -> set[float]:
    """Rungs ended by their keepalive (``kind``) while a longer rung's was answered."""
    return {r.seconds for r in rungs if r.state == "dead" and r.kind == kind and not r.spontaneous
            and any(o.seconds > r.seconds and o.state == "alive" for o in rungs)}


def _rungs(seconds: set[float]) -> str:
    return ", ".join(f"{s:g} s" for s in sorted(seconds))


def _unconfirmed_resent(rungs: list[Rung]) -> set[float]:
    """RST rungs with a resent SYN that no longer rung with a clean handshake died after."""
    return {r.seconds for r in rungs if r.state == "dead" and r.kind == "rst" and r.resent
            and not r.spontaneous
            and not any(o.seconds > r.seconds and o.state == "dead" and not o.resent
                        for o in rungs)}
