"""How well the next-question choice works: simulated users answering from the KB's cases.

Run ``python tests/bench/bench_questions.py [--kb DIR ...] [--no-builtin] [--verbose]``.

Each example case with an expected top cause becomes a simulated user. The
user starts by pasting the case's error text, if it has one (what the error
reader gets from it is all the engine knows at first). Then the engine is
asked for ``Session.report()`` -- the same call the questionnaire and
``diagnose --no-input`` make -- and the user answers its first
``next_questions`` entry from the case's facts (a probe is "run" the same
way), or says "I don't know" when the case does not have that fact, until
the engine says ``done``. The baseline asks every question and probe of the
KB in a fixed order, all of them: the KB's observation order (which its
authors wrote most telling first, a strong baseline) and random orders
(``--orders N`` of them, seeds 1..N: the mean, and the best and worst order).

Reported per policy: top-1 accuracy at the end, and the number of questions
to a person (answered or not) after which the expected cause ranks first for
good (mean and worst over the cases that reach it), how many questions were
asked in all, and how many probes were run in the dialogue (probes are not
questions: with a target, ``diagnose`` runs the default ones before asking;
see ``start_session``). The ceiling is the top-1 when every askable fact of
each case is given at once: no dialogue can beat it. The floor is the
fewest questions that put the expected cause first when chosen knowing the
case's answers (every subset of its facts tried, smallest first; probes
free): no policy that must guess the answers can ask fewer. Targets
(issue 4): top-1 at least 95%, mean at most 6 and at most half the baseline's.
"""

from __future__ import annotations

import argparse
import itertools
import random
import statistics
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from engine.errortext import ErrorReader  # noqa: E402
from engine.facts import FactRecord, Source, coerce_value  # noqa: E402
from engine.kbmodel import KnowledgeBase  # noqa: E402
from engine.loader import load_kb  # noqa: E402
from engine.report import DiagnosisReport  # noqa: E402
from engine.schema import Case, FactType  # noqa: E402
from engine.session import Session  # noqa: E402

Step = tuple[str, str]  # (fact, "question" | "probe")
Policy = Callable[[Session, DiagnosisReport, list[Step]], Step | None]


@dataclass(frozen=True)
class Outcome:
    """One simulated dialogue."""

    case: str
    expected: str
    final_top: str | None
    asked: int
    reached_after: int | None
    asked_facts: tuple[str, ...]
    probes: int = 0


def probe_facts(knowledge: KnowledgeBase) -> set[str]:
    """Facts that a probe of the KB measures."""
    return {fact for probe in knowledge.probes.values() for fact in probe.sets}


def start_session(knowledge: KnowledgeBase, case: Case) -> Session:
    """A session holding what the user has before any question.

    That is the error text they paste, if the case has one, and -- when the
    case holds probe results, i.e. the user gave ``--target`` -- the results
    of the default probes, which ``diagnose --target`` runs before asking
    anything (opt-in probes are run when the engine proposes them).
    Without a target the engine may not propose probes (``can_probe``).
    """
    session = Session(knowledge)
    measured = probe_facts(knowledge)
    records = []
    if case.error:
        records.append(FactRecord("error", case.error, Source.USER, case.id))
        for fact, (value, pattern_id) in ErrorReader(knowledge).read(case.error).items():
            if fact not in case.facts or fact not in measured:
                records.append(FactRecord(fact, value, Source.ERROR, pattern_id))
    session.can_probe = any(fact in measured for fact in case.facts)
    if session.can_probe:
        for name, probe in knowledge.probes.items():
            if not probe.default:
                continue
            session.probes_run.add(name)
            records += [FactRecord(fact, coerce_value(knowledge.observations[fact],
                                                      case.facts[fact]), Source.PROBE, name)
                        for fact in probe.sets if fact in case.facts]
    session.add_many(records)
    return session


def engine_policy(session: Session, report: DiagnosisReport, fixed: list[Step]) -> Step | None:
    """The engine's own choice: the first of ``next_questions`` until ``done``."""
    del session, fixed
    if report.done or not report.next_questions:
        return None
    first = report.next_questions[0]
    return first.fact, first.kind


def baseline_policy(session: Session, report: DiagnosisReport, fixed: list[Step]) -> Step | None:
    """Every question and probe in KB order, whatever the answers so far."""
    del report
    for fact, kind in fixed:
        if kind == "probe" and not session.can_probe:
            continue
        if fact not in session.reasoner.facts and fact not in session.dont_know:
            return fact, kind
    return None


def fixed_order(knowledge: KnowledgeBase) -> list[Step]:
    """Every askable or measurable fact in the KB's observation order."""
    steps: list[Step] = []
    measured = probe_facts(knowledge)
    for fact, observation in knowledge.observations.items():
        if observation.derived or observation.type is FactType.TEXT:
            continue
        if fact in knowledge.questions:
            steps.append((fact, "question"))
        elif fact in measured:
            steps.append((fact, "probe"))
    return steps


def simulate(knowledge: KnowledgeBase, case: Case, policy: Policy, fixed: list[Step]) -> Outcome:
    """Run one dialogue to its end and record when the expected cause came first."""
    expected = str(case.expect.top)
    session = start_session(knowledge, case)
    tops: list[str | None] = []
    asked: list[str] = []
    questions_before: list[int] = []
    probes = 0
    limit = len(fixed) + 5
    while True:
        report = session.report()
        tops.append(report.diagnoses[0].cause if report.diagnoses else None)
        questions_before.append(len(asked) - probes)
        step = policy(session, report, fixed)
        if step is None or len(asked) >= limit:
            break
        fact, kind = step
        asked.append(fact if kind == "question" else f"{fact} (probe)")
        probes += kind == "probe"
        if fact in case.facts:
            value = coerce_value(knowledge.observations[fact], case.facts[fact])
            source = Source.ANSWER if kind == "question" else Source.PROBE
            session.add(FactRecord(fact, value, source, "simulated user"))
        else:
            session.mark_dont_know(fact)
    reached = None
    for index in range(len(tops) - 1, -1, -1):
        if tops[index] != expected:
            break
        reached = questions_before[index]
    return Outcome(case.id, expected, tops[-1], len(asked) - probes, reached, tuple(asked),
                   probes)


def ceiling(knowledge: KnowledgeBase, case: Case, fixed: list[Step]) -> str | None:
    """The top cause when the user gives every askable fact of the case at once.

    A dialogue cannot do better than this: a case whose expected cause needs
    a fact no question or probe of the KB asks for is out of reach.
    """
    session = start_session(knowledge, case)
    askable = {fact for fact, _ in fixed}
    session.add_many(FactRecord(fact, coerce_value(knowledge.observations[fact], value),
                                Source.ANSWER, "simulated user")
                     for fact, value in case.facts.items() if fact in askable)
    report = session.report()
    return report.diagnoses[0].cause if report.diagnoses else None


def fewest_questions(knowledge: KnowledgeBase, case: Case, fixed: list[Step]) -> int | None:
    """The fewest of the case's questions that, answered, put the expected cause first.

    Chosen with hindsight: every subset of the case's askable facts, smallest
    first, with any subset of the facts probes measure given for free. A
    lower bound for any policy; None when no subset does it.
    """
    start = start_session(knowledge, case)
    known = set(start.reasoner.facts)
    kinds = dict(fixed)
    questions = [f for f in case.facts if kinds.get(f) == "question" and f not in known]
    probed = [f for f in case.facts
              if kinds.get(f) == "probe" and f not in known and start.can_probe]
    probe_sets = [combo for size in range(len(probed) + 1)
                  for combo in itertools.combinations(probed, size)]
    for size in range(len(questions) + 1):
        for asked in itertools.combinations(questions, size):
            for measured in probe_sets:
                session = start_session(knowledge, case)
                session.add_many(FactRecord(fact, coerce_value(knowledge.observations[fact],
                                                               case.facts[fact]),
                                            Source.ANSWER, "hindsight")
                                 for fact in asked + measured)
                report = session.report()
                if report.diagnoses and report.diagnoses[0].cause == case.expect.top:
                    return size
    return None


def summarize(name: str, outcomes: list[Outcome], reachable: set[str]) -> dict[str, float]:
    """Accuracy and question counts of one policy."""
    hits = [o for o in outcomes if o.final_top == o.expected]
    within = [o for o in hits if o.case in reachable]
    reached = [o.reached_after for o in outcomes if o.reached_after is not None]
    return {
        "policy": name,  # type: ignore[dict-item]
        "cases": len(outcomes),
        "top1": len(hits) / len(outcomes) if outcomes else 0.0,
        "top1_reachable": len(within) / len(reachable) if reachable else 0.0,
        "mean_to_top": statistics.mean(reached) if reached else float("nan"),
        "worst_to_top": max(reached) if reached else float("nan"),
        "mean_asked": statistics.mean(o.asked for o in outcomes) if outcomes else 0.0,
        "worst_asked": max((o.asked for o in outcomes), default=0),
        "mean_probes": statistics.mean(o.probes for o in outcomes) if outcomes else 0.0,
    }


def _ratio(part: float, whole: float) -> str:
    return f"{part / whole:.2f}" if whole else "n/a"


def main() -> int:
    """Simulate every case under both policies and print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--kb", type=Path, action="append", default=[])
    parser.add_argument("--no-builtin", action="store_true", help="use only the --kb dirs")
    parser.add_argument("--verbose", action="store_true", help="one line per dialogue")
    parser.add_argument("--orders", type=int, default=10, metavar="N",
                        help="random fixed orders to average the shuffled baseline over")
    args = parser.parse_args()
    knowledge = load_kb(args.kb, include_builtin=not args.no_builtin)
    cases = [case for _, (_, case) in sorted(knowledge.cases.items())
             if case.expect.top is not None and case.kind != "todo"]
    fixed = fixed_order(knowledge)
    reachable = [case for case in cases if ceiling(knowledge, case, fixed) == case.expect.top]
    if args.verbose:
        for case in cases:
            if case not in reachable:
                print(f"out of reach: {case.id} (needs facts no question or probe asks)")
    rows = []
    runs: list[tuple[str, Policy, list[Step]]] = [("engine", engine_policy, fixed),
                                                  ("baseline", baseline_policy, fixed)]
    for seed in range(1, args.orders + 1):
        shuffled = list(fixed)
        random.Random(seed).shuffle(shuffled)
        runs.append((f"random {seed}", baseline_policy, shuffled))
    for name, policy, order in runs:
        outcomes = [simulate(knowledge, case, policy, order) for case in cases]
        rows.append(summarize(name, outcomes, {case.id for case in reachable}))
        if args.verbose and not name.startswith("random"):
            for o in outcomes:
                mark = "ok  " if o.final_top == o.expected else "MISS"
                print(f"{name:8} {mark} {o.case:45} top={o.final_top} to_top={o.reached_after} "
                      f"asked={o.asked}: {', '.join(o.asked_facts)}")
    floors = [fewest_questions(knowledge, case, fixed) for case in cases]
    floor = statistics.mean(f for f in floors if f is not None)
    print(f"KB: {knowledge.content_version}; {len(knowledge.causes)} causes, {len(cases)} cases, "
          f"{len(fixed)} askable facts; ceiling (all askable case facts given at once): "
          f"{len(reachable)}/{len(cases)} = {len(reachable) / max(1, len(cases)):.1%}")
    print(f"{'policy':9} {'cases':>5} {'top-1':>6} {'in reach':>8} {'mean to top':>11} "
          f"{'worst to top':>12} {'mean asked':>10} {'worst asked':>11} {'probes run':>10}")
    for row in rows:
        print(f"{row['policy']:9} {row['cases']:5d} {row['top1']:6.1%} "
              f"{row['top1_reachable']:8.1%} {row['mean_to_top']:11.2f} "
              f"{row['worst_to_top']:12.0f} {row['mean_asked']:10.2f} {row['worst_asked']:11d} "
              f"{row['mean_probes']:10.2f}")
    engine, baseline, *randoms = rows
    random_means = [row["mean_to_top"] for row in randoms]
    print(f"floor (fewest questions, chosen knowing the answers): mean {floor:.2f}, "
          f"worst {max(f for f in floors if f is not None)}")
    print("engine/baseline, questions to reach the top: "
          f"{_ratio(engine['mean_to_top'], baseline['mean_to_top'])} against the KB order")
    if randoms:
        mean_random = statistics.mean(random_means)
        print(f"  {_ratio(engine['mean_to_top'], mean_random)} against the mean of {len(randoms)} "
              f"random orders ({mean_random:.2f}; best order {min(random_means):.2f}, "
              f"worst {max(random_means):.2f})")
    print(f"  questions asked in all: {_ratio(engine['mean_asked'], baseline['mean_asked'])}")
    print("targets: top-1 >= 95% (of the cases in reach: no dialogue beats the ceiling), "
          "mean to top <= 6 and <= 0.5 of the baseline's")
    return 0


if __name__ == "__main__":
    sys.exit(main())
