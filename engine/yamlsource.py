"""Safe YAML reading that remembers where every value came from.

PyYAML's ``safe_load`` loses line numbers and silently keeps the last of two
duplicate keys. Composing the node tree first gives both: the document (built
by the safe constructor, libyaml's when present) and a map from each value's
path to its line, so every later error can name the file and line at fault.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

Path_ = tuple[str | int, ...]


class YamlReadError(Exception):
    """A file that cannot be read as YAML; ``line`` is 1-based when known."""

    def __init__(self, file: Path, line: int | None, message: str) -> None:
        super().__init__(message)
        self.file = file
        self.line = line
        self.message = message


@dataclass
class YamlDocument:
    """A parsed YAML file: its data and the line of each value, by path."""

    file: Path
    data: Any
    lines: dict[Path_, int] = field(default_factory=dict)

    def line_of(self, path: Path_) -> int | None:
        """The line of the value at ``path``, or of its closest known parent."""
        probe = tuple(path)
        while probe:
            if probe in self.lines:
                return self.lines[probe]
            probe = probe[:-1]
        return self.lines.get((), 1)


def read_yaml(file: Path, text: str | None = None) -> YamlDocument:
    """Parse one YAML file safely; raise YamlReadError with file and line on failure."""
    if text is None:
        try:
            raw = file.read_bytes()
        except OSError as error:
            raise YamlReadError(file, None, f"cannot read: {error.strerror}") from error
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            line = raw[: error.start].count(b"\n") + 1
            raise YamlReadError(
                file, line, f"not UTF-8 (byte 0x{raw[error.start]:02x} at offset {error.start})"
            ) from error
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return YamlDocument(file, None, {(): 1})
        lines: dict[Path_, int] = {}
        duplicate = _index_lines(node, (), lines)
        if duplicate is not None:
            key, line = duplicate
            raise YamlReadError(file, line, f"duplicate key {key!r}")
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        mark_line = int(mark.line) + 1 if mark is not None else None
        raise YamlReadError(file, mark_line, f"malformed YAML: {error.problem or error}") from error
    except yaml.YAMLError as error:
        raise YamlReadError(file, None, f"malformed YAML: {error}") from error
    finally:
        loader.dispose()
    return YamlDocument(file, data, lines)


def _index_lines(node: yaml.Node, path: Path_, lines: dict[Path_, int]) -> tuple[str, int] | None:
    """Record the line of every value under ``node``; return the first duplicate key."""
    lines[path] = int(node.start_mark.line) + 1
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in seen:
                return key, key_node.start_mark.line + 1
            seen.add(key)
            duplicate = _index_lines(value_node, (*path, key), lines)
            if duplicate is not None:
                return duplicate
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            duplicate = _index_lines(item, (*path, index), lines)
            if duplicate is not None:
                return duplicate
    return None
