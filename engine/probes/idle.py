"""The idle probe: how long does an idle connection survive, and how does it end?

Many idle durations are measured at once, one connection per rung of a
ladder (1, 2, 3 ... s, then steps of about 8 %, up to ``--idle-max``), so the
wall time stays close to the timeout itself instead of the sum of the rungs.

- A peer or proxy that closes idle connections (FIN or RST) does so on every
  connection at the same moment; a connection whose own probe had not yet
  fired sees it as readability, which dates the close to the millisecond.
- A path that forgets the flow silently (conntrack, NAT, cloud LB) shows only
  when something is sent. Each rung gets per-socket TCP keepalive with
  TCP_KEEPIDLE equal to its duration: no application data, nothing a server
  could object to. TCP_INFO then says whether the keepalive was acknowledged
  (``probes`` back to 0, a fresh ``last_ack_recv``) or not (``silent``); an
  RST in reply is ``rst``. Acknowledged keepalives refresh the path's timer,
  so rungs below the timeout stay alive and rungs above it die: the timeout
  lies between the longest living rung and the shortest dead one.

The rungs are opened one every OPEN_PACE, not all at once, longest first. A
burst of handshakes overflows a small accept queue (Python's ``http.server``
listens with 5): SYNs are dropped, and their resends (which the kernel's timer
wheel fires together, however far apart the connects began) find more
handshakes pending than the backlog, so Linux answers with SYN cookies and
drops the last ACKs that find the queue full. Such a connection is
established for the client but unknown to the server, which keeps no state
for it and answers its first keepalive with an RST, at whatever rung: the
ladder read that as an idle reset. Paced, a server accepting within a few ms
keeps up; one slower still loses the rungs opened last, the shortest, and
``idle_ladder.decide`` sets aside a rung reset while a longer one lived.

When the port speaks HTTP (plain or TLS), ``idle_http`` also measures the
keep-alive timeout after a real request. The evidence says what range was
covered.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

from engine.probes.base import ProbeOptions, ProbeResult, Target, report_progress
from engine.probes.idle_http import HttpIdle
from engine.probes.idle_ladder import KEEPALIVE_INTERVAL, Rung, Verdict, decide, idle_ladder
from engine.probes.netutil import (
    ResolveError,
    client_address,
    handshake_round_trip,
    open_socket,
    why,
)
from engine.probes.tcpinfo import enable_keepalive, read

CONNECT_TIMEOUT = 3.0
TICK = 0.1
AT_ONCE = 0.5  # a close sooner than this after connect or response is not about idleness
# One rung's connect every 5 ms (the port probe's pace): a server accepting one
# connection per few ms keeps its queue from overflowing; 100 rungs take 0.5 s.
OPEN_PACE = 0.005
CLOSES = ("fin", "rst")


async def probe_idle(target: Target, options: ProbeOptions) -> ProbeResult:
    """Hold a ladder of idle connections; find when and how the first one ends."""
    started = time.monotonic()
    try:
        family, address = await client_address(target.host, target.port)
        first = await open_socket(family, address, target.port, CONNECT_TIMEOUT)
    except (ResolveError, OSError, TimeoutError) as error:
        return ProbeResult(name="idle", status="skipped",
                           reason=f"no TCP connection to hold idle: {why(error)}")
    round_trips = [time.monotonic() - started]
    first.close()
    budget = max(1.0, options.idle_max_seconds)
    rungs = [Rung(d) for d in idle_ladder(budget)]
    http_state = HttpIdle()
    http_task = asyncio.ensure_future(http_state.run(target, address, budget))
    try:
        await asyncio.gather(*(_open(rung, family, address, target.port, index * OPEN_PACE)
                               for index, rung in enumerate(reversed(rungs))))
        live = [rung for rung in rungs if rung.sock is not None]
        if not live:
            return ProbeResult(name="idle", status="skipped",
                               reason="no connection of the ladder could be opened")
        # The quickest of all the handshakes, each counted from its last SYN resend:
        # the server resends a lost SYN-ACK on its own clock, which no resend
        # schedule of ours dates, so one connect alone can still be a second slow.
        round_trips += [rung.connect_seconds for rung in live]
        wait = max(0.5, 4 * min(map(handshake_round_trip, round_trips)) + 0.3)
        verdict = await _watch(live, budget, wait, http_task)
        if verdict.kind in CLOSES:
            await _request_settled(http_state, http_task, wait)
        if not http_state.watching:  # still asking: the port has not shown it speaks HTTP
            http_task.cancel()
        http = (await asyncio.gather(http_task, return_exceptions=True))[0]
    finally:
        http_task.cancel()
        for rung in rungs:
            if rung.sock is not None:
                rung.sock.close()
    if verdict.kind == "busy":
        return ProbeResult(name="idle", status="skipped", reason=verdict.note)
    if verdict.seconds is not None and verdict.seconds < AT_ONCE:
        return ProbeResult(name="idle", status="skipped",
                           reason=f"the server ends every connection at once ({verdict.kind} "
                                  f"after {verdict.seconds:.2f} s), so idleness plays no part")
    if not isinstance(http, dict):
        http = None
    facts: dict[str, Any] = {}
    evidence: dict[str, Any] = {
        "ladder": [r.seconds for r in rungs], "alive": verdict.alive, "closed": verdict.closed,
        "range_covered_s": [rungs[0].seconds, round(verdict.covered, 2)],
        "keepalive": "per socket: TCP_KEEPIDLE=rung, TCP_KEEPINTVL=1, TCP_KEEPCNT=5",
        "before_request": verdict.summary(),
    }
    close_seconds, kind = verdict.seconds, verdict.kind
    if http is not None:
        evidence["after_request"] = http
        after = http.get("close_seconds")
        if (isinstance(after, float) and after >= AT_ONCE
                and (close_seconds is None or after < close_seconds)):
            close_seconds, kind = after, str(http["kind"])
    facts["idle_close_kind"] = kind
    if close_seconds is not None:
        facts["idle_close_seconds"] = round(close_seconds, 2)
    if _closed_whatever_was_sent(verdict, http_state.closed_unanswered_after, wait):
        facts["closes_without_reply"] = True
        evidence["closed_without_reply"] = (
            f"a GET was closed unanswered after {http_state.closed_unanswered_after:.2f} s, as "
            f"the idle connections were: the server ends connections at a fixed time, asked or not")
    if verdict.note:
        evidence["note"] = verdict.note
    elif verdict.seconds is None and _http_closed(http_task):
        evidence["note"] = ("the ladder stopped when the HTTP keep-alive close was found; "
                            "no idle close before a request within the range covered")
    return ProbeResult(name="idle", status="ok", seconds=round(time.monotonic() - started, 4),
                       facts=facts, evidence=evidence)


async def _open(rung: Rung, family: int, address: str, port: int, delay: float) -> None:
    """Connect ``rung`` after ``delay`` s (the ladder's connects go one at a time)."""
    await asyncio.sleep(delay)
    with contextlib.suppress(OSError, TimeoutError):
        started = time.monotonic()
        rung.sock = await open_socket(family, address, port, CONNECT_TIMEOUT)
        rung.opened = time.monotonic()
        rung.connect_seconds = rung.opened - started
        rung.resent = handshake_round_trip(rung.connect_seconds) < rung.connect_seconds
        rung.keepalive = enable_keepalive(rung.sock, int(rung.seconds),
                                          interval=KEEPALIVE_INTERVAL, count=5)


async def _request_settled(state: HttpIdle, task: asyncio.Future[Any], wait: float) -> None:
    """Give the GET up to ``wait`` s to be answered or closed (a forwarder closes it too)."""
    deadline = time.monotonic() + wait
    while (not task.done() and not state.watching and state.closed_unanswered_after is None
           and time.monotonic() < deadline):
        await asyncio.sleep(TICK / 10)


def _closed_whatever_was_sent(verdict: Verdict, request_closed: float | None,
                              wait: float) -> bool:
    """The request got no byte and was closed when the idle connections were.

    An idle timer answers a request and restarts; a forwarder retrying a
    backend that refuses (HAProxy: three tries, a second apart) closes every
    connection the same time after it came, whatever was sent on it.
    """
    if verdict.kind not in CLOSES or verdict.seconds is None or request_closed is None:
        return False
    return abs(request_closed - verdict.seconds) <= max(0.5, wait)


def _http_closed(http: asyncio.Future[dict[str, Any] | None]) -> bool:
    if not http.done() or http.cancelled() or http.exception() is not None:
        return False
    outcome = http.result()
    close = outcome.get("close_seconds") if outcome else None
    return isinstance(close, float) and close >= AT_ONCE


async def _watch(rungs: list[Rung], budget: float, wait: float,
                 http: asyncio.Future[dict[str, Any] | None]) -> Verdict:
    """Watch readability and keepalive acknowledgements until the verdict is known.

    Once the HTTP keep-alive close is known, a later close of the ladder could
    not be the shortest any more, so the ladder stops there too.
    """
    readers = [asyncio.ensure_future(rung.read_until_closed()) for rung in rungs]
    begin = min(rung.opened for rung in rungs)
    # the longest rung's silence needs two unanswered keepalives and one more
    # (see decide): its first goes out at ``budget`` after the last rung opened,
    # the others a second apart
    deadline = max(rung.opened for rung in rungs) + budget + 3 * wait + 2 * KEEPALIVE_INTERVAL + 0.5
    last_report = 0.0
    try:
        while True:
            now = time.monotonic()
            for rung in rungs:
                rung.check_keepalive(now, wait, read)
            verdict = decide(rungs, now, wait, final=now >= deadline or _http_closed(http))
            if verdict is not None:
                return verdict
            if now - last_report >= 1.0:
                last_report = now
                report_progress(f"holding {sum(r.state != 'dead' for r in rungs)} idle "
                                f"connections, {now - begin:.0f} s", max(0.0, deadline - now))
            await asyncio.sleep(TICK)
    finally:
        for task in readers:
            task.cancel()
        await asyncio.gather(*readers, return_exceptions=True)
