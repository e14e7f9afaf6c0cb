"""Compiled rules: closures, the fact index, strata and the conflict-resolution key.

A KB's derivation and evidence rules are compiled once per loaded KB (a
``Session`` can share one ``RuleBase``). Compiling does everything the agenda
would otherwise repeat: conditions become closures, each rule is indexed under
every fact it reads, and each rule gets a *stratum*, its depth in the
derivation graph (1 + the deepest stratum of the rules producing what it
reads). The agenda runs lower strata first, so a rule is never evaluated on a
derived fact that could still change in the same run: each rule is evaluated
at most once per change, whatever order the KB lists its rules in.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from engine.conditions import Test, compile_condition, facts_read, leaves
from engine.gcpause import paused_gc
from engine.kbmodel import KnowledgeBase
from engine.schema import Condition, DerivationRule, EvidenceRule


@dataclass(eq=False, slots=True)
class CompiledRule:
    """A rule ready for the agenda: what it reads, how it ranks, what it does.

    Treated as immutable; not ``frozen`` only because a frozen dataclass's
    ``__init__`` is several times slower, which shows on 10,000-rule KBs.
    """

    id: str
    order: int
    when: Condition
    test: Test
    reads: tuple[str, ...]
    salience: int
    specificity: int
    stratum: int = 0
    cause: str | None = None
    evidence: EvidenceRule | None = None
    derivation: DerivationRule | None = None
    derives: str | None = None
    """For a derivation: the fact it sets (copied out of the model for the hot loop)."""
    derives_value: Any = None

    @property
    def rank(self) -> tuple[int, int, int]:
        """Conflict-resolution key, smallest first: salience, specificity, then KB order."""
        return (-self.salience, -self.specificity, self.order)


@dataclass
class RuleBase:
    """Compiled rules of a KB and the index from fact id to the rules that read it."""

    rules: list[CompiledRule]
    by_fact: dict[str, tuple[int, ...]] = field(default_factory=dict)
    initially_true: tuple[int, ...] = ()
    producers: dict[str, tuple[int, ...]] = field(default_factory=dict)
    by_id: dict[str, int] = field(default_factory=dict)
    agenda_keys: list[tuple[int, ...]] = field(default_factory=list)
    """Per rule: (stratum, -salience, -specificity, order, index), the agenda's sort key."""
    _downstream: dict[str, tuple[int, ...]] = field(default_factory=dict, repr=False)

    def downstream(self, fact: str) -> tuple[int, ...]:
        """The evidence rules a fact can reach, directly or through derivations (cached)."""
        found = self._downstream.get(fact)
        if found is not None:
            return found
        evidence: set[int] = set()
        seen = {fact}
        pending = [fact]
        while pending:
            for index in self.by_fact.get(pending.pop(), ()):
                rule = self.rules[index]
                if rule.derivation is None:
                    evidence.add(index)
                elif rule.derivation.then.fact not in seen:
                    seen.add(rule.derivation.then.fact)
                    pending.append(rule.derivation.then.fact)
        self._downstream[fact] = tuple(sorted(evidence))
        return self._downstream[fact]

    @classmethod
    def from_kb(cls, knowledge: KnowledgeBase) -> RuleBase:
        """Compile the derivation and evidence rules of a loaded KB."""
        with paused_gc():
            specs: list[tuple[str, Condition, int, dict[str, Any]]] = []
            for derivation in knowledge.derivations.values():
                specs.append((derivation.id, derivation.when, derivation.salience,
                              {"derivation": derivation}))
            for rule_id, (cause, evidence) in knowledge.evidence_rules.items():
                specs.append((rule_id, evidence.when, evidence.salience,
                              {"cause": cause, "evidence": evidence}))
            return cls._compile(specs)

    @classmethod
    def from_specs(cls, specs: Iterable[tuple[str, Condition, int, dict[str, Any]]]) -> RuleBase:
        """Compile ``(id, condition, salience, kind)`` tuples in the given (KB) order."""
        with paused_gc():
            return cls._compile(list(specs))

    @classmethod
    def _compile(cls, specs: list[tuple[str, Condition, int, dict[str, Any]]]) -> RuleBase:
        reads = [tuple(dict.fromkeys(facts_read(when))) for _, when, _, _ in specs]
        produces = [kind["derivation"].then.fact if kind.get("derivation") else None
                    for *_, kind in specs]
        strata = _strata(reads, produces)
        rules = [
            CompiledRule(
                id=rule_id, order=order, when=when, test=compile_condition(when),
                reads=reads[order], salience=salience,
                specificity=sum(1 for _ in leaves(when)), stratum=strata[order],
                derives=produces[order],
                derives_value=kind["derivation"].then.value if produces[order] else None,
                **kind,
            )
            for order, (rule_id, when, salience, kind) in enumerate(specs)
        ]
        by_fact: dict[str, list[int]] = {}
        producers: dict[str, list[int]] = {}
        for index, rule in enumerate(rules):
            for fact in rule.reads:
                by_fact.setdefault(fact, []).append(index)
            if produces[index] is not None:
                producers.setdefault(str(produces[index]), []).append(index)
        empty: dict[str, Any] = {}
        return cls(
            rules=rules,
            by_fact={fact: tuple(indexes) for fact, indexes in by_fact.items()},
            initially_true=tuple(i for i, rule in enumerate(rules) if rule.test(empty) is True),
            producers={fact: tuple(indexes) for fact, indexes in producers.items()},
            by_id={rule.id: index for index, rule in enumerate(rules)},
            agenda_keys=[(rule.stratum, *rule.rank, index) for index, rule in enumerate(rules)],
        )


def _strata(reads: list[tuple[str, ...]], produces: list[str | None]) -> list[int]:
    """Each rule's depth in the derivation graph (iterative: a 10,000-rule chain is fine).

    The loader rejects derivation cycles; should a hand-built rule base hold
    one anyway, the rules on it share a stratum and the step bound still
    stops a runaway.
    """
    producers: dict[str, list[int]] = {}
    for index, fact in enumerate(produces):
        if fact is not None:
            producers.setdefault(fact, []).append(index)
    stratum: dict[int, int] = {}
    visiting: set[int] = set()
    for start in range(len(reads)):
        if start in stratum:
            continue
        stack: list[tuple[int, bool]] = [(start, False)]
        while stack:
            index, expanded = stack.pop()
            if index in stratum:
                continue
            feeders = [p for fact in reads[index] for p in producers.get(fact, ())]
            if not expanded:
                visiting.add(index)
                stack.append((index, True))
                stack.extend((p, False) for p in feeders
                             if p not in stratum and p not in visiting)
                continue
            visiting.discard(index)
            stratum[index] = 1 + max((stratum.get(p, 0) for p in feeders), default=0)
    return [stratum[index] for index in range(len(reads))]
