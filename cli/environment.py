"""The streams and terminal facts a command runs with, injectable for tests."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from typing import TextIO


@dataclass
class Environment:
    """Where results (stdout) and messages (stderr) go, and whether colour is wanted."""

    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    stderr: TextIO = field(default_factory=lambda: sys.stderr)
    stdin: TextIO = field(default_factory=lambda: sys.stdin)
    quiet: bool = False
    verbose: bool = False

    @property
    def stdin_isatty(self) -> bool:
        """True when a person can answer prompts."""
        return bool(getattr(self.stdin, "isatty", lambda: False)())

    @property
    def colour(self) -> bool:
        """Colour only on a terminal and never when NO_COLOR is set."""
        if os.environ.get("NO_COLOR"):
            return False
        return bool(getattr(self.stdout, "isatty", lambda: False)())

    def message(self, text: str) -> None:
        """A progress or status line on stderr (silenced by --quiet)."""
        if not self.quiet:
            print(text, file=self.stderr, flush=True)

    def error(self, text: str) -> None:
        """A one-line error on stderr (never silenced)."""
        print(f"conndoctor: error: {text}", file=self.stderr, flush=True)
