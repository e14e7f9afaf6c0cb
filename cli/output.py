"""Render a report in the chosen format and write it to stdout or a file atomically.

The formats are an enum, and every member has a renderer (a test checks it),
so adding a format to the command line without a renderer cannot ship. Text on
a terminal goes through rich (tables, colour unless NO_COLOR); text anywhere
else is the plain, stable renderer, which is what pipes, files and golden
tests see.
"""

from __future__ import annotations

import os
import stat
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
    """Print the report on stdout (also for ``--output -``), or write it to ``output``."""
    fmt = Format(fmt)
    if output is not None and output != "-":
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
    """Write ``text`` to ``path`` so that a reader never sees half of it.

    A regular file (or a new one) is written to a temporary file beside it and
    renamed over it, keeping the old file's permissions. A symbolic link is
    followed: its target is replaced, the link stays. Anything else that
    already exists -- ``/dev/null``, ``/dev/stdout``, a FIFO, a terminal -- is
    written in place: renaming over it would replace a device node with a
    plain file, which as root breaks the whole system.
    """
    target = Path(os.path.realpath(path))
    try:
        existing = target.stat()
    except FileNotFoundError:
        existing = None
    except OSError as error:
        raise InputError(f"{flag} {path}: cannot write: {error.strerror}") from error
    if existing is not None and stat.S_ISDIR(existing.st_mode):
        raise InputError(f"{flag} {path}: is a directory; give a file name")
    if existing is not None and not stat.S_ISREG(existing.st_mode):
        _write_in_place(target, text, path, flag)
        return
    _replace_file(target, text, existing, path, flag)


def _write_in_place(target: Path, text: str, shown: Path, flag: str) -> None:
    """Write into a device, FIFO or terminal as it is (no rename: it must stay what it is)."""
    try:
        with target.open("w", encoding="utf-8") as stream:
            stream.write(text)
    except OSError as error:
        raise InputError(f"{flag} {shown}: cannot write: {error.strerror}") from error


def _replace_file(target: Path, text: str, existing: os.stat_result | None, shown: Path,
                  flag: str) -> None:
    """Write a temporary file beside ``target`` and rename it over the target."""
    import tempfile  # only here: it costs ~10 ms of start-up that stdout output does not need

    try:
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    except OSError as error:
        raise InputError(f"{flag} {shown}: cannot write: {error.strerror}") from error
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        # mkstemp makes 0600; keep the old file's mode, or give a new one the umask's
        Path(temporary).chmod(stat.S_IMODE(existing.st_mode) if existing else _default_mode())
        if existing is not None and os.geteuid() == 0:
            os.chown(temporary, existing.st_uid, existing.st_gid)
        Path(temporary).replace(target)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise InputError(f"{flag} {shown}: cannot write: {error.strerror}") from error


def _default_mode() -> int:
    """The mode ``open()`` would give a new file: 0666 less the process's umask."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask
