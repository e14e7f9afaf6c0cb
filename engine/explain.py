"""Explanations: "how" (the chain of derivations) and "why not" (a cause's rules).

"why not" is the question rule-engine users ask most: for a cause, each of
its rules either fired, failed on facts that contradict it, or waits on facts
nobody has given yet (three-valued logic tells the two apart).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.chaining import Reasoner
from engine.conditions import evaluate, leaves
from engine.errors import FactError
from engine.kbmodel import KnowledgeBase
from engine.loader import did_you_mean
from engine.report import Derivation, RuleStatus, WhyNot
from engine.scoring import Posterior

if TYPE_CHECKING:
    from engine.session import Session


def derivations(knowledge: KnowledgeBase, reasoner: Reasoner) -> list[Derivation]:
    """Every intermediate conclusion in force, with the rule and facts behind it."""
    found = []
    for firing in reasoner.derivation_firings():
        rule = firing.rule.derivation
        assert rule is not None
        if reasoner.derived_by.get(rule.then.fact) != rule.id:
            continue
        found.append(Derivation(fact=rule.then.fact, value=rule.then.value, rule=rule.id,
                                because=rule.because, facts=firing.facts))
    return found


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
    statuses = []
    for rule in cause.rules:
        truth = evaluate(rule.when, facts)
        reads = [leaf for leaf in leaves(rule.when)]
        if truth is True:
            statuses.append(RuleStatus(rule=rule.id, status="fired", because=rule.because))
            continue
        if truth is False:
            failed = {
                leaf.fact: facts[leaf.fact]
                for leaf in reads
                if leaf.fact in facts and evaluate(leaf, facts) is False
            }
            statuses.append(RuleStatus(rule=rule.id, status="failed", because=rule.because,
                                       failed_on=failed))
            continue
        waiting = sorted({leaf.fact for leaf in reads if leaf.fact not in facts})
        statuses.append(RuleStatus(rule=rule.id, status="waiting", because=rule.because,
                                   waiting_for=waiting))
    ranked = [c for c, _ in current.ranked()]
    rank = ranked.index(cause_id) + 1 if cause_id in ranked else None
    return WhyNot(cause=cause_id, confidence=round(current.probability.get(cause_id, 0.0), 4),
                  rank=rank, rules=statuses)
