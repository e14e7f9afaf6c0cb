"""``kb lint``: quality warnings with codes, pinned by a golden file; a clean KB passes."""

from __future__ import annotations

import json
import os

import pytest

from engine.lint import lint_kb
from engine.loader import load_kb
from tests.conftest import REPO, run_cli

LINT = REPO / "tests" / "kb" / "lint"
GOLDEN = REPO / "tests" / "kb" / "golden" / "lint"


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    monkeypatch.setenv("CONNDOCTOR_NO_CACHE", "1")
    monkeypatch.delenv("CONNDOCTOR_KB_PATH", raising=False)


@pytest.mark.parametrize("name", ["clean", "warnings"])
def test_lint_output_matches_golden_file(name: str) -> None:
    """Lint prints one pinned line per warning and exits 1 on warnings, 0 when clean."""
    argv = ["kb", "lint", "--no-builtin", "--kb", f"tests/kb/lint/{name}"]
    result = run_cli(*argv)
    text = (f"$ conndoctor {' '.join(argv)}\n{result.out}[stderr]\n{result.err}"
            f"[exit {result.code}]\n")
    golden = GOLDEN / f"{name}.txt"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")
    assert result.code == (0 if name == "clean" else 1)


def test_every_warning_code_is_shown_by_the_warnings_fixture() -> None:
    """The fixture exercises every check the module documents."""
    import engine.lint

    documented = {line.split("``")[1] for line in (engine.lint.__doc__ or "").splitlines()
                  if line.startswith("- ``")}
    warnings = lint_kb(load_kb([LINT / "warnings"], include_builtin=False))
    assert {w.code for w in warnings} == documented


def test_lint_json_lists_warnings_with_codes() -> None:
    """``--format json`` gives each warning's file, line, message and code."""
    result = run_cli("kb", "lint", "--no-builtin", "--format", "json",
                     "--kb", "tests/kb/lint/warnings")
    body = json.loads(result.out)
    assert result.code == 1
    assert body["ok"] is False
    short = [w for w in body["warnings"] if w["code"] == "short-because"]
    assert short == [{
        "file": "tests/kb/lint/warnings/causes/firewall-drop.yaml", "line": 9,
        "severity": "warning", "code": "short-because",
        "message": "firewall-drop.not-refused: 'because' is too short to explain the conclusion "
                   "(got 'It was refused.'; write a sentence of at least 5 words)",
    }]


def test_a_broken_kb_makes_lint_fail_with_one_line() -> None:
    """Lint on a KB that does not load exits 1 with the first error and a pointer to validate."""
    result = run_cli("kb", "lint", "--no-builtin", "--kb", "tests/kb/broken/unknown-fact")
    assert result.code == 1
    assert result.out == ""
    assert result.err.count("\n") == 1
    assert "unknown fact 'reset_on_resue'" in result.err
    assert "run 'conndoctor kb validate'" in result.err


def test_builtin_kb_lints_clean() -> None:
    """The built-in KB has no lint warnings."""
    warnings = lint_kb(load_kb())
    assert [str(w) for w in warnings] == []


def test_set_by_declares_a_fact_that_code_sets(tmp_path) -> None:
    """A fact marked ``set_by: [log]`` is not reported as one nothing can set."""
    import shutil

    copy = tmp_path / "kb"
    shutil.copytree(LINT / "warnings", copy)
    observations = copy / "observations.yaml"
    text = observations.read_text()
    assert "  - id: elapsed_seconds\n" in text
    observations.write_text(text.replace("  - id: elapsed_seconds\n",
                                         "  - id: elapsed_seconds\n    set_by: [log]\n"))
    before = {w.message for w in lint_kb(load_kb([LINT / "warnings"], include_builtin=False))
              if w.code == "unsuppliable-fact"}
    after = {w.message for w in lint_kb(load_kb([copy], include_builtin=False))
             if w.code == "unsuppliable-fact"}
    assert any(m.startswith("elapsed_seconds:") for m in before)
    assert after == {m for m in before if not m.startswith("elapsed_seconds:")}
