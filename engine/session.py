"""A diagnosis session: facts in, ranked report out, one step at a time.

``Session`` is what both the questionnaire and ``--no-input`` drive: add
statements (user, answer, probe, error reader, log), say "I don't know",
withdraw an answer (``back``), and ask for the report. Withdrawing goes
through the reasoner's truth maintenance, so the report after ``back`` is the
one a fresh session without that answer would give.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any, Literal

from engine.chaining import Reasoner, RuleBase
from engine.conditions import evaluate
from engine.errors import FactError
from engine.explain import derivations, how, why_not
from engine.facts import FactRecord, FactStore, Source, observation_for
from engine.kbmodel import KnowledgeBase
from engine.questions import (
    MIN_GAIN_BITS,
    Candidate,
    expected_gain,
    is_done,
    number_thresholds,
    representative_values,
)
from engine.report import (
    Conflict,
    Diagnosis,
    DiagnosisReport,
    Evidence,
    FactSource,
    NextQuestion,
    ProbeSummary,
    RuledOut,
)
from engine.schema import FactType, Remedy
from engine.scoring import Contribution, Posterior, posterior

MAX_NEXT_QUESTIONS = 5
Kind = Literal["question", "probe"]


class Session:
    """Working memory for one diagnosis over one loaded KB."""

    def __init__(self, knowledge: KnowledgeBase, rules: RuleBase | None = None) -> None:
        self.knowledge = knowledge
        self.rules = rules or RuleBase.from_kb(knowledge)
        self.store = FactStore(knowledge)
        self.reasoner = Reasoner(self.rules)
        self.dont_know: list[str] = []
        self.probes: list[ProbeSummary] = []
        self.probes_run: set[str] = set()
        self.can_probe = True
        """Whether probes can run (a target is known): if not, only questions are proposed."""
        self.questions_asked = 0
        self.error_lines: list[dict[str, Any]] = []
        self.priors = {cause_id: cause.prior for cause_id, cause in knowledge.causes.items()}
        self._thresholds: dict[str, set[float]] | None = None

    def add(self, record: FactRecord) -> None:
        """Record one statement and update the reasoner with the winning values."""
        self.store.add(record)
        if record.source is Source.ANSWER:
            self.questions_asked += 1
        if record.fact in self.dont_know:
            self.dont_know.remove(record.fact)
        self._sync([record.fact])

    def add_many(self, records: Iterable[FactRecord]) -> None:
        """Record several statements (all checked before any is applied)."""
        records = list(records)
        for record in records:
            self.store.check(record)
        touched = []
        for record in records:
            self.store.add(record)
            touched.append(record.fact)
            self.questions_asked += record.source is Source.ANSWER
            if record.fact in self.dont_know:
                self.dont_know.remove(record.fact)
        self._sync(touched)

    def withdraw(self, fact: str, source: Source | None = None) -> None:
        """Take back statements about a fact (the questionnaire's ``back``)."""
        removed = self.store.withdraw(fact, source)
        self.questions_asked -= sum(1 for r in removed if r.source is Source.ANSWER)
        self._sync([fact])

    def mark_dont_know(self, fact: str) -> None:
        """Record "I don't know": the fact is not asked again.

        A derived fact is never asked, so "I don't know" to it would be dropped
        without effect: it is refused, as giving it a value is.
        """
        if observation_for(self.knowledge, fact).derived:
            raise FactError(f"{fact!r} is derived by the KB's rules and never asked; "
                            "say I don't know to the facts it is derived from")
        if fact not in self.dont_know:
            self.dont_know.append(fact)

    def add_probe_summary(self, summary: ProbeSummary) -> None:
        """Remember that a probe ran (its facts are added separately as records)."""
        self.probes.append(summary)
        self.probes_run.add(summary.name)

    def _sync(self, facts: Iterable[str]) -> None:
        winners = self.store.values()
        facts = list(dict.fromkeys(facts))
        gone = [fact for fact in facts if fact not in winners]
        if gone:
            self.reasoner.retract_facts(gone)
        present = {fact: winners[fact] for fact in facts if fact in winners}
        if present:
            self.reasoner.assert_facts(present)

    def score(self, reasoner: Reasoner | None = None) -> tuple[Posterior, list[Contribution]]:
        """The posterior for the reasoner's current firings, and the contributions used."""
        reasoner = reasoner or self.reasoner
        contributions = [
            Contribution(
                cause=firing.rule.cause or "",
                rule=firing.rule.id,
                lr=firing.rule.evidence.lr if firing.rule.evidence else None,
                rules_out=bool(firing.rule.evidence and firing.rule.evidence.rules_out),
            )
            for firing in reasoner.evidence_firings()
        ]
        return posterior(self.priors, contributions), contributions

    def candidates(self, current: Posterior) -> list[Candidate]:
        """Every unknown fact worth asking or measuring, best value for cost first."""
        known = self.reasoner.facts
        if self._thresholds is None:
            self._thresholds = number_thresholds(self.knowledge)
        found: list[Candidate] = []
        for fact, observation in self.knowledge.observations.items():
            if fact in known or fact in self.dont_know or observation.derived:
                continue
            if observation.type is FactType.TEXT or fact not in self.rules.by_fact:
                continue
            ways = self._ways_to_learn(fact)
            if not ways:
                continue
            values = representative_values(self.knowledge, observation,
                                           self._thresholds.get(fact, set()))
            gain = expected_gain(self.reasoner, fact, values, current, self.score)
            if gain.bits < MIN_GAIN_BITS:  # not worth anyone's time
                continue
            question = self.knowledge.questions.get(fact)
            for kind, text, cost, probe in ways:
                found.append(Candidate(
                    fact, kind, text, cost, round(gain.bits, 4), gain.separates, probe,
                    why=question.why if question and kind == "question"
                    else f"the {probe} probe measures it directly",
                    expected_change=round(min(1.0, gain.expected_change), 4),
                    can_change_top=gain.can_change_top,
                    flip_chance=gain.flip_chance,
                ))
        found.sort(key=lambda c: (-c.value_for_cost, c.fact, c.kind))
        return found

    def _ways_to_learn(self, fact: str) -> list[tuple[Kind, str, float, str | None]]:
        ways: list[tuple[Kind, str, float, str | None]] = []
        question = self.knowledge.questions.get(fact)
        if question is not None and not (
                question.skip_when is not None
                and evaluate(question.skip_when, self.reasoner.facts) is True):
            ways.append(("question", question.text, question.cost_seconds, None))
        for name, probe in self.knowledge.probes.items():
            if self.can_probe and fact in probe.sets and name not in self.probes_run:
                title = f"measure with the {name!r} probe: {probe.title}"
                ways.append(("probe", title, probe.cost_seconds, name))
                break
        return ways

    def report(self, why_not_cause: str | None = None) -> DiagnosisReport:
        """The ranked diagnosis with evidence, next questions and explanations."""
        current, _ = self.score()
        candidates = self.candidates(current)
        best_gain = max((c.gain_bits for c in candidates), default=0.0)
        top_can_change = any(c.can_change_top for c in candidates)
        flip_chance = max((c.flip_chance for c in candidates), default=0.0)
        firings_by_cause: dict[str, list[Evidence]] = {}
        against: dict[str, list[Evidence]] = {}
        ruled_out: list[RuledOut] = []
        for firing in self.reasoner.evidence_firings():
            evidence_rule = firing.rule.evidence
            cause = firing.rule.cause or ""
            assert evidence_rule is not None
            if evidence_rule.rules_out:
                ruled_out.append(RuledOut(cause=cause, rule=firing.rule.id,
                                          because=evidence_rule.because))
                continue
            effect = round(math.log10(evidence_rule.lr or 1.0), 3)
            item = Evidence(rule=firing.rule.id, because=evidence_rule.because,
                            facts=firing.facts, effect=effect,
                            derived_from=how(self.reasoner, firing.facts))
            bucket = firings_by_cause if item.effect > 0 else against
            bucket.setdefault(cause, []).append(item)
        diagnoses = []
        for cause_id, probability in current.ranked():
            if cause_id not in firings_by_cause or cause_id in current.ruled_out:
                continue
            known = self.knowledge.causes[cause_id]
            remedies = fitting_first(known.remedies, {e.rule for e in firings_by_cause[cause_id]})
            diagnoses.append(Diagnosis(
                cause=cause_id, title=known.title, confidence=round(probability, 4),
                summary=known.summary, evidence=firings_by_cause[cause_id],
                against=against.get(cause_id, []),
                remedies=[remedy.do for remedy in remedies],
                remedy_details=[remedy.stacks for remedy in remedies],
                checks=list(known.checks),
            ))
        return DiagnosisReport(
            diagnoses=diagnoses,
            ruled_out=ruled_out,
            other_confidence=round(current.other, 4),
            facts=dict(sorted(self.reasoner.facts.items())),
            fact_sources=self._fact_sources(),
            derived=derivations(self.knowledge, self.reasoner),
            conflicts=self._conflicts(),
            probes=list(self.probes),
            questions_asked=self.questions_asked,
            dont_know=list(self.dont_know),
            next_questions=[
                NextQuestion(fact=c.fact, question=c.text, kind=c.kind,
                             gain_bits=c.gain_bits, cost=c.cost, separates=list(c.separates),
                             probe=c.probe, why=c.why, expected_change=c.expected_change)
                for c in candidates[:MAX_NEXT_QUESTIONS]
            ],
            done=is_done(current, best_gain, top_can_change, flip_chance),
            why_not=why_not(self, why_not_cause, current) if why_not_cause else None,
            kb_version=self.knowledge.content_version,
            error_lines=list(self.error_lines),
        )

    def next_question(self) -> NextQuestion | None:
        """What the questionnaire asks next: ``report().next_questions[0]``, or None when done.

        A thin wrapper on purpose: the questionnaire and a script reading the
        JSON of ``diagnose --no-input`` see the same choice.
        """
        report = self.report()
        if report.done or not report.next_questions:
            return None
        return report.next_questions[0]

    def _fact_sources(self) -> list[FactSource]:
        winners = self.store.winners()
        sources = [
            FactSource(fact=r.fact, value=r.value, source=r.source.value, detail=r.detail,
                       vantage=r.vantage, used=winners.get(r.fact) is r)
            for r in self.store.records
        ]
        for fact, rule_id in sorted(self.reasoner.derived_by.items()):
            sources.append(FactSource(fact=fact, value=self.reasoner.facts[fact],
                                      source="derived", detail=rule_id))
        return sources

    def _conflicts(self) -> list[Conflict]:
        winners = self.store.winners()
        found = []
        for record in self.store.records:
            winner = winners[record.fact]
            if record is not winner and record.value != winner.value:
                found.append(Conflict(fact=record.fact, used=winner.value, other=record.value,
                                      used_source=winner.source.value,
                                      other_source=record.source.value))
        for fact, value, rule_id in self.reasoner.conflicts:
            found.append(Conflict(fact=fact, used=self.reasoner.facts[fact], other=value,
                                  used_source=self._source_of(fact), other_source="derived",
                                  used_rule=self.reasoner.derived_by.get(fact),
                                  other_rule=rule_id))
        return found

    def _source_of(self, fact: str) -> str:
        if fact in self.reasoner.derived_by:
            return "derived"
        record = self.store.winners().get(fact)
        return record.source.value if record else "derived"


def fitting_first(remedies: list[Remedy], counted: set[str]) -> list[Remedy]:
    """The cause's remedies, those tied (``first_when``) to a rule that counted first.

    A cause's remedies are ordered most common first; the evidence at hand
    can say which one fits (a forwarder with nothing behind it, a name with
    a dead address), and the report shows only the first few.
    """
    return sorted(remedies, key=lambda remedy: not counted.intersection(remedy.first_when))
