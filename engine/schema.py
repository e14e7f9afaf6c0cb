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

REPLACES = "true: replace the item of this id from an earlier KB on purpose"
BECAUSE = "why the conclusion follows, as a sentence a user reads in the evidence"


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

    fact: str = Field(pattern=FACT_ID_PATTERN, description="the fact id tested")
    op: Op = Field(default=Op.EQ, description="the operator; must fit the fact's type")
    value: ConditionValue = Field(
        description="the value compared with (a list for in, not_in, contains_any)"
    )


class AllOf(Strict):
    """True when every part is true; false when any part is false; else undetermined."""

    all: list[Condition] = Field(min_length=1, description="conditions that must all hold")


class AnyOf(Strict):
    """True when any part is true; false when every part is false; else undetermined."""

    any: list[Condition] = Field(min_length=1, description="conditions of which one must hold")


class NotOf(Strict):
    """Negation; undetermined stays undetermined."""

    not_: Condition = Field(alias="not", description="the condition that must not hold")


def condition_kind(value: Any) -> str:
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
    Discriminator(condition_kind),
]
AllOf.model_rebuild()
AnyOf.model_rebuild()
NotOf.model_rebuild()


class Observation(Strict):
    """A fact id with its type and allowed values (the shared vocabulary)."""

    id: str = Field(pattern=FACT_ID_PATTERN, description="public fact id, snake_case, unit suffix")
    type: FactType = Field(description="the value type")
    title: str = Field(min_length=1, description="what the fact means, in a short phrase")
    values: list[str] | None = Field(
        default=None, description="allowed values for enum and list facts"
    )
    value_labels: dict[str, str] = Field(
        default_factory=dict, description="a person-readable label per value (for questions)"
    )
    unit: str | None = Field(default=None, description="unit of a number fact (seconds, ...)")
    minimum: float | None = Field(default=None, description="smallest allowed number")
    maximum: float | None = Field(default=None, description="largest allowed number")
    derived: bool = Field(
        default=False, description="set only by derivation rules, never asked or given"
    )
    probes: list[str] = Field(default_factory=list, description="probes that can measure it")
    set_by: list[Literal["log", "user"]] = Field(
        default_factory=list,
        description="who else sets it: 'log' (the log scanner's code), 'user' (only --fact); "
        "questions, probes, error patterns and rules are found on their own",
    )
    replaces: bool = Field(default=False, description=REPLACES)

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

    fact: str = Field(pattern=FACT_ID_PATTERN, description="the fact the answer sets")
    text: str = Field(min_length=1, description="the question as a person reads it")
    why: str = Field(min_length=1, description="one line: why this is asked")
    cost_seconds: float = Field(default=10.0, gt=0, description="a person's time to answer")
    buckets: list[float] | None = Field(
        default=None, description="representative values for number facts (for question choice)"
    )
    skip_when: Condition | None = Field(
        default=None,
        description="not asked while this holds on the facts known: the answer follows from "
        "them (after_idle once the phase is the first use of an idle pooled connection)",
    )
    replaces: bool = Field(default=False, description=REPLACES)


class Assertion(Strict):
    """What a derivation rule concludes."""

    fact: str = Field(pattern=FACT_ID_PATTERN, description="a fact declared 'derived: true'")
    value: Scalar = Field(description="the value asserted")


class DerivationRule(Strict):
    """An intermediate conclusion: when the condition holds, assert a derived fact."""

    id: str = Field(pattern=RULE_ID_PATTERN, description="public rule id")
    when: Condition = Field(description="the condition under which the rule fires")
    then: Assertion = Field(description="the derived fact and value it asserts")
    because: str = Field(min_length=1, description=BECAUSE)
    salience: int = Field(default=0, description="higher fires first when several can")
    replaces: bool = Field(default=False, description=REPLACES)


class EvidenceRule(Strict):
    """Evidence for or against one cause.

    ``lr`` is a likelihood ratio: how many times more likely the matched facts
    are when this cause is behind the failure than when it is not. Above 1
    supports, below 1 refutes; ``rules_out`` excludes the cause outright.
    """

    id: str = Field(pattern=RULE_ID_PATTERN, description="'<cause-id>.<name>'")
    when: Condition = Field(description="the condition under which the rule fires")
    lr: float | None = Field(
        default=None, gt=0, le=1000,
        description="likelihood ratio: above 1 supports the cause, below 1 refutes it",
    )
    rules_out: bool = Field(default=False, description="true: the cause is excluded outright")
    because: str = Field(min_length=1, description=BECAUSE)
    salience: int = Field(default=0, description="higher fires first when several can")

    @model_validator(mode="after")
    def _one_effect(self) -> EvidenceRule:
        if (self.lr is None) == (not self.rules_out):
            raise ValueError(f"rule {self.id!r} needs exactly one of 'lr' or 'rules_out: true'")
        return self


class Remedy(Strict):
    """A fix, most likely first, with the setting's name per stack where it applies."""

    do: str = Field(min_length=1, description="what to do, as an imperative sentence")
    stacks: dict[str, str] = Field(
        default_factory=dict, description="the setting's name per stack (nginx, go, aws, ...)"
    )
    first_when: list[str] = Field(
        default_factory=list,
        description="ids of this cause's rules: when one of them counts for the cause, this "
        "fix is listed first (the fix that fits the evidence at hand, not the most common one)",
    )


class CaseExpectation(Strict):
    """What an example case demands of the ranking."""

    top: str | None = Field(
        default=None, pattern=CAUSE_ID_PATTERN, description="the cause that must rank first"
    )
    ranked_above: list[str] = Field(
        default_factory=list, description="causes that must rank below 'top'"
    )
    ruled_out: list[str] = Field(default_factory=list, description="causes that must be ruled out")
    min_confidence: float | None = Field(
        default=None, ge=0, le=1, description="the least confidence 'top' must reach"
    )

    @model_validator(mode="after")
    def _checks_something(self) -> CaseExpectation:
        if self.top is None and (self.ranked_above or self.min_confidence is not None):
            raise ValueError("'ranked_above' and 'min_confidence' are checked against 'top': "
                             "name the cause that must rank first")
        if self.top is None and not self.ruled_out:
            raise ValueError("'expect' checks nothing: give 'top' or 'ruled_out'")
        return self


class Case(Strict):
    """An example: facts (and optionally an error text) and the expected ranking."""

    id: str = Field(pattern=RULE_ID_PATTERN, description="'<cause-id>.<name>' in a cause file")
    description: str = Field(min_length=1, description="the situation, in one sentence")
    facts: dict[str, ConditionValue] = Field(
        default_factory=dict, description="fact id to value, as given with --fact"
    )
    error: str | None = Field(default=None, description="error text, read by the error patterns")
    expect: CaseExpectation = Field(description="what the ranking must show")
    kind: Literal["positive", "near-miss", "scenario", "todo"] = Field(
        default="positive",
        description="positive: this cause wins; near-miss: a look-alike wins; "
        "todo: a known miss kept on record (reported, never failing)",
    )


class Cause(Strict):
    """One cause of connection failures, its evidence rules, remedies and cases."""

    id: str = Field(pattern=CAUSE_ID_PATTERN, description="public cause id, kebab-case")
    title: str = Field(min_length=1, description="the cause in a short phrase")
    summary: str = Field(min_length=1, description="what goes wrong, in plain language")
    mechanism: str = Field(
        min_length=1, description="what happens on the wire: who sends RST or FIN, and why"
    )
    prior: float = Field(default=0.05, gt=0, lt=1, description="share of failures it explains")
    rules: list[EvidenceRule] = Field(default_factory=list, description="evidence for or against")
    remedies: list[Remedy] = Field(default_factory=list, description="fixes, most likely first")
    checks: list[str] = Field(
        default_factory=list, description="how to confirm it (ss, tcpdump, conntrack, logs)"
    )
    references: list[str] = Field(default_factory=list, description="RFCs and vendor docs")
    cases: list[Case] = Field(default_factory=list, description="example cases (see Case)")
    replaces: bool = Field(default=False, description=REPLACES)


class ProbeDeclaration(Strict):
    """What a probe may set and what it costs; the code registry must agree."""

    name: str = Field(pattern=FACT_ID_PATTERN, description="probe name (--only, --with)")
    title: str = Field(min_length=1, description="what the probe does")
    sets: list[str] = Field(min_length=1, description="the fact ids it may set")
    cost_seconds: float = Field(gt=0, description="typical wall time")
    default: bool = Field(default=True, description="runs unless named out; false: opt-in")


class PatternExamples(Strict):
    """Lines a pattern must read, and look-alikes it must leave alone."""

    match: list[str] = Field(min_length=1, description="lines the pattern must match")
    no_match: list[str] = Field(default_factory=list, description="look-alikes it must not match")


class ErrorPattern(Strict):
    """A regular expression over pasted error text and the observations it implies.

    ``sets`` maps fact ids to values; ``literal`` is a lowercase substring that
    every matching line contains, used to skip the regex cheaply.
    """

    id: str = Field(pattern=RULE_ID_PATTERN, description="public pattern id")
    stack: str = Field(min_length=1, description="where such text comes from (generic, go, ...)")
    regex: str = Field(min_length=1, description="Python regular expression, case-insensitive")
    literal: str | None = Field(
        default=None, description="lowercase substring every match contains (a fast pre-check)"
    )
    sets: dict[str, Scalar] = Field(min_length=1, description="fact id to value when it matches")
    priority: int = Field(default=0, description="higher wins when patterns disagree")
    examples: PatternExamples = Field(description="lines it must and must not match")
    replaces: bool = Field(default=False, description=REPLACES)
    pasted_only: bool = Field(
        default=False,
        description="true: read only in text given as the error (--error, the questionnaire), "
        "never when scanning a log: guesses from plain words, which are ordinary in logs (below "
        "priority 0 they count only on text no other pattern matched), and texts with no ASCII "
        "for the log prefilter",
    )


class Manifest(Strict):
    """A KB directory's identity: its name, content version and file format version."""

    name: str = Field(pattern=CAUSE_ID_PATTERN, description="the KB's name, kebab-case")
    content_version: str = Field(description="version of the knowledge, e.g. '1.2.0'")
    format_version: int = Field(
        default=FORMAT_VERSION, description="version of the file format this KB is written in"
    )
    description: str = Field(default="", description="what this KB knows about")


class ObservationsFile(Strict):
    """``observations.yaml``: the shared vocabulary of fact ids."""

    observations: list[Observation]


class QuestionsFile(Strict):
    """``questions.yaml``: how a person is asked for facts."""

    questions: list[Question]


class DerivationsFile(Strict):
    """``derivations.yaml``: rules that assert derived facts."""

    rules: list[DerivationRule]


class ProbesFile(Strict):
    """``probes.yaml``: what each probe may set and what it costs."""

    probes: list[ProbeDeclaration]


class ScenariosFile(Strict):
    """``scenarios.yaml``: cross-cutting example cases that belong to no one cause."""

    cases: list[Case]


class ErrorPatternsFile(Strict):
    """``errors.yaml`` or ``errors/<name>.yaml``: error-text patterns."""

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
