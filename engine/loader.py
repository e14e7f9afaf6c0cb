"""Read KB directories into one validated ``KnowledgeBase``.

A KB directory holds ``manifest.yaml``, the shared vocabularies
(``observations.yaml``, ``questions.yaml``, ``derivations.yaml``,
``probes.yaml``, ``errors.yaml`` or ``errors/*.yaml``, ``scenarios.yaml``) and
one file per cause in ``causes/``. Every file is checked against its pydantic
model; every problem is collected (file, line, id, value, allowed values)
before anything is raised, so a contributor sees all of them at once.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from engine.errors import KBError, KBIssue
from engine.kbmodel import KnowledgeBase, Origin
from engine.schema import (
    FILE_MODELS,
    FORMAT_VERSION,
    Cause,
    DerivationsFile,
    ErrorPatternsFile,
    Manifest,
    ObservationsFile,
    ProbesFile,
    QuestionsFile,
    ScenariosFile,
)
from engine.yamlsource import YamlDocument, YamlReadError, read_yaml

BUILTIN_KB = Path(__file__).resolve().parent.parent / "kb"

VOCABULARY_FILES = {
    "manifest.yaml": "manifest",
    "observations.yaml": "observations",
    "questions.yaml": "questions",
    "derivations.yaml": "derivations",
    "probes.yaml": "probes",
    "scenarios.yaml": "scenarios",
    "errors.yaml": "errors",
}


def builtin_kb_dir() -> Path:
    """The directory of the KB shipped with conndoctor (package data of ``kb``)."""
    import kb

    return Path(kb.__file__).resolve().parent


def load_kb(extra_dirs: Sequence[Path] = (), *, include_builtin: bool = True) -> KnowledgeBase:
    """Load the built-in KB plus extra directories, validate all, raise KBError on any error."""
    from engine.kbcheck import check_kb

    dirs = ([builtin_kb_dir()] if include_builtin else []) + [Path(d) for d in extra_dirs]
    issues: list[KBIssue] = []
    knowledge = KnowledgeBase()
    for directory in dirs:
        issues.extend(_load_directory(directory, knowledge))
    issues.extend(check_kb(knowledge) if not issues else knowledge.issues)
    errors = [issue for issue in issues if issue.severity == "error"]
    if errors:
        raise KBError(errors)
    knowledge.finish()
    return knowledge


def _load_directory(directory: Path, knowledge: KnowledgeBase) -> list[KBIssue]:
    if not directory.is_dir():
        reason = "does not exist" if not directory.exists() else "is not a directory"
        return [KBIssue(directory, None, f"KB directory {reason}")]
    issues: list[KBIssue] = []
    manifest_file = directory / "manifest.yaml"
    if not manifest_file.is_file():
        issues.append(
            KBIssue(manifest_file, None, "missing manifest.yaml (name, content_version)")
        )
    for file in sorted(directory.glob("*.yaml")) + sorted(directory.glob("*.yml")):
        kind = VOCABULARY_FILES.get(file.name)
        if kind is None:
            allowed = ", ".join(VOCABULARY_FILES)
            hint = _did_you_mean(file.name, VOCABULARY_FILES)
            issues.append(KBIssue(file, None, f"unknown KB file (allowed: {allowed}){hint}"))
            continue
        issues.extend(_load_file(file, kind, knowledge))
    for sub, kind in (("causes", "cause"), ("errors", "errors")):
        for file in sorted((directory / sub).glob("*.y*ml")):
            issues.extend(_load_file(file, kind, knowledge))
    return issues


def _load_file(file: Path, kind: str, knowledge: KnowledgeBase) -> list[KBIssue]:
    try:
        document = read_yaml(file)
    except YamlReadError as error:
        return [KBIssue(error.file, error.line, error.message)]
    if not isinstance(document.data, dict):
        got = type(document.data).__name__ if document.data is not None else "an empty file"
        return [KBIssue(file, 1, f"expected a mapping of keys for a {kind} file (got {got})")]
    model = FILE_MODELS[kind]
    try:
        parsed = model.model_validate(document.data)
    except ValidationError as error:
        return [_issue_from_pydantic(document, model, item) for item in error.errors()]
    _register(parsed, file, document, knowledge)
    return []


def _register(parsed: BaseModel, file: Path, doc: YamlDocument, knowledge: KnowledgeBase) -> None:
    def origin(*path: str | int) -> Origin:
        return Origin(file, doc.line_of(path))

    if isinstance(parsed, Manifest):
        knowledge.add_manifest(parsed, origin())
    elif isinstance(parsed, ObservationsFile):
        for index, observation in enumerate(parsed.observations):
            knowledge.add_observation(observation, origin("observations", index))
    elif isinstance(parsed, QuestionsFile):
        for index, question in enumerate(parsed.questions):
            knowledge.add_question(question, origin("questions", index))
    elif isinstance(parsed, DerivationsFile):
        for index, rule in enumerate(parsed.rules):
            knowledge.add_derivation(rule, origin("rules", index))
    elif isinstance(parsed, ProbesFile):
        for index, probe in enumerate(parsed.probes):
            knowledge.add_probe(probe, origin("probes", index))
    elif isinstance(parsed, ScenariosFile):
        for index, case in enumerate(parsed.cases):
            knowledge.add_scenario(case, origin("cases", index))
    elif isinstance(parsed, ErrorPatternsFile):
        for index, pattern in enumerate(parsed.patterns):
            knowledge.add_pattern(pattern, origin("patterns", index))
    elif isinstance(parsed, Cause):
        rule_lines = [origin("rules", index) for index in range(len(parsed.rules))]
        case_lines = [origin("cases", index) for index in range(len(parsed.cases))]
        knowledge.add_cause(parsed, origin(), rule_lines, case_lines)


def _issue_from_pydantic(
    document: YamlDocument, model: type[BaseModel], error: Any
) -> KBIssue:
    """Turn one pydantic error into a one-line issue with the line and a hint."""
    path = _data_path(document.data, error["loc"])
    line = document.line_of(path)
    where = ".".join(str(part) for part in path) or "(top)"
    ident = _nearest_id(document.data, path)
    prefix = f"{ident}: " if ident else ""
    kind = error["type"]
    if kind == "extra_forbidden":
        key = str(path[-1]) if path else "?"
        allowed = _allowed_keys(model, document.data, path[:-1])
        hint = _did_you_mean(key, allowed)
        allowed_text = f" (allowed: {', '.join(allowed)})" if allowed else ""
        return KBIssue(document.file, line, f"{prefix}unknown key {key!r}{allowed_text}{hint}")
    if kind == "missing":
        return KBIssue(document.file, line, f"{prefix}missing required key {where!r}")
    got = error.get("input")
    message = str(error["msg"])
    if "expected" in error.get("ctx", {}):
        hint = _did_you_mean(str(got), _split_expected(error["ctx"]["expected"]))
        message += hint
    return KBIssue(document.file, line, f"{prefix}{where}: {message} (got {got!r})")


def _data_path(data: Any, loc: Iterable[Any]) -> tuple[str | int, ...]:
    """Follow a pydantic location through the data, dropping union tags."""
    path: list[str | int] = []
    node = data
    for part in loc:
        in_mapping = isinstance(node, dict) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if in_mapping or in_list:
            node = node[part]
            path.append(part)
        elif not isinstance(node, list) and part not in FIELD_TAGS:
            path.append(part)
            break
    return tuple(path)


FIELD_TAGS = {"leaf", "all", "any", "not"}


def _nearest_id(data: Any, path: tuple[str | int, ...]) -> str | None:
    """The ``id`` (or ``fact``) of the innermost mapping on the path that has one."""
    found: str | None = None
    node = data
    for part in (None, *path):
        if part is not None:
            try:
                node = node[part]
            except (KeyError, IndexError, TypeError):
                break
        if isinstance(node, dict):
            for key in ("id", "name", "fact"):
                if isinstance(node.get(key), str):
                    found = node[key]
                    break
    return found


def _allowed_keys(model: type[BaseModel], data: Any, path: tuple[str | int, ...]) -> list[str]:
    """The keys the model allows at ``path`` (best effort, for the hint)."""
    current: Any = model
    for part in path:
        if isinstance(part, int):
            continue
        fields = getattr(current, "model_fields", None)
        if not fields or part not in fields:
            return []
        current = _inner_model(fields[part].annotation)
        if current is None:
            return []
    fields = getattr(current, "model_fields", None)
    if not fields:
        return []
    return [info.alias or name for name, info in fields.items()]


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for argument in getattr(annotation, "__args__", ()):
        found = _inner_model(argument)
        if found is not None:
            return found
    return None


def _split_expected(expected: str) -> list[str]:
    return [part.strip(" '") for part in expected.replace(" or ", ", ").split(",")]


def _did_you_mean(value: str, choices: Iterable[str]) -> str:
    matches = difflib.get_close_matches(value, list(choices), n=1, cutoff=0.6)
    return f"; did you mean {matches[0]!r}?" if matches else ""


def did_you_mean(value: str, choices: Iterable[str]) -> str:
    """A '; did you mean X?' suffix for the closest choice, or an empty string."""
    return _did_you_mean(value, choices)


__all__ = ["BUILTIN_KB", "FORMAT_VERSION", "builtin_kb_dir", "did_you_mean", "load_kb"]
