"""The loaded knowledge base: every KB item by id, with where it was defined.

Items from several directories are merged here. Defining an id that another
file already defined is an error naming both files, unless the new item says
``replaces: true`` (an explicit override by an extension KB).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from engine.errors import KBIssue
from engine.schema import (
    Case,
    Cause,
    DerivationRule,
    ErrorPattern,
    EvidenceRule,
    Manifest,
    Observation,
    ProbeDeclaration,
    Question,
)
from engine.yamlsource import YamlPath, line_of


class _Unset:
    """Marks a line not looked up yet."""


UNSET = _Unset()


class Origin:
    """Where a KB item was defined; ``at`` finds the line of a value inside it.

    ``path`` is the item's place in its file's data and ``lines`` the file's
    map of paths to lines, so a cross-file check can name the exact line of a
    leaf deep inside ``all``/``any``/``not`` rather than the rule's first line.
    Without an explicit ``line`` it is looked up only when asked for: a warm
    load from the cache never decodes a file's line map unless it reports an issue.
    """

    __slots__ = ("_line", "file", "lines", "path")

    def __init__(
        self,
        file: Path,
        line: int | _Unset | None = UNSET,
        path: YamlPath = (),
        lines: Mapping[YamlPath, int] | None = None,
    ) -> None:
        self.file = file
        self._line = line
        self.path = path
        self.lines = lines

    @property
    def line(self) -> int | None:
        """The 1-based line of the item (None when unknown)."""
        if isinstance(self._line, _Unset):
            self._line = line_of(self.lines, self.path) if self.lines is not None else None
        return self._line

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Origin):
            return NotImplemented
        return (self.file, self.line, self.path) == (other.file, other.line, other.path)

    def __hash__(self) -> int:
        return hash((self.file, self.path))

    def __repr__(self) -> str:
        return f"Origin({self.file!r}, line={self.line!r}, path={self.path!r})"

    def __str__(self) -> str:
        from engine.errors import display_path

        where = display_path(self.file)
        return f"{where}:{self.line}" if self.line else where

    def spot(self, *sub: str | int) -> Spot:
        """Like ``at``, but the line is looked up only when someone asks for it."""
        return Spot(self, sub)

    def at(self, *sub: str | int) -> Origin:
        """The origin of the value at ``sub`` below this item (its own line if unknown)."""
        if self.lines is None:
            return self
        return Origin(self.file, UNSET, (*self.path, *sub), self.lines)


@dataclass(frozen=True)
class Spot:
    """A place inside a KB item; checks pass these around and only an issue needs the line."""

    origin: Origin
    sub: YamlPath

    @property
    def file(self) -> Path:
        return self.origin.file

    @property
    def line(self) -> int | None:
        return self.origin.at(*self.sub).line

    def spot(self, *sub: str | int) -> Spot:
        """The place at ``sub`` below this one."""
        return Spot(self.origin, (*self.sub, *sub))


T = TypeVar("T")


@dataclass
class KnowledgeBase:
    """All KB items by id, with their origins, plus indexes built by ``finish``."""

    manifests: list[tuple[Manifest, Origin]] = field(default_factory=list)
    observations: dict[str, Observation] = field(default_factory=dict)
    questions: dict[str, Question] = field(default_factory=dict)
    derivations: dict[str, DerivationRule] = field(default_factory=dict)
    causes: dict[str, Cause] = field(default_factory=dict)
    probes: dict[str, ProbeDeclaration] = field(default_factory=dict)
    patterns: dict[str, ErrorPattern] = field(default_factory=dict)
    scenarios: dict[str, Case] = field(default_factory=dict)
    origins: dict[tuple[str, str], Origin] = field(default_factory=dict)
    issues: list[KBIssue] = field(default_factory=list)
    cached_files: set[Path] = field(default_factory=set)
    evidence_rules: dict[str, tuple[str, EvidenceRule]] = field(default_factory=dict)
    cases: dict[str, tuple[str | None, Case]] = field(default_factory=dict)

    def origin(self, kind: str, ident: str) -> Origin | None:
        """Where the item of this kind and id was defined."""
        return self.origins.get((kind, ident))

    def _put(
        self,
        kind: str,
        table: dict[str, T],
        ident: str,
        item: T,
        origin: Origin,
        replaces: bool,
    ) -> bool:
        """Store one item; False (and an issue) when it clashes with an earlier one."""
        previous = self.origins.get((kind, ident))
        if previous is not None and not replaces:
            self.issues.append(
                KBIssue(
                    origin.file,
                    origin.line,
                    f"{kind} {ident!r} is already defined at {previous}; "
                    "add 'replaces: true' to override it on purpose",
                )
            )
            return False
        if previous is None and replaces:
            self.issues.append(
                KBIssue(
                    origin.file,
                    origin.line,
                    f"{kind} {ident!r} says 'replaces: true' but replaces nothing",
                )
            )
        table[ident] = item
        self.origins[(kind, ident)] = origin
        return True

    def add_manifest(self, manifest: Manifest, origin: Origin) -> None:
        self.manifests.append((manifest, origin))

    def add_observation(self, observation: Observation, origin: Origin) -> None:
        self._put(
            "observation", self.observations, observation.id, observation, origin,
            observation.replaces,
        )

    def add_question(self, question: Question, origin: Origin) -> None:
        self._put("question", self.questions, question.fact, question, origin, question.replaces)

    def add_derivation(self, rule: DerivationRule, origin: Origin) -> None:
        self._put("rule", self.derivations, rule.id, rule, origin, rule.replaces)

    def add_probe(self, probe: ProbeDeclaration, origin: Origin) -> None:
        self._put("probe", self.probes, probe.name, probe, origin, False)

    def add_pattern(self, pattern: ErrorPattern, origin: Origin) -> None:
        self._put("pattern", self.patterns, pattern.id, pattern, origin, pattern.replaces)

    def add_scenario(self, case: Case, origin: Origin) -> None:
        if self._put("case", self.scenarios, case.id, case, origin, False):
            self.cases[case.id] = (None, case)

    def add_cause(
        self,
        cause: Cause,
        origin: Origin,
        rule_origins: list[Origin],
        case_origins: list[Origin],
    ) -> None:
        if cause.replaces and ("cause", cause.id) in self.origins:
            old = self.causes[cause.id]
            for rule in old.rules:
                self.evidence_rules.pop(rule.id, None)
                self.origins.pop(("rule", rule.id), None)
            for case in old.cases:
                self.cases.pop(case.id, None)
                self.origins.pop(("case", case.id), None)
        if not self._put("cause", self.causes, cause.id, cause, origin, cause.replaces):
            return
        for rule, rule_origin in zip(cause.rules, rule_origins, strict=True):
            if not rule.id.startswith(cause.id + "."):
                self.issues.append(
                    KBIssue(
                        rule_origin.file,
                        rule_origin.line,
                        f"rule {rule.id!r} of cause {cause.id!r} must be named "
                        f"'{cause.id}.<name>'",
                    )
                )
            self._put("rule", self.evidence_rules, rule.id, (cause.id, rule), rule_origin, False)
        for case, case_origin in zip(cause.cases, case_origins, strict=True):
            self._put("case", self.cases, case.id, (cause.id, case), case_origin, False)

    def finish(self) -> None:
        """Hook for indexes built once after loading (kept for the engine's caches)."""

    @property
    def content_version(self) -> str:
        """The versions of every loaded KB, e.g. ``builtin 0.1.0 + acme 1.2``."""
        return " + ".join(f"{m.name} {m.content_version}" for m, _ in self.manifests)
