"""Renderers: every format has one, the text and Markdown reports match golden files,
rich is used only on a terminal, colour follows NO_COLOR, --output writes atomically."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest

from cli.environment import Environment
from cli.formats import FORMAT_NAMES, Format
from cli.output import RENDERERS, render, write_report
from cli.render_text import render_text
from engine.report import DiagnosisReport

FIXTURES = Path(__file__).parent / "fixtures"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"


def fixed_report() -> DiagnosisReport:
    """The fixed input of the golden tests (a real report, hand-extended with a runner-up)."""
    return DiagnosisReport.model_validate_json((FIXTURES / "report.json").read_text())


def check_golden(name: str, text: str) -> None:
    """Compare with a golden file; UPDATE_GOLDEN=1 rewrites it instead."""
    path = FIXTURES / name
    if UPDATE:
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"{name} differs (UPDATE_GOLDEN=1 to accept)"


class FakeTerminal(io.StringIO):
    """A string buffer that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def test_every_format_has_a_renderer() -> None:
    """Each member of the Format enum renders; the parser offers exactly these."""
    assert set(RENDERERS) == set(Format)
    assert FORMAT_NAMES == ["text", "json", "markdown"]
    for fmt in Format:
        assert render(fixed_report(), fmt).strip()


def test_text_report_matches_golden() -> None:
    """The plain text report of the fixed input is byte-for-byte the golden file."""
    check_golden("report.txt", render_text(fixed_report()))


def test_markdown_report_matches_golden() -> None:
    """The Markdown report of the fixed input is byte-for-byte the golden file."""
    check_golden("report.md", render(fixed_report(), Format.MARKDOWN))


def test_json_round_trips_with_schema_version() -> None:
    """The JSON renderer gives the contract's document back unchanged."""
    data = json.loads(render(fixed_report(), Format.JSON))
    assert data["schema_version"] == 1
    assert DiagnosisReport.model_validate(data) == fixed_report()


def test_plain_text_when_piped_has_no_escape_codes() -> None:
    """Writing to a pipe gives the plain renderer: no ANSI codes, no box drawing."""
    out = io.StringIO()
    write_report(fixed_report(), "text", Environment(stdout=out, stderr=io.StringIO()))
    assert out.getvalue() == render_text(fixed_report())
    assert "\033[" not in out.getvalue()


def test_terminal_gets_rich_table_and_colour(monkeypatch: pytest.MonkeyPatch) -> None:
    """On a terminal the ranking is a rich table with a confidence bar, in colour."""
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    out = FakeTerminal()
    write_report(fixed_report(), "text", Environment(stdout=out, stderr=io.StringIO()))
    text = out.getvalue()
    assert "\033[" in text
    assert "███████·" in text and "73%" in text
    assert "How: why keepalive-race ranks first" in text


def test_no_color_on_a_terminal_keeps_tables_drops_colour(monkeypatch: pytest.MonkeyPatch) -> None:
    """NO_COLOR removes every colour code, the table stays."""
    monkeypatch.setenv("NO_COLOR", "1")
    out = FakeTerminal()
    write_report(fixed_report(), "text", Environment(stdout=out, stderr=io.StringIO()))
    assert "\033[" not in out.getvalue()
    assert "keepalive-race" in out.getvalue() and "73%" in out.getvalue()


def test_output_file_is_written_atomically(tmp_path: Path) -> None:
    """--output replaces the file in one rename and leaves no temporary file behind."""
    target = tmp_path / "report.md"
    target.write_text("old")
    err = io.StringIO()
    write_report(fixed_report(), "markdown", Environment(stdout=io.StringIO(), stderr=err),
                 str(target))
    assert target.read_text() == render(fixed_report(), Format.MARKDOWN)
    assert [p.name for p in tmp_path.iterdir()] == ["report.md"]
    assert "report written to" in err.getvalue()


def test_output_keeps_a_files_mode_and_follows_a_symlink(tmp_path: Path) -> None:
    """A report written over a 0644 file stays 0644; a symlink stays a symlink to it."""
    target = tmp_path / "report.json"
    target.write_text("old")
    target.chmod(0o644)
    link = tmp_path / "latest.json"
    link.symlink_to(target)
    env = Environment(stdout=io.StringIO(), stderr=io.StringIO())
    write_report(fixed_report(), "json", env, str(link))
    assert link.is_symlink() and link.resolve() == target
    assert json.loads(target.read_text())["kb_version"] == fixed_report().kb_version
    assert target.stat().st_mode & 0o777 == 0o644
    assert sorted(p.name for p in tmp_path.iterdir()) == ["latest.json", "report.json"]


def test_output_into_a_fifo_or_device_writes_into_it(tmp_path: Path) -> None:
    """--output /dev/null, a FIFO or a terminal is written into, never replaced by a file
    (renaming over /dev/null as root would turn the device into a plain file)."""
    import threading

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[str] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_text()), daemon=True)
    reader.start()
    env = Environment(stdout=io.StringIO(), stderr=io.StringIO())
    write_report(fixed_report(), "markdown", env, str(fifo))
    reader.join(timeout=10)
    assert received == [render(fixed_report(), Format.MARKDOWN)]
    assert fifo.is_fifo()
    write_report(fixed_report(), "json", env, os.devnull)
    assert Path(os.devnull).is_char_device()


def test_output_dash_is_stdout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """--output - prints the report, as '-' means for --log; no file named '-' appears."""
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    write_report(fixed_report(), "json", Environment(stdout=out, stderr=io.StringIO()), "-")
    assert json.loads(out.getvalue())["kb_version"] == fixed_report().kb_version
    assert list(tmp_path.iterdir()) == []


def test_output_to_a_directory_is_a_one_line_error(tmp_path: Path) -> None:
    """A directory given as --output is refused with its name, and left as it was."""
    from engine.errors import InputError

    with pytest.raises(InputError, match=r"--output .*: is a directory"):
        write_report(fixed_report(), "json", Environment(stdout=io.StringIO(),
                                                         stderr=io.StringIO()), str(tmp_path))
    assert tmp_path.is_dir()


def test_terminal_table_names_vantage_points_when_there_are_several(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Probe results from two vantage points get a 'from' column on a terminal."""
    monkeypatch.setenv("NO_COLOR", "1")
    report = fixed_report()
    first = report.probes[0].model_copy(update={"vantage": "client-7 (10.0.1.9)"})
    second = first.model_copy(update={"vantage": "bastion (10.0.9.1)"})
    report = report.model_copy(update={"probes": [first, second]})
    out = FakeTerminal()
    write_report(report, "text", Environment(stdout=out, stderr=io.StringIO()))
    assert "from" in out.getvalue().splitlines()[1]
    assert "client-7 (10.0.1.9)" in out.getvalue() and "bastion (10.0.9.1)" in out.getvalue()


def test_no_color_flag_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """--no-color (before or after the command) removes colour on a terminal."""
    from cli.main import main

    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    for argv in (["--no-color", "diagnose"], ["diagnose", "--no-colour"]):
        out = FakeTerminal()
        env = Environment(stdout=out, stderr=io.StringIO(), stdin=io.StringIO())
        assert main([*argv, "--no-input", "--error", "connection refused"], env) == 0
        assert "\033[" not in out.getvalue() and "Diagnosis" in out.getvalue()


def test_why_not_is_in_markdown_too_and_says_what_cannot_come() -> None:
    """--why-not with --format markdown has its section (before: only text and JSON), and a
    derived fact that can no longer be derived reads as such, not as 'None'."""
    from tests.conftest import run_cli

    result = run_cli("diagnose", "--no-input", "--error", "connection refused",
                     "--why-not", "keepalive-race", "--format", "markdown")
    assert result.code == 0, result.err
    section = result.out.split("## Why not `keepalive-race`?", 1)[1]
    assert "keepalive-race.reset-on-reuse: failed on reset_on_reuse (can no longer be derived)" \
        in section
    assert "None" not in section


def test_control_characters_in_a_pasted_error_are_shown_not_obeyed() -> None:
    """An escape sequence in --error (a terminal title, a screen clear) is echoed as text,
    so printing the report cannot take over the user's terminal."""
    from tests.conftest import run_cli

    result = run_cli("diagnose", "--no-input", "--error",
                     "\x1b]0;pwned\x07\x1b[2J connection reset by peer")
    assert result.code == 0, result.err
    assert "\x1b" not in result.out and "\x07" not in result.out
    assert "\\x1b]0;pwned\\x07\\x1b[2J connection reset by peer" in result.out


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_a_supported_cause_under_half_a_percent_reads_below_one_not_zero(fmt: str) -> None:
    """'0%' would read as ruled out; a cause with support at 0.4 % shows '<1%'."""
    report = fixed_report()
    faint = report.diagnoses[-1].model_copy(update={"confidence": 0.004})
    report = report.model_copy(update={"diagnoses": [*report.diagnoses[:-1], faint]})
    text = render(report, fmt)
    assert "<1%" in text
    assert not any(line.rstrip().endswith(" 0%") or " 0% |" in line
                   for line in text.splitlines() if faint.cause in line)
