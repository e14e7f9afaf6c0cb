"""Quality warnings for a KB that loads: things that are legal but probably wrong.

``validate`` checks shape and ids; ``lint`` checks whether the knowledge is
usable and tested. Each warning carries a code (shown as ``[code]``) so a
script can filter it:

- ``no-support``: a cause that no rule supports (no ``lr`` above 1).
- ``unused-fact``: a fact no rule reads (free-text facts excepted).
- ``unsuppliable-fact``: a fact no question, probe, error pattern or rule can set
  (and not marked ``set_by: [log]`` or ``[user]`` for code or ``--fact`` alone).
- ``never-fires``: a rule that fires in no example case.
- ``never-first``: a cause that ranks first in no example case.
- ``short-because``: a ``because`` too short to explain anything.
- ``question-for-derived``: a question for a fact only rules may set.
- ``missing-case``: a cause without a positive case or a near-miss case.
- ``no-remedy``: a cause without remedies.
- ``unknown-probe``: an observation naming a probe ``probes.yaml`` does not declare.
"""

from __future__ import annotations

from engine.cases import session_for_case
from engine.conditions import facts_read
from engine.errors import KBIssue
from engine.kbmodel import KnowledgeBase
from engine.schema import FactType

MIN_BECAUSE_WORDS = 5


class _Linter:
    def __init__(self, knowledge: KnowledgeBase) -> None:
        self.kb = knowledge
        self.warnings: list[KBIssue] = []

    def warn(self, kind: str, ident: str, code: str, message: str, *sub: str | int) -> None:
        origin = self.kb.origin(kind, ident)
        if origin is not None and sub:
            origin = origin.at(*sub)
        self.warnings.append(KBIssue(origin.file if origin else None,
                                     origin.line if origin else None,
                                     f"{ident}: {message}", severity="warning", code=code))

    def causes(self) -> None:
        for cause_id, cause in self.kb.causes.items():
            if not any(rule.lr and rule.lr > 1 for rule in cause.rules):
                self.warn("cause", cause_id, "no-support",
                          "no rule supports this cause (add a rule with lr above 1)")
            if not cause.remedies:
                self.warn("cause", cause_id, "no-remedy", "no remedies: say how to fix it")
            kinds = {case.kind for case in cause.cases}
            for wanted, meaning in (("positive", "where it must rank first"),
                                    ("near-miss", "where a look-alike must win")):
                if wanted not in kinds:
                    self.warn("cause", cause_id, "missing-case",
                              f"no {wanted} case ({meaning})")

    def becauses(self) -> None:
        rules = [(rule_id, rule.because) for rule_id, rule in self.kb.derivations.items()]
        rules += [(rule_id, rule.because) for rule_id, (_, rule) in self.kb.evidence_rules.items()]
        for rule_id, because in rules:
            if len(because.split()) < MIN_BECAUSE_WORDS:
                self.warn("rule", rule_id, "short-because",
                          f"'because' is too short to explain the conclusion (got {because!r}; "
                          f"write a sentence of at least {MIN_BECAUSE_WORDS} words)", "because")

    def facts(self) -> None:
        kb = self.kb
        read: set[str] = set()
        for derivation in kb.derivations.values():
            read.update(facts_read(derivation.when))
        for _, evidence in kb.evidence_rules.values():
            read.update(facts_read(evidence.when))
        supplied = set(kb.questions)
        supplied.update(fact for probe in kb.probes.values() for fact in probe.sets)
        supplied.update(fact for pattern in kb.patterns.values() for fact in pattern.sets)
        supplied.update(rule.then.fact for rule in kb.derivations.values())
        for fact, observation in kb.observations.items():
            if observation.type is FactType.TEXT:
                continue
            if fact not in read:
                self.warn("observation", fact, "unused-fact", "no rule reads this fact")
            if fact not in supplied and not observation.set_by:
                self.warn("observation", fact, "unsuppliable-fact",
                          "no question, probe, error pattern or rule sets this fact "
                          "(if code or --fact alone sets it, say so with 'set_by')")
            for index, probe in enumerate(observation.probes):
                if probe not in kb.probes:
                    known = ", ".join(sorted(kb.probes))
                    self.warn("observation", fact, "unknown-probe",
                              f"names probe {probe!r}, which probes.yaml does not declare "
                              f"(declared: {known})", "probes", index)
        for fact in kb.questions:
            asked = kb.observations.get(fact)
            if asked is not None and asked.derived:
                self.warn("question", fact, "question-for-derived",
                          "a question for a derived fact (rules set it; ask for what they read)")

    def cases(self) -> None:
        fired: set[str] = set()
        first: set[str] = set()
        for _cause_id, case in self.kb.cases.values():
            if case.kind == "todo":
                continue
            session = session_for_case(self.kb, case)
            report = session.report()
            fired.update(session.reasoner.firings)
            if report.diagnoses:
                first.add(report.diagnoses[0].cause)
        for rule_id in [*self.kb.derivations, *self.kb.evidence_rules]:
            if rule_id not in fired:
                self.warn("rule", rule_id, "never-fires",
                          "fires in no example case (add a case that exercises it)")
        for cause_id in self.kb.causes:
            if cause_id not in first:
                self.warn("cause", cause_id, "never-first", "ranks first in no example case")


def lint_kb(knowledge: KnowledgeBase) -> list[KBIssue]:
    """Every quality warning of a loaded KB, ordered by file and line."""
    linter = _Linter(knowledge)
    linter.causes()
    linter.becauses()
    linter.facts()
    linter.cases()
    return sorted(linter.warnings, key=KBIssue.sort_key)
