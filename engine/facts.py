"""Typed facts with provenance: who said what, and which value the rules see.

Several sources can speak about one fact (the user, an answer, a probe, the
error reader, a log). Every statement is kept, including those that lose a
conflict, and one documented precedence decides the value the rules see:

    user  >  answer  >  probe  >  log  >  error

A person's explicit ``--fact`` wins because they saw the failure; a probe
measures the target now, which may not be when it failed; text readers guess.
Among statements of the same source, the latest wins (an answer changed).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from engine.conditions import value_problem
from engine.errors import FactError
from engine.kbmodel import KnowledgeBase
from engine.loader import did_you_mean
from engine.schema import FactType, Observation


class Source(StrEnum):
    """Where a fact's value came from (the contract's ``fact_sources[].source``)."""

    USER = "user"
    ANSWER = "answer"
    PROBE = "probe"
    LOG = "log"
    ERROR = "error"
    DERIVED = "derived"


PRECEDENCE: dict[Source, int] = {
    Source.USER: 5,
    Source.ANSWER: 4,
    Source.PROBE: 3,
    Source.LOG: 2,
    Source.ERROR: 1,
    Source.DERIVED: 0,
}


@dataclass(frozen=True)
class FactRecord:
    """One statement about one fact."""

    fact: str
    value: Any
    source: Source
    detail: str | None = None
    vantage: str | None = None


class FactStore:
    """Every statement made about base facts, and the winning value of each."""

    def __init__(self, knowledge: KnowledgeBase) -> None:
        self._knowledge = knowledge
        self._records: list[FactRecord] = []

    @property
    def records(self) -> list[FactRecord]:
        """All statements in the order they were made."""
        return list(self._records)

    def add(self, record: FactRecord) -> None:
        """Record a statement after checking the id and the value against the KB."""
        self.check(record)
        self._records.append(record)

    def check(self, record: FactRecord) -> None:
        """Raise FactError naming the id and the allowed values if the statement is bad."""
        observation = observation_for(self._knowledge, record.fact)
        if observation.derived and record.source is not Source.DERIVED:
            raise FactError(
                f"{record.fact!r} is derived by the KB's rules and cannot be given directly"
            )
        problem = value_problem(observation, record.value)
        if problem:
            # a value read from a file names the file (``--facts f.yaml: ...``)
            detail = record.detail or ""
            where = f"{detail}: " if detail.startswith("--facts ") else ""
            raise FactError(where + problem)

    def withdraw(self, fact: str, source: Source | None = None) -> list[FactRecord]:
        """Remove the statements about a fact (of one source, or all); return them."""
        removed = [r for r in self._records if r.fact == fact and source in (None, r.source)]
        self._records = [r for r in self._records if r not in removed]
        return removed

    def winners(self) -> dict[str, FactRecord]:
        """The statement the rules see for each fact, by precedence then recency."""
        best: dict[str, tuple[int, int, FactRecord]] = {}
        for order, record in enumerate(self._records):
            rank = (PRECEDENCE[record.source], order)
            current = best.get(record.fact)
            if current is None or rank > current[:2]:
                best[record.fact] = (*rank, record)
        return {fact: entry[2] for fact, entry in best.items()}

    def values(self) -> dict[str, Any]:
        """The value the rules see for each known fact."""
        return {fact: record.value for fact, record in self.winners().items()}


def observation_for(knowledge: KnowledgeBase, fact: str) -> Observation:
    """The KB's declaration of a fact id, or a FactError naming the known ids."""
    observation = knowledge.observations.get(fact)
    if observation is None:
        hint = did_you_mean(fact, knowledge.observations)
        givable = sorted(i for i, o in knowledge.observations.items() if not o.derived)
        raise FactError(f"unknown fact {fact!r}{hint} (known: {', '.join(givable)})")
    return observation


def parse_value(observation: Observation, text: str) -> Any:
    """Read a command-line value: bools true/false, plain numbers, comma-separated lists."""
    raw = text.strip()
    kind = observation.type
    if kind is FactType.BOOL:
        lowered = raw.lower()
        if lowered in ("true", "yes", "1"):
            return True
        if lowered in ("false", "no", "0"):
            return False
        raise FactError(f"{observation.id!r} must be true or false (got {text!r})")
    if kind is FactType.NUMBER:
        try:
            number = float(raw)
        except ValueError:
            raise FactError(f"{observation.id!r} must be a number (got {text!r})") from None
        return int(number) if number.is_integer() and "." not in raw else number
    if kind is FactType.LIST:
        return [item.strip() for item in raw.split(",") if item.strip()]
    return raw if kind is FactType.ENUM else text


def coerce_value(observation: Observation, value: Any) -> Any:
    """Accept JSON/YAML values: a string for a list fact is split like the command line."""
    if isinstance(value, str) and observation.type is not FactType.TEXT:
        return parse_value(observation, value)
    if observation.type is FactType.LIST and not isinstance(value, list):
        return [value]
    return value
