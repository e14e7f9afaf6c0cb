"""Forward chaining to a fixpoint, with an index, refraction and truth maintenance.

Rules are indexed by the facts they read. Asserting a fact puts only the
rules that read it on the agenda; the agenda fires the highest salience
first, then the most specific (most leaves), then KB order. A rule fires once
per set of values it read (refraction). Each derived fact keeps its
justification (the rule and the facts it used), so retracting a fact withdraws
everything derived from it and re-evaluates only the rules that read what was
withdrawn; the result equals a fresh run on the remaining facts.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from engine.conditions import evaluate, facts_read, leaves
from engine.kbmodel import KnowledgeBase
from engine.schema import Condition, DerivationRule, EvidenceRule, Op

DEFAULT_STEP_LIMIT = 1_000_000


class StepLimitExceeded(RuntimeError):
    """The agenda fired more rules than the bound allows (a runaway KB)."""


@dataclass(frozen=True)
class CompiledRule:
    """A rule ready for the agenda: what it reads, how it ranks, what it does."""

    id: str
    order: int
    when: Condition
    reads: tuple[str, ...]
    salience: int
    specificity: int
    cause: str | None = None
    evidence: EvidenceRule | None = None
    derivation: DerivationRule | None = None
    wakes_without_facts: bool = False


@dataclass(frozen=True)
class Firing:
    """One rule that fired, with the values of the facts it read."""

    rule: CompiledRule
    facts: dict[str, Any]


@dataclass
class RuleBase:
    """Compiled rules of a KB and the index from fact id to the rules that read it."""

    rules: list[CompiledRule]
    by_fact: dict[str, list[int]] = field(default_factory=dict)
    unconditional: list[int] = field(default_factory=list)
    producers: dict[str, list[int]] = field(default_factory=dict)

    @classmethod
    def from_kb(cls, knowledge: KnowledgeBase) -> RuleBase:
        """Compile the derivation and evidence rules of a loaded KB."""
        compiled: list[CompiledRule] = []
        for derivation in knowledge.derivations.values():
            compiled.append(_compile(len(compiled), derivation.id, derivation.when,
                                     derivation.salience, derivation=derivation))
        for rule_id, (cause, evidence) in knowledge.evidence_rules.items():
            compiled.append(_compile(len(compiled), rule_id, evidence.when, evidence.salience,
                                     cause=cause, evidence=evidence))
        base = cls(compiled)
        for index, rule in enumerate(compiled):
            for fact in rule.reads:
                base.by_fact.setdefault(fact, []).append(index)
            if rule.wakes_without_facts:
                base.unconditional.append(index)
            if rule.derivation is not None:
                base.producers.setdefault(rule.derivation.then.fact, []).append(index)
        return base


def _compile(
    order: int,
    rule_id: str,
    when: Condition,
    salience: int,
    **kind: Any,
) -> CompiledRule:
    reads = tuple(dict.fromkeys(facts_read(when)))
    all_leaves = list(leaves(when))
    negative_known = any(leaf.op is Op.KNOWN and leaf.value is False for leaf in all_leaves)
    return CompiledRule(
        id=rule_id, order=order, when=when, reads=reads, salience=salience,
        specificity=len(all_leaves), wakes_without_facts=negative_known, **kind,
    )


class Reasoner:
    """Working memory plus agenda: assert and retract base facts, read firings."""

    def __init__(self, rules: RuleBase, step_limit: int = DEFAULT_STEP_LIMIT) -> None:
        self._rules = rules
        self._step_limit = step_limit
        self.facts: dict[str, Any] = {}
        self.derived_by: dict[str, str] = {}
        self.firings: dict[str, Firing] = {}
        self.conflicts: list[tuple[str, Any, str]] = []
        self._agenda: list[tuple[int, int, int, int]] = []
        self._queued: set[int] = set()
        self.steps = 0
        for index in rules.unconditional:
            self._schedule(index)
        self._run()

    def assert_facts(self, values: Mapping[str, Any]) -> None:
        """Add base facts (replacing earlier values of the same ids) and run to fixpoint."""
        changed = [fact for fact, value in values.items()
                   if fact not in self.facts or self.facts[fact] != value]
        if changed:
            self._withdraw(changed)
        for fact in changed:
            self.facts[fact] = values[fact]
            self._wake(fact)
        self._run()

    def retract_facts(self, facts: Iterable[str]) -> None:
        """Remove base facts, everything derived from them, and re-run what they touched."""
        present = [fact for fact in facts if fact in self.facts]
        self._withdraw(present)
        self._run()

    def _withdraw(self, facts: list[str]) -> None:
        """Remove facts and, transitively, the firings and derived facts that used them."""
        pending = list(facts)
        removed: set[str] = set()
        while pending:
            fact = pending.pop()
            if fact in removed:
                continue
            removed.add(fact)
            self.facts.pop(fact, None)
            self.derived_by.pop(fact, None)
            for index in self._rules.by_fact.get(fact, ()):
                rule = self._rules.rules[index]
                firing = self.firings.pop(rule.id, None)
                if firing is not None and rule.derivation is not None:
                    derived = rule.derivation.then.fact
                    if self.derived_by.get(derived) == rule.id:
                        pending.append(derived)
        self.conflicts = [c for c in self.conflicts if c[0] not in removed]
        for fact in removed:
            self._wake(fact)
            for index in self._rules.producers.get(fact, ()):
                self.firings.pop(self._rules.rules[index].id, None)
                self._schedule(index)
        for index in self._rules.unconditional:
            self._schedule(index)

    def _wake(self, fact: str) -> None:
        for index in self._rules.by_fact.get(fact, ()):
            self._schedule(index)

    def _schedule(self, index: int) -> None:
        if index in self._queued or self._rules.rules[index].id in self.firings:
            return
        rule = self._rules.rules[index]
        self._queued.add(index)
        heapq.heappush(self._agenda, (-rule.salience, -rule.specificity, rule.order, index))

    def _run(self) -> None:
        while self._agenda:
            *_, index = heapq.heappop(self._agenda)
            self._queued.discard(index)
            rule = self._rules.rules[index]
            if rule.id in self.firings or evaluate(rule.when, self.facts) is not True:
                continue
            self.steps += 1
            if self.steps > self._step_limit:
                raise StepLimitExceeded(f"more than {self._step_limit} rule firings")
            used = {fact: self.facts[fact] for fact in rule.reads if fact in self.facts}
            self.firings[rule.id] = Firing(rule, used)
            if rule.derivation is not None:
                self._derive(rule, rule.derivation)

    def _derive(self, rule: CompiledRule, derivation: DerivationRule) -> None:
        fact, value = derivation.then.fact, derivation.then.value
        if fact in self.facts:
            if self.facts[fact] != value:
                self.conflicts.append((fact, value, rule.id))
            return
        self.facts[fact] = value
        self.derived_by[fact] = rule.id
        self._wake(fact)

    def evidence_firings(self) -> list[Firing]:
        """The evidence rules that fired, in KB order."""
        found = [f for f in self.firings.values() if f.rule.evidence is not None]
        return sorted(found, key=lambda firing: firing.rule.order)

    def derivation_firings(self) -> list[Firing]:
        """The derivation rules that fired, in KB order."""
        found = [f for f in self.firings.values() if f.rule.derivation is not None]
        return sorted(found, key=lambda firing: firing.rule.order)
