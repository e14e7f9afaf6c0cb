"""An extra KB whose regex backtracks catastrophically is rejected before it reads any text.

``kb validate``, ``kb test`` and every command given ``--kb`` refuse it with one
line naming the file, the line, the pattern, the hostile line's shape and
time, and the fix; patterns that split a line only one way pass.
"""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import pytest

from tests.conftest import REPO, run_cli

PATTERNS = """\
patterns:
  - id: nested-plus
    stack: generic
    regex: '(a+)+$'
    sets: {error_kind: reset}
    examples:
      match: ["aaaa"]
  - id: words-and-spaces
    stack: generic
    regex: '(\\w+\\s?)*$'
    sets: {error_kind: reset}
    examples:
      match: ["connection reset"]
  - id: twelve-dot-stars
    stack: generic
    regex: '(.*a){12}'
    sets: {error_kind: reset}
    examples:
      match: ["aaaaaaaaaaaa"]
  - id: ip-address
    stack: generic
    regex: 'connect to (?:\\d{1,3}\\.){3}\\d{1,3} refused'
    sets: {error_kind: refused}
    examples:
      match: ["connect to 10.0.0.1 refused"]
  - id: words-unambiguous
    stack: generic
    regex: 'reset: \\w+(?: \\w+)*$'
    sets: {error_kind: reset}
    examples:
      match: ["reset: by peer"]
"""
# (line, id, regex as quoted in the message) of each slow pattern, in file order.
SLOW = [(4, "nested-plus", r"'(a+)+$'"), (10, "words-and-spaces", r"'(\\w+\\s?)*$'"),
        (16, "twelve-dot-stars", r"'(.*a){12}'")]


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    monkeypatch.setenv("CONNDOCTOR_NO_CACHE", "1")
    monkeypatch.delenv("CONNDOCTOR_KB_PATH", raising=False)


def _kb(tmp_path: Path, patterns: str = PATTERNS) -> Path:
    """The small valid fixture KB (to load without the built-in KB) with an errors.yaml."""
    kb_dir = tmp_path / "b_redos"
    shutil.copytree(REPO / "tests" / "kb" / "broken" / "valid", kb_dir)
    (kb_dir / "errors.yaml").write_text(patterns, encoding="utf-8")
    return kb_dir


def _extra_kb(tmp_path: Path) -> Path:
    """An extra KB of error patterns only, for the built-in KB's vocabulary (the QA report's)."""
    kb_dir = tmp_path / "b_redos"
    kb_dir.mkdir()
    (kb_dir / "manifest.yaml").write_text('name: b-redos\ncontent_version: "1.0"\n',
                                          encoding="utf-8")
    (kb_dir / "errors.yaml").write_text(PATTERNS, encoding="utf-8")
    return kb_dir


def _expected_line(kb_dir: Path, line: int, pattern_id: str, regex: str) -> re.Pattern[str]:
    return re.compile(
        re.escape(f"{kb_dir}/errors.yaml:{line}: error: {pattern_id}: regex backtracks "
                  "catastrophically: a search of ")
        + r"'a' × \d+ \+ '.'( × \d+)? \(\d+ characters\) (took|was stopped after) "
        r"[\d.]+ m?s of CPU( \(\d+ characters: [\d.]+ m?s\))?, so a 10,000-character stretch "
        r"of a line takes [\d.]+ m?s or more; "
        + re.escape("make the repeats unambiguous, so each part of a line can match only one "
                    "way ('a+' for '(a+)+', '\\w+(?: \\w+)*' for '(\\w+\\s?)*'), possessive "
                    "('\\w++') or bounded ('{1,30}') (got " + regex + ")")
    )


def test_validate_names_each_slow_pattern_in_one_line(tmp_path: Path) -> None:
    """Three slow patterns: three lines (file:line, id, shape, time, fix, regex), exit 1."""
    kb_dir = _kb(tmp_path)
    result = run_cli("kb", "validate", "--no-builtin", "--kb", str(kb_dir))
    lines = result.out.splitlines()
    assert result.code == 1
    assert len(lines) == len(SLOW), result.out
    for line, (number, pattern_id, regex) in zip(lines, SLOW, strict=True):
        assert _expected_line(kb_dir, number, pattern_id, regex).fullmatch(line), line
    assert result.err == "conndoctor: error: 3 error(s) in the knowledge base\n"


def test_the_built_in_kb_still_validates_beside_the_slow_extra_kb(tmp_path: Path) -> None:
    """With the built-in KB loaded too, only the extra KB's three patterns are errors."""
    result = run_cli("kb", "validate", "--kb", str(_extra_kb(tmp_path)))
    assert result.code == 1
    assert [line.split(": ")[2] for line in result.out.splitlines()] == \
        [pattern_id for _, pattern_id, _ in SLOW]


def test_normal_patterns_validate(tmp_path: Path) -> None:
    """Bounded and unambiguous repeats pass: the KB validates."""
    normal = PATTERNS[PATTERNS.index("  - id: ip-address"):]
    result = run_cli("kb", "validate", "--no-builtin", "--kb",
                     str(_kb(tmp_path, "patterns:\n" + normal)))
    assert (result.code, result.out) == (0, "ok: 2 causes, 7 observations, 4 rules, "
                                            "2 error patterns, 2 cases (fixture 1.0)\n")


def test_kb_test_refuses_the_kb_in_one_line(tmp_path: Path) -> None:
    """``kb test`` stops at the load with the first error and a pointer to validate."""
    kb_dir = _kb(tmp_path)
    result = run_cli("kb", "test", "--no-builtin", "--kb", str(kb_dir))
    assert result.code == 1
    assert result.err.startswith(f"conndoctor: error: {kb_dir}/errors.yaml:4: "
                                 "nested-plus: regex backtracks catastrophically: ")
    assert result.err.endswith(" (and 2 more; run 'conndoctor kb validate')\n")
    assert result.err.count("\n") == 1


def test_diagnose_with_the_slow_kb_fails_fast_instead_of_reading_the_hostile_line(
    tmp_path: Path,
) -> None:
    """The QA report's 15 s of CPU: now a one-line refusal, in about a second at most."""
    start = time.monotonic()
    result = run_cli("diagnose", "--no-input", "--no-probes", "--kb", str(_extra_kb(tmp_path)),
                     "--error", "a" * 28 + "!")
    assert time.monotonic() - start < 5
    assert result.code == 1
    assert "nested-plus: regex backtracks catastrophically" in result.err
    assert "Traceback" not in result.err
