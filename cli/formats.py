"""The report formats, as an enum light enough for the argument parser.

``cli.output`` maps every member to a renderer (a test checks that none is
missing); the parser takes its ``--format`` choices from here, so the two
cannot drift apart, and ``--help`` does not pay for importing the renderers.
"""

from __future__ import annotations

from enum import StrEnum


class Format(StrEnum):
    """The report formats of ``diagnose --format`` and ``demo --format``."""

    TEXT = "text"
    JSON = "json"
    MARKDOWN = "markdown"


FORMAT_NAMES = [member.value for member in Format]
