"""The questionnaire's logic: which question next, answers, "I don't know", why, back, done.

This module knows nothing about terminals: it drives a ``Session`` and talks
to the person through a ``Prompter`` (``cli.interactive`` implements one with
questionary; tests can implement one with a script). Keeping the loop here
keeps questionary out of everything but ``cli/interactive.py``.

The loop asks the best step of ``report.next_questions`` until
``report.done``, ``done`` from the person, or nothing is left to ask. A
question goes to the person; a probe (when a target is known and the probe
exists) is offered to the person first: probes touch their target, and some
send data, so none runs without a yes. ``back`` undoes the last answer or
"I don't know" through ``Session.withdraw``, so the ranking afterwards is the
one a session that never heard that answer would give. The history can start
with a resumed session's steps (``--resume``): back undoes those too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from engine.facts import FactRecord, Source
from engine.report import DiagnosisReport, NextQuestion
from engine.schema import FactType
from engine.session import Session

ANSWER_DETAIL = "questionnaire"


class Command(StrEnum):
    """What a person can say instead of an answer."""

    DONT_KNOW = "I don't know"
    WHY = "why"
    BACK = "back"
    DONE = "done"


@dataclass(frozen=True)
class Ask:
    """One question, ready for a prompt: its type, its choices with labels, its why."""

    fact: str
    text: str
    why: str
    type: FactType
    choices: list[tuple[Any, str]] = field(default_factory=list)
    unit: str | None = None
    minimum: float | None = None
    maximum: float | None = None


class Prompter(Protocol):
    """The person at the other end."""

    def ask(self, question: Ask) -> Any:
        """Return a typed value, or a ``Command``."""

    def say(self, text: str) -> None:
        """Show a line of explanation (why, nothing to undo)."""

    def show_ranking(self, report: DiagnosisReport) -> None:
        """Show the current top causes."""


def make_probe_ask(question: NextQuestion) -> Ask:
    """The yes/no prompt that offers to run a probe instead of asking the person."""
    return Ask(question.fact, f"{question.question}. Run it now (about {question.cost:g} s)?",
               f"The {question.probe!r} probe measures {question.fact} on the target "
               "instead of asking you.", FactType.BOOL,
               [(True, "yes, run it now"), (False, "no, skip it")])


def make_ask(session: Session, question: NextQuestion) -> Ask:
    """The prompt for one next question, with the KB's value labels and why."""
    observation = session.knowledge.observations[question.fact]
    declared = session.knowledge.questions.get(question.fact)
    why = declared.why if declared is not None else "It separates the likely causes."
    choices: list[tuple[Any, str]] = []
    if observation.type is FactType.BOOL:
        choices = [(True, "yes"), (False, "no")]
    elif observation.values:
        choices = [(value, observation.value_labels.get(value, value.replace("_", " ")))
                   for value in observation.values]
    return Ask(question.fact, question.question, why, observation.type, choices,
               observation.unit, observation.minimum, observation.maximum)


class Questionnaire:
    """One guided diagnosis over a session, with an undo history."""

    def __init__(self, session: Session, prompter: Prompter,
                 on_change: Callable[[Session], None] | None = None,
                 run_probe: Callable[[str], None] | None = None,
                 probe_names: frozenset[str] = frozenset(),
                 history: list[tuple[str, str]] | None = None) -> None:
        self.session = session
        self.prompter = prompter
        self.history: list[tuple[str, str]] = [] if history is None else history
        """``(kind, fact)`` steps, oldest first; kind is ``answer`` or ``dont_know``."""
        self.on_change = on_change
        self.run_probe = run_probe
        self.probe_names = probe_names
        self.skipped_probes: set[str] = set()
        self.finished_early = False

    def next_question(self, report: DiagnosisReport) -> NextQuestion | None:
        """The most useful step: a question, or a probe that can run and was not declined."""
        for question in report.next_questions:
            if question.kind == "question" and question.fact in self.session.knowledge.questions:
                return question
            runnable = self.run_probe is not None and question.probe in self.probe_names
            if question.kind == "probe" and runnable and question.probe not in self.skipped_probes:
                return question
        return None

    def explain(self, question: NextQuestion, ask: Ask) -> str:
        """Why this question is asked: the KB's reason and the causes it separates."""
        titles = [self.session.knowledge.causes[c].title
                  for c in question.separates if c in self.session.knowledge.causes]
        text = f"Why: {ask.why}"
        if titles:
            text += f"\n  It separates: {'; '.join(titles)}."
        return text + f"\n  Expected gain: {question.gain_bits:.2f} bits of the ranking's doubt."

    def back(self) -> str:
        """Undo the last answer or "I don't know"; say what was undone."""
        if not self.history:
            return "Nothing to undo yet."
        kind, fact = self.history.pop()
        if kind == "answer":
            self.session.withdraw(fact, Source.ANSWER)
        elif fact in self.session.dont_know:
            self.session.dont_know.remove(fact)
        self._changed()
        return f"Undone: your {'answer' if kind == 'answer' else 'I-dont-know'} about {fact}."

    def answer(self, fact: str, value: Any) -> None:
        """Record an answer (checked against the KB by the session)."""
        self.session.add(FactRecord(fact, value, Source.ANSWER, ANSWER_DETAIL))
        self.history.append(("answer", fact))
        self._changed()

    def dont_know(self, fact: str) -> None:
        """Record "I don't know": the question is not asked again."""
        self.session.mark_dont_know(fact)
        self.history.append(("dont_know", fact))
        self._changed()

    def _changed(self) -> None:
        if self.on_change is not None:
            self.on_change(self.session)

    def run(self, max_steps: int | None = None) -> DiagnosisReport:
        """Ask until done; return the final report."""
        limit = max_steps or 3 * len(self.session.knowledge.observations) + 10
        report = self.session.report()
        for _ in range(limit):
            if report.done:
                break
            question = self.next_question(report)
            if question is None:
                break
            self.prompter.show_ranking(report)
            probe = question.probe if question.kind == "probe" else None
            ask = make_probe_ask(question) if probe else make_ask(self.session, question)
            reply = self.prompter.ask(ask)
            if reply is Command.DONE:
                self.finished_early = True
                break
            if reply is Command.WHY:
                self.prompter.say(self.explain(question, ask))
                continue
            if reply is Command.BACK:
                self.prompter.say(self.back())
            elif probe and self.run_probe is not None and reply is True:
                self.run_probe(probe)
                self._changed()
            elif probe:
                self.skipped_probes.add(probe)
            elif reply is Command.DONT_KNOW:
                self.dont_know(question.fact)
            else:
                self.answer(question.fact, reply)
            report = self.session.report()
        return report
