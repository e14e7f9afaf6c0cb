"""--save / --resume: a session is its statements, replayed into a fresh session."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_cli


def test_save_then_resume_gives_the_same_report(tmp_path: Path) -> None:
    """Resuming a saved session reproduces its facts, sources and ranking."""
    session = tmp_path / "s.json"
    first = run_cli("diagnose", "--no-input", "--format", "json", "--save", str(session),
                    "--error", "read: connection reset by peer", "--fact", "after_idle=true",
                    "--dont-know", "frequency")
    assert first.code == 0, first.err
    saved = json.loads(session.read_text())
    assert saved["kind"] == "conndoctor-session"
    assert {"fact": "after_idle", "value": True, "source": "user", "detail": "--fact",
            "vantage": None} in saved["statements"]
    assert saved["dont_know"] == ["frequency"]
    again = run_cli("diagnose", "--no-input", "--format", "json", "--resume", str(session))
    assert again.code == 0, again.err
    before, after = json.loads(first.out), json.loads(again.out)
    assert after["diagnoses"] == before["diagnoses"]
    assert after["fact_sources"] == before["fact_sources"]
    assert after["dont_know"] == ["frequency"]


def test_resume_then_add_a_fact(tmp_path: Path) -> None:
    """Flags given with --resume add to the resumed statements."""
    session = tmp_path / "s.json"
    run_cli("diagnose", "--no-input", "--save", str(session),
            "--error", "read: connection reset by peer")
    result = run_cli("diagnose", "--no-input", "--format", "json", "--resume", str(session),
                     "--fact", "after_idle=true")
    facts = json.loads(result.out)["facts"]
    assert facts["error_kind"] == "reset" and facts["after_idle"] is True


def test_resume_with_a_bad_value_names_file_and_fact(tmp_path: Path) -> None:
    """A statement the KB rejects is one line naming the file and the fact."""
    session = tmp_path / "s.json"
    session.write_text(json.dumps({
        "kind": "conndoctor-session", "schema_version": 1,
        "statements": [{"fact": "phase", "value": "idle", "source": "answer"}],
    }))
    result = run_cli("diagnose", "--no-input", "--resume", str(session))
    assert result.code == 1
    assert f"--resume {session}: " in result.err and "'phase' must be one of" in result.err


def test_resume_with_a_bad_source_lists_the_allowed(tmp_path: Path) -> None:
    """A statement with an unknown source names the allowed sources."""
    session = tmp_path / "s.json"
    session.write_text(json.dumps({
        "kind": "conndoctor-session", "schema_version": 1,
        "statements": [{"fact": "tls", "value": True, "source": "oracle"}],
    }))
    result = run_cli("diagnose", "--no-input", "--resume", str(session))
    assert result.code == 1
    assert "statements[0]: 'source' must be one of [user, answer, probe, log, error]" in result.err
    assert "(got 'oracle')" in result.err
