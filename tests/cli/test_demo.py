"""``conndoctor demo`` reproduces a real reset and diagnoses it."""

from __future__ import annotations

import json

from tests.conftest import run_cli


def test_demo_diagnoses_the_abortive_close() -> None:
    """The demo's real client error leads to abortive-close-unread-data first."""
    result = run_cli("demo", "--format", "json")
    assert result.code == 0, result.err
    report = json.loads(result.out)
    assert report["diagnoses"][0]["cause"] == "abortive-close-unread-data"
    assert report["facts"]["error_kind"] in ("reset", "broken_pipe")
    assert "got:" in result.err
