"""The streams and terminal facts a command runs with, injectable for tests.

Commands never touch ``sys.stdout`` or ``os.environ`` for presentation
decisions directly: they ask the Environment, so a test can hand in string
buffers (no terminal) or a pseudo-terminal and see what a user would see.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: --help should not pay for importing typing
if TYPE_CHECKING:
    from typing import TextIO


def _isatty(stream: object) -> bool:
    try:
        return bool(getattr(stream, "isatty", lambda: False)())
    except ValueError:  # a closed stream
        return False


class Environment:
    """Where results (stdout) and messages (stderr) go, and whether colour is wanted.

    A plain class rather than a dataclass: importing dataclasses (and inspect)
    costs every command, ``--help`` included, about 15 ms.
    """

    def __init__(self, stdout: TextIO | None = None, stderr: TextIO | None = None,
                 stdin: TextIO | None = None, *, quiet: bool = False, verbose: bool = False,
                 no_colour: bool = False) -> None:
        self.stdout: TextIO = stdout if stdout is not None else sys.stdout
        self.stderr: TextIO = stderr if stderr is not None else sys.stderr
        self.stdin: TextIO = stdin if stdin is not None else sys.stdin
        self.quiet = quiet
        self.verbose = verbose
        self.no_colour = no_colour

    @property
    def stdin_isatty(self) -> bool:
        """True when a person can answer prompts."""
        return _isatty(self.stdin)

    @property
    def stdout_isatty(self) -> bool:
        """True when results go to a terminal (rich tables); False for pipes and files."""
        return _isatty(self.stdout)

    @property
    def colour(self) -> bool:
        """Colour only on a terminal, never with --no-color, NO_COLOR or TERM=dumb."""
        if self.no_colour or os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
            return False
        return self.stdout_isatty

    def message(self, text: str) -> None:
        """A progress or status line on stderr (silenced by --quiet)."""
        if not self.quiet:
            print(text, file=self.stderr, flush=True)

    def detail(self, text: str) -> None:
        """A line for --verbose only (on stderr)."""
        if self.verbose and not self.quiet:
            print(text, file=self.stderr, flush=True)

    def error(self, text: str) -> None:
        """A one-line error on stderr (never silenced)."""
        print(f"conndoctor: error: {text}", file=self.stderr, flush=True)
