"""Score the ranking and the dialogue on held-out real incidents (issue 4).

Run ``python tests/bench/bench_heldout_cases.py [--verbose] [FILE ...]``
(default: every ``tests/data/heldout_cases*.yaml``; see ``tests/heldout_cases.py``).

Per set, two readings of the same incidents:

- *given at once*: every fact the thread states and its error line, as
  ``diagnose --no-input --fact ... --error ...`` would get them. Reported:
  how often the confirmed cause ranks first (top-1) and among the first
  three (top-3).
- *dialogue*: the simulated user of ``bench_questions.py`` pastes the error
  line and answers the engine's questions from the incident's facts ("I
  don't know" for the rest). Reported: top-1 when the engine says done, and
  the questions before the confirmed cause ranks first for good, for the
  engine and for the baseline asking every question in the KB's order,
  compared on the incidents both reach.

The score a set gets the first time it is run is its first-contact score,
the one the README records; later runs measure regressions.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from engine.cases import session_for_case  # noqa: E402
from engine.errors import ConndoctorError  # noqa: E402
from engine.kbmodel import KnowledgeBase  # noqa: E402
from engine.loader import load_kb  # noqa: E402
from tests.bench.bench_questions import (  # noqa: E402
    Outcome,
    Step,
    baseline_policy,
    engine_policy,
    fixed_order,
    simulate,
)
from tests.heldout_cases import Incident, heldout_case_files, heldout_incidents  # noqa: E402


def ranking_given_at_once(knowledge: KnowledgeBase,
                          incident: Incident) -> tuple[list[str], float | None]:
    """The causes ranked from every stated fact and the error line at once, and the
    first one's confidence (None when no cause has a supporting rule)."""
    report = session_for_case(knowledge, incident.case).report()
    ranking = [diagnosis.cause for diagnosis in report.diagnoses]
    return ranking, report.diagnoses[0].confidence if report.diagnoses else None


@dataclass(frozen=True)
class Scored:
    """One incident's ranking from all its facts, and its dialogue under both policies."""

    incident: Incident
    ranking: list[str]
    top_confidence: float | None
    engine: Outcome
    baseline: Outcome

    @property
    def expected(self) -> str:
        """The confirmed cause."""
        return str(self.incident.case.expect.top)


def score(knowledge: KnowledgeBase, incident: Incident, fixed: list[Step]) -> Scored:
    """Rank the incident once and play its dialogue with the engine and the baseline."""
    return Scored(incident, *ranking_given_at_once(knowledge, incident),
                  simulate(knowledge, incident.case, engine_policy, fixed),
                  simulate(knowledge, incident.case, baseline_policy, fixed))


def print_miss(scored: Scored) -> None:
    """One top-1 miss: the wanted cause, its place, the first three and the facts."""
    case, ranking, expected = scored.incident.case, scored.ranking, scored.expected
    place = ranking.index(expected) + 1 if expected in ranking else "-"
    unsure = " [unsure]" if scored.incident.unsure else ""
    print(f"  MISS {scored.incident.id:8} want={expected} (rank {place}) "
          f"got={', '.join(ranking[:3]) or 'nothing'}{unsure}"
          f"\n       facts={dict(case.facts)} error={(case.error or '')[:80]!r}")


def summarize(scored: list[Scored]) -> dict[str, float]:
    """Top-1/top-3 given at once, and the dialogue against the KB-order baseline."""
    both = [(s.engine.reached_after, s.baseline.reached_after) for s in scored
            if s.engine.reached_after is not None and s.baseline.reached_after is not None]
    count = max(1, len(scored))
    return {
        "cases": len(scored),
        "top1": sum(s.ranking[:1] == [s.expected] for s in scored) / count,
        "top3": sum(s.expected in s.ranking[:3] for s in scored) / count,
        "dialogue_top1": sum(s.engine.final_top == s.expected for s in scored) / count,
        "paired": len(both),
        "engine_to_top": statistics.mean(e for e, _ in both) if both else float("nan"),
        "baseline_to_top": statistics.mean(b for _, b in both) if both else float("nan"),
        "engine_asked": statistics.mean(s.engine.asked for s in scored) if scored else 0.0,
    }


CONFIDENCE_BANDS = (0.0, 0.2, 0.4, 0.6, 0.8, 1.01)


def print_calibration(scored: list[Scored]) -> None:
    """How often the first cause is the confirmed one, by the confidence it was given.

    A calibrated ranking is right about as often as it says: of the incidents
    whose first cause got 0.6 to 0.8, about 70 % should be that cause.
    """
    print("confidence of the first cause  incidents  right  mean confidence")
    for low, high in itertools.pairwise(CONFIDENCE_BANDS):
        band = [s for s in scored
                if s.top_confidence is not None and low <= s.top_confidence < high]
        if not band:
            continue
        right = sum(s.ranking[0] == s.expected for s in band) / len(band)
        stated = statistics.mean(s.top_confidence or 0.0 for s in band)
        label = f"{low:.1f} to {min(high, 1.0):.1f}"
        print(f"  {label:28} {len(band):9d} {right:6.1%} {stated:16.2f}")
    unranked = sum(s.top_confidence is None for s in scored)
    print(f"  {'no cause supported':28} {unranked:9d}")


def main() -> int:
    """Print one row per set and a total; list the misses with --verbose."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--verbose", action="store_true", help="list every top-1 miss")
    args = parser.parse_args()
    knowledge = load_kb()
    fixed = fixed_order(knowledge)
    try:
        sets = [(file.name, heldout_incidents(knowledge, file))
                for file in args.files or heldout_case_files()]
    except (ConndoctorError, OSError) as error:
        print(f"bench_heldout_cases: {error}", file=sys.stderr)
        return 1
    rows = []
    for name, incidents in sets:
        scored = [score(knowledge, incident, fixed) for incident in incidents]
        if args.verbose:
            print(name)
            for item in scored:
                if item.ranking[:1] != [item.expected]:
                    print_miss(item)
        rows.append((name, scored))
    rows.append(("all", [item for _, scored in rows for item in scored]))
    print(f"{'set':24} {'cases':>5} {'top-1':>6} {'top-3':>6} {'dialogue top-1':>14} "
          f"{'both reach':>10} {'engine to top':>13} {'KB order to top':>15} {'ratio':>5} "
          f"{'engine asked':>12}")
    for name, scored in rows:
        row = summarize(scored)
        ratio = row["engine_to_top"] / row["baseline_to_top"] if row["baseline_to_top"] \
            else float("nan")
        print(f"{name:24} {row['cases']:5.0f} {row['top1']:6.1%} {row['top3']:6.1%} "
              f"{row['dialogue_top1']:14.1%} {row['paired']:10.0f} {row['engine_to_top']:13.2f} "
              f"{row['baseline_to_top']:15.2f} {ratio:5.2f} {row['engine_asked']:12.2f}")
    print_calibration(rows[-1][1])
    return 0


if __name__ == "__main__":
    sys.exit(main())
