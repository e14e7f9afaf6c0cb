"""Run the KB's example cases: the same runner for ``kb test`` and pytest.

A case gives facts (and optionally an error text, read by the error
patterns) and an expectation: which cause must rank first, which must rank
above which, which must be ruled out, and a minimum confidence. ``todo``
cases are known misses kept on record: they are run and reported but do not
fail the suite.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.errortext import reader_for
from engine.facts import FactRecord, Source, coerce_value
from engine.kbmodel import KnowledgeBase
from engine.report import DiagnosisReport
from engine.schema import Case
from engine.session import Session


@dataclass(frozen=True)
class CaseOutcome:
    """One case's result: passed or not, and why not."""

    case: Case
    cause: str | None
    passed: bool
    problems: tuple[str, ...]
    top: str | None
    top_confidence: float


def session_for_case(knowledge: KnowledgeBase, case: Case) -> Session:
    """A session holding the case's facts and what its error text implies."""
    session = Session(knowledge)
    records = []
    for fact, value in case.facts.items():
        observation = knowledge.observations[fact]
        records.append(FactRecord(fact, coerce_value(observation, value), Source.USER, case.id))
    if case.error:
        records.append(FactRecord("error", case.error, Source.USER, case.id))
        for fact, (value, pattern_id) in reader_for(knowledge).read(case.error).items():
            if fact not in case.facts:
                records.append(FactRecord(fact, value, Source.ERROR, pattern_id))
    session.add_many(records)
    return session


def check_case(report: DiagnosisReport, case: Case) -> list[str]:
    """What the report gets wrong against the case's expectation (empty: it passes)."""
    problems = []
    ranking = [d.cause for d in report.diagnoses]
    confidence = {d.cause: d.confidence for d in report.diagnoses}
    excluded = {r.cause for r in report.ruled_out}
    expect = case.expect
    top = ranking[0] if ranking else None
    if expect.top is not None and top != expect.top:
        problems.append(f"expected {expect.top} first, got {top or 'nothing'} "
                        f"(ranking: {', '.join(ranking[:4]) or 'empty'})")
    if expect.top is not None and expect.min_confidence is not None:
        got = confidence.get(expect.top, 0.0)
        if got < expect.min_confidence:
            problems.append(f"{expect.top} confidence {got:.2f} < {expect.min_confidence:.2f}")
    anchor = expect.top
    for lower in expect.ranked_above:
        if anchor is None:
            break
        if lower in ranking and anchor in ranking and ranking.index(lower) < ranking.index(anchor):
            problems.append(f"{lower} ranks above {anchor}")
    for cause in expect.ruled_out:
        if cause not in excluded:
            problems.append(f"{cause} was not ruled out")
    return problems


def run_cases(knowledge: KnowledgeBase) -> list[CaseOutcome]:
    """Run every example case of the KB, in id order."""
    outcomes = []
    for case_id in sorted(knowledge.cases):
        cause, case = knowledge.cases[case_id]
        report = session_for_case(knowledge, case).report()
        problems = check_case(report, case)
        top = report.diagnoses[0] if report.diagnoses else None
        outcomes.append(CaseOutcome(
            case=case, cause=cause, passed=not problems, problems=tuple(problems),
            top=top.cause if top else None, top_confidence=top.confidence if top else 0.0,
        ))
    return outcomes
