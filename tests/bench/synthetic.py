"""Synthetic knowledge bases for the engine benchmark, written as real KB directories.

Two shapes, each with ``size`` rules, read back through ``engine.loader.load_kb``
exactly like the built-in KB (so the benchmark also measures the loader):

- ``chain``: ``link-1`` derives ``c1`` from the base fact ``seed``, ``link-i``
  derives ``ci`` from ``c(i-1)``, and one evidence rule of cause ``chain-end``
  reads the last link: asserting ``seed`` fires every rule, one after another.
- ``fanout``: every rule reads the base fact ``trigger`` (a number; rule j
  needs ``trigger >= j % 100``), in 100 cause files of consecutive rules:
  asserting ``trigger = 1000`` wakes and fires every rule at once.

A chain longer than ``CHUNK`` rules is split over several KB directories
loaded together (a link may read a fact another directory derives).

``reverse=True`` lists the same rules in exactly the opposite order (for the
fan-out, the files still load in name order but hold the rules from the last
to the first), which must not change the result or, much, the time.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

SHAPES = ("chain", "fanout")
FANOUT_CAUSES = 100
CHUNK = 2_000


def write_kb(
    directory: Path, shape: str, size: int, *, reverse: bool = False, chunk: int = CHUNK,
) -> list[Path]:
    """Write a synthetic KB of ``size`` rules under ``directory``; return its KB directories.

    A large chain is split into several KB directories of at most ``chunk`` rules
    (loaded together, like the built-in KB plus extensions), because the
    loader bounds the values of one YAML file (yamlsource.MAX_NODES).
    """
    if shape not in SHAPES:
        raise ValueError(f"shape must be one of {', '.join(SHAPES)} (got {shape!r})")
    if size < 2:
        raise ValueError(f"size must be at least 2 (got {size})")
    if shape == "chain":
        return _write_chain(directory, size, reverse, chunk)
    return _write_fanout(directory, size, reverse)


def _part(directory: Path, shape: str, index: int) -> Path:
    part = directory / f"part-{index:02d}"
    (part / "causes").mkdir(parents=True, exist_ok=True)
    _dump(part / "manifest.yaml", {
        "name": f"synthetic-{shape}-{index}", "content_version": "1", "format_version": 1,
        "description": f"benchmark KB: {shape}, part {index}",
    })
    return part


def expected_firings(shape: str, size: int) -> int:
    """How many rules fire once the shape's trigger fact is asserted (all of them)."""
    del shape
    return size


def trigger(shape: str) -> dict[str, Any]:
    """The base fact that sets the whole KB off."""
    return {"seed": True} if shape == "chain" else {"trigger": 1000}


def _write_chain(directory: Path, size: int, reverse: bool, chunk: int) -> list[Path]:
    links = size - 1
    order = range(links, 0, -1) if reverse else range(1, links + 1)
    parts = []
    for index, start in enumerate(range(0, links, chunk)):
        part = _part(directory, "chain", index)
        numbers = list(order)[start:start + chunk]
        observations: list[dict[str, Any]] = [
            {"id": f"c{i}", "type": "bool", "title": f"link {i}", "derived": True}
            for i in numbers]
        if index == 0:
            observations.append({"id": "seed", "type": "bool", "title": "chain start"})
        rules = [{"id": f"link-{i}",
                  "when": {"fact": "seed" if i == 1 else f"c{i - 1}", "value": True},
                  "then": {"fact": f"c{i}", "value": True}, "because": f"link {i}"}
                 for i in numbers]
        _dump(part / "observations.yaml", {"observations": observations})
        _dump(part / "derivations.yaml", {"rules": rules})
        parts.append(part)
    _dump(parts[-1] / "causes" / "chain-end.yaml", _cause("chain-end", [{
        "id": "chain-end.reached", "when": {"fact": f"c{links}", "value": True}, "lr": 5,
        "because": "the chain reached its end",
    }]))
    return parts


def _write_fanout(directory: Path, size: int, reverse: bool) -> list[Path]:
    part = _part(directory, "fanout", 0)
    _dump(part / "observations.yaml", {"observations": [
        {"id": "trigger", "type": "number", "title": "the fact every rule reads"},
    ]})
    order = range(size - 1, -1, -1) if reverse else range(size)
    per_cause = -(-size // FANOUT_CAUSES)
    blocks: dict[int, list[dict[str, Any]]] = {}
    for position, j in enumerate(order):
        block = position // per_cause
        blocks.setdefault(block, []).append({
            "id": f"fan-{block:03d}.r{j}",
            "when": {"fact": "trigger", "op": "ge", "value": j % 100},
            "lr": 1.0 + (j % 7) / 10,
            "because": f"rule {j} of the fan-out",
        })
    for block, rules in blocks.items():
        _dump(part / "causes" / f"fan-{block:03d}.yaml", _cause(f"fan-{block:03d}", rules))
    return [part]


def _cause(cause_id: str, rules: list[dict[str, Any]]) -> dict[str, Any]:
    return {"id": cause_id, "title": f"synthetic cause {cause_id}",
            "summary": "benchmark only", "mechanism": "benchmark only", "prior": 0.001,
            "rules": rules}


def _dump(file: Path, data: dict[str, Any]) -> None:
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    file.write_text(yaml.dump(data, Dumper=dumper, sort_keys=False), encoding="utf-8")
