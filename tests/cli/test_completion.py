"""Shell completion: a bash script generated from the parser and the KB, run in real bash."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from engine.kbmodel import KnowledgeBase
from tests.conftest import require, run_cli

CALL = """
source "$1"; shift
COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
COMP_LINE="${COMP_LINE_OVERRIDE:-$*}"; COMP_POINT=${#COMP_LINE}
_conndoctor
printf '%s\\n' "${COMPREPLY[@]}"
"""


@pytest.fixture(scope="module")
def script(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The generated bash completion script, on disk."""
    result = run_cli("completion", "bash")
    assert result.code == 0, result.err
    path = tmp_path_factory.mktemp("completion") / "conndoctor.bash"
    path.write_text(result.out)
    return path


def complete(script: Path, *words: str, line: str | None = None) -> list[str]:
    """What bash offers for the command line ``words`` (the last one being completed)."""
    require(shutil.which("bash") is not None, "needs bash")
    env = {"PATH": "/usr/bin:/bin", "COMP_LINE_OVERRIDE": line or ""}
    result = subprocess.run(["bash", "-c", CALL, "bash", str(script), *words],
                            capture_output=True, text=True, env=env, timeout=30, check=True)
    return [word for word in result.stdout.splitlines() if word]


def test_script_is_valid_bash(script: Path) -> None:
    """bash -n accepts the generated script."""
    subprocess.run(["bash", "-n", str(script)], check=True, timeout=30)


def test_commands_complete(script: Path) -> None:
    """The first word completes to the commands."""
    assert {"diagnose", "probe", "kb", "demo", "completion"} <= set(
        complete(script, "conndoctor", ""))


def test_diagnose_flags_complete(script: Path) -> None:
    """diagnose's flags come from the parser."""
    offered = complete(script, "conndoctor", "diagnose", "--no-")
    assert offered == ["--no-color", "--no-colour", "--no-input", "--no-probes"]


def test_probe_names_complete(script: Path) -> None:
    """--only offers the contract's probe names."""
    assert "transfer" in complete(script, "conndoctor", "probe", "h:1", "--only", "")


def test_cause_ids_come_from_the_kb(script: Path, knowledge: KnowledgeBase) -> None:
    """--why-not offers every cause id of the loaded KB."""
    assert set(complete(script, "conndoctor", "diagnose", "--why-not", "")) == set(
        knowledge.causes)


def test_fact_ids_then_values_complete(script: Path) -> None:
    """--fact offers ID=, then the values of that fact after the '='."""
    assert complete(script, "conndoctor", "diagnose", "--fact", "after_i") == ["after_idle="]
    line = "conndoctor diagnose --fact phase=co"
    offered = complete(script, "conndoctor", "diagnose", "--fact", "phase", "=", "co", line=line)
    assert offered == ["connect"]


def test_zsh_script_uses_bashcompinit() -> None:
    """The zsh script loads bashcompinit, then the same function."""
    result = run_cli("completion", "zsh")
    assert "bashcompinit" in result.out and "complete -F _conndoctor conndoctor" in result.out
