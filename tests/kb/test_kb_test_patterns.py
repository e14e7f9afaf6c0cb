"""``kb test`` also runs the error patterns' examples."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import run_cli

MANIFEST = 'name: broken-patterns\ncontent_version: "1"\nformat_version: 1\n'
PATTERNS = """\
patterns:
  - id: acme-reset
    stack: acme
    regex: 'acme link reset'
    literal: acme link reset
    sets: {error_kind: reset}
    examples:
      match: ["ACME: link was reset"]
"""


def test_pattern_example_that_does_not_match_fails_kb_test(tmp_path: Path) -> None:
    """A pattern whose own example does not match makes `kb test` exit 1 naming it."""
    (tmp_path / "manifest.yaml").write_text(MANIFEST)
    (tmp_path / "errors").mkdir()
    (tmp_path / "errors" / "acme.yaml").write_text(PATTERNS)
    result = run_cli("kb", "test", "--kb", str(tmp_path))
    assert result.code == 1
    assert "FAIL pattern" in result.out and "acme-reset" in result.out
    assert "error patterns: 1 failed" in result.err


def test_builtin_patterns_pass_kb_test() -> None:
    """The built-in KB's pattern examples all behave."""
    result = run_cli("kb", "test")
    assert "error patterns: 0 failed" in result.err


def test_regex_branch_without_the_literal_fails_kb_test(tmp_path: Path) -> None:
    """A regex that can match text lacking its literal (never read) fails `kb test`, with a text."""
    (tmp_path / "manifest.yaml").write_text(MANIFEST)
    (tmp_path / "errors").mkdir()
    (tmp_path / "errors" / "acme.yaml").write_text(PATTERNS.replace(
        "regex: 'acme link reset'", "regex: 'acme link reset|acme port reset'").replace(
        'match: ["ACME: link was reset"]', 'match: ["acme link reset"]'))
    result = run_cli("kb", "test", "--kb", str(tmp_path))
    assert result.code == 1
    assert "acme-reset" in result.out and "without the literal 'acme link reset'" in result.out
    assert "'acme port reset'" in result.out
