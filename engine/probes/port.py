"""The port probe: does anything accept TCP connections on the target?

Resolves the name (every A/AAAA address, each tried, all at once), then makes
a few sequential connects to each address. SYN-ACK is ``open``, RST is
``closed`` (connection refused), no answer within the adaptive timeout is
``filtered``, ICMP unreachable is ``unreachable``. The timeout of each try is
``srtt + 4·rttvar`` of the round trips measured so far (clamped), so a
loopback target is judged in milliseconds and a filtered one in about two
seconds. Facts describe the first address a client would use; the others are
in the evidence.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from typing import Any

from engine.probes.base import ProbeOptions, ProbeResult, Target
from engine.probes.netutil import ConnectOutcome, ResolveError, RttEstimator, resolve, try_connect

MAX_TRIES = 10
OTHER_ADDRESS_TRIES = 2
MAX_ADDRESSES = 8  # so the probe opens at most MAX_TRIES + 2 * 7 connections


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
        _connect_series(family, address, target.port, tries if index == 0 else OTHER_ADDRESS_TRIES)
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
    state = max(set(states), key=lambda s: (states.count(s), s == "open"))
    facts: dict[str, Any] = {"port_state": state, "intermittent_connect": len(set(states)) > 1}
    open_times = [o.seconds * 1000 for o in first if o.state == "open"]
    if open_times:
        facts["connect_ms"] = round(statistics.median(open_times), 3)
    evidence: dict[str, Any] = {"addresses": per_address}
    if skipped:
        evidence["not_tried"] = skipped
    return ProbeResult(name="port", status="ok", seconds=round(time.monotonic() - started, 4),
                       facts=facts, evidence=evidence)


async def _connect_series(
    family: int, address: str, port: int, tries: int
) -> tuple[list[ConnectOutcome], list[float]]:
    """Sequential connects; each timeout adapts to the round trips measured so far."""
    rtt = RttEstimator()
    outcomes: list[ConnectOutcome] = []
    timeouts: list[float] = []
    for attempt in range(tries):
        timeout = rtt.timeout()
        timeouts.append(timeout)
        outcome = await try_connect(family, address, port, timeout)
        outcomes.append(outcome)
        if outcome.state in ("open", "closed"):
            rtt.update(outcome.seconds)
        elif outcome.state in ("filtered", "unreachable") and attempt >= 1:
            break
    return outcomes, timeouts
