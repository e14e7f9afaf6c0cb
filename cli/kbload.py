"""Load the built-in KB plus every extra directory the user pointed at."""

from __future__ import annotations

from collections.abc import Sequence

from engine.kbcache import default_cache_dir
from engine.kbmodel import KnowledgeBase
from engine.kbpaths import extra_kb_dirs
from engine.loader import load_kb


def load_knowledge(flag_dirs: Sequence[str], *, include_builtin: bool = True) -> KnowledgeBase:
    """Built-in KB, then entry points, CONNDOCTOR_KB_PATH and ``--kb`` directories.

    Uses the parse cache under ``$XDG_CACHE_HOME/conndoctor`` unless
    ``CONNDOCTOR_NO_CACHE=1``. Every file is validated on every load; the
    cross-file checks are skipped only for the exact files (by hash) that
    passed them before with this code (``engine.kbcheckmemo``).
    """
    return load_kb(
        extra_kb_dirs(flag_dirs), include_builtin=include_builtin, cache_dir=default_cache_dir()
    )
