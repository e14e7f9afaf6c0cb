"""How few questions a dialogue could need on the KB's cases: the best decision tree.

Run ``python tests/bench/bench_question_bound.py [--depth D]`` (default 6: about 40 s).

``bench_questions.py`` compares the engine's dialogue with fixed orders and
with a floor chosen with hindsight (each case's own answers known in advance).
That floor is out of any policy's reach: a policy must ask the same question
of every case that has answered alike so far. This script searches the tree
of questions itself -- which question to ask after each combination of
answers, and when to stop -- knowing every case, so the tree is fitted to the
very cases it is scored on, which no real policy is. Steps are what the
engine may do: ask a question (counted), run the opt-in probes when the case
has a target (not counted, as in ``bench_questions``), or stop.

Two numbers come out, both exact for trees up to ``--depth`` questions deep
(depth-first branch and bound over answer groups, subtrees memoised):

- **for good**: ``bench_questions``'s own measure, the questions after which
  the expected cause ranks first until the dialogue ends, with every case
  brought to its cause (a case left wrong costs ``NEVER``, more than any
  saving elsewhere). A tree this good exists; deeper trees could only do
  better.
- **first**: the questions until the expected cause first ranks first, even if
  a later answer takes that away. No tree, of any depth, does better (a case
  unreached at the depth bound counts one more question).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Hashable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from engine.facts import FactRecord, Source, coerce_value  # noqa: E402
from engine.kbmodel import KnowledgeBase  # noqa: E402
from engine.loader import load_kb  # noqa: E402
from engine.rulebase import RuleBase  # noqa: E402
from engine.schema import Case  # noqa: E402
from engine.session import Session  # noqa: E402
from tests.bench.bench_questions import fixed_order, start_session  # noqa: E402

DONT_KNOW = "<don't know>"
NEVER = 1000  # the cost of a case the tree leaves on the wrong cause: none is worth it
State = frozenset[tuple[str, Hashable]]


def frozen(value: object) -> Hashable:
    """A fact value usable in a set (lists become tuples)."""
    return tuple(value) if isinstance(value, list) else value  # type: ignore[return-value]


@dataclass
class Problem:
    """The cases as the search sees them: starting facts, answers, expected cause."""

    knowledge: KnowledgeBase
    rules: RuleBase
    questions: list[str]
    free: list[str]  # facts of opt-in probes: measured when asked, not counted
    start: list[State]
    can_probe: list[bool]
    answers: list[dict[str, Hashable]]
    expected: list[str]
    tops: dict[State, str | None] = field(default_factory=dict)

    def top(self, state: State) -> str | None:
        """The engine's first cause for exactly these facts (memoised)."""
        if state not in self.tops:
            session = Session(self.knowledge, self.rules)
            session.add_many(FactRecord(fact, list(value) if isinstance(value, tuple) else value,
                                        Source.ANSWER, "bound") for fact, value in state)
            current, contributions = session.score()
            supported = {c.cause for c in contributions if c.lr is not None and c.lr > 1}
            ranked = [cause for cause, _ in current.ranked()
                      if cause in supported and cause not in current.ruled_out]
            self.tops[state] = ranked[0] if ranked else None
        return self.tops[state]


def build(knowledge: KnowledgeBase, cases: list[Case]) -> Problem:
    """What each simulated user starts with (``start_session``) and would answer."""
    fixed = fixed_order(knowledge)
    questions = [fact for fact, kind in fixed if kind == "question"]
    free = [fact for name, probe in knowledge.probes.items() if not probe.default
            for fact in probe.sets]
    start: list[State] = []
    can_probe: list[bool] = []
    answers: list[dict[str, Hashable]] = []
    for case in cases:
        session = start_session(knowledge, case)
        start.append(frozenset((fact, frozen(value))
                               for fact, value in session.reasoner.facts.items()
                               if not knowledge.observations[fact].derived))
        can_probe.append(session.can_probe)
        answers.append({fact: frozen(coerce_value(knowledge.observations[fact], case.facts[fact]))
                        if fact in case.facts else DONT_KNOW for fact in questions + free})
    return Problem(knowledge, RuleBase.from_kb(knowledge), questions, free, start, can_probe,
                   answers, [str(case.expect.top) for case in cases])


class Search:
    """Depth-first branch and bound over decision trees, memoising exact subtrees.

    ``for_good`` scores a case by the start of its expected cause's last run
    at the top and lets the tree stop anywhere; otherwise by the first time
    its cause ranks first (a lower bound for any tree).
    """

    def __init__(self, problem: Problem, depth: int, for_good: bool) -> None:
        self.problem = problem
        self.depth = depth
        self.for_good = for_good
        self.exact: dict[tuple[State, frozenset[str], frozenset[int], int], float] = {}
        self.nodes = 0

    def steps(self, asked: frozenset[str], cases: frozenset[int]) -> list[tuple[str, int]]:
        """(fact, questions it costs) for each step still open to these cases."""
        open_steps = [(fact, 0) for fact in self.problem.free if fact not in asked
                      and all(self.problem.can_probe[c] for c in cases)]
        return open_steps + [(fact, 1) for fact in self.problem.questions if fact not in asked]

    def solve(self, state: State, asked: frozenset[str], cases: frozenset[int], depth: int,
              streak: int, budget: float) -> float:
        """Least total cost for ``cases`` from here; a value >= ``budget`` may be a bound."""
        key = (state, asked, cases, streak)
        if key in self.exact:
            return self.exact[key]
        self.nodes += 1
        top = self.problem.top(state)
        reached = [c for c in cases if self.problem.expected[c] == top]
        rest = len(cases) - len(reached)
        steps = self.steps(asked, cases)
        more = depth if any(cost == 0 for _, cost in steps) else depth + 1
        if self.for_good:  # every case goes on down the tree, and may lose its place
            base = 0.0
            stop = streak * len(reached) + NEVER * rest
            floor = streak * len(reached) + more * rest
        else:  # a reached case is done
            base = float(depth * len(reached))
            cases = frozenset(c for c in cases if self.problem.expected[c] != top)
            stop = base + (more if depth >= self.depth else NEVER) * rest
            floor = base + more * rest
        best = stop
        if rest and steps and depth < self.depth and floor < min(best, budget):
            best = min(best, base + self.branch(state, asked, cases, depth, top, streak, steps,
                                                min(best, budget) - base))
        if best < budget:
            self.exact[key] = best
        return best

    def branch(self, state: State, asked: frozenset[str], cases: frozenset[int], depth: int,
               top: str | None, streak: int, steps: list[tuple[str, int]], limit: float) -> float:
        """The best tree that takes one more step here (or ``limit`` if none beats it)."""
        best = limit
        for fact, cost in steps:
            groups: dict[Hashable, set[int]] = {}
            for c in cases:
                groups.setdefault(self.problem.answers[c][fact], set()).add(c)
            if set(groups) == {DONT_KNOW}:
                continue  # nobody here can answer it: it changes nothing
            total = 0.0
            for answer, group in sorted(groups.items(), key=lambda item: -len(item[1])):
                child = state if answer == DONT_KNOW else state | {(fact, answer)}
                child_top = self.problem.top(child)
                child_streak = (streak if child_top == top else depth + cost) if self.for_good \
                    else 0
                total += self.solve(child, asked | {fact}, frozenset(group), depth + cost,
                                    child_streak, best - total)
                if total >= best:
                    break
            best = min(best, total)
        return best


def bound(problem: Problem, depth: int, for_good: bool) -> tuple[float, int]:
    """Mean cost per case over all starting groups, and the nodes searched."""
    search = Search(problem, depth, for_good)
    groups: dict[tuple[State, bool], set[int]] = {}
    for index, state in enumerate(problem.start):
        groups.setdefault((state, problem.can_probe[index]), set()).add(index)
    total = 0.0
    for (state, _), members in groups.items():
        total += search.solve(state, frozenset(), frozenset(members), 0, 0, float("inf"))
    return total / len(problem.start), search.nodes


def main() -> int:
    """Search both trees and print the bounds."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--depth", type=int, default=6, help="deepest tree searched (questions)")
    args = parser.parse_args()
    knowledge = load_kb([])
    cases = [case for _, (_, case) in sorted(knowledge.cases.items())
             if case.expect.top is not None and case.kind != "todo"]
    problem = build(knowledge, cases)
    starts = len(set(zip(problem.start, problem.can_probe, strict=True)))
    print(f"KB: {len(cases)} cases, {len(problem.questions)} questions, "
          f"{starts} starting points (error text, default probes)")
    for for_good, label in ((True, "for good (a tree this good exists)"),
                            (False, "first (no tree does better)")):
        started = time.monotonic()
        mean, nodes = bound(problem, args.depth, for_good)
        print(f"best tree to depth {args.depth}, questions until the expected cause ranks "
              f"first, {label}: mean {mean:.2f} ({nodes} nodes, "
              f"{time.monotonic() - started:.1f} s)")
    print(f"{len(problem.tops)} rankings computed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
