"""Generated KB documentation: JSON Schema files for editors and the field reference.

Both come from the pydantic models in ``engine.schema`` and are never written
by hand. ``conndoctor kb schema --write docs`` writes ``docs/schema/<kind>.json``
(what each KB file's ``# yaml-language-server: $schema=...`` modeline points
to) and ``docs/kb-reference.md``; a test checks that the committed files are
what the models generate now.
"""

from __future__ import annotations

import enum
import json
import types
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from engine.schema import FILE_MODELS, Leaf, json_schemas

SCHEMA_URL = "https://json-schema.org/draft/2020-12/schema"
FILE_NAMES = {
    "manifest": "manifest.yaml",
    "observations": "observations.yaml",
    "questions": "questions.yaml",
    "derivations": "derivations.yaml",
    "probes": "probes.yaml",
    "scenarios": "scenarios.yaml",
    "errors": "errors.yaml, errors/<name>.yaml",
    "cause": "causes/<cause-id>.yaml",
}


def schema_documents() -> dict[str, str]:
    """Every generated file, by path relative to the docs directory."""
    documents: dict[str, str] = {}
    for kind, schema in json_schemas().items():
        full = {"$schema": SCHEMA_URL, **schema}
        full.setdefault("title", kind)
        documents[f"schema/{kind}.json"] = json.dumps(full, indent=2, sort_keys=False) + "\n"
    documents["kb-reference.md"] = reference_markdown()
    return documents


def write_docs(directory: Path) -> list[Path]:
    """Write the generated files under ``directory``; return the paths written."""
    written = []
    for relative, text in schema_documents().items():
        path = directory / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def reference_markdown() -> str:
    """The KB file reference: every file kind, every model, every field."""
    lines = [
        "# KB file reference",
        "",
        "Generated from `engine/schema.py` by `conndoctor kb schema --write docs`;",
        "do not edit by hand. Unknown keys are errors in every file.",
        "",
        "| file | model |",
        "| --- | --- |",
    ]
    for kind, model in FILE_MODELS.items():
        lines.append(f"| `{FILE_NAMES[kind]}` | [{model.__name__}](#{model.__name__.lower()}) |")
    for model in _all_models():
        lines += ["", f"## {model.__name__}", "", _doc(model), "",
                  "| key | type | required | default | description |",
                  "| --- | --- | --- | --- | --- |"]
        for name, info in model.model_fields.items():
            key = info.alias or name
            required = "yes" if info.is_required() else "no"
            default = "" if info.is_required() else _default(info)
            description = (info.description or "").replace("|", "\\|")
            lines.append(f"| `{key}` | {_type(info.annotation)} | {required} | {default} "
                         f"| {description} |")
    lines += ["", "## Condition", "",
              "A condition is a leaf `{fact, op, value}` or a mapping with exactly one of",
              "`all`, `any` (lists of conditions) or `not` (one condition). Which operators",
              "fit which fact type is checked at load time:", "",
              "| fact type | operators |", "| --- | --- |"]
    from engine.conditions import ALLOWED_OPS

    for fact_type, ops in ALLOWED_OPS.items():
        names = ", ".join(f"`{op.value}`" for op in sorted(ops, key=lambda op: op.value))
        lines.append(f"| `{fact_type.value}` | {names} |")
    return "\n".join(lines) + "\n"


def _all_models() -> list[type[BaseModel]]:
    """Every model reachable from the file models, in first-seen order."""
    seen: list[type[BaseModel]] = []

    def visit(model: type[BaseModel]) -> None:
        if model in seen:
            return
        seen.append(model)
        for info in model.model_fields.values():
            for inner in _models_in(info.annotation):
                visit(inner)

    for model in FILE_MODELS.values():
        visit(model)
    return seen


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    found = []
    for argument in typing.get_args(annotation):
        found += _models_in(argument)
    return found


def _type(annotation: Any) -> str:
    """A short human name for a field's type."""
    if typing.get_origin(annotation) is typing.Annotated:
        args = typing.get_args(annotation)
        if any(Leaf in _models_in(arg) for arg in args):
            return "[condition](#condition)"
        return _type(args[0])
    if annotation is type(None):
        return "null"
    if isinstance(annotation, type):
        if issubclass(annotation, BaseModel):
            return f"[{annotation.__name__}](#{annotation.__name__.lower()})"
        if issubclass(annotation, enum.Enum):
            return "one of " + ", ".join(f"`{m.value}`" for m in annotation)
        return {"str": "text", "int": "integer", "float": "number", "bool": "bool"}.get(
            annotation.__name__, annotation.__name__)
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Literal:
        return "one of " + ", ".join(f"`{a}`" for a in args)
    if origin in (typing.Union, types.UnionType):
        names = [_type(a) for a in args]
        if names.count("integer") and names.count("number"):
            names.remove("integer")
        return " or ".join(dict.fromkeys(names))
    if origin is list:
        return f"list of {_type(args[0])}"
    if origin is dict:
        return f"mapping of {_type(args[0])} to {_type(args[1])}"
    return str(annotation)


def _default(info: Any) -> str:
    value = info.default_factory() if info.default_factory is not None else info.default
    if isinstance(value, enum.Enum):
        value = value.value
    return f"`{json.dumps(value)}`"


def _doc(model: type[BaseModel]) -> str:
    return " ".join((model.__doc__ or "").split())
