"""``kb validate`` messages for broken KBs, pinned by golden files.

Each directory under ``tests/kb/broken/`` is a small KB with one class of
mistake (a directory with ``base/`` and ``extra/`` is loaded as two KB
directories); ``tests/kb/golden/<name>.txt`` holds the command and exactly
what a contributor sees: stdout, stderr and the exit status. A change to a
message is a visible diff. Regenerate after an intended change with
``UPDATE_GOLDEN=1 python -m pytest tests/kb/test_validate_golden.py``.

| class of mistake | fixture |
| --- | --- |
| malformed YAML | malformed-yaml |
| wrong types, empty strings, out-of-range numbers | wrong-type, value-shapes |
| unknown keys (allowed keys, did you mean) | unknown-key, condition-shape |
| unknown ids: facts, causes | unknown-fact, nested-value, probe-sets-unknown-fact, unknown-cause |
| duplicate ids (naming both files) | duplicate-id, duplicate-across-dirs |
| `replaces: true` that replaces nothing (and one that does) | replaces-nothing |
| duplicate YAML keys | duplicate-key |
| cycles in derivation rules | derivation-cycle |
| a regex that does not compile | bad-regex |
| a file that is not UTF-8 | not-utf8 |
| a directory that does not exist, or is a file | missing-directory, not-a-directory |
| unknown files and directories, .yml | unknown-file, yml-extension |
| a KB without manifest, a wrong format_version | missing-manifest, format-version |
| operators that do not fit the fact's type | operator-type |
| values the fact does not allow (did you mean) | bad-value, nested-value |
| lines inside nested all/any/not | nested-condition, nested-value |
| a list or a scalar at top level, an empty file | top-level-list |
| rule ids outside their cause, misnamed cause file | rule-naming, cause-file-name |
| several mistakes in one file, all reported | mixed-errors |
| a case expectation that checks nothing | empty-expectation |
| a remedy's `first_when` naming a rule the cause does not have | remedy-first-when |
| a question's `skip_when` with an unknown fact or a value it does not allow | question-skip-when |
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import REPO, run_cli

BROKEN = REPO / "tests" / "kb" / "broken"
GOLDEN = REPO / "tests" / "kb" / "golden"
EXTRA_CASES = {
    "missing-directory": ["tests/kb/broken/does-not-exist"],
    "not-a-directory": ["tests/kb/broken/valid/manifest.yaml"],
}


def _kb_args(name: str) -> list[str]:
    if name in EXTRA_CASES:
        return EXTRA_CASES[name]
    fixture = BROKEN / name
    if (fixture / "base").is_dir():
        return [f"tests/kb/broken/{name}/{sub}" for sub in ("base", "extra")]
    return [f"tests/kb/broken/{name}"]


NAMES = sorted([p.name for p in BROKEN.iterdir() if p.is_dir()] + list(EXTRA_CASES))


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    monkeypatch.setenv("CONNDOCTOR_NO_CACHE", "1")
    monkeypatch.delenv("CONNDOCTOR_KB_PATH", raising=False)


def _transcript(name: str) -> tuple[str, int]:
    argv = ["kb", "validate", "--no-builtin"]
    for directory in _kb_args(name):
        argv += ["--kb", directory]
    result = run_cli(*argv)
    text = (f"$ conndoctor {' '.join(argv)}\n{result.out}[stderr]\n{result.err}"
            f"[exit {result.code}]\n")
    return text, result.code


@pytest.mark.parametrize("name", NAMES)
def test_validate_output_matches_golden_file(name: str) -> None:
    """The broken KB gives exactly the pinned lines, and exit 1 (0 for the valid one)."""
    text, code = _transcript(name)
    golden = GOLDEN / f"{name}.txt"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        golden.write_text(text, encoding="utf-8")
    assert golden.is_file(), f"no golden file {golden}; run with UPDATE_GOLDEN=1"
    assert text == golden.read_text(encoding="utf-8")
    assert code == (0 if name == "valid" else 1)


def test_every_golden_file_has_its_fixture() -> None:
    """No golden file is left behind when a fixture is removed."""
    assert sorted(p.stem for p in GOLDEN.glob("*.txt")) == NAMES


@pytest.mark.parametrize("name", [n for n in NAMES if n != "valid"])
def test_every_error_line_names_file_and_line_or_directory(name: str) -> None:
    """Each error is one line 'FILE[:LINE]: error: ...' and no traceback is shown."""
    text, _ = _transcript(name)
    out = text.split("\n", 1)[1].split("[stderr]")[0]
    lines = out.splitlines()
    assert lines, "an error class with no message"
    for line in lines:
        where, severity, _message = line.split(": ", 2)
        assert severity == "error"
        assert where.startswith("tests/kb/broken/")
    assert "Traceback" not in text


def test_validate_json_lists_every_error_with_file_and_line() -> None:
    """``--format json`` gives the same errors as objects with file, line and message."""
    import json

    result = run_cli("kb", "validate", "--no-builtin", "--format", "json",
                     "--kb", "tests/kb/broken/unknown-key")
    body = json.loads(result.out)
    assert result.code == 1
    assert body["ok"] is False
    assert [(e["file"], e["line"]) for e in body["errors"]] == [
        ("tests/kb/broken/unknown-key/causes/keepalive-race.yaml", 9),
        ("tests/kb/broken/unknown-key/causes/keepalive-race.yaml", 15),
    ]
    assert "did you mean 'because'?" in body["errors"][0]["message"]


def test_relative_and_absolute_paths_name_the_same_file(tmp_path: Path) -> None:
    """A KB outside the working directory is named by its absolute path."""
    import shutil

    copy = tmp_path / "kb"
    shutil.copytree(BROKEN / "duplicate-key", copy)
    result = run_cli("kb", "validate", "--no-builtin", "--kb", str(copy))
    assert result.out.startswith(f"{copy}/causes/keepalive-race.yaml:9: error: ")


def test_no_message_repeats_pydantic_wording() -> None:
    """Every schema error is rewritten for a KB author (no 'Input should ...', no type labels)."""
    for golden in GOLDEN.glob("*.txt"):
        text = golden.read_text(encoding="utf-8")
        for raw in ("Input should", "Field required", "Extra inputs", "union[", "'str' must"):
            assert raw not in text, f"{golden.name}: {raw!r}"
