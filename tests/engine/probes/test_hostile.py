"""Hostile servers cannot make any probe hang past its budget or read unbounded data."""

from __future__ import annotations

import asyncio
import time

import pytest

from engine.faults import BEHAVIOURS, FaultServer
from engine.faults_tls import tls_half_open
from engine.probes.base import ProbeOptions, Target
from engine.probes.registry import REGISTRY
from engine.probes.runner import run_probes

HOSTILE = {
    "never-reads-never-answers": BEHAVIOURS["stall"],
    "floods-data": BEHAVIOURS["flood"],
    "resets-on-accept": BEHAVIOURS["reset-on-accept"],
    "half-opens-tls": tls_half_open,
}


@pytest.mark.parametrize("hostile", sorted(HOSTILE))
def test_every_probe_ends_within_budget_against(hostile: str) -> None:
    """All seven probes against a hostile server: each ends ok/skipped within its budget."""
    specs = REGISTRY.select(None, ["transfer"])
    options = ProbeOptions(idle_max_seconds=2)
    with FaultServer(HOSTILE[hostile]) as server:
        started = time.monotonic()
        run = asyncio.run(run_probes(Target("127.0.0.1", server.port), specs, options))
        wall = time.monotonic() - started
    for result in run.probes:
        budget = REGISTRY.specs[result.name].budget_seconds(options)
        assert result.status in ("ok", "skipped"), (result.name, result.reason)
        assert result.seconds <= budget
    assert wall <= max(REGISTRY.specs[s.name].budget_seconds(options) for s in specs)
