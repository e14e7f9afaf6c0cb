"""Choosing the next question or probe: expected information gain per cost.

For each unknown observation that a person can answer or a probe can measure,
the engine tries every representative value on the live reasoner (assert,
read which rules fire, stay possible or are excluded, retract: the index
wakes only the rules that read that fact, so this is cheap), predicts how
likely each value is under each cause from the rules themselves, and computes
the information the answer is expected to give about the cause, in bits. The
value for cost is

    gain_bits / log2(2 + cost_seconds)

so a one-second port check beats a ten-second question of equal gain, but a
highly informative question still beats a cheap, useless probe.

How likely each answer is comes from the rules themselves (see
``expected_gain``): a cause makes likely the values its rules need. When to
stop asking is ``is_done``. Derived facts that can no longer be derived are
seen as never coming (``never_view``), so a rule waiting on one counts as
excluded, not as possible.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from engine.chaining import Reasoner
from engine.conditions import leaves
from engine.kbmodel import KnowledgeBase
from engine.schema import EvidenceRule, FactType, Observation, Op
from engine.scoring import Contribution, Posterior

STOP_CONFIDENCE = 0.8
STOP_MARGIN = 0.3
MIN_GAIN_BITS = 0.02
SETTLED_CONFIDENCE = 0.6
FLIP_TOLERANCE = 0.1
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
    can_change_top: bool = False
    flip_chance: float = 0.0

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
    can_change_top: bool = False
    flip_chance: float = 0.0


def is_done(current: Posterior, best_gain: float, top_can_change: bool = True,
            flip_chance: float = 0.0) -> bool:
    """True when the ranking is confident enough or nothing left would change it.

    Three ways to stop: the top cause has ``STOP_CONFIDENCE`` with a margin of
    ``STOP_MARGIN``, and no remaining question has a ``FLIP_TOLERANCE`` chance
    of an answer that puts another cause first (``flip_chance``: the ranking's
    own confidence is not worth stopping on while one cheap answer would
    likely overturn it); no question is worth ``MIN_GAIN_BITS``; or the top
    cause already has ``SETTLED_CONFIDENCE`` and no single answer to any
    remaining question would put another cause first.
    """
    ranked = current.ranked()
    top = ranked[0][1] if ranked else 0.0
    second = ranked[1][1] if len(ranked) > 1 else 0.0
    confident = top >= STOP_CONFIDENCE and top - second >= STOP_MARGIN \
        and flip_chance < FLIP_TOLERANCE
    settled = top >= SETTLED_CONFIDENCE and top > current.other and not top_can_change
    return confident or settled or best_gain < MIN_GAIN_BITS


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
) -> Gain:
    """Expected information (bits) an answer for ``fact`` gives about the cause.

    The answer model: under cause c, a value is as likely as the evidence of c
    it leaves standing. Each of c's rules that ``fact`` can still decide
    (directly or through derivations) multiplies the value's weight by the
    rule's likelihood ratio if the value makes it fire, by its square root if
    the rule stays possible, and by 1 if the value excludes it. So a value that
    every rule of c needs (``error_kind: reset`` for a reset-only cause) is
    likely under c even when those rules also need other facts: this is what
    lets a question that only *opens* evidence win over one that fires a weak
    rule. The residual "other cause" answers uniformly. The gain is the mutual
    information between the cause and the answer; ``expected_change`` is the
    expected share of probability the engine's own ranking moves.
    """
    rules = reasoner.rules
    relevant = [index for index in rules.downstream(fact)
                if rules.rules[index].cause in current.probability]
    if not values or not relevant:
        return Gain(0.0, 0.0, ())
    undecided = [i for i in relevant if rule_status(reasoner, i, {}) is None]
    weights: list[dict[str, float]] = []
    expected_change = 0.0
    moves: list[float] = []
    leader = current.top()
    can_change_top = False
    flipped: list[bool] = []
    for value in values:
        reasoner.assert_facts({fact: value})
        weight: dict[str, float] = {}
        memo: dict[int, bool | None] = {}
        for index in undecided:
            rule = rules.rules[index]
            factor = _factor(rule.evidence, rule_status(reasoner, index, memo))
            if factor != 1.0:
                cause = str(rule.cause)
                weight[cause] = weight.get(cause, 1.0) * factor
        after = score(reasoner)[0]
        reasoner.retract_facts([fact])
        flipped.append(after.top() != leader)
        can_change_top = can_change_top or flipped[-1]
        weights.append(weight)
        moved = abs(after.other - current.other) + sum(
            abs(after.probability[c] - p) for c, p in current.probability.items())
        moves.append(moved / 2)
    causes = [c for c, p in current.probability.items() if p > 0]
    totals = {c: sum(w.get(c, 1.0) for w in weights) for c in causes}
    share = 1.0 / len(values)
    p_value = []
    joint: list[dict[str, float]] = []
    for weight in weights:
        row = {c: current.probability[c] * weight.get(c, 1.0) / totals[c] for c in causes}
        joint.append(row)
        p_value.append(sum(row.values()) + current.other * share)
    mutual = 0.0
    spread: dict[str, float] = {}
    for row, p_v, move in zip(joint, p_value, moves, strict=True):
        expected_change += p_v * move
        for cause, p_joint in row.items():
            prior = current.probability[cause]
            if p_joint > 0:
                mutual += p_joint * math.log2(p_joint / (prior * p_v))
            spread[cause] = max(spread.get(cause, 0.0), abs(p_joint / p_v - prior))
        p_other = current.other * share
        if p_other > 0:
            mutual += p_other * math.log2(p_other / (current.other * p_v))
    ranked = sorted(spread.items(), key=lambda item: (-item[1], item[0]))
    separates = tuple(cause for cause, delta in ranked[:3] if delta > 0.01)
    flip_chance = sum(p_v for p_v, flip in zip(p_value, flipped, strict=True) if flip)
    return Gain(max(0.0, mutual), min(1.0, expected_change), separates, can_change_top,
                min(1.0, flip_chance))


def _factor(evidence: EvidenceRule | None, status: bool | None) -> float:
    if evidence is None or status is False:
        return 1.0
    strength = RULED_OUT_FLOOR if evidence.rules_out else float(evidence.lr or 1.0)
    return strength if status else math.sqrt(strength)


def rule_status(reasoner: Reasoner, index: int, memo: dict[int, bool | None]) -> bool | None:
    """Whether a rule fired (True), can no longer fire (False) or may still (None).

    Unlike a bare three-valued test, a derived fact that no rule can produce
    any more (every producer is False) counts as never coming, so a rule
    waiting for it is False, not undetermined.
    """
    if index in memo:
        return memo[index]
    rules = reasoner.rules
    rule = rules.rules[index]
    facts = reasoner.facts
    if rule.id in reasoner.firings:
        memo[index] = True
        return True
    status = rule.test(facts)
    if status is None:
        blocked = [fact for fact in rule.reads if fact not in facts and fact in rules.producers
                   and all(rule_status(reasoner, p, memo) is False
                           for p in rules.producers[fact])]
        if blocked:
            try:
                status = rule.test(never_view(facts, blocked))
            except TypeError:
                status = None
    memo[index] = status
    return status


class _Never:
    """A value equal to nothing and containing nothing: a derived fact that will not come."""

    def __eq__(self, other: object) -> bool:
        return False

    def __ne__(self, other: object) -> bool:
        return True

    def __hash__(self) -> int:
        return 0

    def __contains__(self, item: object) -> bool:
        return False


NEVER: Any = _Never()


class _NeverView(dict[str, Any]):
    """Facts where some derived facts will never come: unknown to ``known``, unequal to all."""

    def __init__(self, facts: Mapping[str, Any], never: Iterable[str]) -> None:
        super().__init__(facts)
        self._never = frozenset(never)
        self.update(dict.fromkeys(self._never, NEVER))

    def __contains__(self, key: object) -> bool:
        return key not in self._never and super().__contains__(key)


def never_view(facts: Mapping[str, Any], never: Iterable[str]) -> dict[str, Any]:
    """What compiled conditions should see when ``never`` can no longer be derived.

    ``known: false`` on such a fact is true, ``known: true`` false, and every
    comparison is false, so a rule that needs the fact fails rather than waits.
    """
    return _NeverView(facts, never)
