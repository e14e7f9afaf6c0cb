"""The explicit registry of probes: name, function and declared contract."""

from __future__ import annotations

from engine.probes.base import ProbeSpec, Registry
from engine.probes.port import probe_port


def build_registry() -> Registry:
    """All probes conndoctor knows, in display order."""
    registry = Registry()
    registry.add(ProbeSpec(
        name="port", function=probe_port,
        sets=frozenset({"port_state", "connect_ms", "intermittent_connect"}),
        budget_seconds=lambda _options: 8.0, max_connections=20,
        description="TCP connect: open, refused, filtered or unreachable",
    ))
    return registry


REGISTRY = build_registry()
