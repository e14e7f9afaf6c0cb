"""Choosing the next question or probe: expected information gain per cost.

For each unknown observation that a person can answer or a probe can measure,
the engine tries every representative value on the live reasoner (assert,
read the posterior, retract: the index wakes only the rules that read that
fact, so this is cheap), predicts how likely each value is from the rules
themselves, and computes the expected drop in the entropy of the ranking, in
bits. The value for cost is

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
from engine.conditions import leaves
from engine.kbmodel import KnowledgeBase
from engine.schema import FactType, Observation, Op
from engine.scoring import Contribution, Posterior

STOP_CONFIDENCE = 0.8
STOP_MARGIN = 0.3
MIN_GAIN_BITS = 0.02
RULED_OUT_FLOOR = 0.01

Scorer = Callable[[Reasoner], tuple[Posterior, list[Contribution]]]


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
    why: str | None = None
    expected_change: float = 0.0

    @property
    def value_for_cost(self) -> float:
        """Gain in bits per log-seconds of cost (the ordering of ``next_questions``)."""
        return self.gain_bits / math.log2(2.0 + self.cost)


@dataclass(frozen=True)
class Gain:
    """What learning one fact is expected to do to the ranking."""

    bits: float
    expected_change: float
    separates: tuple[str, ...]


def is_done(current: Posterior, best_gain: float) -> bool:
    """True when the ranking is confident enough or nothing left would change it."""
    ranked = current.ranked()
    top = ranked[0][1] if ranked else 0.0
    second = ranked[1][1] if len(ranked) > 1 else 0.0
    confident = top >= STOP_CONFIDENCE and top - second >= STOP_MARGIN
    return confident or best_gain < MIN_GAIN_BITS


def representative_values(
    knowledge: KnowledgeBase, observation: Observation, thresholds: set[float] | None = None
) -> list[Any]:
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
        if thresholds is None:
            thresholds = number_thresholds(knowledge).get(observation.id, set())
        return _buckets(thresholds)
    return []


def number_thresholds(knowledge: KnowledgeBase) -> dict[str, set[float]]:
    """Every number a rule compares each number fact with (computed once per KB)."""
    found: dict[str, set[float]] = {}
    conditions = [rule.when for rule in knowledge.derivations.values()]
    conditions += [rule.when for _, rule in knowledge.evidence_rules.values()]
    for condition in conditions:
        for leaf in leaves(condition):
            value = leaf.value
            if leaf.op is not Op.KNOWN and isinstance(value, int | float) \
                    and not isinstance(value, bool):
                found.setdefault(leaf.fact, set()).add(float(value))
    return found


def _buckets(thresholds: set[float]) -> list[Any]:
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
    score: Scorer,
    before: list[Contribution] | None = None,
) -> Gain:
    """Expected entropy drop (bits) and ranking change from learning ``fact``."""
    if not values:
        return Gain(0.0, 0.0, ())
    if before is None:
        before = score(reasoner)[1]
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
    expected_change = 0.0
    spread: dict[str, float] = {}
    total_p = 0.0
    for after, likelihood in outcomes:
        p_value = current.other / len(values)
        for cause in causes:
            p_value += current.probability[cause] * likelihood.get(cause, 1.0) / totals[cause]
        total_p += p_value
        expected_entropy += p_value * after.entropy_bits()
        moved = abs(after.other - current.other)
        for cause in causes:
            delta = abs(after.probability[cause] - current.probability[cause])
            moved += delta
            spread[cause] = max(spread.get(cause, 0.0), delta)
        expected_change += p_value * moved / 2
    gain = max(0.0, current.entropy_bits() - expected_entropy / total_p)
    ranked = sorted(spread.items(), key=lambda item: (-item[1], item[0]))
    separates = tuple(cause for cause, delta in ranked[:3] if delta > 0.01)
    return Gain(gain, expected_change / total_p, separates)
