"""The one schema of every knowledge-base file.

Every KB file is validated against these pydantic models (``extra="forbid"``),
so a typo in a key is an error rather than a silently ignored field. The JSON
Schema printed by ``conndoctor kb schema`` and the KB reference are generated
from here and never written twice.

Conditions are data, not code: ``all`` / ``any`` / ``not`` over leaves
``{fact, op, value}`` with a closed operator set. Whether an operator fits the
fact's type is checked by the loader, which knows the observation vocabulary.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, model_validator

FORMAT_VERSION = 1

CAUSE_ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
FACT_ID_PATTERN = r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$"
RULE_ID_PATTERN = r"^[a-z0-9]+([-.][a-z0-9]+)*$"


class Strict(BaseModel):
    """Base for KB models: unknown keys are errors, models are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class FactType(StrEnum):
    """The value types an observation can have."""

    BOOL = "bool"
    NUMBER = "number"
    ENUM = "enum"
    LIST = "list"
    TEXT = "text"


class Op(StrEnum):
    """The closed operator set of condition leaves."""

    EQ = "eq"
    NE = "ne"
    IN = "in"
    NOT_IN = "not_in"
    LT = "lt"
    LE = "le"
    GT = "gt"
    GE = "ge"
    CONTAINS = "contains"
    CONTAINS_ANY = "contains_any"
    KNOWN = "known"


Scalar = bool | int | float | str
ConditionValue = Scalar | list[Scalar]


class Leaf(Strict):
    """One test on one fact. On an unknown fact it is undetermined (except ``known``)."""

    fact: str = Field(pattern=FACT_ID_PATTERN)
    op: Op = Op.EQ
    value: ConditionValue


class AllOf(Strict):
    """True when every part is true; false when any part is false; else undetermined."""

    all: list[Condition] = Field(min_length=1)


class AnyOf(Strict):
    """True when any part is true; false when every part is false; else undetermined."""

    any: list[Condition] = Field(min_length=1)


class NotOf(Strict):
    """Negation; undetermined stays undetermined."""

    not_: Condition = Field(alias="not")


def _condition_kind(value: Any) -> str:
    """Pick the condition model by its key, so errors name one shape, not four."""
    if isinstance(value, dict):
        for key in ("all", "any", "not"):
            if key in value:
                return key
        return "leaf"
    if isinstance(value, AllOf | AnyOf | NotOf | Leaf):
        return {AllOf: "all", AnyOf: "any", NotOf: "not", Leaf: "leaf"}[type(value)]
    return "leaf"


Condition = Annotated[
    Annotated[Leaf, Tag("leaf")]
    | Annotated[AllOf, Tag("all")]
    | Annotated[AnyOf, Tag("any")]
    | Annotated[NotOf, Tag("not")],
    Discriminator(_condition_kind),
]
AllOf.model_rebuild()
AnyOf.model_rebuild()
NotOf.model_rebuild()


class Observation(Strict):
    """A fact id with its type and allowed values (the shared vocabulary)."""

    id: str = Field(pattern=FACT_ID_PATTERN)
    type: FactType
    title: str = Field(min_length=1)
    values: list[str] | None = Field(
        default=None, description="allowed values for enum and list facts"
    )
    value_labels: dict[str, str] = Field(default_factory=dict)
    unit: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    derived: bool = Field(
        default=False, description="set only by derivation rules, never asked or given"
    )
    probes: list[str] = Field(default_factory=list, description="probes that can measure it")
    replaces: bool = False

    @model_validator(mode="after")
    def _values_match_type(self) -> Observation:
        needs_values = self.type in (FactType.ENUM, FactType.LIST)
        if needs_values and not self.values:
            raise ValueError(f"observation {self.id!r} of type {self.type.value} needs 'values'")
        if not needs_values and self.values:
            raise ValueError(f"observation {self.id!r} of type {self.type.value} takes no 'values'")
        return self


class Question(Strict):
    """How a person is asked for a fact, and why it is worth asking."""

    fact: str = Field(pattern=FACT_ID_PATTERN)
    text: str = Field(min_length=1)
    why: str = Field(min_length=1)
    cost_seconds: float = Field(default=10.0, gt=0, description="a person's time to answer")
    buckets: list[float] | None = Field(
        default=None, description="representative values for number facts (for question choice)"
    )
    replaces: bool = False


class Assertion(Strict):
    """What a derivation rule concludes."""

    fact: str = Field(pattern=FACT_ID_PATTERN)
    value: Scalar


class DerivationRule(Strict):
    """An intermediate conclusion: when the condition holds, assert a derived fact."""

    id: str = Field(pattern=RULE_ID_PATTERN)
    when: Condition
    then: Assertion
    because: str = Field(min_length=1)
    salience: int = 0
    replaces: bool = False


class EvidenceRule(Strict):
    """Evidence for or against one cause.

    ``lr`` is a likelihood ratio: how many times more likely the matched facts
    are when this cause is behind the failure than when it is not. Above 1
    supports, below 1 refutes; ``rules_out`` excludes the cause outright.
    """

    id: str = Field(pattern=RULE_ID_PATTERN)
    when: Condition
    lr: float | None = Field(default=None, gt=0, le=1000)
    rules_out: bool = False
    because: str = Field(min_length=1)
    salience: int = 0

    @model_validator(mode="after")
    def _one_effect(self) -> EvidenceRule:
        if (self.lr is None) == (not self.rules_out):
            raise ValueError(f"rule {self.id!r} needs exactly one of 'lr' or 'rules_out: true'")
        return self


class Remedy(Strict):
    """A fix, most likely first, with the setting's name per stack where it applies."""

    do: str = Field(min_length=1)
    stacks: dict[str, str] = Field(default_factory=dict)


class CaseExpectation(Strict):
    """What an example case demands of the ranking."""

    top: str | None = Field(default=None, pattern=CAUSE_ID_PATTERN)
    ranked_above: list[str] = Field(default_factory=list)
    ruled_out: list[str] = Field(default_factory=list)
    min_confidence: float | None = Field(default=None, ge=0, le=1)


class Case(Strict):
    """An example: facts (and optionally an error text) and the expected ranking."""

    id: str = Field(pattern=RULE_ID_PATTERN)
    description: str = Field(min_length=1)
    facts: dict[str, ConditionValue] = Field(default_factory=dict)
    error: str | None = None
    expect: CaseExpectation
    kind: Literal["positive", "near-miss", "scenario", "todo"] = "positive"


class Cause(Strict):
    """One cause of connection failures, its evidence rules, remedies and cases."""

    id: str = Field(pattern=CAUSE_ID_PATTERN)
    title: str = Field(min_length=1)
    summary: str = Field(min_length=1)
    mechanism: str = Field(min_length=1)
    prior: float = Field(default=0.05, gt=0, lt=1, description="share of failures it explains")
    rules: list[EvidenceRule] = Field(default_factory=list)
    remedies: list[Remedy] = Field(default_factory=list)
    checks: list[str] = Field(default_factory=list)
    references: list[str] = Field(default_factory=list)
    cases: list[Case] = Field(default_factory=list)
    replaces: bool = False


class ProbeDeclaration(Strict):
    """What a probe may set and what it costs; the code registry must agree."""

    name: str = Field(pattern=FACT_ID_PATTERN)
    title: str = Field(min_length=1)
    sets: list[str] = Field(min_length=1)
    cost_seconds: float = Field(gt=0)
    default: bool = True


class PatternExamples(Strict):
    """Lines a pattern must read, and look-alikes it must leave alone."""

    match: list[str] = Field(min_length=1)
    no_match: list[str] = Field(default_factory=list)


class ErrorPattern(Strict):
    """A regular expression over pasted error text and the observations it implies.

    ``sets`` maps fact ids to values; ``literal`` is a lowercase substring that
    every matching line contains, used to skip the regex cheaply.
    """

    id: str = Field(pattern=RULE_ID_PATTERN)
    stack: str = Field(min_length=1)
    regex: str = Field(min_length=1)
    literal: str | None = None
    sets: dict[str, Scalar] = Field(min_length=1)
    priority: int = 0
    examples: PatternExamples
    replaces: bool = False


class Manifest(Strict):
    """A KB directory's identity: its name, content version and file format version."""

    name: str = Field(pattern=CAUSE_ID_PATTERN)
    content_version: str
    format_version: int = FORMAT_VERSION
    description: str = ""


class ObservationsFile(Strict):
    observations: list[Observation]


class QuestionsFile(Strict):
    questions: list[Question]


class DerivationsFile(Strict):
    rules: list[DerivationRule]


class ProbesFile(Strict):
    probes: list[ProbeDeclaration]


class ScenariosFile(Strict):
    cases: list[Case]


class ErrorPatternsFile(Strict):
    patterns: list[ErrorPattern]


FILE_MODELS: dict[str, type[BaseModel]] = {
    "manifest": Manifest,
    "observations": ObservationsFile,
    "questions": QuestionsFile,
    "derivations": DerivationsFile,
    "probes": ProbesFile,
    "scenarios": ScenariosFile,
    "errors": ErrorPatternsFile,
    "cause": Cause,
}


def json_schemas() -> dict[str, Any]:
    """The JSON Schema of every KB file kind, keyed by kind."""
    return {kind: model.model_json_schema(by_alias=True) for kind, model in FILE_MODELS.items()}
