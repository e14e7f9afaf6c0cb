"""The guided questionnaire (the only module that imports questionary)."""

from __future__ import annotations

import argparse

from cli.environment import Environment
from cli.exitcodes import Exit


def run_questionnaire(args: argparse.Namespace, env: Environment) -> int:
    """Ask the next most useful question until the diagnosis is clear."""
    env.error("the guided questionnaire is not built yet; use 'diagnose --no-input' with flags")
    return Exit.FAILED
