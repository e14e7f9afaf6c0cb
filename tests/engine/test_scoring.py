"""Properties of the scoring model: bounds, order independence, monotony, refutation,
and how evidence and ruled-out causes reach the report."""

from __future__ import annotations

import dataclasses
import itertools
import math
import random

from engine.facts import FactRecord, Source, coerce_value
from engine.kbmodel import KnowledgeBase
from engine.scoring import Contribution, posterior
from engine.session import Session

PRIORS = {"a": 0.1, "b": 0.2, "c": 0.05}


def _random_contributions(rng: random.Random, count: int) -> list[Contribution]:
    return [Contribution(rng.choice("abc"), f"r{i}", rng.choice([0.1, 0.5, 2.0, 8.0, 40.0]))
            for i in range(count)]


def test_probabilities_are_bounded_and_sum_to_one_with_the_residual() -> None:
    """Every confidence is in [0, 1] and all of them plus 'other' sum to 1, however extreme."""
    rng = random.Random(1)
    for _ in range(300):
        result = posterior(PRIORS, _random_contributions(rng, rng.randint(0, 12)))
        assert all(0.0 <= p <= 1.0 for p in result.probability.values())
        assert 0.0 < result.other <= 1.0
        assert abs(sum(result.probability.values()) + result.other - 1.0) < 1e-9


def test_order_of_rules_does_not_matter() -> None:
    """Any permutation of the same firings gives the same posterior."""
    items = [Contribution("a", "a.1", 4.0), Contribution("b", "b.1", 0.3),
             Contribution("c", "c.1", 9.0), Contribution("a", "a.2", 2.0)]
    results = {tuple(round(v, 12) for v in posterior(PRIORS, list(order)).probability.values())
               for order in itertools.permutations(items)}
    assert len(results) == 1


def test_an_exact_tie_stays_a_tie_whatever_the_firing_order() -> None:
    """Two causes with the same prior and the same ratios in another order tie exactly."""
    lrs = [6.0, 0.3, 2.5, 0.4, 1.5, 5.0, 0.2]
    priors = {"a": 0.07, "b": 0.07}
    for order in itertools.islice(itertools.permutations(lrs), 0, 5040, 97):
        items = [Contribution("a", f"a.{i}", lr) for i, lr in enumerate(lrs)]
        items += [Contribution("b", f"b.{i}", lr) for i, lr in enumerate(order)]
        result = posterior(priors, items)
        assert result.probability["a"] == result.probability["b"]
        assert result.top() == "a"


def test_supporting_evidence_raises_and_refuting_evidence_lowers() -> None:
    """A likelihood ratio above 1 raises its cause; below 1 lowers it, whatever else fired."""
    rng = random.Random(2)
    for _ in range(200):
        others = _random_contributions(rng, rng.randint(0, 6))
        base = posterior(PRIORS, others).probability["a"]
        lr = rng.uniform(1.01, 100)
        assert posterior(PRIORS, [*others, Contribution("a", "x", lr)]).probability["a"] > base
        assert posterior(PRIORS, [*others, Contribution("a", "x", 1 / lr)]).probability["a"] < base


def test_more_support_never_lowers_a_cause() -> None:
    """Monotone: each added supporting firing keeps or raises the cause's confidence."""
    rng = random.Random(4)
    for _ in range(100):
        items = _random_contributions(rng, 5)
        previous = posterior(PRIORS, items).probability["b"]
        for step in range(5):
            items.append(Contribution("b", f"more{step}", rng.uniform(1.0, 20.0)))
            now = posterior(PRIORS, items).probability["b"]
            assert now >= previous - 1e-12
            previous = now


def test_ruled_out_cause_gets_zero() -> None:
    """A rules_out firing removes the cause however strong its support."""
    result = posterior(PRIORS, [Contribution("a", "a.1", 1000.0),
                                Contribution("a", "a.2", None, rules_out=True)])
    assert result.probability["a"] == 0.0
    assert "a" in result.ruled_out


def _reversed_kb(knowledge: KnowledgeBase) -> KnowledgeBase:
    causes = {cid: cause.model_copy(update={"rules": cause.rules[::-1]})
              for cid, cause in reversed(knowledge.causes.items())}
    return dataclasses.replace(
        knowledge,
        causes=causes,
        derivations=dict(reversed(knowledge.derivations.items())),
        evidence_rules=dict(reversed(knowledge.evidence_rules.items())),
        observations=dict(reversed(knowledge.observations.items())),
    )


def _comparable(session: Session) -> dict[str, object]:
    """The report without which rule is credited for a derived value several rules agree on
    (on a tie that credit follows KB order, as documented); everything else is compared."""
    report = session.report().model_dump()
    for diagnosis in report["diagnoses"]:
        for key in ("evidence", "against"):
            for item in diagnosis[key]:
                item["derived_from"] = sorted((d["fact"], str(d["value"]))
                                              for d in item["derived_from"])
            diagnosis[key].sort(key=lambda item: item["rule"])
    report["ruled_out"].sort(key=lambda item: item["rule"])
    report["derived"] = sorted((d["fact"], str(d["value"])) for d in report["derived"])
    report["fact_sources"] = sorted((f["fact"], str(f["value"]), f["source"])
                                    for f in report["fact_sources"])
    return report


def test_listing_order_of_the_kb_does_not_change_the_report(knowledge: KnowledgeBase) -> None:
    """The built-in KB with every list reversed ranks, explains and asks the same."""
    reversed_kb = _reversed_kb(knowledge)
    rng = random.Random(9)
    for _, case in sorted(knowledge.cases.values(), key=lambda item: item[1].id):
        facts = {k: v for k, v in case.facts.items() if rng.random() < 0.7}
        sessions = [Session(kb) for kb in (knowledge, reversed_kb)]
        for session in sessions:
            session.add_many(
                FactRecord(k, coerce_value(knowledge.observations[k], v), Source.USER)
                for k, v in facts.items())
        assert _comparable(sessions[0]) == _comparable(sessions[1]), case.id


def test_evidence_lists_each_rule_with_its_facts_and_because(knowledge: KnowledgeBase) -> None:
    """Each supporting rule appears with the facts it read, its because text and log10(lr)."""
    session = Session(knowledge)
    session.add_many([FactRecord("error_kind", "reset", Source.USER),
                      FactRecord("after_idle", True, Source.USER),
                      FactRecord("idle_seconds", 8, Source.USER)])
    top = session.report().diagnoses[0]
    assert top.cause == "keepalive-race"
    by_rule = {item.rule: item for item in top.evidence}
    short = by_rule["keepalive-race.short-idle"]
    assert short.facts == {"idle_then_failed": True, "idle_seconds": 8}
    assert short.because == knowledge.evidence_rules["keepalive-race.short-idle"][1].because
    assert short.effect == round(math.log10(3), 3)


def test_ruled_out_causes_are_reported_as_such(knowledge: KnowledgeBase) -> None:
    """An open port rules out port-not-listening: listed in ruled_out with its rule, not ranked."""
    session = Session(knowledge)
    session.add_many([FactRecord("error_kind", "refused", Source.USER),
                      FactRecord("port_state", "open", Source.PROBE)])
    report = session.report()
    assert ("port-not-listening", "port-not-listening.probe-open") in {
        (item.cause, item.rule) for item in report.ruled_out}
    assert "port-not-listening" not in {d.cause for d in report.diagnoses}
