"""The command line's global behaviour: --version, -q/-v anywhere, --print-schema, demo."""

from __future__ import annotations

import json
import tomllib

from cli.main import VERSION
from tests.conftest import REPO, run_cli


def test_version_matches_the_package() -> None:
    """--version prints the version pyproject.toml declares, exit 0."""
    declared = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]
    assert declared == VERSION
    result = run_cli("--version")
    assert result.code == 0


def test_quiet_after_the_command_silences_messages() -> None:
    """-q works after the command too: the report is printed, no message on stderr."""
    loud = run_cli("diagnose", "--no-input", "--error", "connection refused", "-v")
    quiet = run_cli("diagnose", "--no-input", "--error", "connection refused", "-q")
    assert "kb: " in loud.err
    assert quiet.err == "" and quiet.out == loud.out


def test_quiet_before_the_command_is_kept() -> None:
    """-q before the command is not overwritten by the command's own default."""
    result = run_cli("-q", "diagnose", "--no-input", "-v", "--error", "connection refused")
    assert result.err == ""


def test_print_schema_describes_the_report() -> None:
    """--print-schema prints the JSON Schema of the report with the contract's fields."""
    result = run_cli("diagnose", "--print-schema")
    schema = json.loads(result.out)
    assert result.code == 0
    assert {"schema_version", "diagnoses", "facts", "next_questions", "done"} <= set(
        schema["properties"])


def test_demo_says_how_long_it_took() -> None:
    """The demo ends with its duration and the promise that it stayed on loopback."""
    result = run_cli("demo", "--format", "markdown")
    assert result.code == 0
    assert result.out.startswith("# conndoctor diagnosis")
    assert "all traffic stayed on 127.0.0.1" in result.err


def test_no_arguments_shows_the_help_and_exits_2() -> None:
    """Run bare, it prints the whole help (with the examples) on stderr and exits 2."""
    result = run_cli()
    assert result.code == 2
    assert result.err.startswith("usage: conndoctor") and "examples:" in result.err
