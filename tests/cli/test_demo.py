"""``conndoctor demo`` reproduces a real reset and diagnoses it."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_cli


def test_demo_diagnoses_the_abortive_close() -> None:
    """The demo's real client error leads to abortive-close-unread-data first."""
    result = run_cli("demo", "--format", "json")
    assert result.code == 0, result.err
    report = json.loads(result.out)
    assert report["diagnoses"][0]["cause"] == "abortive-close-unread-data"
    assert report["facts"]["error_kind"] in ("reset", "broken_pipe")
    assert "got:" in result.err


def test_demo_takes_kb_dirs_like_every_command_that_loads_the_kb(tmp_path: Path) -> None:
    """The contract: every command that loads the KB takes --kb. A missing one is a
    one-line error (no doubled "error:") before any server starts."""
    missing = tmp_path / "no-kb"
    result = run_cli("demo", "--kb", str(missing))
    assert result.code == 1
    assert result.err.strip() == f"conndoctor: error: {missing}: KB directory does not exist"
    assert "demo: a server" not in result.err
