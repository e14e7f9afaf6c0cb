"""Load the built-in KB plus every extra directory the user pointed at."""

from __future__ import annotations

from collections.abc import Sequence

from engine.kbmodel import KnowledgeBase
from engine.kbpaths import extra_kb_dirs
from engine.loader import load_kb


def load_knowledge(flag_dirs: Sequence[str]) -> KnowledgeBase:
    """Built-in KB, then entry points, CONNDOCTOR_KB_PATH and ``--kb`` directories."""
    return load_kb(extra_kb_dirs(flag_dirs))
