"""``kb list``: the causes, observations, rules, probes and error patterns of the loaded KB.

The JSON form is for scripts (every item with its id and where it is
defined); the text form is a table per kind, sized to read in a terminal.
"""

from __future__ import annotations

import json
from typing import Any

from engine.kbmodel import KnowledgeBase


def list_data(knowledge: KnowledgeBase) -> dict[str, list[dict[str, Any]]]:
    """Every KB item by kind, as JSON-ready dictionaries."""

    def where(kind: str, ident: str) -> str | None:
        origin = knowledge.origin(kind, ident)
        return str(origin) if origin is not None else None

    return {
        "causes": [
            {"id": c.id, "title": c.title, "prior": c.prior, "rules": len(c.rules),
             "cases": len(c.cases), "defined_at": where("cause", c.id)}
            for c in knowledge.causes.values()
        ],
        "observations": [
            {"id": o.id, "type": o.type.value, "values": o.values, "unit": o.unit,
             "derived": o.derived, "question": o.id in knowledge.questions,
             "probes": o.probes, "defined_at": where("observation", o.id)}
            for o in knowledge.observations.values()
        ],
        "rules": [
            {"id": r.id, "kind": "derivation", "cause": None,
             "effect": _assignments({r.then.fact: r.then.value}),
             "because": r.because, "defined_at": where("rule", r.id)}
            for r in knowledge.derivations.values()
        ] + [
            {"id": rule_id, "kind": "evidence", "cause": cause,
             "effect": "rules out" if rule.rules_out else f"lr {rule.lr:g}",
             "because": rule.because, "defined_at": where("rule", rule_id)}
            for rule_id, (cause, rule) in knowledge.evidence_rules.items()
        ],
        "probes": [
            {"name": p.name, "title": p.title, "sets": p.sets, "default": p.default,
             "cost_seconds": p.cost_seconds, "defined_at": where("probe", p.name)}
            for p in knowledge.probes.values()
        ],
        "error_patterns": [
            {"id": p.id, "stack": p.stack, "sets": p.sets, "defined_at": where("pattern", p.id)}
            for p in knowledge.patterns.values()
        ],
    }


def render_list(knowledge: KnowledgeBase, fmt: str) -> str:
    """Text or JSON listing of every KB item by kind."""
    data = list_data(knowledge)
    if fmt == "json":
        return json.dumps(data, indent=2) + "\n"
    sections = {
        "causes": [(c["id"], c["title"], f"{c['rules']} rules, {c['cases']} cases")
                   for c in data["causes"]],
        "observations": [(o["id"], _sources(o), _fact_type(o)) for o in data["observations"]],
        "rules": [(r["id"], r["effect"], r["because"]) for r in data["rules"]],
        "probes": [(p["name"], ", ".join(p["sets"]), "default" if p["default"] else "opt-in")
                   for p in data["probes"]],
        "error_patterns": [(p["id"], p["stack"], _assignments(p["sets"]))
                           for p in data["error_patterns"]],
    }
    lines: list[str] = []
    for kind, rows in sections.items():
        lines.append(f"{kind.replace('_', ' ')} ({len(rows)}):")
        width = max((len(row[0]) for row in rows), default=0)
        middle = max((len(row[1]) for row in rows), default=0)
        lines += [f"  {a:<{width}}  {b:<{middle}}  {c}".rstrip() for a, b, c in rows]
        lines.append("")
    return "\n".join(lines)


def _fact_type(observation: dict[str, Any]) -> str:
    if observation["values"]:
        return f"{observation['type']}: {' '.join(observation['values'])}"
    unit = f" ({observation['unit']})" if observation["unit"] else ""
    return f"{observation['type']}{unit}"


def _sources(observation: dict[str, Any]) -> str:
    """Who supplies the fact: derived, question, probe names, given (text); '-' for nobody."""
    if observation["derived"]:
        return "derived"
    sources = (["question"] if observation["question"] else []) + observation["probes"]
    if not sources and observation["type"] == "text":
        sources = ["given"]
    return ", ".join(sources) or "-"


def _assignments(values: dict[str, Any]) -> str:
    return ", ".join(f"{fact}={json.dumps(value)}" for fact, value in values.items())
