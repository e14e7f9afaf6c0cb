"""Shared fixtures: the loaded built-in KB, a CLI runner, and the lab gate."""

from __future__ import annotations

import io
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from cli.environment import Environment
from cli.main import main
from engine.kbmodel import KnowledgeBase
from engine.loader import load_kb

REPO = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture(scope="session")
def knowledge() -> KnowledgeBase:
    """The built-in KB, loaded once."""
    return load_kb()


@dataclass
class CliResult:
    """What a command printed and returned."""

    code: int
    out: str
    err: str


def run_cli(*argv: str) -> CliResult:
    """Run conndoctor in-process with captured streams and no terminal."""
    out, err = io.StringIO(), io.StringIO()
    env = Environment(stdout=out, stderr=err, stdin=io.StringIO(""))
    code = main(list(argv), env)
    return CliResult(code, out.getvalue(), err.getvalue())


def diagnose_report(*args: str) -> dict[str, Any]:
    """The JSON report of ``diagnose --no-input --format json ARGS`` (which must exit 0)."""
    result = run_cli("diagnose", "--no-input", "--format", "json", *args)
    assert result.code == 0, result.err
    report: dict[str, Any] = json.loads(result.out)
    return report


def ranked_causes(report: dict[str, Any]) -> list[str]:
    """The cause ids of a report's diagnoses, best first."""
    return [diagnosis["cause"] for diagnosis in report["diagnoses"]]


def diagnosis_of(report: dict[str, Any], cause: str) -> dict[str, Any]:
    """One cause's entry in a report's diagnoses (it must be ranked)."""
    found: list[dict[str, Any]] = [d for d in report["diagnoses"] if d["cause"] == cause]
    assert found, f"{cause} not ranked: {ranked_causes(report)}"
    return found[0]


def fired_rules(report: dict[str, Any], cause: str) -> set[str]:
    """The ids of the rules that raised one cause's score."""
    return {evidence["rule"] for evidence in diagnosis_of(report, cause)["evidence"]}


def require_lab_tools(*tools: str) -> None:
    """Skip outside CI when root or a Debian tool is missing; fail under CI=true."""
    missing = [tool for tool in tools if shutil.which(tool) is None]
    problems = []
    if os.geteuid() != 0:
        problems.append("needs root")
    if missing:
        problems.append(f"needs {', '.join(missing)} (apt-get install; see .ci/run)")
    require(not problems, "; ".join(problems))


def require(ok: bool, reason: str) -> None:
    """Skip outside CI when ``ok`` is false; under CI=true a missing prerequisite fails."""
    if ok:
        return
    if IN_CI:
        pytest.fail(f"test cannot run under CI=true: {reason}")
    pytest.skip(reason)
