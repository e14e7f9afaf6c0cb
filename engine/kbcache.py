"""A cache of parsed KB files, so loading skips the YAML parser, never validation.

Parsing YAML is nine tenths of loading a KB; validating the parsed data with
pydantic and the cross-file checks are cheap. So the cache holds only what the
parser produced (each file's data and its map of value paths to lines) and
every load validates it again exactly as if it came from the YAML file.

- Key: one JSON file per KB directory, named by a hash of the directory's
  absolute path, the conndoctor and PyYAML versions and the cache format. Each
  entry holds the SHA-256 of the file's bytes; an entry is used only when the
  file's current bytes hash the same, so any edit is seen at once.
- Safety: JSON, never pickle, so a tampered cache cannot run code; what it
  holds goes through the same models and checks as YAML input. Someone who
  can write the cache can change what the KB says, as someone who can write
  the KB directory can: the cache is as trusted as the user's home directory.
- Only files of a KB that loaded without errors are stored, so an error
  message always comes from the YAML file itself, with its exact lines.
- A cache that cannot be read or written is ignored: it is an optimisation.
- At most ``MAX_ENTRIES`` directories are cached; the least recently used go.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from engine.yamlsource import YamlDocument, YamlPath, read_bytes, read_yaml

# 3: regexes are also timed for catastrophic backtracking. The cross-file checks skip
# the regexes of cached files, so a file cached before must not count as checked.
CACHE_FORMAT = 3
TOP_DEPTH = 2
MAX_ENTRIES = 32
NO_CACHE_ENV = "CONNDOCTOR_NO_CACHE"


def default_cache_dir() -> Path | None:
    """``$XDG_CACHE_HOME/conndoctor`` or ``~/.cache/conndoctor``; None when disabled.

    ``CONNDOCTOR_NO_CACHE=1`` (any value but empty or ``0``) disables the cache.
    """
    if os.environ.get(NO_CACHE_ENV, "") not in ("", "0"):
        return None
    base = os.environ.get("XDG_CACHE_HOME")
    if not base:
        try:
            base = str(Path.home() / ".cache")
        except RuntimeError:  # no home directory to be found: no cache
            return None
    return Path(base) / "conndoctor"


@functools.cache
def _version(distribution: str) -> str:
    """An installed distribution's version, read from its metadata (no import of it).

    Cached: reading metadata takes ~2 ms, and every KB directory's cache asks.
    """
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(distribution)
    except PackageNotFoundError:
        return "unknown"


class DirectoryCache:
    """The parsed files of one KB directory, checked against the files' hashes."""

    def __init__(self, cache_dir: Path, directory: Path) -> None:
        identity = "\0".join(
            [str(CACHE_FORMAT), _version("conndoctor"), _version("PyYAML"), sys.version,
             str(directory.resolve())]
        )
        digest = hashlib.sha256(identity.encode()).hexdigest()[:32]
        self.directory = directory
        self.file = cache_dir / f"kb-{digest}.json"
        self.entries = self._read()
        self.fresh: dict[str, dict[str, Any]] = {}
        self.digests: dict[str, str] = {}  # every file read, in order: its hash

    def _read(self) -> dict[str, Any]:
        try:
            loaded = json.loads(self.file.read_bytes())
        except (OSError, ValueError):
            return {}
        return loaded if isinstance(loaded, dict) else {}

    def read(self, file: Path) -> YamlDocument:
        """The parsed file: from the cache when its bytes are unchanged, else from YAML."""
        raw = read_bytes(file)
        digest = hashlib.sha256(raw).hexdigest()
        key = file.relative_to(self.directory).as_posix()
        self.digests[key] = digest
        entry = self.entries.get(key)
        if (isinstance(entry, dict) and entry.get("sha256") == digest and "data" in entry
                and isinstance(entry.get("lines"), str) and isinstance(entry.get("top"), str)):
            self.fresh[key] = entry
            top = _decode_lines(entry["top"])
            return YamlDocument(file, entry["data"], LazyLines(entry["lines"], top),
                                from_cache=True)
        document = read_yaml(file, raw)
        if _round_trips(document.data):
            items = document.lines.items()
            shallow = [[list(path), line] for path, line in items if len(path) <= TOP_DEPTH]
            lines = [[list(path), line] for path, line in items]
            self.fresh[key] = {
                "sha256": digest,
                "data": document.data,
                "top": json.dumps(shallow, separators=(",", ":")),
                "lines": json.dumps(lines, separators=(",", ":")),
            }
        return document

    def store(self) -> None:
        """Write the entries read in this load (atomically); ignore a cache we cannot write."""
        if self.fresh == self.entries:
            with contextlib.suppress(OSError):
                os.utime(self.file)  # mark it used, so pruning drops the unused ones first
            return
        import tempfile

        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.file.parent, suffix=".tmp")
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                stream.write(json.dumps(self.fresh, separators=(",", ":")))
            Path(temporary).replace(self.file)
            _prune(self.file.parent)
        except OSError:
            return


def _prune(cache_dir: Path) -> None:
    """Keep the ``MAX_ENTRIES`` most recently used directory caches; drop the rest.

    Every KB directory ever loaded (test runs' temporary ones too) gets its
    own file; without a bound the cache directory would only grow.
    """
    files = sorted(cache_dir.glob("kb-*.json"), key=lambda f: f.stat().st_mtime, reverse=True)
    for stale in files[MAX_ENTRIES:]:
        stale.unlink(missing_ok=True)


class LazyLines(Mapping[YamlPath, int]):
    """A cached path-to-line map, decoded on first use.

    The lines of items (paths of up to ``TOP_DEPTH`` parts: ``("rules", 3)``)
    are needed by every load and kept decoded; the lines of everything deeper
    are needed only by an issue, so they stay an undecoded JSON string until
    then. A malformed map decodes to an empty one: lines then fall back to the
    top of the file rather than fail.
    """

    def __init__(self, encoded: str, top: dict[YamlPath, int]) -> None:
        self._encoded = encoded
        self._top = top
        self._decoded: dict[YamlPath, int] | None = None

    def _map(self) -> dict[YamlPath, int]:
        if self._decoded is None:
            self._decoded = _decode_lines(self._encoded)
        return self._decoded

    def __getitem__(self, key: YamlPath) -> int:
        if len(key) <= TOP_DEPTH:
            return self._top[key]
        return self._map()[key]

    def __contains__(self, key: object) -> bool:
        if isinstance(key, tuple) and len(key) <= TOP_DEPTH:
            return key in self._top
        return key in self._map()

    def __iter__(self) -> Iterator[YamlPath]:
        return iter(self._map())

    def __len__(self) -> int:
        return len(self._map())


def _decode_lines(encoded: str) -> dict[YamlPath, int]:
    """The path-to-line map of a cache entry; empty when it is not well formed."""
    try:
        raw = json.loads(encoded)
    except ValueError:
        return {}
    # Our own cache, read often: decode in one comprehension and let a malformed
    # entry (wrong shapes or types) fail it as a whole. Lines only place messages;
    # the data itself is validated by the models on every load.
    try:
        return {tuple(path): int(line) for path, line in raw}
    except (TypeError, ValueError):
        return {}


def _round_trips(data: Any) -> bool:
    """True when JSON gives back exactly this data (no dates, no non-string keys)."""
    try:
        return bool(json.loads(json.dumps(data, allow_nan=False)) == data)
    except (TypeError, ValueError):
        return False


def cache_for(cache_dir: Path | None, directory: Path) -> DirectoryCache | None:
    """A directory's cache, or None when caching is off."""
    return DirectoryCache(cache_dir, directory) if cache_dir is not None else None

