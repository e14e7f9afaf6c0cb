"""The questionnaire's logic with a scripted person: back, I don't know, why, done, stop."""

from __future__ import annotations

import json
from typing import Any

from cli.questionnaire import Ask, Command, Questionnaire, make_ask
from engine.facts import FactRecord, Source
from engine.kbmodel import KnowledgeBase
from engine.report import DiagnosisReport
from engine.schema import FactType
from engine.session import Session


class Script:
    """A person who replies from a list and remembers what was asked and said."""

    def __init__(self, replies: list[Any]) -> None:
        self.replies = list(replies)
        self.asked: list[Ask] = []
        self.said: list[str] = []
        self.rankings = 0

    def ask(self, question: Ask) -> Any:
        self.asked.append(question)
        if not self.replies:
            return Command.DONE
        reply = self.replies.pop(0)
        return reply(question) if callable(reply) else reply

    def say(self, text: str) -> None:
        self.said.append(text)

    def show_ranking(self, report: DiagnosisReport) -> None:
        self.rankings += 1


def first_value(question: Ask) -> Any:
    """The first offered value (a number for number questions, a one-item list for lists)."""
    if question.type is FactType.NUMBER:
        return 5
    value = question.choices[0][0]
    return [value] if question.type is FactType.LIST else value


def reset_session(knowledge: KnowledgeBase) -> Session:
    session = Session(knowledge)
    session.add(FactRecord("error_kind", "reset", Source.ERROR, "econnreset"))
    return session


def comparable(report: DiagnosisReport) -> str:
    data = report.model_dump()
    return json.dumps({k: data[k] for k in ("diagnoses", "facts", "next_questions")}, default=str)


def test_back_gives_the_ranking_of_a_session_without_that_answer(knowledge: KnowledgeBase) -> None:
    """Answer, then back at the next question: the same question again, the report as fresh."""
    person = Script([first_value, Command.BACK, Command.DONE])
    session = reset_session(knowledge)
    Questionnaire(session, person).run()
    assert person.asked[2].fact == person.asked[0].fact
    assert comparable(session.report()) == comparable(reset_session(knowledge).report())
    assert session.questions_asked == 0
    assert person.said == [f"Undone: your answer about {person.asked[0].fact}."]


def test_back_after_two_answers_equals_one_answer(knowledge: KnowledgeBase) -> None:
    """Two answers then back: the report equals a session that only heard the first."""
    session = reset_session(knowledge)
    questionnaire = Questionnaire(session, Script([]))
    asked = []
    for _ in range(2):
        question = questionnaire.next_question(session.report())
        assert question is not None
        ask = make_ask(session, question)
        asked.append(ask)
        questionnaire.answer(ask.fact, first_value(ask))
    questionnaire.back()
    fresh = reset_session(knowledge)
    fresh.add(FactRecord(asked[0].fact, first_value(asked[0]), Source.ANSWER, "questionnaire"))
    assert comparable(session.report()) == comparable(fresh.report())
    assert session.questions_asked == 1


def test_dont_know_is_not_asked_again_and_back_undoes_it(knowledge: KnowledgeBase) -> None:
    """I don't know removes the question; back brings it back."""
    person = Script([Command.DONT_KNOW, Command.DONE])
    session = reset_session(knowledge)
    questionnaire = Questionnaire(session, person)
    questionnaire.run()
    skipped = person.asked[0].fact
    assert skipped in session.dont_know
    assert person.asked[1].fact != skipped
    questionnaire.back()
    assert skipped not in session.dont_know
    assert questionnaire.next_question(session.report()).fact == skipped  # type: ignore[union-attr]


def test_why_explains_and_asks_the_same_question_again(knowledge: KnowledgeBase) -> None:
    """why prints the KB's reason and the causes it separates, then re-asks."""
    person = Script([Command.WHY, Command.DONE])
    Questionnaire(reset_session(knowledge), person).run()
    assert person.asked[0].fact == person.asked[1].fact
    why = knowledge.questions[person.asked[0].fact].why
    assert person.said[0].startswith(f"Why: {why}")
    assert "It separates: " in person.said[0]


def test_back_with_nothing_to_undo_says_so(knowledge: KnowledgeBase) -> None:
    """back as the first reply changes nothing and says there is nothing to undo."""
    person = Script([Command.BACK, Command.DONE])
    session = reset_session(knowledge)
    Questionnaire(session, person).run()
    assert person.said == ["Nothing to undo yet."]
    assert session.questions_asked == 0


def test_stops_when_the_engine_is_done(knowledge: KnowledgeBase) -> None:
    """Answering every question with its first value ends by itself, with done or no question."""
    person = Script([first_value] * 40)
    questionnaire = Questionnaire(reset_session(knowledge), person)
    report = questionnaire.run()
    assert person.replies, "the questionnaire should stop before running out of answers"
    assert report.done or questionnaire.next_question(report) is None
    assert person.rankings == len(person.asked)


def test_choices_carry_the_kb_value_labels(knowledge: KnowledgeBase) -> None:
    """An enum question offers each value with the KB's label; bools offer yes/no."""
    session = Session(knowledge)
    question = next(q for q in session.report().next_questions if q.fact == "error_kind")
    ask = make_ask(session, question)
    labels = dict(ask.choices)
    assert labels["reset"] == knowledge.observations["error_kind"].value_labels["reset"]
    assert ask.why == knowledge.questions["error_kind"].why


def refused_session(knowledge: KnowledgeBase) -> Session:
    session = Session(knowledge)
    session.add(FactRecord("error_kind", "refused", Source.ERROR, "econnrefused"))
    return session


def test_a_probe_is_offered_and_runs_only_on_yes(knowledge: KnowledgeBase) -> None:
    """With a target, a useful probe is offered as yes/no; yes runs it, and it is not re-offered."""
    from engine.report import ProbeSummary

    session = refused_session(knowledge)
    ran: list[str] = []

    def run_probe(name: str) -> None:
        ran.append(name)
        session.add_probe_summary(ProbeSummary(name=name, status="ok", facts={}, seconds=0.1))

    def yes_to_probes(question: Ask) -> Any:
        return True if question.text.endswith("?") and "Run it now" in question.text \
            else first_value(question)

    person = Script([yes_to_probes] * 3)
    Questionnaire(session, person, run_probe=run_probe, probe_names=frozenset({"port"})).run()
    offered = [ask for ask in person.asked if "Run it now" in ask.text]
    assert ran == ["port"]
    assert len(offered) == 1 and offered[0].choices == [(True, "yes, run it now"),
                                                        (False, "no, skip it")]


def test_a_declined_probe_is_not_offered_again(knowledge: KnowledgeBase) -> None:
    """No to a probe skips it for the rest of the session; nothing runs."""
    ran: list[str] = []
    person = Script([False, Command.DONE])
    questionnaire = Questionnaire(refused_session(knowledge), person, run_probe=ran.append,
                                  probe_names=frozenset({"port"}))
    questionnaire.run()
    assert ran == [] and "port" in questionnaire.skipped_probes
    assert "Run it now" in person.asked[0].text and "Run it now" not in person.asked[1].text


def test_no_probe_is_offered_without_a_target(knowledge: KnowledgeBase) -> None:
    """Without a way to run probes, only questions are asked."""
    person = Script([Command.DONE])
    Questionnaire(refused_session(knowledge), person).run()
    assert "Run it now" not in person.asked[0].text
