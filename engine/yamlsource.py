"""Safe YAML reading that remembers where every value came from.

PyYAML's ``safe_load`` loses line numbers and silently keeps the last of two
duplicate keys. Composing the node tree first gives both: the document (built
by the safe constructor, libyaml's when present) and a map from each value's
path to its line, so every later error can name the file and line at fault.

Aliases are bounded: a document whose node graph (aliases expanded) holds more
than ``MAX_NODES`` values, or nests deeper than ``MAX_DEPTH``, is refused with
a message rather than allowed to exhaust memory or the stack.

The parser itself lives in ``engine.yamlparse`` and is imported only when a
file is really parsed: a KB loaded from a warm cache never imports PyYAML,
which saves ~17 ms of every ``diagnose`` start-up.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

YamlPath = tuple[str | int, ...]

MAX_NODES = 1_000_000
MAX_DEPTH = 64


class YamlReadError(Exception):
    """A file that cannot be read as YAML; ``line`` is 1-based when known."""

    def __init__(self, file: Path, line: int | None, message: str) -> None:
        super().__init__(message)
        self.file = file
        self.line = line
        self.message = message


def line_of(lines: Mapping[YamlPath, int], path: YamlPath) -> int | None:
    """The line of the value at ``path``, or of its closest known parent."""
    probe = tuple(path)
    while probe:
        if probe in lines:
            return lines[probe]
        probe = probe[:-1]
    return lines.get((), 1)


@dataclass
class YamlDocument:
    """A parsed YAML file: its data and the line of each value, by path."""

    file: Path
    data: Any
    lines: Mapping[YamlPath, int] = field(default_factory=dict)
    from_cache: bool = False

    def line_of(self, path: YamlPath) -> int | None:
        """The line of the value at ``path``, or of its closest known parent."""
        return line_of(self.lines, path)


def read_bytes(file: Path) -> bytes:
    """The file's bytes; YamlReadError when it cannot be read."""
    try:
        return file.read_bytes()
    except OSError as error:
        raise YamlReadError(file, None, f"cannot read: {error.strerror}") from error


def decode(file: Path, raw: bytes) -> str:
    """The file's text; YamlReadError naming the line and byte when it is not UTF-8."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise YamlReadError(
            file, line, f"not UTF-8 (byte 0x{raw[error.start]:02x} at offset {error.start}); "
            "save the file as UTF-8"
        ) from error


def read_yaml(file: Path, raw: bytes | None = None) -> YamlDocument:
    """Parse one YAML file safely; raise YamlReadError with file and line on failure."""
    from engine.yamlparse import parse_yaml

    return parse_yaml(file, decode(file, read_bytes(file) if raw is None else raw))
