"""Three-valued evaluation and load-time type checking of rule conditions.

A condition on a fact nobody knows yet is *undetermined* (``None``), not
false: that is what tells the questionnaire which question matters. ``all``
and ``any`` follow Kleene's strong three-valued logic.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from engine.schema import AllOf, AnyOf, Condition, FactType, Leaf, NotOf, Observation, Op

Truth = bool | None
Test = Callable[[Mapping[str, Any]], Truth]

ALLOWED_OPS: dict[FactType, set[Op]] = {
    FactType.BOOL: {Op.EQ, Op.NE, Op.KNOWN},
    FactType.NUMBER: {Op.EQ, Op.NE, Op.LT, Op.LE, Op.GT, Op.GE, Op.KNOWN},
    FactType.ENUM: {Op.EQ, Op.NE, Op.IN, Op.NOT_IN, Op.KNOWN},
    FactType.LIST: {Op.CONTAINS, Op.CONTAINS_ANY, Op.KNOWN},
    FactType.TEXT: {Op.KNOWN},
}


def facts_read(condition: Condition) -> Iterator[str]:
    """Every fact id a condition reads (the keys of the rule index)."""
    return (leaf.fact for leaf in leaves(condition))


def leaves(condition: Condition) -> Iterator[Leaf]:
    """Every leaf of a condition, depth first."""
    if isinstance(condition, Leaf):
        yield condition
    elif isinstance(condition, AllOf):
        for part in condition.all:
            yield from leaves(part)
    elif isinstance(condition, AnyOf):
        for part in condition.any:
            yield from leaves(part)
    else:
        yield from leaves(condition.not_)


def undetermined_facts(condition: Condition, facts: Mapping[str, Any]) -> Iterator[str]:
    """The unknown facts that keep an undetermined condition from being decided.

    A part already true or false is not waiting for anything: in ``any: [{fact:
    F, op: known, value: false}, {fact: F, value: false}]`` ("unless F is
    true") an unknown F makes the part true, so the rule does not wait for F.
    """
    if evaluate(condition, facts) is not None:
        return
    if isinstance(condition, Leaf):
        yield condition.fact
    elif isinstance(condition, AllOf | AnyOf):
        for part in condition.all if isinstance(condition, AllOf) else condition.any:
            yield from undetermined_facts(part, facts)
    else:
        yield from undetermined_facts(condition.not_, facts)


def evaluate(condition: Condition, facts: Mapping[str, Any]) -> Truth:
    """True, false, or None when it depends on facts that are not known.

    For one-off questions (explanations); the agenda keeps compiled tests.
    """
    return compile_condition(condition)(facts)


_COMPARE: dict[Op, Callable[[Any, Any], Any]] = {
    Op.EQ: operator.eq, Op.NE: operator.ne, Op.LT: operator.lt,
    Op.LE: operator.le, Op.GT: operator.gt, Op.GE: operator.ge,
}
_MISSING = object()


def compile_condition(condition: Condition) -> Test:
    """Turn a condition into a closure once, so the agenda never walks the pydantic tree.

    Compiling once is what lets a 10,000-rule fixpoint stay well under half a
    second (the tests check the closures against a plain reference interpreter).
    """
    if isinstance(condition, Leaf):
        return _compile_leaf(condition)
    if isinstance(condition, NotOf):
        inner = compile_condition(condition.not_)

        def negation(facts: Mapping[str, Any]) -> Truth:
            value = inner(facts)
            return None if value is None else not value

        return negation
    if isinstance(condition, AllOf):
        return _kleene(tuple(compile_condition(part) for part in condition.all), False)
    return _kleene(tuple(compile_condition(part) for part in condition.any), True)


def _kleene(parts: tuple[Test, ...], decisive: bool) -> Test:
    """``all`` (decided by a False) or ``any`` (decided by a True) in Kleene's logic.

    One decisive part decides; otherwise any undetermined part leaves the
    whole undetermined; otherwise it is the non-decisive value.
    """
    if len(parts) == 1:
        return parts[0]

    def combined(facts: Mapping[str, Any]) -> Truth:
        result: Truth = not decisive
        for part in parts:
            value = part(facts)
            if value is decisive:
                return decisive
            if value is None:
                result = None
        return result

    return combined


def _compile_leaf(leaf: Leaf) -> Test:
    fact, expected = leaf.fact, leaf.value
    if leaf.op is Op.KNOWN:
        wanted = bool(expected)
        return lambda facts: (fact in facts) is wanted
    if leaf.op in _COMPARE:
        compare = _COMPARE[leaf.op]

        def comparison(facts: Mapping[str, Any]) -> Truth:
            actual = facts.get(fact, _MISSING)
            return None if actual is _MISSING else bool(compare(actual, expected))

        return comparison
    options = tuple(_as_list(expected))
    if leaf.op is Op.CONTAINS:
        def contains(facts: Mapping[str, Any]) -> Truth:
            actual = facts.get(fact, _MISSING)
            return None if actual is _MISSING else expected in actual

        return contains
    if leaf.op is Op.CONTAINS_ANY:
        def contains_any(facts: Mapping[str, Any]) -> Truth:
            actual = facts.get(fact, _MISSING)
            if actual is _MISSING:
                return None
            return any(item in actual for item in options)

        return contains_any
    negate = leaf.op is Op.NOT_IN

    def membership(facts: Mapping[str, Any]) -> Truth:
        actual = facts.get(fact, _MISSING)
        return None if actual is _MISSING else (actual in options) is not negate

    return membership


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def check_leaf(leaf: Leaf, observation: Observation) -> list[str]:
    """Why a leaf does not fit its fact's type and values (empty when it fits)."""
    problems: list[str] = []
    allowed_ops = ALLOWED_OPS[observation.type]
    if leaf.op not in allowed_ops:
        names = ", ".join(sorted(op.value for op in allowed_ops))
        problems.append(
            f"operator {leaf.op.value!r} does not apply to {observation.type.value} fact "
            f"{observation.id!r} (allowed: {names})"
        )
        return problems
    if leaf.op is Op.KNOWN:
        if not isinstance(leaf.value, bool):
            problems.append(f"'known' takes true or false (got {leaf.value!r})")
        return problems
    wants_list = leaf.op in {Op.IN, Op.NOT_IN, Op.CONTAINS_ANY}
    if wants_list != isinstance(leaf.value, list):
        shape = "a list" if wants_list else "a single value"
        problems.append(f"operator {leaf.op.value!r} takes {shape} (got {leaf.value!r})")
        return problems
    for item in _as_list(leaf.value):
        problem = value_problem(observation, item, element=observation.type is FactType.LIST)
        if problem:
            problems.append(problem)
    return problems


def value_problem(observation: Observation, value: Any, *, element: bool = False) -> str | None:
    """Why a value is not allowed for an observation, or None when it is.

    ``element`` checks one element of a list fact rather than the whole list.
    """
    kind = observation.type
    if value is None:  # YAML's "after_idle:" with nothing after it
        return f"{observation.id!r} has no value (give one, or leave the fact out)"
    if kind is FactType.BOOL and not isinstance(value, bool):
        return f"{observation.id!r} must be true or false (got {value!r})"
    if kind is FactType.NUMBER:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return f"{observation.id!r} must be a number (got {value!r})"
        if not math.isfinite(value):  # nan compares false with every threshold: no rule reads it
            return f"{observation.id!r} must be a finite number (got {value!r})"
        if observation.minimum is not None and value < observation.minimum:
            return f"{observation.id!r} must be at least {observation.minimum:g} (got {value!r})"
        if observation.maximum is not None and value > observation.maximum:
            return f"{observation.id!r} must be at most {observation.maximum:g} (got {value!r})"
    if kind is FactType.TEXT and not isinstance(value, str):
        return f"{observation.id!r} must be text (got {value!r})"
    if kind is FactType.ENUM or (kind is FactType.LIST and element):
        allowed = observation.values or []
        if value not in allowed:
            return f"{observation.id!r} must be one of [{', '.join(allowed)}] (got {value!r})"
    if kind is FactType.LIST and not element:
        if not isinstance(value, list):
            return f"{observation.id!r} must be a list (got {value!r})"
        if not value:
            return (f"{observation.id!r} must list at least one of "
                    f"[{', '.join(observation.values or [])}] (got an empty list)")
        for item in value:
            problem = value_problem(observation, item, element=True)
            if problem:
                return problem
    return None
