"""The next best question: information for cost, "I don't know", the stop rule, and a
script stepping through --fact/--dont-know getting exactly what a live session gets."""

from __future__ import annotations

import json

from engine.conditions import compile_condition
from engine.facts import FactRecord, Source, coerce_value
from engine.kbmodel import KnowledgeBase
from engine.questions import STOP_CONFIDENCE, Candidate, is_done, never_view, rule_status
from engine.schema import Leaf, Op
from engine.scoring import Posterior
from engine.session import Session
from tests.conftest import run_cli


def test_questions_are_ranked_by_gain_for_cost(knowledge: KnowledgeBase) -> None:
    """next_questions is sorted by gain_bits / log2(2 + cost), best first, with the KB's why."""
    report = Session(knowledge).report()
    assert report.next_questions
    values = [Candidate(q.fact, q.kind, q.question, q.cost, q.gain_bits, ()).value_for_cost
              for q in report.next_questions]
    assert values == sorted(values, reverse=True)
    for question in report.next_questions:
        assert question.gain_bits > 0
        assert 0 <= question.expected_change <= 1
        if question.kind == "question":
            assert question.why == knowledge.questions[question.fact].why


def test_the_first_question_is_what_splits_the_causes(knowledge: KnowledgeBase) -> None:
    """With nothing known, a question about how the connection failed beats one about TLS."""
    session = Session(knowledge)
    session.can_probe = False
    gains = {q.fact: q.gain_bits for q in session.candidates(session.score()[0])}
    assert gains["error_kind"] > gains.get("tls", 0.0)


def test_dont_know_removes_the_question(knowledge: KnowledgeBase) -> None:
    """After "I don't know", that fact is no longer proposed; answering it later is allowed."""
    session = Session(knowledge)
    first = session.report().next_questions[0].fact
    session.mark_dont_know(first)
    report = session.report()
    assert first not in {q.fact for q in report.next_questions}
    assert report.dont_know == [first]


def test_a_question_whose_answer_the_phase_gives_is_not_asked(knowledge: KnowledgeBase) -> None:
    """After "the first use of a pooled connection that had been idle", asking whether it
    fails on the first request after idleness asks the same thing twice (``skip_when``)."""
    session = Session(knowledge)
    session.add(FactRecord("error_kind", "reset", Source.ANSWER, "test"))
    assert "after_idle" in {c.fact for c in session.candidates(session.score()[0])}
    session.add(FactRecord("phase", "idle_reuse", Source.ANSWER, "test"))
    assert "after_idle" not in {c.fact for c in session.candidates(session.score()[0])}
    session.add(FactRecord("phase", "reading_response", Source.ANSWER, "test"))
    assert "after_idle" in {c.fact for c in session.candidates(session.score()[0])}


def test_no_probe_is_proposed_without_a_target(knowledge: KnowledgeBase) -> None:
    """With can_probe off only questions are proposed; with it on, probes appear too."""
    session = Session(knowledge)
    assert any(q.kind == "probe" for q in session.report().next_questions)
    session.can_probe = False
    assert {q.kind for q in session.report().next_questions} == {"question"}


def test_facts_that_no_rule_reads_are_never_asked(knowledge: KnowledgeBase) -> None:
    """A fact no rule depends on has no information to give and is not proposed."""
    session = Session(knowledge)
    unread = [fact for fact in knowledge.observations if fact not in session.rules.by_fact]
    asked = {c.fact for c in session.candidates(session.score()[0])}
    assert not asked & set(unread)


def test_stop_rule() -> None:
    """Done when the leader is confident with a margin, or nothing would gain; else not."""
    confident = Posterior({"a": STOP_CONFIDENCE + 0.05, "b": 0.05}, 0.1, frozenset())
    open_race = Posterior({"a": 0.4, "b": 0.35}, 0.25, frozenset())
    assert is_done(confident, best_gain=1.0)
    assert not is_done(open_race, best_gain=0.5)
    assert is_done(open_race, best_gain=0.0)
    settled = Posterior({"a": 0.65, "b": 0.2}, 0.15, frozenset())
    assert is_done(settled, best_gain=0.5, top_can_change=False)
    assert not is_done(settled, best_gain=0.5, top_can_change=True)
    assert not is_done(confident, best_gain=1.0, flip_chance=0.3)


def test_a_confident_leader_that_one_likely_answer_overturns_is_not_done(
    knowledge: KnowledgeBase,
) -> None:
    """A large upload reset, every time, reads as an abortive close at over 80 %; but how
    long into the upload it failed is still open, and 'a minute' would make it the server's
    own timeout (server-request-timeout.upload-reset-after-a-minute), so the engine asks."""
    session = Session(knowledge)
    session.can_probe = False
    session.add_many(FactRecord(fact, value, Source.ANSWER) for fact, value in {
        "error_kind": "reset", "phase": "sending_request", "frequency": "always",
        "large_payload": True}.items())
    report = session.report()
    assert report.diagnoses[0].cause == "abortive-close-unread-data"
    assert report.diagnoses[0].confidence >= STOP_CONFIDENCE
    assert not report.done
    assert report.next_questions[0].fact == "elapsed_seconds"
    session.add(FactRecord("elapsed_seconds", 60, Source.ANSWER))
    assert session.report().diagnoses[0].cause == "server-request-timeout"


def test_a_dialogue_ends_done_with_the_expected_cause(knowledge: KnowledgeBase) -> None:
    """Answering the engine's questions from a case reaches its cause and stops asking."""
    _, case = knowledge.cases["keepalive-race.pooled-reset"]
    session = Session(knowledge)
    session.can_probe = False
    for _ in range(len(knowledge.questions)):
        report = session.report()
        following = session.next_question()
        if report.done:
            assert following is None
            break
        assert following == report.next_questions[0]
        fact = following.fact
        if fact in case.facts:
            value = coerce_value(knowledge.observations[fact], case.facts[fact])
            session.add(FactRecord(fact, value, Source.ANSWER))
        else:
            session.mark_dont_know(fact)
    assert report.done
    assert report.diagnoses[0].cause == "keepalive-race"
    assert report.questions_asked <= 5


def test_a_script_with_fact_and_dont_know_gets_what_a_live_session_gets(
    knowledge: KnowledgeBase,
) -> None:
    """Each step of diagnose --no-input (fresh process state, flags only) proposes the same
    next questions and done as the live session that asked and heard the same answers."""
    _, case = knowledge.cases["idle-timeout-middlebox.nat-after-400s"]
    live = Session(knowledge)
    live.can_probe = False  # no --target: only questions are proposed
    flags: list[str] = []
    for _ in range(len(knowledge.questions) + 3):
        result = run_cli("diagnose", "--no-input", "--format", "json", *flags)
        assert result.code == 0, result.err
        scripted = json.loads(result.out)
        expected = live.report().model_dump(mode="json")
        assert scripted["next_questions"] == expected["next_questions"]
        assert scripted["done"] == expected["done"]
        assert [d["cause"] for d in scripted["diagnoses"]] == [
            d["cause"] for d in expected["diagnoses"]]
        if scripted["done"]:
            break
        fact = scripted["next_questions"][0]["fact"]
        if fact in case.facts:
            value = case.facts[fact]
            text = ",".join(value) if isinstance(value, list) else str(value).lower() \
                if isinstance(value, bool) else str(value)
            flags += ["--fact", f"{fact}={text}"]
            live.add(FactRecord(fact, coerce_value(knowledge.observations[fact], value),
                                Source.ANSWER))
        else:
            flags += ["--dont-know", fact]
            live.mark_dont_know(fact)
    assert scripted["done"]
    assert scripted["diagnoses"][0]["cause"] == "idle-timeout-middlebox"


def test_planning_sees_rules_a_derived_fact_can_no_longer_reach(
    knowledge: KnowledgeBase,
) -> None:
    """After a refusal, a rule on reset_on_reuse is excluded (False), not merely waiting."""
    session = Session(knowledge)
    rules = session.rules
    index = rules.by_id["keepalive-race.reset-on-reuse"]
    assert index in rules.downstream("error_kind")
    assert rule_status(session.reasoner, index, {}) is None
    session.add(FactRecord("error_kind", "refused", Source.USER))
    assert rule_status(session.reasoner, index, {}) is False
    session.add(FactRecord("error_kind", "reset", Source.USER))
    session.add(FactRecord("after_idle", True, Source.USER))
    assert rule_status(session.reasoner, index, {}) is True


def test_a_fact_that_will_never_come_is_unknown_to_known_and_equal_to_nothing() -> None:
    """In the planner's view an underivable fact makes known:false true and any test false."""
    view = never_view({"b0": "x"}, ["d0"])
    checks = [
        (Leaf(fact="d0", op=Op.KNOWN, value=False), True),
        (Leaf(fact="d0", op=Op.KNOWN, value=True), False),
        (Leaf(fact="d0", value="x"), False),
        (Leaf(fact="d0", op=Op.IN, value=["x", "y"]), False),
        (Leaf(fact="b0", value="x"), True),
    ]
    for leaf, expected in checks:
        assert compile_condition(leaf)(view) is expected, leaf


def test_next_questions_hold_nothing_below_the_minimum_gain(knowledge: KnowledgeBase) -> None:
    """A question that would gain less than MIN_GAIN_BITS is not proposed at all."""
    from engine.questions import MIN_GAIN_BITS

    session = Session(knowledge)
    session.add_many([FactRecord("error_kind", "reset", Source.USER),
                      FactRecord("after_idle", True, Source.USER),
                      FactRecord("idle_seconds", 8, Source.USER)])
    questions = session.report().next_questions
    assert questions
    assert all(q.gain_bits >= MIN_GAIN_BITS for q in questions)
