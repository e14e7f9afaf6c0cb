"""Quality warnings for a KB that loads: things that are legal but probably wrong."""

from __future__ import annotations

from engine.cases import run_cases
from engine.conditions import facts_read
from engine.errors import KBIssue
from engine.kbmodel import KnowledgeBase


def lint_kb(knowledge: KnowledgeBase) -> list[KBIssue]:
    """Causes no rule supports, facts never used, rules that never fire, causes never first."""
    warnings: list[KBIssue] = []

    def warn(kind: str, ident: str, message: str) -> None:
        origin = knowledge.origin(kind, ident)
        warnings.append(KBIssue(origin.file if origin else None, origin.line if origin else None,
                                message, severity="warning"))

    used: set[str] = set()
    for derivation in knowledge.derivations.values():
        used.update(facts_read(derivation.when))
    for _, evidence in knowledge.evidence_rules.values():
        used.update(facts_read(evidence.when))
    for cause_id, cause in knowledge.causes.items():
        if not any(rule.lr and rule.lr > 1 for rule in cause.rules):
            warn("cause", cause_id, f"{cause_id}: no rule supports this cause")
    for fact, observation in knowledge.observations.items():
        if fact not in used and observation.type.value != "text":
            warn("observation", fact, f"{fact}: no rule reads this fact")
    outcomes = run_cases(knowledge)
    fired: set[str] = set()
    first: set[str] = set()
    from engine.cases import session_for_case

    for outcome in outcomes:
        session = session_for_case(knowledge, outcome.case)
        fired.update(session.reasoner.firings)
        if outcome.top:
            first.add(outcome.top)
    for rule_id in list(knowledge.derivations) + list(knowledge.evidence_rules):
        if rule_id not in fired:
            kind = "rule"
            warn(kind, rule_id, f"{rule_id}: never fires in any example case")
    for cause_id in knowledge.causes:
        if cause_id not in first:
            warn("cause", cause_id, f"{cause_id}: never ranked first in any example case")
    return warnings
