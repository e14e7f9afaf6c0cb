"""Seeded random rule bases for property tests of the chainer (not a test module).

Base facts ``b0..b4`` take values ``x``, ``y``, ``z``; derived facts
``d0..d3`` are produced by several rules each (so derivations conflict) from
base facts and lower derived facts (a DAG, as the loader demands); conditions
mix ``all``, ``any``, ``not`` and ``known: false`` leaves. Evidence rules read
any fact.
"""

from __future__ import annotations

import random
from typing import Any

from engine.rulebase import RuleBase
from engine.schema import (
    AllOf,
    AnyOf,
    Assertion,
    Condition,
    DerivationRule,
    EvidenceRule,
    Leaf,
    NotOf,
    Op,
)

BASE = [f"b{i}" for i in range(5)]
DERIVED = [f"d{i}" for i in range(4)]
VALUES = ["x", "y", "z"]
Spec = tuple[str, Condition, int, dict[str, Any]]


def random_condition(rng: random.Random, facts: list[str], depth: int = 0) -> Condition:
    """A random condition over the given facts."""
    roll = rng.random()
    if depth >= 2 or roll < 0.45:
        fact = rng.choice(facts)
        if rng.random() < 0.15:
            return Leaf(fact=fact, op=Op.KNOWN, value=rng.random() < 0.4)
        if rng.random() < 0.3:
            return Leaf(fact=fact, op=Op.IN, value=rng.sample(VALUES, 2))
        return Leaf(fact=fact, op=rng.choice([Op.EQ, Op.NE]), value=rng.choice(VALUES))
    parts = [random_condition(rng, facts, depth + 1) for _ in range(rng.randint(1, 3))]
    if roll < 0.7:
        return AllOf(all=parts)
    if roll < 0.9:
        return AnyOf(any=parts)
    return NotOf.model_validate({"not": parts[0]})


def random_specs(rng: random.Random, rules: int = 24, *, ties: bool = True) -> list[Spec]:
    """Derivation and evidence rules, in a random listing order.

    With ``ties=False`` the rules deriving one fact have distinct saliences, so
    which value wins a conflict does not fall back to the listing order.
    """
    specs: list[Spec] = []
    for index, target in enumerate(DERIVED):
        readable = BASE + DERIVED[:index]
        for copy in range(rng.randint(1, 3)):
            rule_id = f"derive-{target}-{copy}"
            salience = rng.choice([0, 0, 1]) if ties else copy
            rule = DerivationRule(id=rule_id, when=random_condition(rng, readable),
                                  then=Assertion(fact=target, value=rng.choice(VALUES)),
                                  because="random", salience=salience)
            specs.append((rule_id, rule.when, rule.salience, {"derivation": rule}))
    for index in range(rules - len(specs)):
        rule_id = f"cause-{index % 3}.r{index}"
        evidence = EvidenceRule(id=rule_id, when=random_condition(rng, BASE + DERIVED),
                                lr=rng.choice([0.2, 0.5, 2.0, 5.0]), because="random")
        specs.append((rule_id, evidence.when, 0,
                      {"cause": f"cause-{index % 3}", "evidence": evidence}))
    rng.shuffle(specs)
    return specs


def random_base(rng: random.Random) -> dict[str, str]:
    """A random set of base facts."""
    return {fact: rng.choice(VALUES) for fact in BASE if rng.random() < 0.6}


def reference_evaluate(condition: Condition, facts: dict[str, Any]) -> bool | None:
    """A plain interpreter of Kleene's three-valued logic: the reference for the closures."""
    if isinstance(condition, Leaf):
        if condition.op is Op.KNOWN:
            return (condition.fact in facts) == bool(condition.value)
        if condition.fact not in facts:
            return None
        actual, expected = facts[condition.fact], condition.value
        listed = expected if isinstance(expected, list) else [expected]
        results = {
            Op.EQ: lambda: actual == expected, Op.NE: lambda: actual != expected,
            Op.LT: lambda: actual < expected, Op.LE: lambda: actual <= expected,
            Op.GT: lambda: actual > expected, Op.GE: lambda: actual >= expected,
            Op.IN: lambda: actual in listed, Op.NOT_IN: lambda: actual not in listed,
            Op.CONTAINS: lambda: expected in actual,
            Op.CONTAINS_ANY: lambda: any(item in actual for item in listed),
        }
        return bool(results[condition.op]())
    if isinstance(condition, NotOf):
        inner = reference_evaluate(condition.not_, facts)
        return None if inner is None else not inner
    parts = [reference_evaluate(part, facts)
             for part in (condition.all if isinstance(condition, AllOf) else condition.any)]
    decisive = not isinstance(condition, AllOf)
    if decisive in parts:
        return decisive
    return None if None in parts else not decisive


def oracle(specs: list[Spec], base: dict[str, str]) -> tuple[dict[str, Any], set[str]]:
    """A naive, obviously correct fresh run: derive in dependency order, then test all.

    For each derived fact (lowest first), every rule producing it is tested on
    the facts so far; the true one with the highest salience, then the most
    leaves, then the earliest listing wins. Then every rule that is true on the
    final facts has fired.
    """
    from engine.conditions import leaves

    evaluate = reference_evaluate

    facts: dict[str, Any] = dict(base)
    for target in DERIVED:
        if target in facts:
            continue
        producers = [(order, spec) for order, spec in enumerate(specs)
                     if spec[3].get("derivation") and spec[3]["derivation"].then.fact == target]
        true = [(-spec[2], -sum(1 for _ in leaves(spec[1])), order, spec)
                for order, spec in producers if evaluate(spec[1], facts) is True]
        if true:
            facts[target] = min(true, key=lambda item: item[:3])[3][3]["derivation"].then.value
    fired = {spec[0] for spec in specs if evaluate(spec[1], facts) is True}
    return facts, fired


def build(specs: list[Spec]) -> RuleBase:
    """Compile specs in the given order."""
    return RuleBase.from_specs(specs)
