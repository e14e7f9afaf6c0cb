"""Sessions: changed and withdrawn answers equal a fresh session; conflicts are reported."""

from __future__ import annotations

import random

from engine.facts import FactRecord, Source, coerce_value
from engine.kbmodel import KnowledgeBase
from engine.session import Session


def _report_without_sources(session: Session) -> dict[str, object]:
    report = session.report().model_dump()
    for key in ("fact_sources", "questions_asked", "conflicts"):
        report.pop(key)
    return report


def test_back_and_changed_answers_give_what_a_fresh_session_gives(
    knowledge: KnowledgeBase,
) -> None:
    """After random answers, changes and withdrawals the report is that of a fresh session."""
    rng = random.Random(21)
    pool = [(fact, value) for _, case in knowledge.cases.values()
            for fact, value in case.facts.items()]
    for _ in range(25):
        session = Session(knowledge)
        given: dict[str, object] = {}
        for _ in range(10):
            fact, value = rng.choice(pool)
            if fact in given and rng.random() < 0.4:
                session.withdraw(fact)
                del given[fact]
                continue
            value = coerce_value(knowledge.observations[fact], value)
            session.withdraw(fact)
            session.add(FactRecord(fact, value, Source.ANSWER))
            given[fact] = value
        fresh = Session(knowledge)
        fresh.add_many(FactRecord(f, v, Source.ANSWER) for f, v in given.items())
        assert _report_without_sources(session) == _report_without_sources(fresh)


def test_conflicting_statements_are_kept_and_the_precedence_decides(
    knowledge: KnowledgeBase,
) -> None:
    """The user's value beats the error reader's; both are listed, the loser as a conflict."""
    session = Session(knowledge)
    session.add_many([FactRecord("error_kind", "reset", Source.ERROR, "pattern"),
                      FactRecord("error_kind", "eof", Source.USER)])
    report = session.report()
    assert report.facts["error_kind"] == "eof"
    used = {(s.value, s.source): s.used for s in report.fact_sources if s.fact == "error_kind"}
    assert used == {("reset", "error"): False, ("eof", "user"): True}
    assert [(c.used, c.other, c.used_source, c.other_source) for c in report.conflicts] == [
        ("eof", "reset", "user", "error")]


def test_withdrawing_the_winner_lets_the_other_statement_through(
    knowledge: KnowledgeBase,
) -> None:
    """Taking back the user's value makes the rules see the error reader's again."""
    session = Session(knowledge)
    session.add_many([FactRecord("error_kind", "reset", Source.ERROR),
                      FactRecord("error_kind", "refused", Source.USER)])
    session.withdraw("error_kind", Source.USER)
    assert session.report().facts["error_kind"] == "reset"


def test_answering_a_dont_know_question_clears_it(knowledge: KnowledgeBase) -> None:
    """A fact once marked "I don't know" and then answered is no longer in dont_know."""
    session = Session(knowledge)
    session.mark_dont_know("after_idle")
    session.add(FactRecord("after_idle", True, Source.ANSWER))
    report = session.report()
    assert report.dont_know == []
    assert report.questions_asked == 1


def test_the_remedy_tied_to_the_evidence_comes_first(knowledge: KnowledgeBase) -> None:
    """A forwarder that closes every connection: its fix leads port-not-listening's remedies.

    The KB lists "start the service" first; first_when moves the fix that
    fits this evidence ahead of it, and only while that evidence counts.
    """
    def remedies(**facts: object) -> list[str]:
        session = Session(knowledge)
        session.add_many(FactRecord(k, v, Source.PROBE) for k, v in facts.items())
        report = session.report()
        return next(d.remedies for d in report.diagnoses if d.cause == "port-not-listening")

    forwarder = remedies(port_state="open", closes_without_reply=True)
    assert "forwarder" in forwarder[0]
    closed = remedies(port_state="closed")
    assert "forwarder" not in closed[0]
    assert sorted(forwarder) == sorted(closed)
