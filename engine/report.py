"""The diagnosis as data: the pydantic models behind the contract's JSON.

Field names and meanings are fixed by ``shared/contract.md``; renderers in
``cli/`` turn a ``DiagnosisReport`` into text, JSON or Markdown.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = 1

FactValue = bool | int | float | str | list[str]


class Model(BaseModel):
    """Base of output models: no unknown fields."""

    model_config = ConfigDict(extra="forbid")


class Derivation(Model):
    """An intermediate conclusion (the "how" chain)."""

    fact: str
    value: Any
    rule: str
    because: str
    facts: dict[str, Any]


class Evidence(Model):
    """One fired rule's contribution to a cause."""

    rule: str
    because: str
    facts: dict[str, Any]
    effect: float = Field(description="log10 of the rule's likelihood ratio (bans)")
    derived_from: list[Derivation] = Field(
        default_factory=list,
        description="how: the derivations behind the derived facts this rule used, deepest last",
    )


class Diagnosis(Model):
    """One ranked cause."""

    cause: str
    title: str
    confidence: float = Field(ge=0, le=1)
    summary: str
    evidence: list[Evidence]
    against: list[Evidence] = Field(default_factory=list)
    remedies: list[str]
    remedy_details: list[dict[str, str]] = Field(default_factory=list)
    checks: list[str] = Field(default_factory=list)


class RuledOut(Model):
    """A cause that evidence excluded."""

    cause: str
    rule: str
    because: str


class FactSource(Model):
    """Where one statement of a fact came from; losing statements are listed too."""

    fact: str
    value: Any
    source: Literal["user", "answer", "probe", "error", "log", "derived"]
    detail: str | None = None
    vantage: str | None = None
    used: bool = True


class ProbeSummary(Model):
    """A probe that ran for this diagnosis (the full result is in ``probe`` JSON)."""

    name: str
    status: Literal["ok", "skipped", "error", "timeout"]
    facts: dict[str, Any]
    seconds: float
    reason: str | None = None
    vantage: str | None = None


class NextQuestion(Model):
    """What the engine would ask or measure next, and what it is worth."""

    fact: str
    question: str
    kind: Literal["question", "probe"]
    gain_bits: float
    cost: float = Field(description="seconds of a person's (question) or a probe's time")
    separates: list[str] = Field(
        default_factory=list, description="the causes whose confidence the answer moves most"
    )
    probe: str | None = None
    why: str | None = Field(default=None, description="why it is worth asking (from the KB)")
    expected_change: float = Field(
        default=0.0, ge=0, le=1,
        description="expected share of the ranking's probability mass the answer moves",
    )


class Conflict(Model):
    """Two statements disagree on one fact; ``used`` is the one the rules saw."""

    fact: str
    used: Any
    other: Any
    used_source: str
    other_source: str
    used_rule: str | None = Field(default=None, description="for derived values: the winning rule")
    other_rule: str | None = Field(default=None, description="for derived values: the losing rule")


class RuleStatus(Model):
    """For ``--why-not``: one rule of a cause, and why it did not fire."""

    rule: str
    status: Literal["fired", "failed", "waiting"]
    because: str
    failed_on: dict[str, Any] = Field(default_factory=dict)
    waiting_for: list[str] = Field(default_factory=list)
    asks: list[str] = Field(
        default_factory=list,
        description="the facts a person or probe can give that would settle a waiting rule",
    )
    notes: list[str] = Field(
        default_factory=list, description="why derived facts it reads are set, or not"
    )
    lr: float | None = None
    rules_out: bool = False


class WhyNot(Model):
    """For ``--why-not CAUSE``: each of the cause's rules and its status."""

    cause: str
    confidence: float
    rank: int | None
    rules: list[RuleStatus]


class DiagnosisReport(Model):
    """The whole answer of ``diagnose`` (the contract's Diagnosis JSON)."""

    schema_version: int = SCHEMA_VERSION
    diagnoses: list[Diagnosis]
    ruled_out: list[RuledOut]
    other_confidence: float = Field(description="mass left on causes the KB does not know")
    facts: dict[str, Any]
    fact_sources: list[FactSource]
    derived: list[Derivation] = Field(default_factory=list)
    conflicts: list[Conflict] = Field(default_factory=list)
    probes: list[ProbeSummary] = Field(default_factory=list)
    questions_asked: int = 0
    dont_know: list[str] = Field(default_factory=list)
    next_questions: list[NextQuestion]
    done: bool
    why_not: WhyNot | None = None
    kb_version: str = ""
    error_lines: list[dict[str, Any]] = Field(default_factory=list)
