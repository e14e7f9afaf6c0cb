"""Render a report in the chosen format and write it to stdout or a file atomically.

The formats are an enum, and every member has a renderer (a test checks it),
so adding a format to the command line without a renderer cannot ship. Text on
a terminal goes through rich (tables, colour unless NO_COLOR); text anywhere
else is the plain, stable renderer, which is what pipes, files and golden
tests see.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from cli.environment import Environment
from cli.formats import Format
from engine.errors import InputError
from engine.report import DiagnosisReport


def _render_json(report: DiagnosisReport, _colour: bool) -> str:
    return report.model_dump_json(indent=2) + "\n"


def _render_text(report: DiagnosisReport, colour: bool) -> str:
    from cli.render_text import render_text

    return render_text(report, colour=colour)


def _render_markdown(report: DiagnosisReport, _colour: bool) -> str:
    from cli.render_markdown import render_markdown

    return render_markdown(report)


RENDERERS: dict[Format, Callable[[DiagnosisReport, bool], str]] = {
    Format.JSON: _render_json,
    Format.TEXT: _render_text,
    Format.MARKDOWN: _render_markdown,
}


def render(report: DiagnosisReport, fmt: str | Format, colour: bool = False) -> str:
    """The report as a string in one format (plain text for ``text``)."""
    return RENDERERS[Format(fmt)](report, colour)


def write_report(
    report: DiagnosisReport, fmt: str | Format, env: Environment, output: str | None = None
) -> None:
    """Print the report on stdout, or write it to ``output`` atomically."""
    fmt = Format(fmt)
    if output is not None:
        write_atomically(Path(output), render(report, fmt))
        env.message(f"report written to {output}")
        return
    if fmt is Format.TEXT and env.stdout_isatty:
        from cli.render_rich import print_rich

        print_rich(report, env)
        return
    env.stdout.write(render(report, fmt, env.colour))
    env.stdout.flush()


def write_atomically(path: Path, text: str, flag: str = "--output") -> None:
    """Write via a temporary file in the same directory and rename over the target."""
    import tempfile  # only here: it costs ~10 ms of start-up that stdout output does not need

    directory = path.parent if str(path.parent) else Path()
    try:
        handle, temporary = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.")
    except OSError as error:
        raise InputError(f"{flag} {path}: cannot write: {error.strerror}") from error
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        Path(temporary).replace(path)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise InputError(f"{flag} {path}: cannot write: {error.strerror}") from error
