"""Where extra KB directories come from: flags, CONNDOCTOR_KB_PATH, entry points.

Installed Python packages can ship a KB: an entry point in the group
``conndoctor.kb`` names a package (``acme_kb = "acme_conndoctor_kb"``) whose
directory is a KB directory. Order: entry points, then the environment
variable, then ``--kb`` flags, so the command line has the last word.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Sequence
from importlib.metadata import entry_points
from pathlib import Path

from engine.errors import KBError, KBIssue

ENV_VAR = "CONNDOCTOR_KB_PATH"
ENTRY_POINT_GROUP = "conndoctor.kb"


def extra_kb_dirs(flag_dirs: Sequence[str] = ()) -> list[Path]:
    """Every extra KB directory, in the order they are loaded."""
    dirs = entry_point_dirs()
    env_value = os.environ.get(ENV_VAR, "")
    dirs += [Path(part) for part in env_value.split(os.pathsep) if part]
    dirs += [Path(part) for part in flag_dirs]
    return dirs


def entry_point_dirs() -> list[Path]:
    """KB directories of installed packages (entry point group ``conndoctor.kb``)."""
    found = []
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        try:
            module = importlib.import_module(entry.value)
        except ImportError as error:
            raise KBError([KBIssue(None, None, f"entry point {entry.name!r} "
                                   f"({ENTRY_POINT_GROUP}) names {entry.value!r}, which "
                                   f"cannot be imported: {error}")]) from error
        location = getattr(module, "__file__", None)
        if location is None:
            raise KBError([KBIssue(None, None, f"entry point {entry.name!r} names "
                                   f"{entry.value!r}, which is not a package directory")])
        found.append(Path(location).resolve().parent)
    return found
