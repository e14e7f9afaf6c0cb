"""Run selected probes concurrently under their budgets; never let one sink the run.

Each probe runs in its own task under ``asyncio.wait_for`` with its declared
budget. A probe that loads the target (the burst) waits until the selected
probes named in its ``runs_after`` have finished, so its crowd of connects
does not disturb what they measure; its budget starts when it does, so the
run ends within the longest chain of budgets. A probe that raises
becomes ``status: error`` with a one-line reason, one that overruns becomes
``status: timeout``; either way it sets no fact. Facts a probe returns outside
its declared contract are dropped and named in the reason, so a probe cannot
claim what it did not measure. Progress goes to an optional callback as
``ProbeEvent`` values (the engine never prints).
"""

from __future__ import annotations

import asyncio
import socket
import time
from datetime import UTC, datetime

from engine.probes.base import (
    ProbeEvent,
    ProbeOptions,
    ProbeResult,
    ProbeRun,
    ProbeSpec,
    ProgressCallback,
    Target,
    Vantage,
    set_reporter,
)
from engine.probes.netutil import ResolveError, resolve, share_resolution


async def run_probes(
    target: Target,
    specs: list[ProbeSpec],
    options: ProbeOptions,
    progress: ProgressCallback | None = None,
) -> ProbeRun:
    """Run the probes concurrently and collect their results in registry order."""
    started_at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    started = time.monotonic()
    share_resolution()
    try:
        addresses = [address for _, address in await resolve(target.host, target.port)]
    except ResolveError:
        addresses = []
    finished = {spec.name: asyncio.Event() for spec in specs}

    async def run_in_turn(spec: ProbeSpec) -> ProbeResult:
        for name in spec.runs_after & finished.keys():
            await finished[name].wait()
        try:
            return await _run_one(spec, target, options, progress)
        finally:
            finished[spec.name].set()

    results = await asyncio.gather(*(run_in_turn(spec) for spec in specs))
    return ProbeRun(
        target=str(target), addresses=addresses, vantage=local_vantage(addresses),
        started_at=started_at, seconds=round(time.monotonic() - started, 4),
        probes=list(results),
    )


async def _run_one(
    spec: ProbeSpec, target: Target, options: ProbeOptions, progress: ProgressCallback | None
) -> ProbeResult:
    budget = spec.budget_seconds(options)
    if progress:
        progress(ProbeEvent(spec.name, "started", seconds_left=budget))
        set_reporter(lambda detail, left: progress(ProbeEvent(spec.name, "running", detail, left)))
    started = time.monotonic()
    try:
        result = await asyncio.wait_for(spec.function(target, options), budget)
    except TimeoutError:
        result = ProbeResult(name=spec.name, status="timeout",
                             reason=f"did not finish within its budget of {budget:g} s")
    except Exception as error:  # a crashing probe is a result, not a crash
        text = f"{type(error).__name__}: {error}".splitlines()[0]
        result = ProbeResult(name=spec.name, status="error", reason=text)
    result = _enforce_contract(spec, result)
    result.seconds = round(time.monotonic() - started, 4)
    if progress:
        progress(ProbeEvent(spec.name, result.status, result.reason or _summary(result),
                            result=result))
    return result


def _summary(result: ProbeResult) -> str:
    """Facts as a person types them back: ``--fact`` style, booleans lowercase."""
    return ", ".join(f"{key}={str(value).lower() if isinstance(value, bool) else value}"
                     for key, value in result.facts.items())


def _enforce_contract(spec: ProbeSpec, result: ProbeResult) -> ProbeResult:
    if result.name != spec.name:
        result = result.model_copy(update={"name": spec.name})
    if result.status != "ok":
        return result.model_copy(update={"facts": {}})
    undeclared = sorted(set(result.facts) - spec.sets)
    if not undeclared:
        return result
    kept = {k: v for k, v in result.facts.items() if k in spec.sets}
    note = f"dropped undeclared facts: {', '.join(undeclared)}"
    reason = f"{result.reason}; {note}" if result.reason else note
    return result.model_copy(update={"facts": kept, "reason": reason})


def local_vantage(addresses: list[str]) -> Vantage:
    """This host's name and the source address it would use toward the target."""
    source = None
    if addresses:
        family = socket.AF_INET6 if ":" in addresses[0] else socket.AF_INET
        with socket.socket(family, socket.SOCK_DGRAM) as udp:
            try:
                udp.connect((addresses[0], 9))
                source = str(udp.getsockname()[0])
            except OSError:
                source = None
    return Vantage(host=socket.gethostname(), source_address=source)
