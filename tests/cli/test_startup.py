"""Start-up stays lean: --help and --no-input never import questionary, rich or the probes.

And a KB read from a warm cache does not import PyYAML (only parsing needs it).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

HEAVY = ["questionary", "prompt_toolkit", "rich", "engine.probes"]
PROBE = """
import contextlib, io, json, sys
from cli.main import main
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    try:
        main(sys.argv[1:])
    except SystemExit:
        pass
print(json.dumps(sorted(m for m in sys.modules
                        if any(m == h or m.startswith(h + ".") for h in WATCHED))))
"""


def loaded(*argv: str, heavy: list[str] = HEAVY, env: dict[str, str] | None = None) -> list[str]:
    """The ``heavy`` modules imported by one run of ``main(argv)`` in a fresh interpreter."""
    env = dict(env or os.environ, PYTHONPATH=str(REPO))
    probe = PROBE.replace("WATCHED", repr(heavy))
    result = subprocess.run([sys.executable, "-c", probe, *argv], capture_output=True,
                            text=True, env=env, timeout=60, check=True)
    return list(json.loads(result.stdout))


@pytest.mark.parametrize("argv", [
    ["--help"],
    ["diagnose", "--help"],
    ["--version"],
    ["diagnose", "--no-input", "--fact", "after_idle=true", "--error", "connection reset"],
    ["diagnose", "--no-input", "--format", "json"],
    ["diagnose", "--no-input", "--format", "markdown"],
])
def test_no_prompt_library_on_the_fast_paths(argv: list[str]) -> None:
    """Neither questionary, prompt_toolkit, rich nor the probes load for help or --no-input."""
    assert loaded(*argv) == []


def test_warm_cache_start_up_does_not_import_yaml(tmp_path: Path) -> None:
    """The first run parses the KB (PyYAML); the next reads the cache and never imports it."""
    env = dict(os.environ, XDG_CACHE_HOME=str(tmp_path))
    env.pop("CONNDOCTOR_NO_CACHE", None)
    argv = ["diagnose", "--no-input", "--fact", "after_idle=true", "--format", "json"]
    assert "yaml" in loaded(*argv, heavy=["yaml"], env=env)
    assert loaded(*argv, heavy=["yaml"], env=env) == []
