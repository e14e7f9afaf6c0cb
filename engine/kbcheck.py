"""Cross-file checks of a loaded KB: ids that must exist, types that must fit.

The pydantic models check each file's shape; this module checks what needs
the whole KB: that every fact a rule reads or a case sets is declared, that
every operator fits its fact's type, that derivations have no cycles, that
regular expressions compile and do not backtrack catastrophically
(``engine.backtracking``), and that error patterns set valid values. Each
issue names the line of the value at fault (a leaf deep inside ``all`` /
``any`` / ``not``, a key of a case's ``facts``), not just the item's first line.

When some files failed to load, ``incomplete`` names their kinds, and checks
that would only echo that failure ("unknown fact" when ``observations.yaml``
did not load) are left out rather than burying the real error.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping

from engine.conditions import check_leaf, value_problem
from engine.errors import KBIssue
from engine.kbissues import did_you_mean
from engine.kbmodel import KnowledgeBase, Origin, Spot
from engine.schema import AllOf, AnyOf, Condition, FactType, Leaf, Observation
from engine.yamlsource import YamlPath


def check_kb(knowledge: KnowledgeBase, incomplete: Iterable[str] = ()) -> list[KBIssue]:
    """Every cross-file problem of the KB (and the merge problems found while loading)."""
    checker = _Checker(knowledge, set(incomplete))
    checker.run()
    return list(knowledge.issues) + checker.issues


class _Checker:
    def __init__(self, knowledge: KnowledgeBase, incomplete: set[str]) -> None:
        self.kb = knowledge
        self.incomplete = incomplete
        self.issues: list[KBIssue] = []

    def add(self, where: Origin | Spot | None, message: str) -> None:
        self.issues.append(
            KBIssue(where.file if where else None, where.line if where else None, message)
        )

    def run(self) -> None:
        kb = self.kb
        for rule_id, rule in kb.derivations.items():
            where = self._origin("rule", rule_id)
            self.condition(rule.when, where.spot("when"), rule_id)
            target = self.fact(rule.then.fact, where.spot("then", "fact"), rule_id)
            if target is not None and not target.derived:
                self.add(where.spot("then", "fact"), f"{rule_id}: derives {target.id!r}, which "
                         "is not declared 'derived: true' in observations")
            if target is not None:
                self.value(target, rule.then.value, where.spot("then", "value"), rule_id)
        for rule_id, (_, evidence) in kb.evidence_rules.items():
            self.condition(evidence.when, self._origin("rule", rule_id).spot("when"), rule_id)
        self.cycles()
        for cause_id, cause in kb.causes.items():
            self.remedy_rules(cause_id, [rule.id for rule in cause.rules],
                              [remedy.first_when for remedy in cause.remedies])
        for fact, question in kb.questions.items():
            self.fact(fact, self._origin("question", fact).spot("fact"), fact)
            if question.skip_when is not None:
                self.condition(question.skip_when,
                               self._origin("question", fact).spot("skip_when"), fact)
        for name, probe in kb.probes.items():
            for index, fact in enumerate(probe.sets):
                self.fact(fact, self._origin("probe", name).spot("sets", index), name)
        from engine.errortext import FLAGS

        compiled: list[tuple[str, str]] = []
        for pattern_id, pattern in kb.patterns.items():
            where = self._origin("pattern", pattern_id)
            # A file unchanged since a load that checked it needs no second check:
            # the cache keeps only files of KBs that loaded without errors, per Python.
            if where.file not in kb.cached_files and self.regex(
                pattern_id, pattern.regex, where, FLAGS
            ):
                compiled.append((pattern_id, pattern.regex))
            for fact, value in pattern.sets.items():
                self.fact_value(fact, value, where.spot("sets", fact), pattern_id)
        self.backtracking(compiled, FLAGS)
        for case_id, (_, case) in kb.cases.items():
            where = self._origin("case", case_id)
            for fact, given in case.facts.items():
                self.fact_value(fact, given, where.spot("facts", fact), case_id)
            expect = case.expect
            named: list[tuple[YamlPath, str]] = [(("top",), expect.top)] if expect.top else []
            named += [(("ranked_above", i), c) for i, c in enumerate(expect.ranked_above)]
            named += [(("ruled_out", i), c) for i, c in enumerate(expect.ruled_out)]
            for sub, cause_id in named:
                if cause_id not in kb.causes and "cause" not in self.incomplete:
                    self.add(where.spot("expect", *sub), f"{case_id}: unknown cause "
                             f"{cause_id!r}{did_you_mean(cause_id, kb.causes)}")

    def remedy_rules(self, cause_id: str, own: list[str], named: list[list[str]]) -> None:
        """A remedy's ``first_when`` names rules of its own cause."""
        where = self._origin("cause", cause_id)
        for index, rule_ids in enumerate(named):
            for position, rule_id in enumerate(rule_ids):
                if rule_id not in own:
                    self.add(where.spot("remedies", index, "first_when", position),
                             f"{cause_id}: first_when names {rule_id!r}, not a rule of this "
                             f"cause{did_you_mean(rule_id, own)} (its rules: {', '.join(own)})")

    def _origin(self, kind: str, ident: str) -> Origin:
        found = self.kb.origin(kind, ident)
        assert found is not None, (kind, ident)
        return found

    def fact(self, fact: str, where: Origin | Spot, owner: str) -> Observation | None:
        observation = self.kb.observations.get(fact)
        if observation is None and "observations" not in self.incomplete:
            hint = did_you_mean(fact, self.kb.observations)
            self.add(where, f"{owner}: unknown fact {fact!r}{hint}")
        return observation

    def fact_value(self, fact: str, value: object, where: Origin | Spot, owner: str) -> None:
        observation = self.fact(fact, where, owner)
        if observation is None:
            return
        if observation.type is FactType.LIST and not isinstance(value, list):
            value = [value]
        self.value(observation, value, where, owner)

    def value(
        self, observation: Observation, value: object, where: Origin | Spot, owner: str
    ) -> None:
        problem = value_problem(observation, value)
        if problem:
            self.add(where, f"{owner}: {problem}{_value_hint(observation, value)}")

    def condition(self, condition: Condition, where: Origin | Spot, rule_id: str) -> None:
        for leaf, path in leaf_paths(condition):
            observation = self.fact(leaf.fact, where.spot(*path, "fact"), rule_id)
            if observation is None:
                continue
            for problem in check_leaf(leaf, observation):
                at = "op" if "does not apply" in problem else "value"
                self.add(where.spot(*path, at),
                         f"{rule_id}: {problem}{_value_hint(observation, leaf.value)}")

    def regex(self, pattern_id: str, regex: str, where: Origin, flags: int) -> bool:
        """The pattern's regular expression must compile (with the reader's flags)."""
        try:
            re.compile(regex, flags)
        except re.error as error:
            self.add(where.spot("regex"), f"{pattern_id}: regex does not compile: {error} "
                     f"(got {regex!r})")
            return False
        return True

    def backtracking(self, patterns: list[tuple[str, str]], flags: int) -> None:
        """No regex may backtrack catastrophically on a hostile line (``engine.backtracking``):
        ``--error`` and ``--log`` read untrusted text with every KB's patterns, and a
        search in Python's ``re`` cannot be interrupted."""
        from engine.backtracking import find_slow

        regexes = dict(patterns)
        for pattern_id, finding in find_slow(patterns, flags).items():
            where = self._origin("pattern", pattern_id).spot("regex")
            self.add(where, finding.message(pattern_id, regexes[pattern_id]))

    def cycles(self) -> None:
        """Derivation rules must not derive a fact from itself, directly or not."""
        from engine.conditions import facts_read

        feeds: dict[str, set[str]] = {}
        producer: dict[str, str] = {}
        for rule_id, rule in self.kb.derivations.items():
            producer.setdefault(rule.then.fact, rule_id)
            for fact in facts_read(rule.when):
                feeds.setdefault(fact, set()).add(rule.then.fact)
        for cycle in _find_cycles(feeds):
            rule_id = producer.get(cycle[-1], "?")
            self.add(self.kb.origin("rule", rule_id),
                     f"{rule_id}: derivation cycle {' -> '.join(cycle)} "
                     "(a derived fact must not depend on itself)")


def _acyclic(feeds: Mapping[str, set[str]]) -> bool:
    """Kahn's algorithm: True when every fact can be ordered before those it feeds."""
    indegree: dict[str, int] = {}
    for fact, targets in feeds.items():
        indegree.setdefault(fact, 0)
        for target in targets:
            indegree[target] = indegree.get(target, 0) + 1
    ready = [fact for fact, count in indegree.items() if count == 0]
    ordered = 0
    while ready:
        fact = ready.pop()
        ordered += 1
        for target in feeds.get(fact, ()):
            indegree[target] -= 1
            if indegree[target] == 0:
                ready.append(target)
    return ordered == len(indegree)


def _find_cycles(feeds: Mapping[str, set[str]]) -> list[list[str]]:
    """Each back edge of a depth-first walk, as the cycle it closes.

    Iterative, with one shared trail and its index, so a chain of 10,000
    derivations costs linear time and no recursion depth.
    """
    if _acyclic(feeds):
        return []
    state: dict[str, int] = {}
    cycles: list[list[str]] = []
    for root in sorted(feeds):
        if root in state:
            continue
        trail: list[str] = [root]
        position: dict[str, int] = {root: 0}
        stack: list[Iterator[str]] = [iter(sorted(feeds.get(root, ())))]
        state[root] = 1
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                stack.pop()
                done = trail.pop()
                del position[done]
                state[done] = 2
                continue
            if state.get(nxt) == 1:
                cycles.append([*trail[position[nxt]:], nxt])
            elif nxt not in state:
                state[nxt] = 1
                position[nxt] = len(trail)
                trail.append(nxt)
                stack.append(iter(sorted(feeds.get(nxt, ()))))
    return cycles


def leaf_paths(condition: Condition, path: YamlPath = ()) -> Iterator[tuple[Leaf, YamlPath]]:
    """Every leaf of a condition with its path in the YAML data, depth first."""
    if isinstance(condition, Leaf):
        yield condition, path
    elif isinstance(condition, AllOf):
        for index, part in enumerate(condition.all):
            yield from leaf_paths(part, (*path, "all", index))
    elif isinstance(condition, AnyOf):
        for index, part in enumerate(condition.any):
            yield from leaf_paths(part, (*path, "any", index))
    else:
        yield from leaf_paths(condition.not_, (*path, "not"))


def _value_hint(observation: Observation, value: object) -> str:
    """A "did you mean" for a misspelt enum or list value."""
    if observation.type not in (FactType.ENUM, FactType.LIST) or not observation.values:
        return ""
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, str) and item not in observation.values:
            return did_you_mean(item, observation.values)
    return ""
