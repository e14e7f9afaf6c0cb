"""The held-out error-line sets and the one rule that scores a reading of them.

A line labelled ``unknown`` is one that does not say how the connection
failed (rounds 7 and 8 keep such lines, as users paste them). Reading it
right means claiming no kind: leaving ``error_kind`` unset or setting
``unknown``. Every other label must be matched exactly. Rounds 1-6 hold no
``unknown`` labels, so their scores are the same under this rule.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from engine.errortext import ErrorReader

DATA = Path(__file__).resolve().parent / "data"


def heldout_files() -> list[Path]:
    """Every held-out set, in round order."""
    return sorted(DATA.glob("heldout_errors*.yaml"), key=lambda f: (len(f.name), f.name))


def heldout_lines(file: Path) -> list[dict[str, Any]]:
    """The entries of one set: ``line``, ``error_kind``, ``source`` and more."""
    lines: list[dict[str, Any]] = yaml.safe_load(file.read_text(encoding="utf-8"))["lines"]
    return lines


def claimed_kind(got: str | None) -> str | None:
    """The kind a reading claims: ``None`` when it sets none or sets ``unknown``.

    A pattern sets ``unknown`` to say "this text does not tell how it
    failed" (and to keep a vaguer pattern from guessing), so such a reading
    leaves a line unread; it is never a misreading.
    """
    return None if got == "unknown" else got


def kind_claimed_by(reader: ErrorReader, line: str) -> str | None:
    """The kind the reader claims for a held-out line (``None``: none, or ``unknown``)."""
    return claimed_kind(reader.read(line).get("error_kind", (None,))[0])


def read_right(got: str | None, want: str) -> bool:
    """Whether a reading (``None``: no error_kind set) matches the label."""
    if want == "unknown":
        return claimed_kind(got) is None
    return got == want
