"""Forward chaining to a fixpoint, with an index, refraction and truth maintenance.

The working memory holds *base* facts (what people, probes and readers said,
after ``facts.PRECEDENCE`` picked one value per fact) and *derived* facts.
Asserting or retracting a base fact puts on the agenda only the rules that
read it (the index of ``rulebase``); a rule whose truth changes may change a
derived fact, which wakes the rules that read that one, and so on.

The semantics are declarative, so the result never depends on the order of
events or of the KB's rule listing:

- a rule *fires* while its condition is true on the current facts; it fires
  once per set of values it read (refraction), and stops firing, with
  everything it derived, when one of those values is withdrawn;
- when several true derivations give a fact different values, the one that
  wins conflict resolution sets it: highest ``salience``, then the most
  specific (most condition leaves), then the earliest in the KB; the others
  are kept in ``conflicts``. A base fact always beats a derived value;
- the agenda runs rules in dependency order (strata), so no rule ever acts on
  a derived fact that could still change in the same run, and the
  ``step_limit`` bounds the evaluations of one run.

Together these make the state after any sequence of asserts and retractions
exactly the state of a fresh run on the base facts that remain (the truth
maintenance the questionnaire's "back" relies on; property tests check it).
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from engine.errors import ConndoctorError
from engine.gcpause import paused_gc
from engine.rulebase import CompiledRule, RuleBase

__all__ = ["DEFAULT_STEP_LIMIT", "CompiledRule", "Firing", "Reasoner", "RuleBase",
           "StepLimitExceeded"]

DEFAULT_STEP_LIMIT = 1_000_000


class StepLimitExceeded(ConndoctorError):
    """One run evaluated more rules than the bound allows (a runaway KB)."""


class Firing(NamedTuple):
    """One rule that fired, with the values of the facts it read (a tuple: cheap to make)."""

    rule: CompiledRule
    facts: dict[str, Any]


def same_value(left: Any, right: Any) -> bool:
    """Equal and of the same type (``True`` is not ``1`` for a fact)."""
    return type(left) is type(right) and bool(left == right)


class Reasoner:
    """Working memory plus agenda: assert and retract base facts, read firings."""

    def __init__(self, rules: RuleBase, step_limit: int = DEFAULT_STEP_LIMIT) -> None:
        self._rules = rules
        self._step_limit = step_limit
        self.base: dict[str, Any] = {}
        self.facts: dict[str, Any] = {}
        self.derived_by: dict[str, str] = {}
        self.firings: dict[str, Firing] = {}
        self._support: dict[str, dict[int, Any]] = {}
        self._agenda: list[tuple[int, ...]] = []
        self._queued: set[int] = set()
        self.steps = 0
        with paused_gc():
            for index in rules.initially_true:
                self._schedule(index)
            self._run()

    @property
    def rules(self) -> RuleBase:
        """The compiled rules this memory runs."""
        return self._rules

    def assert_facts(self, values: Mapping[str, Any]) -> None:
        """Set base facts (replacing earlier values of the same ids) and run to fixpoint."""
        with paused_gc():
            for fact, value in values.items():
                if fact in self.base and same_value(self.base[fact], value):
                    continue
                self.base[fact] = value
                self._refresh(fact)
            self._run()

    def retract_facts(self, facts: Iterable[str]) -> None:
        """Remove base facts; what was derived from them goes too, and the rest re-runs."""
        with paused_gc():
            for fact in facts:
                if fact in self.base:
                    del self.base[fact]
                    self._refresh(fact)
            self._run()

    def _refresh(self, fact: str) -> None:
        """Recompute the value the rules see for one fact; wake its readers if it changed."""
        value: Any
        winner: str | None = None
        if fact in self.base:
            value = self.base[fact]
        else:
            supporters = self._support.get(fact)
            if supporters:
                rules = self._rules.rules
                best = next(iter(supporters)) if len(supporters) == 1 else min(
                    supporters, key=lambda index: rules[index].rank)
                value, winner = supporters[best], self._rules.rules[best].id
            else:
                value = _ABSENT
        if winner is None:
            self.derived_by.pop(fact, None)
        else:
            self.derived_by[fact] = winner
        old = self.facts.get(fact, _ABSENT)
        if old is _ABSENT and value is _ABSENT:
            return
        if old is not _ABSENT and value is not _ABSENT and same_value(old, value):
            return
        if value is _ABSENT:
            del self.facts[fact]
        else:
            self.facts[fact] = value
        queued, agenda, keys = self._queued, self._agenda, self._rules.agenda_keys
        for index in self._rules.by_fact.get(fact, ()):
            if index not in queued:
                queued.add(index)
                heapq.heappush(agenda, keys[index])

    def _schedule(self, index: int) -> None:
        if index not in self._queued:
            self._queued.add(index)
            heapq.heappush(self._agenda, self._rules.agenda_keys[index])

    def _run(self) -> None:
        """Fire the agenda to fixpoint (callers pause the cyclic GC: see ``paused_gc``)."""
        evaluated = 0
        rules = self._rules.rules
        facts, firings, agenda, queued = self.facts, self.firings, self._agenda, self._queued
        pop = heapq.heappop
        while agenda:
            index = pop(agenda)[-1]
            queued.discard(index)
            evaluated += 1
            if evaluated > self._step_limit:
                agenda.clear()
                queued.clear()
                raise StepLimitExceeded(
                    f"the rules were evaluated more than {self._step_limit} times in one run "
                    f"(last: {rules[index].id!r}): the KB's derivations feed each other in a loop"
                )
            rule = rules[index]
            if rule.test(facts) is True:
                used = {fact: facts[fact] for fact in rule.reads if fact in facts}
                previous = firings.get(rule.id)
                if previous is None or previous.facts != used:
                    firings[rule.id] = Firing(rule, used)
                if rule.derives is not None:
                    self._set_support(index, rule.derives, rule.derives_value)
            elif firings.pop(rule.id, None) is not None and rule.derives is not None:
                self._set_support(index, rule.derives, _ABSENT)
        self.steps += evaluated

    def _set_support(self, index: int, fact: str, value: Any) -> None:
        supporters = self._support.setdefault(fact, {})
        if value is _ABSENT:
            if supporters.pop(index, _ABSENT) is _ABSENT:
                return
        elif index in supporters:
            return  # still true: the value a rule derives never changes
        else:
            supporters[index] = value
        self._refresh(fact)

    @property
    def conflicts(self) -> list[tuple[str, Any, str]]:
        """Derived values that lost: ``(fact, value, rule id)``, kept and reported."""
        found = []
        for fact, supporters in sorted(self._support.items()):
            if fact not in self.facts:
                continue
            for index, value in sorted(supporters.items()):
                if not same_value(value, self.facts[fact]):
                    found.append((fact, value, self._rules.rules[index].id))
        return found

    def evidence_firings(self) -> list[Firing]:
        """The evidence rules that fired, in KB order."""
        found = [f for f in self.firings.values() if f.rule.evidence is not None]
        return sorted(found, key=lambda firing: firing.rule.order)

    def derivation_firings(self) -> list[Firing]:
        """The derivation rules that fired, in KB order."""
        found = [f for f in self.firings.values() if f.rule.derivation is not None]
        return sorted(found, key=lambda firing: firing.rule.order)


_ABSENT: Any = object()
