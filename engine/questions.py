"""Choosing the next question or probe: expected information gain per cost.

For each unknown observation that a person can answer or a probe can measure,
the engine tries every representative value on the live reasoner (assert,
read the posterior, retract: the index keeps this cheap), predicts how likely
each value is from the rules themselves, and computes the expected drop in
the entropy of the ranking, in bits. The value for cost is

    gain_bits / log2(2 + cost_seconds)

so a one-second port check beats a ten-second question of equal gain, but a
highly informative question still beats a cheap, useless probe.

Answer probabilities: for each cause, a value's likelihood is proportional to
the product of likelihood ratios of that cause's rules the value would fire
(a value that rules the cause out gets a small floor); the residual "other
cause" hypothesis spreads evenly over values. The engine stops asking when
the top cause has ``STOP_CONFIDENCE`` with a margin of ``STOP_MARGIN`` over
the next, or when no question would gain ``MIN_GAIN_BITS``.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from engine.chaining import Reasoner
from engine.kbmodel import KnowledgeBase
from engine.schema import FactType, Observation, Op
from engine.scoring import Contribution, Posterior

STOP_CONFIDENCE = 0.8
STOP_MARGIN = 0.3
MIN_GAIN_BITS = 0.02
RULED_OUT_FLOOR = 0.01


@dataclass(frozen=True)
class Candidate:
    """One possible next step: ask a person or run a probe for a fact."""

    fact: str
    kind: Literal["question", "probe"]
    text: str
    cost: float
    gain_bits: float
    separates: tuple[str, ...]
    probe: str | None = None

    @property
    def value_for_cost(self) -> float:
        """Gain in bits per log-seconds of cost (the ordering of ``next_questions``)."""
        return self.gain_bits / math.log2(2.0 + self.cost)


def is_done(current: Posterior, best_gain: float) -> bool:
    """True when the ranking is confident enough or nothing left would change it."""
    ranked = current.ranked()
    top = ranked[0][1] if ranked else 0.0
    second = ranked[1][1] if len(ranked) > 1 else 0.0
    confident = top >= STOP_CONFIDENCE and top - second >= STOP_MARGIN
    return confident or best_gain < MIN_GAIN_BITS


def representative_values(knowledge: KnowledgeBase, observation: Observation) -> list[Any]:
    """The answers worth simulating for one fact."""
    if observation.type is FactType.BOOL:
        return [True, False]
    if observation.type is FactType.ENUM:
        return list(observation.values or [])
    if observation.type is FactType.LIST:
        return [[value] for value in observation.values or []]
    if observation.type is FactType.NUMBER:
        question = knowledge.questions.get(observation.id)
        if question is not None and question.buckets:
            return list(question.buckets)
        return _number_buckets(knowledge, observation.id)
    return []


def _number_buckets(knowledge: KnowledgeBase, fact: str) -> list[Any]:
    from engine.conditions import leaves

    thresholds: set[float] = set()
    conditions = [rule.when for rule in knowledge.derivations.values()]
    conditions += [rule.when for _, rule in knowledge.evidence_rules.values()]
    for condition in conditions:
        for leaf in leaves(condition):
            is_number = isinstance(leaf.value, int | float) and not isinstance(leaf.value, bool)
            if leaf.fact == fact and leaf.op is not Op.KNOWN and is_number:
                thresholds.add(float(leaf.value))  # type: ignore[arg-type]
    if not thresholds:
        return []
    points = sorted(thresholds)
    values = [points[0] / 2 if points[0] > 0 else points[0] - 1]
    values += [(low + high) / 2 for low, high in itertools.pairwise(points)]
    values.append(points[-1] * 2 if points[-1] > 0 else points[-1] + 1)
    values += points
    return sorted(set(values))


def expected_gain(
    reasoner: Reasoner,
    fact: str,
    values: list[Any],
    current: Posterior,
    score: Callable[[Reasoner], tuple[Posterior, list[Contribution]]],
) -> tuple[float, tuple[str, ...]]:
    """Expected entropy drop (bits) from learning ``fact``, and the causes it separates."""
    if not values:
        return 0.0, ()
    _, before = score(reasoner)
    before_keys = {(c.cause, c.rule) for c in before}
    outcomes: list[tuple[Posterior, dict[str, float]]] = []
    for value in values:
        reasoner.assert_facts({fact: value})
        after, contributions = score(reasoner)
        reasoner.retract_facts([fact])
        likelihood: dict[str, float] = {}
        for item in contributions:
            if (item.cause, item.rule) in before_keys:
                continue
            factor = RULED_OUT_FLOOR if item.rules_out else (item.lr or 1.0)
            likelihood[item.cause] = likelihood.get(item.cause, 1.0) * factor
        outcomes.append((after, likelihood))
    causes = list(current.probability)
    totals = {c: sum(lk.get(c, 1.0) for _, lk in outcomes) for c in causes}
    expected_entropy = 0.0
    spread: dict[str, float] = {}
    probabilities = []
    for after, likelihood in outcomes:
        p_value = current.other / len(values)
        for cause in causes:
            p_value += current.probability[cause] * likelihood.get(cause, 1.0) / totals[cause]
        probabilities.append(p_value)
        expected_entropy += p_value * after.entropy_bits()
        for cause in causes:
            delta = abs(after.probability[cause] - current.probability[cause])
            spread[cause] = max(spread.get(cause, 0.0), delta)
    gain = max(0.0, current.entropy_bits() - expected_entropy / sum(probabilities))
    separates = tuple(c for c, d in sorted(spread.items(), key=lambda i: -i[1])[:3] if d > 0.01)
    return gain, separates
