"""The case runner: what a case demands of a report, and the built-in cases passing."""

from __future__ import annotations

from engine.cases import check_case, run_cases, session_for_case
from engine.kbmodel import KnowledgeBase
from engine.schema import Case, CaseExpectation


def test_every_built_in_case_passes(knowledge: KnowledgeBase) -> None:
    """All non-todo example cases of the built-in KB rank as they expect."""
    failures = [(o.case.id, o.problems) for o in run_cases(knowledge)
                if not o.passed and o.case.kind != "todo"]
    assert failures == []


def test_a_wrong_expectation_is_reported_with_the_ranking(knowledge: KnowledgeBase) -> None:
    """Expecting the wrong cause first names the expected cause and what came first."""
    case = Case(id="wrong", description="refused is not a keep-alive race",
                facts={"error_kind": "refused", "phase": "connect"},
                expect=CaseExpectation(top="keepalive-race", ruled_out=["firewall-drop"]))
    problems = check_case(session_for_case(knowledge, case).report(), case)
    assert problems[0].startswith("expected keepalive-race first, got port-not-listening")
    assert "firewall-drop was not ruled out" in problems
