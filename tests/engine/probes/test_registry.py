"""The registry agrees with kb/probes.yaml and every probe keeps its connection budget."""

from __future__ import annotations

import asyncio

import pytest

from engine.faults import BEHAVIOURS, FaultServer
from engine.kbmodel import KnowledgeBase
from engine.probes.base import ProbeOptions, Target
from engine.probes.registry import REGISTRY


def test_registry_and_kb_declare_the_same_probes(knowledge: KnowledgeBase) -> None:
    """Names, facts and defaults are the same in code and in kb/probes.yaml."""
    code = {name: (set(spec.sets), spec.default) for name, spec in REGISTRY.specs.items()}
    data = {name: (set(p.sets), p.default) for name, p in knowledge.probes.items()}
    assert code == data
    assert list(REGISTRY.specs) == ["port", "reachability", "idle", "tls", "protocol", "burst",
                                    "transfer"]


def test_transfer_runs_only_when_named() -> None:
    """Defaults leave 'transfer' out; --with adds it; --only picks exactly."""
    assert "transfer" not in [s.name for s in REGISTRY.select(None, None)]
    assert "transfer" in [s.name for s in REGISTRY.select(None, ["transfer"])]
    assert [s.name for s in REGISTRY.select(["transfer"], None)] == ["transfer"]


@pytest.mark.parametrize("name", ["port", "reachability", "idle", "tls", "protocol", "burst",
                                  "transfer"])
def test_probe_stays_within_its_connection_budget(name: str) -> None:
    """Counted by a real server: no probe opens more connections than it declares."""
    spec = REGISTRY.specs[name]
    options = ProbeOptions(idle_max_seconds=2)
    with FaultServer(BEHAVIOURS["close-idle-fin"], seconds=1.5) as server:
        result = asyncio.run(spec.function(Target("127.0.0.1", server.port), options))
        accepted = server.settled_accepts()
    assert result.status in ("ok", "skipped")
    assert 0 < accepted <= spec.max_connections
