"""Synthetic knowledge bases for the engine benchmark, written as real KB directories.

Two shapes, each with ``size`` rules, read back through ``engine.loader.load_kb``
exactly like the built-in KB (so the benchmark also measures the loader):

- ``chain``: ``link-1`` derives ``c1`` from the base fact ``seed``, ``link-i``
  derives ``ci`` from ``c(i-1)``, and one evidence rule of cause ``chain-end``
  reads the last link: asserting ``seed`` fires every rule, one after another.
- ``fanout``: every rule reads the base fact ``trigger`` (a number; rule j
  needs ``trigger >= j % 100``), in 100 cause files of consecutive rules:
  asserting ``trigger = 1000`` wakes and fires every rule at once.

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


def write_kb(directory: Path, shape: str, size: int, *, reverse: bool = False) -> Path:
    """Write a synthetic KB of ``size`` rules into ``directory`` and return it."""
    if shape not in SHAPES:
        raise ValueError(f"shape must be one of {', '.join(SHAPES)} (got {shape!r})")
    if size < 2:
        raise ValueError(f"size must be at least 2 (got {size})")
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "causes").mkdir(exist_ok=True)
    _dump(directory / "manifest.yaml", {
        "name": f"synthetic-{shape}", "content_version": str(size), "format_version": 1,
        "description": f"benchmark KB: {shape} of {size} rules",
    })
    if shape == "chain":
        _write_chain(directory, size, reverse)
    else:
        _write_fanout(directory, size, reverse)
    return directory


def expected_firings(shape: str, size: int) -> int:
    """How many rules fire once the shape's trigger fact is asserted (all of them)."""
    del shape
    return size


def trigger(shape: str) -> dict[str, Any]:
    """The base fact that sets the whole KB off."""
    return {"seed": True} if shape == "chain" else {"trigger": 1000}


def _write_chain(directory: Path, size: int, reverse: bool) -> None:
    links = size - 1
    observations: list[dict[str, Any]] = [{"id": "seed", "type": "bool", "title": "chain start"}]
    observations += [{"id": f"c{i}", "type": "bool", "title": f"link {i}", "derived": True}
                     for i in range(1, links + 1)]
    rules = [
        {"id": f"link-{i}", "when": {"fact": "seed" if i == 1 else f"c{i - 1}", "value": True},
         "then": {"fact": f"c{i}", "value": True}, "because": f"link {i} follows link {i - 1}"}
        for i in range(1, links + 1)
    ]
    if reverse:
        rules.reverse()
    _dump(directory / "observations.yaml", {"observations": observations})
    _dump(directory / "derivations.yaml", {"rules": rules})
    _dump(directory / "causes" / "chain-end.yaml", _cause("chain-end", [{
        "id": "chain-end.reached", "when": {"fact": f"c{links}", "value": True}, "lr": 5,
        "because": "the chain reached its end",
    }]))


def _write_fanout(directory: Path, size: int, reverse: bool) -> None:
    _dump(directory / "observations.yaml", {"observations": [
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
        _dump(directory / "causes" / f"fan-{block:03d}.yaml", _cause(f"fan-{block:03d}", rules))


def _cause(cause_id: str, rules: list[dict[str, Any]]) -> dict[str, Any]:
    return {"id": cause_id, "title": f"synthetic cause {cause_id}",
            "summary": "benchmark only", "mechanism": "benchmark only", "prior": 0.001,
            "rules": rules}


def _dump(file: Path, data: dict[str, Any]) -> None:
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    file.write_text(yaml.dump(data, Dumper=dumper, sort_keys=False), encoding="utf-8")
