"""Turn pydantic validation errors into one-line KB issues a contributor can act on.

Pydantic reports a location (``rules.0.when.not.not.any.any.1.leaf.op``, with
the condition union's tags in it) and a generic message. A contributor needs
the file's line, the id of the item at fault, the bad value, the allowed
values and a "did you mean". This module is the one place that translation
happens; everything else in the loader only collects ``KBIssue`` objects.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel

from engine.errors import KBIssue
from engine.schema import (
    CAUSE_ID_PATTERN,
    FACT_ID_PATTERN,
    RULE_ID_PATTERN,
    AllOf,
    AnyOf,
    Leaf,
    NotOf,
    condition_kind,
)
from engine.yamlsource import YamlDocument, YamlPath

CONDITION_TAGS = {"leaf", "all", "any", "not"}
_SCALAR_LABELS = {"bool", "int", "float", "str"}
_CONDITION_MODELS: dict[str, type[BaseModel]] = {
    "leaf": Leaf, "all": AllOf, "any": AnyOf, "not": NotOf,
}
PATTERN_NAMES = {
    CAUSE_ID_PATTERN: "kebab-case: lowercase letters and digits joined by '-'",
    FACT_ID_PATTERN: "snake_case: lowercase letters and digits joined by '_'",
    RULE_ID_PATTERN: "lowercase letters and digits joined by '-' or '.'",
}
_TYPE_WORDS = {
    "bool": "true or false", "float": "a number", "int": "a whole number",
    "string": "text", "list": "a list", "dict": "a mapping", "model": "a mapping",
}


def did_you_mean(value: str, choices: Iterable[str]) -> str:
    """A '; did you mean X?' suffix for the closest choice, or an empty string."""
    matches = difflib.get_close_matches(value, list(choices), n=1, cutoff=0.6)
    return f"; did you mean {matches[0]!r}?" if matches else ""


def issues_from_pydantic(
    document: YamlDocument, model: type[BaseModel], errors: list[Any]
) -> list[KBIssue]:
    """Every pydantic error of one file as an issue, without the echoes of a misspelt key.

    A misspelt ``becuase`` is reported as an unknown key with "did you mean
    'because'"; the "missing required key 'because'" pydantic also reports is
    the same mistake and is left out (likewise the missing ``fact``/``value``
    of a misspelt ``all``/``any``/``not``).
    """
    echoes: set[tuple[YamlPath, str]] = set()
    for error in errors:
        if error["type"] != "extra_forbidden":
            continue
        path = data_path(document.data, error["loc"])
        key = str(path[-1]) if path else ""
        guess = difflib.get_close_matches(key, allowed_keys(model, document.data, path[:-1]),
                                          n=1, cutoff=0.6)
        for missing in guess:
            echoes.add((path[:-1], missing))
            if missing in ("all", "any", "not"):
                echoes.update({(path[:-1], "fact"), (path[:-1], "value")})
    slots: list[KBIssue | YamlPath] = []
    unions: dict[YamlPath, list[Any]] = {}
    for error in errors:
        path = data_path(document.data, error["loc"])
        if error["type"] == "missing" and path and (path[:-1], str(path[-1])) in echoes:
            continue
        if any(_is_union_member(part) for part in error["loc"]):
            if path not in unions:  # one line per value, in the place of its first error
                unions[path] = []
                slots.append(path)
            unions[path].append(error)
            continue
        slots.append(issue_from_pydantic(document, model, error))
    return [slot if isinstance(slot, KBIssue) else _union_issue(document, slot, unions[slot])
            for slot in slots]


def _is_union_member(part: object) -> bool:
    """True for the labels pydantic puts in a location for each member of a plain union."""
    return isinstance(part, str) and (part in _SCALAR_LABELS or part.startswith(("list[", "dict[")))


def _union_issue(document: YamlDocument, path: YamlPath, errors: list[Any]) -> KBIssue:
    """One line for a value that fits no member of a union: the types it may have."""
    words: list[str] = []
    for error in errors:
        kind = str(error["type"])
        if kind.startswith("list_"):
            word = "a list"
        else:
            word = next((w for p, w in _TYPE_WORDS.items() if kind.startswith(p + "_")), "")
        if word and word != "a whole number" and word not in words:
            words.append(word)
    allowed = ", ".join(words[:-1]) + f" or {words[-1]}" if len(words) > 1 else "".join(words)
    ident = nearest_id(document.data, path)
    prefix = f"{ident}: " if ident else ""
    return KBIssue(document.file, document.line_of(path), f"{prefix}{_field_name(path)} must be "
                   f"{allowed or 'another type'} (got {errors[0].get('input')!r})")


def issue_from_pydantic(document: YamlDocument, model: type[BaseModel], error: Any) -> KBIssue:
    """One pydantic error as a one-line issue: line, id, field, value, allowed values."""
    path = data_path(document.data, error["loc"])
    line = document.line_of(path)
    ident = nearest_id(document.data, path)
    prefix = f"{ident}: " if ident else ""
    return KBIssue(document.file, line, prefix + _message(document.data, model, path, error))


def _message(data: Any, model: type[BaseModel], path: YamlPath, error: Any) -> str:
    kind = str(error["type"])
    got = error.get("input")
    ctx = error.get("ctx") or {}
    name = _field_name(path)
    if kind == "extra_forbidden":
        key = str(path[-1]) if path else "?"
        allowed = allowed_keys(model, data, path[:-1])
        listed = f" (allowed: {', '.join(allowed)})" if allowed else ""
        return f"unknown key {key!r}{listed}{did_you_mean(key, allowed)}"
    if kind == "missing":
        key = str(path[-1]) if path else "?"
        return f"missing required key {key!r}"
    if "expected" in ctx:
        allowed = _split_expected(str(ctx["expected"]))
        return (f"{name} must be one of [{', '.join(allowed)}] (got {got!r})"
                f"{did_you_mean(str(got), allowed)}")
    if kind == "string_pattern_mismatch":
        pattern = str(ctx.get("pattern", ""))
        return f"{name} must be {PATTERN_NAMES.get(pattern, 'matching ' + pattern)} (got {got!r})"
    if "leaf" in error["loc"] and kind in ("model_type", "model_attributes_type"):
        return (f"{name} must be a condition: a mapping {{fact, op, value}} or all/any/not "
                f"of conditions; conditions are data, not expressions (got {got!r})")
    for prefix, words in _TYPE_WORDS.items():
        if kind.startswith(prefix + "_") and kind.endswith(("_type", "_parsing")):
            return f"{name} must be {words} (got {got!r})"
    if kind.startswith(("model_", "dict_")):
        return f"{name} must be a mapping of keys (got {got!r})"
    if kind in ("too_short", "string_too_short"):
        return f"{name} must not be empty"
    if kind == "value_error":
        return str(error["msg"]).removeprefix("Value error, ")
    message = str(error["msg"]).replace("Input should be", "must be")
    return f"{name} {message[0].lower()}{message[1:]} (got {got!r})"


def _field_name(path: YamlPath) -> str:
    """``'lr'`` for a key, ``item 2 of 'values'`` for a list element."""
    if not path:
        return "the file"
    if isinstance(path[-1], int):
        parent = next((str(p) for p in reversed(path) if isinstance(p, str)), "list")
        return f"item {path[-1] + 1} of {parent!r}"
    return repr(str(path[-1]))


def data_path(data: Any, loc: Iterable[Any]) -> YamlPath:
    """Follow a pydantic location through the data, dropping the union's tags."""
    path: list[str | int] = []
    node = data
    for part in loc:
        in_mapping = isinstance(node, dict) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if in_mapping or in_list:
            node = node[part]
            path.append(part)
        elif _is_union_member(part):
            continue
        elif not isinstance(node, list) and part not in CONDITION_TAGS:
            path.append(part)
            break
    return tuple(path)


def nearest_id(data: Any, path: YamlPath) -> str | None:
    """The ``id`` (or ``name``) of the innermost item on the path; a question's ``fact``."""
    found: str | None = None
    fallback: str | None = None
    node = data
    for part in (None, *path):
        if part is not None:
            try:
                node = node[part]
            except (KeyError, IndexError, TypeError):
                break
        if isinstance(node, dict):
            for key in ("id", "name"):
                if isinstance(node.get(key), str):
                    found = node[key]
                    break
            else:
                if fallback is None and found is None and isinstance(node.get("fact"), str):
                    fallback = node["fact"]
    return found or fallback


def allowed_keys(model: type[BaseModel], data: Any, path: YamlPath) -> list[str]:
    """The keys allowed in the mapping at ``path`` (a condition's model chosen by its shape)."""
    current: type[BaseModel] | str | None = model
    node = data
    for part in path:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return []
        if isinstance(current, type) and not isinstance(part, int):
            if current in _CONDITION_MODELS.values():
                current = "condition"
            else:
                info = next((f for n, f in current.model_fields.items()
                             if (f.alias or n) == part), None)
                inner = _inner_model(info.annotation) if info is not None else None
                current = "condition" if inner is Leaf else inner
        if current == "condition" and isinstance(node, dict):
            current = _CONDITION_MODELS[condition_kind(node)]
    if not isinstance(current, type):
        return []
    keys = [info.alias or name for name, info in current.model_fields.items()]
    return [*keys, "all", "any", "not"] if current is Leaf else keys


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
