"""Conditions: three-valued logic, and compiled closures that agree with a reference interpreter."""

from __future__ import annotations

import random

from engine.conditions import compile_condition, evaluate
from engine.schema import AllOf, AnyOf, Leaf, NotOf, Op
from tests.engine import randomkb


def test_unknown_fact_is_undetermined_not_false() -> None:
    """A leaf on a fact nobody gave is None; 'known' is the only test that is decided."""
    assert evaluate(Leaf(fact="b0", value="x"), {}) is None
    assert evaluate(Leaf(fact="b0", op=Op.KNOWN, value=False), {}) is True
    assert evaluate(NotOf.model_validate({"not": Leaf(fact="b0", value="x")}), {}) is None


def test_all_and_any_follow_kleene_logic() -> None:
    """all: one false decides false; any: one true decides true; else undetermined."""
    false, unknown = Leaf(fact="b0", value="y"), Leaf(fact="b1", value="x")
    true = Leaf(fact="b0", value="x")
    facts = {"b0": "x"}
    assert evaluate(AllOf(all=[unknown, Leaf(fact="b0", value="y")]), facts) is False
    assert evaluate(AllOf(all=[true, unknown]), facts) is None
    assert evaluate(AnyOf(any=[unknown, true]), facts) is True
    assert evaluate(AnyOf(any=[unknown, false]), facts) is None


def test_number_and_list_operators() -> None:
    """Comparisons on numbers and membership on lists give what their names say."""
    facts = {"idle_seconds": 90, "path": ["nat", "vpn"]}
    assert evaluate(Leaf(fact="idle_seconds", op=Op.GE, value=90), facts) is True
    assert evaluate(Leaf(fact="idle_seconds", op=Op.LT, value=60), facts) is False
    assert evaluate(Leaf(fact="path", op=Op.CONTAINS, value="nat"), facts) is True
    assert evaluate(Leaf(fact="path", op=Op.CONTAINS_ANY, value=["load_balancer"]), facts) is False


def test_compiled_conditions_agree_with_the_reference_interpreter() -> None:
    """On thousands of random conditions and fact sets the closure gives the reference answer."""
    rng = random.Random(3)
    facts_pool = randomkb.BASE + randomkb.DERIVED
    for _ in range(3000):
        condition = randomkb.random_condition(rng, facts_pool)
        facts = {fact: rng.choice(randomkb.VALUES) for fact in facts_pool if rng.random() < 0.5}
        assert compile_condition(condition)(facts) is randomkb.reference_evaluate(condition, facts)


def test_compiled_number_and_list_operators_agree() -> None:
    """Every comparison and list operator compiles to the reference interpreter's answer."""
    leaves = [Leaf(fact="n", op=op, value=5) for op in (Op.EQ, Op.NE, Op.LT, Op.LE, Op.GT, Op.GE)]
    leaves += [Leaf(fact="l", op=Op.CONTAINS, value="a"),
               Leaf(fact="l", op=Op.CONTAINS_ANY, value=["b", "c"]),
               Leaf(fact="e", op=Op.NOT_IN, value=["a", "b"])]
    for facts in ({}, {"n": 4, "l": ["a"], "e": "a"}, {"n": 5, "l": ["c"], "e": "z"},
                  {"n": 6.5, "l": [], "e": "b"}):
        for leaf in leaves:
            expected = randomkb.reference_evaluate(leaf, facts)
            assert compile_condition(leaf)(facts) is expected, (leaf, facts)
