"""Cross-file checks of a loaded KB: ids that must exist, types that must fit.

The pydantic models check each file's shape; this module checks what needs
the whole KB: that every fact a rule reads or a case sets is declared, that
every operator fits its fact's type, that derivations have no cycles, that
regular expressions compile and that error patterns set valid values.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from engine.conditions import check_leaf, leaves, value_problem
from engine.errors import KBIssue
from engine.kbmodel import KnowledgeBase, Origin
from engine.loader import did_you_mean
from engine.schema import FORMAT_VERSION, Condition, FactType


def check_kb(knowledge: KnowledgeBase) -> list[KBIssue]:
    """Every cross-file problem of the KB (and the merge problems found while loading)."""
    issues = list(knowledge.issues)
    issues += _check_manifests(knowledge)
    for rule_id, rule in knowledge.derivations.items():
        where = knowledge.origin("rule", rule_id)
        issues += _check_condition(knowledge, rule.when, where, rule_id)
        target = knowledge.observations.get(rule.then.fact)
        if target is None:
            issues.append(_unknown_fact(knowledge, rule.then.fact, where, rule_id))
        else:
            if not target.derived:
                issues.append(
                    _issue(where, f"{rule_id}: derives {target.id!r}, which is not "
                           "declared 'derived: true' in observations")
                )
            problem = value_problem(target, rule.then.value)
            if problem:
                issues.append(_issue(where, f"{rule_id}: {problem}"))
    for rule_id, (_, evidence) in knowledge.evidence_rules.items():
        where = knowledge.origin("rule", rule_id)
        issues += _check_condition(knowledge, evidence.when, where, rule_id)
    issues += _check_cycles(knowledge)
    for fact, _question in knowledge.questions.items():
        if fact not in knowledge.observations:
            issues.append(_unknown_fact(knowledge, fact, knowledge.origin("question", fact), fact))
    for name, probe in knowledge.probes.items():
        for fact in probe.sets:
            if fact not in knowledge.observations:
                issues.append(_unknown_fact(knowledge, fact, knowledge.origin("probe", name), name))
    for pattern_id, pattern in knowledge.patterns.items():
        where = knowledge.origin("pattern", pattern_id)
        try:
            re.compile(pattern.regex)
        except re.error as error:
            issues.append(_issue(where, f"{pattern_id}: regex does not compile: {error}"))
        issues += _check_values(knowledge, pattern.sets.items(), where, pattern_id)
    for case_id, (_, case) in knowledge.cases.items():
        where = knowledge.origin("case", case_id)
        issues += _check_values(knowledge, case.facts.items(), where, case_id)
        named = [case.expect.top] if case.expect.top else []
        named += case.expect.ranked_above + case.expect.ruled_out
        for cause_id in named:
            if cause_id not in knowledge.causes:
                hint = did_you_mean(cause_id, knowledge.causes)
                issues.append(_issue(where, f"{case_id}: unknown cause {cause_id!r}{hint}"))
    return issues


def _check_manifests(knowledge: KnowledgeBase) -> list[KBIssue]:
    issues = []
    for manifest, origin in knowledge.manifests:
        if manifest.format_version != FORMAT_VERSION:
            issues.append(
                _issue(origin, f"format_version {manifest.format_version} is not supported "
                       f"(this conndoctor reads {FORMAT_VERSION})")
            )
    return issues


def _check_condition(
    knowledge: KnowledgeBase, condition: Condition, where: Origin | None, rule_id: str
) -> list[KBIssue]:
    issues = []
    for leaf in leaves(condition):
        observation = knowledge.observations.get(leaf.fact)
        if observation is None:
            issues.append(_unknown_fact(knowledge, leaf.fact, where, rule_id))
            continue
        for problem in check_leaf(leaf, observation):
            issues.append(_issue(where, f"{rule_id}: {problem}"))
    return issues


def _check_values(
    knowledge: KnowledgeBase,
    items: Iterable[tuple[str, object]],
    where: Origin | None,
    owner: str,
) -> list[KBIssue]:
    issues = []
    for fact, value in items:
        observation = knowledge.observations.get(fact)
        if observation is None:
            issues.append(_unknown_fact(knowledge, fact, where, owner))
            continue
        if observation.type is FactType.LIST and not isinstance(value, list):
            value = [value]
        problem = value_problem(observation, value)
        if problem:
            issues.append(_issue(where, f"{owner}: {problem}"))
    return issues


def _check_cycles(knowledge: KnowledgeBase) -> list[KBIssue]:
    """Derivation rules must not derive a fact from itself, directly or not."""
    from engine.conditions import facts_read

    feeds: dict[str, set[str]] = {}
    producer: dict[str, str] = {}
    for rule_id, rule in knowledge.derivations.items():
        producer.setdefault(rule.then.fact, rule_id)
        for fact in facts_read(rule.when):
            feeds.setdefault(fact, set()).add(rule.then.fact)
    issues: list[KBIssue] = []
    state: dict[str, int] = {}

    def visit(fact: str, trail: list[str]) -> None:
        state[fact] = 1
        for nxt in sorted(feeds.get(fact, ())):
            if state.get(nxt) == 1:
                cycle = [*trail[trail.index(nxt):], nxt] if nxt in trail else [fact, nxt]
                rule_id = producer.get(nxt, "?")
                issues.append(
                    _issue(knowledge.origin("rule", rule_id),
                           f"{rule_id}: derivation cycle {' -> '.join(cycle)}")
                )
            elif state.get(nxt) is None:
                visit(nxt, [*trail, nxt])
        state[fact] = 2

    for fact in sorted(feeds):
        if state.get(fact) is None:
            visit(fact, [fact])
    return issues


def _unknown_fact(
    knowledge: KnowledgeBase, fact: str, where: Origin | None, owner: str
) -> KBIssue:
    hint = did_you_mean(fact, knowledge.observations)
    return _issue(where, f"{owner}: unknown fact {fact!r}{hint}")


def _issue(where: Origin | None, message: str) -> KBIssue:
    return KBIssue(where.file if where else None, where.line if where else None, message)
