"""The held-out incident sets: real incidents, collected blind, read as KB cases.

The KB's example cases were written by the people who wrote its rules, so a
ranking that passes them may only have learnt its authors. Each entry of a
``tests/data/heldout_cases*.yaml`` set is an incident from a public thread
whose root cause was confirmed there, described with only the facts the
thread states, by a collector who saw the vocabulary (fact ids, questions,
cause titles) but not the rules, the cases or the README. Here they become
``engine.schema.Case`` objects, so the runner of ``kb test`` and the question
benchmark score them exactly like the KB's own cases.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from engine.errors import ConndoctorError, FactError
from engine.facts import FactRecord, FactStore, Source, coerce_value, observation_for
from engine.kbmodel import KnowledgeBase
from engine.schema import Case, CaseExpectation

DATA = Path(__file__).resolve().parent / "data"
REQUIRED = ("id", "source", "description", "facts", "expect_top", "evidence")


class HeldoutCaseError(ConndoctorError):
    """A held-out incident that cannot be scored: the message names the file, case and fault."""


@dataclass(frozen=True)
class Incident:
    """One held-out incident: its id in the set, the case to run and where it came from."""

    id: str
    case: Case
    source: str
    unsure: bool


def heldout_case_files() -> list[Path]:
    """Every held-out incident set, in round order."""
    return sorted(DATA.glob("heldout_cases*.yaml"), key=lambda f: (len(f.name), f.name))


def heldout_incidents(knowledge: KnowledgeBase, file: Path) -> list[Incident]:
    """The incidents of one set, checked against the KB's vocabulary and causes."""
    entries = yaml.safe_load(file.read_text(encoding="utf-8"))["cases"]
    store = FactStore(knowledge)
    return [_incident(knowledge, store, file, entry) for entry in entries]


def _incident(
    knowledge: KnowledgeBase, store: FactStore, file: Path, entry: dict[str, Any]
) -> Incident:
    where = f"{file.name}: case {entry.get('id', '?')}"
    missing = [key for key in REQUIRED if key not in entry]
    if missing:
        raise HeldoutCaseError(f"{where}: missing {', '.join(missing)}")
    top = entry["expect_top"]
    if top not in knowledge.causes:
        raise HeldoutCaseError(f"{where}: expect_top {top!r} is not a cause "
                               f"(allowed: {', '.join(sorted(knowledge.causes))})")
    facts = {}
    for fact, raw in (entry["facts"] or {}).items():
        try:  # the same checks as --fact and --facts: known id, not derived, allowed value
            facts[fact] = coerce_value(observation_for(knowledge, fact), raw)
            store.check(FactRecord(fact, facts[fact], Source.USER, where))
        except FactError as error:
            raise HeldoutCaseError(f"{where}: {error}") from None
    case = Case(id=f"{top}.heldout-{entry['id']}".lower(), description=entry["description"],
                facts=facts, error=entry.get("error"), expect=CaseExpectation(top=top))
    return Incident(entry["id"], case, entry["source"], bool(entry.get("unsure", False)))
