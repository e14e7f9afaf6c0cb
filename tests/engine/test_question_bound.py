"""The question-bound benchmark's tree search finds the best tree on cases small enough to
work out by hand, and charges a case it cannot bring to its cause."""

from __future__ import annotations

from collections.abc import Hashable

from tests.bench.bench_question_bound import DONT_KNOW, NEVER, Problem, State, bound


class ToyProblem(Problem):
    """Cases over two questions whose ranking is a table, not a KB."""

    def __init__(self, table: dict[State, str], answers: list[dict[str, Hashable]],
                 expected: list[str]) -> None:
        super().__init__(knowledge=None, rules=None,  # type: ignore[arg-type]
                         questions=["q1", "q2"], free=[], start=[frozenset()] * len(answers),
                         can_probe=[False] * len(answers), answers=answers, expected=expected)
        self.table = table

    def top(self, state: State) -> str | None:
        """The table's first cause for these answers (none for an unlisted state)."""
        return self.table.get(state)


def test_the_best_tree_is_the_one_worked_out_by_hand() -> None:
    """q1 first brings A and B first after one question, C after two: 4 questions for 3 cases
    (q2 first would cost 5); for good and first agree when no answer takes a cause away."""
    table = {
        frozenset({("q1", "x")}): "A",
        frozenset({("q1", "y")}): "B",
        frozenset({("q2", "z")}): "C",
        frozenset({("q1", "y"), ("q2", "z")}): "C",
    }
    problem = ToyProblem(table, [{"q1": "x", "q2": DONT_KNOW}, {"q1": "y", "q2": DONT_KNOW},
                                 {"q1": "y", "q2": "z"}], ["A", "B", "C"])
    for for_good in (True, False):
        mean, _ = bound(problem, depth=2, for_good=for_good)
        assert mean == 4 / 3


def test_a_tree_cannot_tell_apart_cases_that_answer_alike() -> None:
    """Two cases with the same answers and different causes: one of them stays wrong."""
    table = {frozenset({("q1", "x")}): "A"}
    problem = ToyProblem(table, [{"q1": "x", "q2": DONT_KNOW}] * 2, ["A", "B"])
    mean, _ = bound(problem, depth=2, for_good=True)
    assert mean == (1 + NEVER) / 2
