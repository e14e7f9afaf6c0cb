"""The exceptions the engine raises, all under ``ConndoctorError``.

- ``ConndoctorError``: anything the user can fix; its ``str`` is one line.
  - ``KBError``: a knowledge base that cannot be used; holds every ``KBIssue``
    (file, line, message; ``kb lint`` reuses ``KBIssue`` with severity
    ``warning`` and a ``code``).
  - ``FactError``: an unknown fact id or a value the fact does not allow.
  - ``InputError``: an unreadable or malformed input file (facts, probe results, logs).

The CLI's error boundary turns each into a one-line message and exit status 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


def display_path(file: Path) -> str:
    """``file`` relative to the working directory when it lies below it, else as given."""
    if file.is_absolute():
        try:
            return str(file.relative_to(Path.cwd()))
        except ValueError:
            return str(file)
    return str(file)


class ConndoctorError(Exception):
    """A failure the user can fix; ``str(error)`` is a one-line explanation."""


@dataclass(frozen=True)
class KBIssue:
    """One problem in one KB file, at one line, about one id."""

    file: Path | None
    line: int | None
    message: str
    severity: str = "error"
    code: str | None = None

    def __str__(self) -> str:
        code = f" [{self.code}]" if self.code else ""
        if self.file is None:
            return f"{self.severity}: {self.message}{code}"
        where = display_path(self.file)
        if self.line is not None:
            where += f":{self.line}"
        return f"{where}: {self.severity}: {self.message}{code}"

    def without_severity(self) -> str:
        """``file:line: message``: the line a command prints after its own ``error:``."""
        text = str(self)
        return text.replace(f"{self.severity}: ", "", 1) if self.severity == "error" else text

    def sort_key(self) -> tuple[str, int, str]:
        """Order issues by file, then line, so a contributor reads each file top down."""
        return (str(self.file or ""), self.line or 0, self.message)

    def to_json(self) -> dict[str, object]:
        """The issue as a JSON object (``kb validate --format json``, ``kb lint --format json``)."""
        return {
            "file": display_path(self.file) if self.file is not None else None,
            "line": self.line,
            "severity": self.severity,
            "message": self.message,
            "code": self.code,
        }


class KBError(ConndoctorError):
    """A knowledge base with errors; ``issues`` holds all of them, not just the first."""

    def __init__(self, issues: list[KBIssue]) -> None:
        self.issues = issues
        first = "invalid knowledge base"
        if issues:
            first = issues[0].without_severity() if issues[0].file is not None \
                else issues[0].message
        more = ""
        if len(issues) > 1:
            more = f" (and {len(issues) - 1} more; run 'conndoctor kb validate')"
        super().__init__(first + more)


class FactError(ConndoctorError):
    """An unknown fact id or a value it does not allow."""


class InputError(ConndoctorError):
    """An input file that cannot be read or does not have the expected shape."""
