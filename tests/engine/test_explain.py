"""Explanations: "how" chains through derivations, "why not" tells fired, failed and
waiting apart and follows derived facts down to what can be asked."""

from __future__ import annotations

import pytest

from engine.errors import FactError
from engine.facts import FactRecord, Source
from engine.kbmodel import KnowledgeBase
from engine.session import Session


def _session(knowledge: KnowledgeBase, **facts: object) -> Session:
    session = Session(knowledge)
    session.add_many(FactRecord(k, v, Source.USER) for k, v in facts.items())
    return session


def test_how_shows_the_derivation_behind_the_evidence(knowledge: KnowledgeBase) -> None:
    """Evidence on a derived fact carries its derivations, down to the facts that were given."""
    report = _session(knowledge, error_kind="reset", after_idle=True).report()
    evidence = {e.rule: e for d in report.diagnoses for e in d.evidence}
    chain = evidence["keepalive-race.reset-on-reuse"].derived_from
    step = next(step for step in chain if step.fact == "reset_on_reuse")
    assert step.rule == "reset-on-reuse"
    assert step.facts["error_kind"] == "reset"
    assert all(step in report.derived for step in chain)
    given = {"error_kind", "after_idle"}
    derived = {step.fact for step in chain}
    assert all(set(step.facts) <= given | derived for step in chain)


def test_why_not_tells_fired_failed_and_waiting_apart(knowledge: KnowledgeBase) -> None:
    """Each rule of a cause is fired, failed (with the contradicting values) or waiting."""
    report = _session(knowledge, error_kind="reset", after_idle=True,
                      idle_seconds=400).report(why_not_cause="keepalive-race")
    assert report.why_not is not None
    status = {rule.rule: rule for rule in report.why_not.rules}
    assert status["keepalive-race.reset-on-reuse"].status == "fired"
    assert status["keepalive-race.short-idle"].status == "failed"
    assert status["keepalive-race.short-idle"].failed_on == {"idle_seconds": 400}
    waiting = status["keepalive-race.probe-fin"]
    assert waiting.status == "waiting"
    assert set(waiting.waiting_for) == {"idle_close_kind", "idle_close_seconds"}
    assert report.why_not.rank is not None


def test_a_rule_written_unless_f_fails_on_f_and_does_not_wait_for_it(
        knowledge: KnowledgeBase) -> None:
    """probe-fin counts unless the port closes every connection unanswered; when it does, it failed.

    Without that fact the rule waits only for the idle probe's facts (the
    test above): an unknown 'unless' is no reason to wait.
    """
    report = _session(knowledge, idle_close_kind="fin", idle_close_seconds=3,
                      closes_without_reply=True).report(why_not_cause="keepalive-race")
    assert report.why_not is not None
    status = {rule.rule: rule for rule in report.why_not.rules}
    assert status["keepalive-race.probe-fin"].status == "failed"
    assert status["keepalive-race.probe-fin"].failed_on == {"closes_without_reply": True}



def test_why_not_follows_derived_facts_to_the_questions(knowledge: KnowledgeBase) -> None:
    """A rule waiting on a derived fact names the base facts that would settle it."""
    report = Session(knowledge).report(why_not_cause="keepalive-race")
    assert report.why_not is not None
    rule = next(r for r in report.why_not.rules if r.rule == "keepalive-race.reset-on-reuse")
    assert rule.status == "waiting"
    assert rule.waiting_for == ["reset_on_reuse"]
    assert {"error_kind", "after_idle", "phase"} <= set(rule.asks)
    assert any("not derived yet" in note for note in rule.notes)


def test_a_derived_fact_that_cannot_come_makes_the_rule_fail(knowledge: KnowledgeBase) -> None:
    """A refused connect can never derive reset_on_reuse: the rule failed, it does not wait."""
    report = _session(knowledge, error_kind="refused").report(why_not_cause="keepalive-race")
    assert report.why_not is not None
    rule = next(r for r in report.why_not.rules if r.rule == "keepalive-race.reset-on-reuse")
    assert rule.status == "failed"
    assert rule.failed_on == {"reset_on_reuse": None}
    assert any("cannot be derived" in note for note in rule.notes)


def test_why_not_of_an_unknown_cause_names_the_known_ones(knowledge: KnowledgeBase) -> None:
    """A typo in the cause id is a FactError with a suggestion and the known ids."""
    with pytest.raises(FactError, match=r"unknown cause 'keepalive-rac'.*keepalive-race"):
        Session(knowledge).report(why_not_cause="keepalive-rac")


def test_why_not_does_not_ask_what_the_user_does_not_know(knowledge: KnowledgeBase) -> None:
    """A rule waiting on a fact marked "I don't know" says so instead of asking for it."""
    session = _session(knowledge, error_kind="reset", after_idle=True)
    session.mark_dont_know("idle_seconds")
    report = session.report(why_not_cause="keepalive-race")
    assert report.why_not is not None
    rule = next(r for r in report.why_not.rules if r.rule == "keepalive-race.long-idle")
    assert (rule.status, rule.waiting_for, rule.asks) == ("waiting", ["idle_seconds"], [])
    assert "idle_seconds: answered \"I don't know\"" in rule.notes
