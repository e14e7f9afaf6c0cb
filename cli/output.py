"""Render a report in the chosen format and write it to stdout or a file atomically."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from cli.environment import Environment
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


RENDERERS: dict[str, Callable[[DiagnosisReport, bool], str]] = {
    "json": _render_json,
    "text": _render_text,
    "markdown": _render_markdown,
}


def write_report(
    report: DiagnosisReport, fmt: str, env: Environment, output: str | None = None
) -> None:
    """Print the report on stdout, or write it to ``output`` atomically."""
    if output is None:
        env.stdout.write(RENDERERS[fmt](report, env.colour))
        env.stdout.flush()
        return
    write_atomically(Path(output), RENDERERS[fmt](report, False))
    env.message(f"report written to {output}")


def write_atomically(path: Path, text: str) -> None:
    """Write via a temporary file in the same directory and rename over the target."""
    directory = path.parent if str(path.parent) else Path()
    try:
        handle, temporary = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.")
    except OSError as error:
        raise InputError(f"--output {path}: cannot write: {error.strerror}") from error
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        Path(temporary).replace(path)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise InputError(f"--output {path}: cannot write: {error.strerror}") from error
