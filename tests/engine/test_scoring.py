"""Properties of the scoring model: bounds, order independence, monotony."""

from __future__ import annotations

import itertools
import random

from engine.scoring import Contribution, posterior

PRIORS = {"a": 0.1, "b": 0.2, "c": 0.05}


def test_probabilities_are_bounded_and_sum_to_one_with_the_residual() -> None:
    """Every confidence is in [0, 1] and all of them plus 'other' sum to 1."""
    result = posterior(PRIORS, [Contribution("a", "a.x", 50.0), Contribution("b", "b.y", 0.2)])
    assert all(0.0 <= p <= 1.0 for p in result.probability.values())
    assert abs(sum(result.probability.values()) + result.other - 1.0) < 1e-9


def test_order_of_rules_does_not_matter() -> None:
    """Any permutation of the same firings gives the same posterior."""
    items = [Contribution("a", "a.1", 4.0), Contribution("b", "b.1", 0.3),
             Contribution("c", "c.1", 9.0), Contribution("a", "a.2", 2.0)]
    results = {tuple(round(v, 12) for v in posterior(PRIORS, list(order)).probability.values())
               for order in itertools.permutations(items)}
    assert len(results) == 1


def test_supporting_evidence_raises_and_refuting_evidence_lowers() -> None:
    """A likelihood ratio above 1 raises its cause; below 1 lowers it."""
    base = posterior(PRIORS, []).probability["a"]
    for _ in range(50):
        lr = random.uniform(1.01, 100)
        assert posterior(PRIORS, [Contribution("a", "r", lr)]).probability["a"] > base
        assert posterior(PRIORS, [Contribution("a", "r", 1 / lr)]).probability["a"] < base


def test_ruled_out_cause_gets_zero() -> None:
    """A rules_out firing removes the cause however strong its support."""
    result = posterior(PRIORS, [Contribution("a", "a.1", 1000.0),
                                Contribution("a", "a.2", None, rules_out=True)])
    assert result.probability["a"] == 0.0
    assert "a" in result.ruled_out
