"""Simulated users answer the questionnaire from the KB's example cases.

For every case with an expected top cause, a simulated user starts with what
is known without asking (the pasted error text, the probe results the case
holds, and - in the default mode - the error kind), then answers the engine's
next question from the case's facts, or says "I don't know" when the case
does not hold that fact. Probe steps take the case's probe facts and are not
counted as questions. The loop stops when the engine says it is done or has
nothing worth asking (gain under 0.02 bits), bounded at 25 steps.

Modes: ``error known`` (error_kind given up front), ``error asked`` (the
engine must ask for it too), ``30% unknown`` (the user does not know a
random 30% of the case's answers; three fixed seeds).

Run: ``python tests/bench/bench_kb_questionnaire.py``; prints a table.
"""

from __future__ import annotations

import random
import statistics
import time
from dataclasses import dataclass
from typing import Any

from engine.cases import session_for_case
from engine.facts import FactRecord, Source, coerce_value
from engine.kbmodel import KnowledgeBase
from engine.loader import load_kb
from engine.questions import MIN_GAIN_BITS
from engine.schema import Case

MAX_STEPS = 25


@dataclass(frozen=True)
class Outcome:
    """One simulated run: did the expected cause come first, after how many questions."""

    correct: bool
    questions: int


def probe_facts(knowledge: KnowledgeBase) -> set[str]:
    """Facts that some probe sets (they arrive with the probe run, not by asking)."""
    return {fact for probe in knowledge.probes.values() for fact in probe.sets} | {
        "connect_ms", "intermittent_connect", "idle_close_seconds", "idle_close_kind",
        "rst_source", "tls_handshake", "protocol_guess", "burst_failure_rate",
        "burst_failure_kind", "large_transfer", "port_state",
    }


def simulate(knowledge: KnowledgeBase, case: Case, *, ask_error: bool, drop: float,
             seed: int) -> Outcome:
    """Run the questionnaire for one case as a simulated user would answer it."""
    probes = probe_facts(knowledge)
    upfront = {k: v for k, v in case.facts.items()
               if k in probes or (k == "error_kind" and not ask_error)}
    rng = random.Random(f"{case.id}-{seed}")
    answers = {k: v for k, v in case.facts.items()
               if k not in upfront and rng.random() >= drop}
    start = Case(id=case.id, description=case.description, facts=upfront, error=case.error,
                 expect=case.expect)
    session = session_for_case(knowledge, start)
    asked = 0
    for _ in range(MAX_STEPS):
        report = session.report()
        steps = [q for q in report.next_questions if q.gain_bits >= MIN_GAIN_BITS]
        if report.done or not steps:
            break
        step = steps[0]
        known: dict[str, Any] = case.facts if step.kind == "probe" else answers
        if step.kind == "question":
            asked += 1
        if step.fact in known:
            value = coerce_value(knowledge.observations[step.fact], known[step.fact])
            source = Source.PROBE if step.kind == "probe" else Source.ANSWER
            session.add(FactRecord(step.fact, value, source, "bench"))
        else:
            session.mark_dont_know(step.fact)
    final = session.report()
    top = final.diagnoses[0].cause if final.diagnoses else None
    return Outcome(correct=top == case.expect.top, questions=asked)


def run_mode(knowledge: KnowledgeBase, *, ask_error: bool, drop: float,
             seeds: tuple[int, ...]) -> list[Outcome]:
    """Every case with an expected top cause, once per seed."""
    outcomes = []
    for case_id in sorted(knowledge.cases):
        _, case = knowledge.cases[case_id]
        if case.expect.top is None or case.kind == "todo":
            continue
        for seed in seeds:
            outcomes.append(simulate(knowledge, case, ask_error=ask_error, drop=drop, seed=seed))
    return outcomes


def main() -> None:
    """Print top-1 accuracy and questions asked for each mode."""
    knowledge = load_kb()
    modes = [
        ("error known", False, 0.0, (0,)),
        ("error asked", True, 0.0, (0,)),
        ("30% unknown", False, 0.3, (1, 2)),
    ]
    print(f"{'mode':<14} {'runs':>5} {'top-1':>7} {'mean q':>7} {'p90 q':>6} {'max q':>6} "
          f"{'seconds':>8}")
    for name, ask_error, drop, seeds in modes:
        began = time.perf_counter()
        outcomes = run_mode(knowledge, ask_error=ask_error, drop=drop, seeds=seeds)
        seconds = time.perf_counter() - began
        counts = sorted(o.questions for o in outcomes)
        top1 = sum(o.correct for o in outcomes) / len(outcomes)
        p90 = counts[int(0.9 * (len(counts) - 1))]
        print(f"{name:<14} {len(outcomes):>5} {top1:>7.3f} {statistics.mean(counts):>7.2f} "
              f"{p90:>6} {counts[-1]:>6} {seconds:>8.2f}")


if __name__ == "__main__":
    main()
