"""The port probe: does anything accept TCP connections on the target, and are handshakes lost?

Resolves the name (every A/AAAA address, each tried, all at once), then makes
a few sequential connects to each address. SYN-ACK is ``open``, RST is
``closed`` (connection refused), no answer within the adaptive timeout is
``filtered``, ICMP unreachable is ``unreachable``. The timeout of each try is
``srtt + 4·rttvar`` of the round trips measured so far (clamped), so a
loopback target is judged in milliseconds and a filtered one in about two
seconds. Facts describe the first address a client would use; the others are
in the evidence, and ``addresses_disagree`` says whether they all answered
alike (a server bound to IPv4 while the name gives ::1 first, a stale DNS
record, one replica down behind round-robin DNS: a client that picks the odd
address fails, the others do not). The first address that accepts is
remembered for the probes that talk to the service after this one
(``netutil.client_address``): clients move on from a dead address to it.

A try that gets no answer in time is not abandoned: its kernel resends the
SYN after a second (RFC 6298's initial RTO) while the next try goes on, and
a handshake that completes then is ``late``: a packet of it was lost. So one
or two lost handshakes at the start do not make an open port look filtered.
On a port that answers (over a network: loopback loses nothing and stays at
``connect_tries``), the series goes on to ``LOSS_TRIES`` connects (within
``LOSS_BUDGET`` seconds, one at a time, ``PACE`` apart so that a slow acceptor
with a short queue keeps up, on a target nobody else probes yet), and
``connect_loss`` is the share of handshakes that were late or never answered:
packet loss on the path, measured without sending the service any data.
"""

from __future__ import annotations

import asyncio
import ipaddress
import statistics
import time
from typing import Any

from engine.probes.base import ProbeOptions, ProbeResult, Target
from engine.probes.netutil import (
    SYN_RESENDS,
    ConnectOutcome,
    ResolveError,
    RttEstimator,
    remember_answering,
    resolve,
    try_connect,
)

MAX_TRIES = 10
LOSS_TRIES = 20  # on a port that answers, the first address's series goes on to count losses
LOSS_BUDGET = 1.0  # seconds: no try past ``connect_tries`` starts later than this
PACE = 0.005  # s between those further tries: 200 connects/s, which a slow acceptor keeps up with
LATE_WINDOW = SYN_RESENDS[0] + 1.5  # a try's own deadline: its resent SYN, and the answer
OTHER_ADDRESS_TRIES = 2
MAX_ADDRESSES = 8  # so the probe opens at most LOSS_TRIES + 2 * 7 connections
ANSWERED = ("open", "late")  # a handshake completed: something listens
LOST = ("late", "filtered")  # a handshake that was not answered in time
HEARD = ("open", "late", "closed")  # the host answered a SYN


async def probe_port(target: Target, options: ProbeOptions) -> ProbeResult:
    """Resolve and connect repeatedly; report state, median connect time, consistency."""
    started = time.monotonic()
    try:
        addresses = await resolve(target.host, target.port)
    except ResolveError as error:
        return ProbeResult(name="port", status="ok", seconds=time.monotonic() - started,
                           facts={"port_state": "unresolved"}, evidence={"resolve": str(error)})
    skipped = [address for _, address in addresses[MAX_ADDRESSES:]]
    addresses = addresses[:MAX_ADDRESSES]
    tries = max(1, min(options.connect_tries, MAX_TRIES))
    series = await asyncio.gather(*(
        _connect_series(family, address, target.port, tries, _loss_tries(address)) if index == 0
        else _connect_series(family, address, target.port, OTHER_ADDRESS_TRIES, 0)
        for index, (family, address) in enumerate(addresses)
    ))
    per_address: list[dict[str, Any]] = []
    for (_, address), (outcomes, timeouts) in zip(addresses, series, strict=True):
        per_address.append({
            "address": address, "states": [o.state for o in outcomes],
            "ms": [round(o.seconds * 1000, 3) for o in outcomes],
            "timeouts_ms": [round(t * 1000, 1) for t in timeouts],
            "details": sorted({o.detail for o in outcomes if o.detail}),
        })
    first = series[0][0]
    states = [o.state for o in first]
    state = _verdict(states)
    facts: dict[str, Any] = {"port_state": state, "intermittent_connect": len(set(states)) > 1}
    verdicts = [_verdict([o.state for o in outcomes]) for outcomes, _ in series]
    if len(series) > 1:  # a client may be given any of them: do they all answer alike?
        facts["addresses_disagree"] = len(set(verdicts)) > 1
    if "open" in verdicts:  # where a client that moves on from a dead address ends up
        remember_answering(target.host, target.port, *addresses[verdicts.index("open")])
    open_times = [o.seconds * 1000 for o in first if o.state in ANSWERED]
    if open_times:
        facts["connect_ms"] = round(statistics.median(open_times), 3)
    if state == "open":
        facts["connect_loss"] = round(sum(s in LOST for s in states) / len(states), 3)
    evidence: dict[str, Any] = {"addresses": per_address}
    if skipped:
        evidence["not_tried"] = skipped
    return ProbeResult(name="port", status="ok", seconds=round(time.monotonic() - started, 4),
                       facts=facts, evidence=evidence)


def _verdict(states: list[str]) -> str:
    """An address's state: the most frequent of its tries (a late answer is open; a tie
    goes to open, since something did listen)."""
    verdicts = ["open" if s == "late" else s for s in states]
    return max(set(verdicts), key=lambda s: (verdicts.count(s), s == "open"))


def _loss_tries(address: str) -> int:
    """How far the series goes to count lost handshakes: loopback has no path to lose them on."""
    return 0 if ipaddress.ip_address(address.split("%")[0]).is_loopback else LOSS_TRIES


async def _connect_series(
    family: int, address: str, port: int, tries: int, loss_tries: int
) -> tuple[list[ConnectOutcome], list[float]]:
    """Sequential connects, each timeout adapted to the round trips measured so far.

    ``tries`` connects at least (fewer when the first two get no answer and
    none has answered: filtered); up to ``loss_tries`` while something has
    answered and ``LOSS_BUDGET`` lasts. A try that times out keeps waiting in
    the background for the answer to its resent SYN, and is ``late`` if that
    comes before the series ends.
    """
    rtt = RttEstimator()
    outcomes: list[ConnectOutcome | None] = []
    timeouts: list[float] = []
    waiting: dict[int, asyncio.Task[ConnectOutcome]] = {}
    started = time.monotonic()
    try:
        for attempt in range(max(tries, loss_tries)):
            answered = any(o is not None and o.state in ANSWERED for o in outcomes)
            if attempt >= tries:
                if not answered or time.monotonic() - started > LOSS_BUDGET:
                    break
                await asyncio.sleep(PACE)  # a slow acceptor's queue drains between tries
            timeout = rtt.timeout()
            timeouts.append(timeout)
            task = asyncio.create_task(try_connect(family, address, port, LATE_WINDOW))
            done, _ = await asyncio.wait({task}, timeout=timeout)
            _collect_late(waiting, outcomes)
            if task not in done:
                waiting[len(outcomes)] = task
                outcomes.append(None)
            else:
                outcome = task.result()
                outcomes.append(outcome)
                if outcome.state in ("open", "closed"):
                    rtt.update(outcome.seconds)
            if attempt >= 1 and not any(o is not None and o.state in HEARD for o in outcomes):
                break  # two tries and no answer at all: filtered or unreachable
    finally:
        _collect_late(waiting, outcomes)
        for task in waiting.values():
            task.cancel()
        await asyncio.gather(*waiting.values(), return_exceptions=True)
    final = [o if o is not None else ConnectOutcome("filtered", timeouts[i], "no answer")
             for i, o in enumerate(outcomes)]
    return final, timeouts


def _collect_late(waiting: dict[int, asyncio.Task[ConnectOutcome]],
                  outcomes: list[ConnectOutcome | None]) -> None:
    """Record the tries that timed out and have been answered since (after a resent SYN)."""
    for index, task in list(waiting.items()):
        if not task.done():
            continue
        del waiting[index]
        outcome = task.result()
        if outcome.state == "open":
            outcome = ConnectOutcome("late", outcome.seconds, "answered after the SYN was resent")
        if outcome.state != "filtered":
            outcomes[index] = outcome
