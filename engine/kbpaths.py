"""Where extra KB directories come from: entry points, CONNDOCTOR_KB_PATH, ``--kb``.

Installed Python packages can ship a KB: an entry point in the group
``conndoctor.kb`` names a package (``acme = "acme_conndoctor_kb"``) whose
directory is a KB directory. The package is located with
``importlib.util.find_spec``, not imported: finding a KB runs none of its
code. Order: entry points, then the environment variable, then ``--kb``
flags, so the command line has the last word (a later KB may replace an
earlier one's items with ``replaces: true``). A directory named twice is
loaded once, at its first place.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Sequence
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path

from engine.errors import KBError, KBIssue

ENV_VAR = "CONNDOCTOR_KB_PATH"
ENTRY_POINT_GROUP = "conndoctor.kb"


def extra_kb_dirs(flag_dirs: Sequence[str | Path] = ()) -> list[Path]:
    """Every extra KB directory, in the order they are loaded, each once."""
    dirs = entry_point_dirs()
    env_value = os.environ.get(ENV_VAR, "")
    dirs += [Path(part) for part in env_value.split(os.pathsep) if part]
    for part in flag_dirs:
        if not str(part):
            raise KBError([KBIssue(None, None, "--kb needs a directory name (got '')")])
        dirs.append(Path(part))
    return unique_dirs(dirs)


def unique_dirs(dirs: Sequence[Path]) -> list[Path]:
    """The directories without repeats (compared resolved), first occurrence kept."""
    seen: set[Path] = set()
    unique = []
    for directory in dirs:
        key = directory.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(directory)
    return unique


def entry_point_dirs() -> list[Path]:
    """KB directories of installed packages (entry point group ``conndoctor.kb``)."""
    found = []
    problems = []
    for entry in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        directory, problem = _package_dir(entry)
        if directory is not None:
            found.append(directory)
        else:
            problems.append(KBIssue(None, None, f"entry point {entry.name!r} ({ENTRY_POINT_GROUP}"
                                    f"{_distribution(entry)}) names {entry.value!r}: {problem}"))
    if problems:
        raise KBError(problems)
    return found


def _package_dir(entry: EntryPoint) -> tuple[Path | None, str]:
    """The directory of the package an entry point names, or why there is none."""
    name = entry.module
    if entry.attr:
        return None, "it must name a package, not an object ('module:attr')"
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError) as error:
        return None, f"it cannot be found ({error})"
    if spec is None:
        return None, "no such package is installed"
    locations = list(spec.submodule_search_locations or [])
    if not locations:
        return None, "it is a module, not a package directory"
    return Path(locations[0]), ""


def _distribution(entry: EntryPoint) -> str:
    dist = getattr(entry, "dist", None)
    return f", distribution {dist.name!r}" if dist is not None else ""
