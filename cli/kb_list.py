"""``kb list``: the causes, observations, rules and probes of the loaded KB."""

from __future__ import annotations

import json
from typing import Any

from engine.kbmodel import KnowledgeBase


def render_list(knowledge: KnowledgeBase, fmt: str) -> str:
    """Text or JSON listing of every KB item by kind."""
    data: dict[str, list[dict[str, Any]]] = {
        "causes": [{"id": c.id, "title": c.title, "rules": len(c.rules), "cases": len(c.cases)}
                   for c in knowledge.causes.values()],
        "observations": [{"id": o.id, "type": o.type.value, "values": o.values,
                          "derived": o.derived} for o in knowledge.observations.values()],
        "rules": [{"id": r.id, "kind": "derivation", "because": r.because}
                  for r in knowledge.derivations.values()]
        + [{"id": rule_id, "kind": "evidence", "cause": cause, "because": rule.because}
           for rule_id, (cause, rule) in knowledge.evidence_rules.items()],
        "probes": [{"name": p.name, "title": p.title, "sets": p.sets, "default": p.default}
                   for p in knowledge.probes.values()],
    }
    if fmt == "json":
        return json.dumps(data, indent=2) + "\n"
    lines = []
    for kind, items in data.items():
        lines.append(f"{kind} ({len(items)}):")
        for item in items:
            ident = item.get("id") or item.get("name")
            label = item.get("title") or item.get("type") or item.get("because") or ""
            lines.append(f"  {ident}  {label}")
    return "\n".join(lines) + "\n"
