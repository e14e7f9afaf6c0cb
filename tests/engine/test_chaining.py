"""Forward chaining: derivations, conflict resolution, refraction, the index, the step
bound, and truth maintenance (any sequence of changes ends where a fresh run ends)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from engine.chaining import Reasoner, RuleBase, StepLimitExceeded
from engine.kbmodel import KnowledgeBase
from engine.loader import load_kb
from engine.schema import AllOf, Assertion, DerivationRule, EvidenceRule, Leaf, Op
from tests.bench import synthetic
from tests.engine import randomkb


def _snapshot(reasoner: Reasoner) -> tuple[dict[str, object], set[str], list[object]]:
    return dict(reasoner.facts), set(reasoner.firings), reasoner.conflicts


def _derive(rule_id: str, when: Leaf, fact: str, value: str, salience: int = 0) -> tuple:
    rule = DerivationRule(id=rule_id, when=when, then=Assertion(fact=fact, value=value),
                          because="test", salience=salience)
    return (rule_id, rule.when, salience, {"derivation": rule})


def test_derived_fact_follows_from_base_facts(knowledge: KnowledgeBase) -> None:
    """A reset after idle derives reset_on_reuse, recorded with the rule that derived it."""
    reasoner = Reasoner(RuleBase.from_kb(knowledge))
    reasoner.assert_facts({"error_kind": "reset", "after_idle": True})
    assert reasoner.facts["reset_on_reuse"] is True
    assert reasoner.derived_by["reset_on_reuse"] == "reset-on-reuse"


def test_retraction_withdraws_what_was_derived(knowledge: KnowledgeBase) -> None:
    """Withdrawing after_idle withdraws reset_on_reuse and the rules that used it."""
    reasoner = Reasoner(RuleBase.from_kb(knowledge))
    reasoner.assert_facts({"error_kind": "reset", "after_idle": True})
    reasoner.retract_facts(["after_idle"])
    assert "reset_on_reuse" not in reasoner.facts
    assert "keepalive-race.reset-on-reuse" not in reasoner.firings


def test_incremental_equals_fresh_run_on_the_real_kb(knowledge: KnowledgeBase) -> None:
    """Random asserts, changed answers and retractions end where a fresh run ends."""
    rules = RuleBase.from_kb(knowledge)
    choices = {
        "error_kind": ["reset", "refused", "timeout", "eof"],
        "after_idle": [True, False],
        "phase": ["connect", "idle_reuse", "sending_request"],
        "idle_seconds": [5, 90, 400],
        "port_state": ["open", "closed", "filtered"],
        "path": [["none"], ["nat"], ["load_balancer"]],
        "frequency": ["always", "intermittent"],
    }
    rng = random.Random(7)
    for _ in range(60):
        reasoner = Reasoner(rules)
        base: dict[str, object] = {}
        for _ in range(15):
            fact = rng.choice(sorted(choices))
            if fact in base and rng.random() < 0.4:
                reasoner.retract_facts([fact])
                del base[fact]
            else:
                base[fact] = rng.choice(choices[fact])
                reasoner.assert_facts({fact: base[fact]})
        fresh = Reasoner(rules)
        fresh.assert_facts(base)
        assert _snapshot(reasoner) == _snapshot(fresh)


def test_incremental_equals_fresh_run_on_random_kbs() -> None:
    """On random KBs with conflicting derivations, not and known:false, any history
    of changes gives the facts, firings and conflicts of a fresh run and of a naive oracle."""
    rng = random.Random(11)
    for _ in range(150):
        specs = randomkb.random_specs(rng)
        rules = randomkb.build(specs)
        reasoner = Reasoner(rules)
        base: dict[str, str] = {}
        for _ in range(12):
            fact = rng.choice(randomkb.BASE)
            if fact in base and rng.random() < 0.35:
                reasoner.retract_facts([fact])
                del base[fact]
            else:
                base[fact] = rng.choice(randomkb.VALUES)
                reasoner.assert_facts({fact: base[fact]})
            facts, fired = randomkb.oracle(specs, base)
            assert reasoner.facts == facts
            assert set(reasoner.firings) == fired
        fresh = Reasoner(rules)
        fresh.assert_facts(base)
        assert _snapshot(reasoner) == _snapshot(fresh)


def test_listing_order_does_not_change_the_result() -> None:
    """The same rules listed in another order fire the same way (no ties on salience)."""
    rng = random.Random(5)
    for _ in range(80):
        specs = randomkb.random_specs(rng, ties=False)
        base = randomkb.random_base(rng)
        results = []
        for _ in range(3):
            rng.shuffle(specs)
            reasoner = Reasoner(randomkb.build(specs))
            reasoner.assert_facts(base)
            results.append((reasoner.facts, set(reasoner.firings), set(reasoner.conflicts)))
        assert results[0] == results[1] == results[2]


def test_conflicting_derivations_are_resolved_by_salience_then_specificity_then_order() -> None:
    """The higher salience wins; on a tie, more leaves; then the earlier rule. Losers are kept."""
    when = Leaf(fact="b0", value="x")
    salient = [_derive("low", when, "d0", "y"), _derive("high", when, "d0", "z", salience=1)]
    reasoner = Reasoner(RuleBase.from_specs(salient))
    reasoner.assert_facts({"b0": "x"})
    assert (reasoner.facts["d0"], reasoner.derived_by["d0"]) == ("z", "high")
    assert reasoner.conflicts == [("d0", "y", "low")]
    first, second = _derive("first", when, "d0", "y"), _derive("second", when, "d0", "z")
    for order, winner in (([first, second], "first"), ([second, first], "second")):
        reasoner = Reasoner(RuleBase.from_specs(order))
        reasoner.assert_facts({"b0": "x"})
        assert reasoner.derived_by["d0"] == winner


def test_a_base_fact_beats_a_derived_value() -> None:
    """A given value beats a rule deriving another; the rule's value is kept as a conflict."""
    reasoner = Reasoner(RuleBase.from_specs([_derive("r", Leaf(fact="b0", value="x"), "d0", "y")]))
    reasoner.assert_facts({"b0": "x", "d0": "z"})
    assert reasoner.facts["d0"] == "z"
    assert reasoner.conflicts == [("d0", "y", "r")]
    reasoner.retract_facts(["d0"])
    assert reasoner.facts["d0"] == "y"


def test_known_false_rules_fire_with_no_facts_and_stop_when_the_fact_arrives() -> None:
    """A rule on 'known: false' fires in an empty memory and is withdrawn once the fact is known."""
    rule = _derive("absent", Leaf(fact="b0", op=Op.KNOWN, value=False), "d0", "x")
    reasoner = Reasoner(RuleBase.from_specs([rule]))
    assert reasoner.facts == {"d0": "x"}
    reasoner.assert_facts({"b0": "y"})
    assert "d0" not in reasoner.facts and "absent" not in reasoner.firings


def test_a_new_fact_evaluates_only_the_rules_that_read_it(knowledge: KnowledgeBase) -> None:
    """Asserting a fact no rule reads evaluates nothing; one rule's fact evaluates its readers."""
    rules = RuleBase.from_kb(knowledge)
    reasoner = Reasoner(rules)
    before = reasoner.steps
    reasoner.assert_facts({"error": "some text"})
    assert reasoner.steps == before
    reasoner.assert_facts({"tls": True})
    assert reasoner.steps - before == len(rules.by_fact.get("tls", ()))


def test_refraction_keeps_a_firing_while_its_facts_are_unchanged(knowledge: KnowledgeBase) -> None:
    """A rule fires once per set of values: an unrelated fact leaves its firing untouched."""
    reasoner = Reasoner(RuleBase.from_kb(knowledge))
    reasoner.assert_facts({"error_kind": "reset", "after_idle": True})
    firing = reasoner.firings["keepalive-race.reset-on-reuse"]
    reasoner.assert_facts({"tls": False, "error_kind": "reset"})
    assert reasoner.firings["keepalive-race.reset-on-reuse"] is firing


def test_the_step_bound_stops_a_runaway_run() -> None:
    """More rule evaluations than the bound in one run raise StepLimitExceeded."""
    specs = [_derive(f"r{i}", Leaf(fact="b0" if i == 0 else f"d{i - 1}", value="x"),
                     f"d{i}", "x") for i in range(10)]
    reasoner = Reasoner(RuleBase.from_specs(specs), step_limit=5)
    with pytest.raises(StepLimitExceeded, match="more than 5 times"):
        reasoner.assert_facts({"b0": "x"})
    roomy = Reasoner(RuleBase.from_specs(specs), step_limit=10)
    roomy.assert_facts({"b0": "x"})
    assert roomy.facts["d9"] == "x"


def test_evidence_rules_report_the_values_they_read(knowledge: KnowledgeBase) -> None:
    """An evidence firing carries the facts it used, in KB order among the firings."""
    reasoner = Reasoner(RuleBase.from_kb(knowledge))
    reasoner.assert_facts({"error_kind": "reset", "after_idle": True, "idle_seconds": 8})
    firing = reasoner.firings["keepalive-race.short-idle"]
    assert firing.facts == {"idle_then_failed": True, "idle_seconds": 8}
    orders = [f.rule.order for f in reasoner.evidence_firings()]
    assert orders == sorted(orders)



def test_each_rule_is_evaluated_once_per_change_whatever_the_listing_order() -> None:
    """Rules run in dependency order, so a rule reading a base fact and the end of a chain
    is evaluated once, not once per fact that changed under it."""
    chain = [_derive(f"r{i}", Leaf(fact="b0" if i == 0 else f"d{i - 1}", value="x"),
                     f"d{i}", "x") for i in range(8)]
    joined = EvidenceRule(id="c.joined", lr=2.0, because="test",
                          when=AllOf(all=[Leaf(fact="b0", value="x"), Leaf(fact="d7", value="x")]))
    specs = [*chain, ("c.joined", joined.when, 0, {"cause": "c", "evidence": joined})]
    for order in (specs, specs[::-1]):
        reasoner = Reasoner(RuleBase.from_specs(order))
        reasoner.assert_facts({"b0": "x"})
        assert "c.joined" in reasoner.firings
        assert reasoner.steps == len(specs)


def test_a_derivation_loop_stops_at_the_step_bound() -> None:
    """Rules that keep undoing each other (a loop the loader would reject) stop with an error."""
    flip = _derive("flip", Leaf(fact="d1", op=Op.KNOWN, value=False), "d0", "x")
    flop = _derive("flop", Leaf(fact="d0", value="x"), "d1", "x")
    with pytest.raises(StepLimitExceeded, match="loop"):
        Reasoner(RuleBase.from_specs([flip, flop]), step_limit=1000)


@pytest.mark.parametrize("shape", ["chain", "fanout"])
def test_synthetic_kbs_load_and_fire_the_same_in_either_listing_order(
    shape: str, tmp_path: Path,
) -> None:
    """The benchmark's generated KBs (a chain split over several KB directories) load
    through the real loader and, listed forward or reversed, fire every rule alike."""
    results = []
    for reverse in (False, True):
        directories = synthetic.write_kb(tmp_path / str(reverse), shape, 60, reverse=reverse,
                                         chunk=25)
        assert len(directories) == (3 if shape == "chain" else 1)
        reasoner = Reasoner(RuleBase.from_kb(load_kb(directories, include_builtin=False)))
        reasoner.assert_facts(synthetic.trigger(shape))
        assert len(reasoner.firings) == 60
        results.append(reasoner.facts)
    assert results[0] == results[1]
