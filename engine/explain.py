"""Explanations: "how" (the chain of firings) and "why not" (a cause's rules).

"how": every evidence item lists the derivations behind the derived facts
it used, transitively, so the JSON shows the whole chain from what the user
said to the conclusion. "why not" is the question rule-engine users ask
most: for a cause, each of its rules fired, failed on facts that contradict
it, or waits on facts nobody has given yet (three-valued logic tells the two
apart). A rule that reads a derived fact is followed down to the facts a
person or a probe can give (``asks``); a derived fact that can no longer be
derived (every rule producing it failed) makes the rule fail, not wait.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from engine.chaining import Reasoner
from engine.conditions import evaluate, leaves, undetermined_facts
from engine.errors import FactError
from engine.kbmodel import KnowledgeBase
from engine.loader import did_you_mean
from engine.questions import never_view
from engine.report import Derivation, RuleStatus, WhyNot
from engine.scoring import Posterior

if TYPE_CHECKING:
    from engine.session import Session

NOT_DERIVED = None


def derivations(knowledge: KnowledgeBase, reasoner: Reasoner) -> list[Derivation]:
    """Every intermediate conclusion in force, with the rule and facts behind it."""
    del knowledge
    found = []
    for firing in reasoner.derivation_firings():
        rule = firing.rule.derivation
        assert rule is not None
        if reasoner.derived_by.get(rule.then.fact) != rule.id:
            continue
        found.append(Derivation(fact=rule.then.fact, value=rule.then.value, rule=rule.id,
                                because=rule.because, facts=firing.facts))
    return found


def how(reasoner: Reasoner, used: Iterable[str]) -> list[Derivation]:
    """The derivations behind the given facts, transitively (breadth first, no repeats)."""
    chain: list[Derivation] = []
    seen: set[str] = set()
    pending = list(used)
    while pending:
        fact = pending.pop(0)
        rule_id = reasoner.derived_by.get(fact)
        if fact in seen or rule_id is None:
            continue
        seen.add(fact)
        firing = reasoner.firings[rule_id]
        rule = firing.rule.derivation
        assert rule is not None
        chain.append(Derivation(fact=fact, value=rule.then.value, rule=rule_id,
                                because=rule.because, facts=firing.facts))
        pending.extend(firing.facts)
    return chain


def why_not(session: Session, cause_id: str, current: Posterior) -> WhyNot:
    """Each rule of one cause: fired, failed (on which facts) or waiting (for which)."""
    knowledge = session.knowledge
    cause = knowledge.causes.get(cause_id)
    if cause is None:
        hint = did_you_mean(cause_id, knowledge.causes)
        raise FactError(
            f"unknown cause {cause_id!r}{hint} (known: {', '.join(sorted(knowledge.causes))})"
        )
    facts = session.reasoner.facts
    tracer = _Tracer(session)
    statuses = []
    for rule in cause.rules:
        truth = evaluate(rule.when, facts)
        status = RuleStatus(rule=rule.id, status="fired", because=rule.because,
                            lr=rule.lr, rules_out=rule.rules_out)
        reads = list(leaves(rule.when))
        derived_read = sorted({leaf.fact for leaf in reads if tracer.is_derived(leaf.fact)})
        if truth is not True:
            unknown = sorted(set(undetermined_facts(rule.when, facts)))
            blocked = [fact for fact in unknown if tracer.is_derived(fact) and tracer.blocked(fact)]
            failed = {leaf.fact: facts[leaf.fact] for leaf in reads
                      if leaf.fact in facts and evaluate(leaf, facts) is False}
            failed.update({fact: NOT_DERIVED for fact in blocked})
            if truth is False or (blocked and _fails_without(session, rule.id, blocked)):
                status = status.model_copy(update={"status": "failed", "failed_on": failed})
            else:
                waiting = [fact for fact in unknown if fact not in blocked]
                wanted = {a for fact in waiting for a in tracer.asks(fact)}
                unknowable = sorted(wanted & set(session.dont_know))
                status = status.model_copy(update={
                    "status": "waiting", "waiting_for": waiting,
                    "asks": sorted(wanted - set(unknowable)),
                    "notes": [f"{fact}: answered \"I don't know\"" for fact in unknowable],
                })
        notes = [*status.notes, *(tracer.note(fact) for fact in derived_read)]
        statuses.append(status.model_copy(update={"notes": notes}))
    ranked = [c for c, _ in current.ranked()]
    rank = ranked.index(cause_id) + 1 if cause_id in ranked else None
    return WhyNot(cause=cause_id, confidence=round(current.probability.get(cause_id, 0.0), 4),
                  rank=rank, rules=statuses)


def _fails_without(session: Session, rule_id: str, blocked: list[str]) -> bool:
    """Whether the rule is false once the underivable facts count as never coming.

    A derived fact no rule can produce any more stays unknown forever; a rule
    that needs it will never fire, so it failed rather than waits.
    """
    rules = session.rules
    test = rules.rules[rules.by_id[rule_id]].test
    try:
        return test(never_view(session.reasoner.facts, blocked)) is False
    except TypeError:
        return False


class _Tracer:
    """Follows derived facts down to the rules producing them."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.knowledge = session.knowledge
        self.reasoner = session.reasoner
        self._producers: dict[str, list[str]] = {}
        for rule_id, rule in self.knowledge.derivations.items():
            self._producers.setdefault(rule.then.fact, []).append(rule_id)

    def is_derived(self, fact: str) -> bool:
        return fact in self._producers

    def blocked(self, fact: str) -> bool:
        """No rule producing this (unknown) derived fact can fire any more."""
        facts = self.reasoner.facts
        return all(evaluate(self.knowledge.derivations[r].when, facts) is False
                   for r in self._producers[fact])

    def asks(self, fact: str, depth: int = 0) -> set[str]:
        """The givable facts that could settle an unknown fact (itself, or what derives it)."""
        if not self.is_derived(fact) or depth > 20:
            return {fact}
        found: set[str] = set()
        facts = self.reasoner.facts
        for rule_id in self._producers[fact]:
            rule = self.knowledge.derivations[rule_id]
            if evaluate(rule.when, facts) is False:
                continue
            for leaf in leaves(rule.when):
                if leaf.fact not in facts:
                    found |= self.asks(leaf.fact, depth + 1)
        return found

    def note(self, fact: str) -> str:
        facts = self.reasoner.facts
        rule_id = self.reasoner.derived_by.get(fact)
        if rule_id is not None:
            return f"{fact}={facts[fact]!r} derived by {rule_id}"
        if fact in facts:
            return f"{fact}={facts[fact]!r} given directly"
        if self.blocked(fact):
            reasons = []
            for rule_id in self._producers[fact]:
                when = self.knowledge.derivations[rule_id].when
                failed = ", ".join(f"{leaf.fact}={facts[leaf.fact]!r}" for leaf in leaves(when)
                                   if leaf.fact in facts and evaluate(leaf, facts) is False)
                reasons.append(f"{rule_id} failed on {failed}" if failed else f"{rule_id} failed")
            return f"{fact} cannot be derived: {'; '.join(reasons)}"
        missing = ", ".join(sorted(self.asks(fact))) or "nothing askable"
        return f"{fact} not derived yet: it needs {missing}"
