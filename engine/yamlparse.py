"""The PyYAML side of ``engine.yamlsource``: compose the node tree, build data and lines.

Kept apart so that importing PyYAML (~17 ms) is paid only when a file is
really parsed, not when the KB comes from a warm cache.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from engine.yamlsource import MAX_DEPTH, MAX_NODES, YamlDocument, YamlPath, YamlReadError

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_yaml(file: Path, text: str) -> YamlDocument:
    """Parse one YAML text safely; raise YamlReadError with file and line on failure."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return YamlDocument(file, None, {(): 1})
        lines: dict[YamlPath, int] = {}
        data = _Builder(file, loader, lines).build(node, ())
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        mark_line = int(mark.line) + 1 if mark is not None else None
        raise YamlReadError(file, mark_line, _explain(error, text)) from error
    except yaml.YAMLError as error:
        raise YamlReadError(file, None, f"malformed YAML: {error}") from error
    except RecursionError as error:
        raise YamlReadError(file, None, "malformed YAML: nested too deeply") from error
    finally:
        loader.dispose()
    return YamlDocument(file, data, lines)


def _explain(error: yaml.MarkedYAMLError, text: str) -> str:
    """libyaml's message, with the usual cause spelled out where it is known."""
    problem = error.problem or str(error)
    mark = error.problem_mark
    if mark is not None and "cannot start any token" in problem:
        lines = text.splitlines()
        row = lines[mark.line] if mark.line < len(lines) else ""
        if row[mark.column:mark.column + 1] == "\t":
            return "malformed YAML: a tab character; YAML indents with spaces only"
    if "another document" in problem:
        return "malformed YAML: a second document ('---'); a KB file holds exactly one"
    if "could not determine a constructor" in problem:
        return f"unsafe or unknown YAML tag: {problem.split('tag ')[-1]} (plain YAML only)"
    if error.context and error.context_mark is not None and mark is not None:
        problem += f" ({error.context} at line {int(error.context_mark.line) + 1})"
    return f"malformed YAML: {problem}"


_TAG = "tag:yaml.org,2002:"
_STR, _MAP, _SEQ = _TAG + "str", _TAG + "map", _TAG + "seq"
_PLAIN_KEYS = {_STR, _TAG + "int", _TAG + "bool", _TAG + "float", _TAG + "null"}


class _Builder:
    """Builds the data and the line of every value in one pass over the node tree.

    Strings, lists and mappings (nearly all of a KB file) are built here;
    other scalars (numbers, booleans, null) and anything unusual (merge keys,
    ``!!set``) go to the safe constructor, so the result is what
    ``yaml.safe_load`` gives. Duplicate keys and alias bombs are refused.
    """

    def __init__(self, file: Path, loader: Any, lines: dict[YamlPath, int]) -> None:
        self.file = file
        self.loader = loader
        self.lines = lines
        self.count = 0

    def build(self, node: yaml.Node, path: YamlPath) -> Any:
        self._enter(node, path)
        if isinstance(node, yaml.ScalarNode):
            return node.value if node.tag == _STR else self.loader.construct_object(node, True)
        if isinstance(node, yaml.SequenceNode) and node.tag == _SEQ:
            return [self.build(item, (*path, index)) for index, item in enumerate(node.value)]
        if isinstance(node, yaml.MappingNode) and node.tag == _MAP and all(
            isinstance(key, yaml.ScalarNode) and key.tag in _PLAIN_KEYS for key, _ in node.value
        ):
            result: dict[Any, Any] = {}
            seen: dict[Any, int] = {}
            for key_node, value_node in node.value:
                key = self.build_key(key_node, seen)
                plain = isinstance(key, str | int) and not isinstance(key, bool)
                result[key] = self.build(value_node, (*path, key if plain else str(key)))
            return result
        self.count -= 1
        self.index(node, path)
        return self.loader.construct_object(node, True)

    def build_key(self, key_node: yaml.ScalarNode, seen: dict[Any, int]) -> Any:
        key = key_node.value if key_node.tag == _STR else self.loader.construct_object(key_node)
        self.once(key, key_node, seen)
        return key

    def _enter(self, node: yaml.Node, path: YamlPath) -> None:
        self.count += 1
        line = int(node.start_mark.line) + 1
        if self.count > MAX_NODES:
            raise YamlReadError(self.file, line, f"more than {MAX_NODES} values "
                                "(aliases expanding without bound?)")
        if len(path) > MAX_DEPTH:
            raise YamlReadError(self.file, line, f"nested more than {MAX_DEPTH} levels deep")
        self.lines.setdefault(path, line)

    def index(self, node: yaml.Node, path: YamlPath) -> None:
        """Lines and checks only, for a node the safe constructor builds."""
        self._enter(node, path)
        if isinstance(node, yaml.MappingNode):
            seen: dict[Any, int] = {}
            for key_node, value_node in node.value:
                key = str(key_node.value)
                self.once(key, key_node, seen)
                self.index(value_node, (*path, key))
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                self.index(item, (*path, index))

    def once(self, key: Any, key_node: yaml.Node, seen: dict[Any, int]) -> None:
        """Refuse a key the mapping already has (YAML would keep only the last)."""
        key_line = int(key_node.start_mark.line) + 1
        if key in seen:
            raise YamlReadError(
                self.file, key_line,
                f"duplicate key {str(key)!r} (first at line {seen[key]}); "
                "YAML would silently keep only the last one",
            )
        seen[key] = key_line
