"""``--log FILE``: read a log or stack trace (bounded) for connection errors."""

from __future__ import annotations

import sys
from pathlib import Path

from cli.environment import Environment
from cli.inputs import error_records
from engine.errors import InputError
from engine.facts import FactRecord, Source
from engine.session import Session

MAX_LOG_BYTES = 1_000_000


def log_records(session: Session, file: str, env: Environment) -> list[FactRecord]:
    """Statements read from a log file ('-' is stdin), at most MAX_LOG_BYTES."""
    try:
        if file == "-":
            raw = sys.stdin.buffer.read(MAX_LOG_BYTES)
        else:
            with Path(file).open("rb") as handle:
                raw = handle.read(MAX_LOG_BYTES)
    except OSError as error:
        raise InputError(f"--log {file}: cannot read: {error.strerror}") from error
    text = raw.decode("utf-8", errors="replace")
    records = [r for r in error_records(session, text, Source.LOG) if r.fact != "error"]
    return records
