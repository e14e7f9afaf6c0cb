"""Named exit statuses from the one error boundary, and no traceback on any user error."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cli.exitcodes import Exit
from engine.faults import unused_port
from tests.conftest import REPO, run_cli


def run_module(*args: str, cwd: Path | None = None,
               stdin: str = "") -> subprocess.CompletedProcess[str]:
    """``python -m cli ARGS`` in a subprocess without a terminal."""
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.run([sys.executable, "-m", "cli", *args], capture_output=True, text=True,
                          input=stdin, timeout=60, env=env, cwd=cwd or REPO, check=False)


def test_exit_statuses_have_the_contract_values() -> None:
    """0 diagnosed, 1 failed, 2 usage, 130 interrupted."""
    assert [int(e) for e in Exit] == [0, 1, 2, 130]


def test_diagnosed_is_zero() -> None:
    """A run that produced a diagnosis exits 0."""
    assert run_cli("diagnose", "--no-input", "--error", "connection refused").code == Exit.DIAGNOSED


def test_usage_error_is_two_with_usage_line() -> None:
    """A missing argument exits 2 and shows the usage."""
    result = run_module("diagnose", "--fact")
    assert result.returncode == Exit.USAGE
    assert "usage:" in result.stderr and "Traceback" not in result.stderr


def test_interrupt_is_130(monkeypatch: pytest.MonkeyPatch) -> None:
    """A KeyboardInterrupt anywhere in a command becomes 130 and one line."""
    import cli.diagnose_cmd

    def interrupted(*_args: object, **_kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli.diagnose_cmd, "build_session", interrupted)
    result = run_cli("diagnose", "--no-input")
    assert result.code == Exit.INTERRUPTED
    assert result.err == "conndoctor: error: interrupted\n"


def test_a_bug_is_one_line_and_status_1(monkeypatch: pytest.MonkeyPatch) -> None:
    """An unexpected exception says 'internal error' in one line, exit 1, no traceback."""
    import cli.diagnose_cmd

    def broken(*_args: object, **_kwargs: object) -> None:
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(cli.diagnose_cmd, "build_session", broken)
    result = run_cli("diagnose", "--no-input")
    assert result.code == Exit.FAILED
    assert result.err.count("\n") == 1
    assert "internal error: ZeroDivisionError: boom" in result.err


BAD_INPUTS = {
    "unreadable --facts": ["--facts", "{tmp}/missing.yaml"],
    "bad value in --facts": ["--facts", "{tmp}/facts.yaml"],
    "--probe-results not JSON": ["--probe-results", "{tmp}/not-json.json"],
    "--probe-results wrong shape": ["--probe-results", "{tmp}/wrong.json"],
    "missing --log": ["--log", "{tmp}/missing.log"],
    "unknown --why-not cause": ["--why-not", "no-such-cause"],
    "bad --target": ["--target", "no-port-here"],
    "--target port out of range": ["--target", "127.0.0.1:70000"],
    "unknown fact": ["--fact", "after_idel=true"],
    "bad --dont-know": ["--dont-know", "nope"],
    "missing --kb": ["--kb", "{tmp}/no-kb"],
    "unwritable --output": ["--output", "{tmp}/no-dir/r.txt"],
    "not a session --resume": ["--resume", "{tmp}/session.json"],
    "missing --resume": ["--resume", "{tmp}/missing-session.json"],
}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_input_is_one_line_without_traceback(tmp_path: Path, case: str) -> None:
    """Each bad input: exit 1, exactly one line on stderr, nothing on stdout, no traceback."""
    (tmp_path / "not-json.json").write_text("{")
    (tmp_path / "wrong.json").write_text('{"schema_version": 1, "probes": "nope"}')
    (tmp_path / "facts.yaml").write_text("after_idle: maybe\n")
    (tmp_path / "session.json").write_text('{"kind": "something-else"}')
    args = [arg.format(tmp=tmp_path) for arg in BAD_INPUTS[case]]
    result = run_module("diagnose", "--no-input", *args, cwd=tmp_path)
    assert result.returncode == Exit.FAILED, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("conndoctor: error: "), result.stderr
    assert result.stdout == ""


def test_closed_pipe_is_quiet(tmp_path: Path) -> None:
    """A reader that goes away early (| head) gives no traceback."""
    env = dict(os.environ, PYTHONPATH=str(REPO))
    command = (f"{sys.executable} -m cli diagnose --no-input --format json "
               f"--target 127.0.0.1:{unused_port()} --only port | head -c 10")
    result = subprocess.run(["sh", "-c", command], capture_output=True, text=True, env=env,
                            timeout=60, check=False)
    assert result.stdout == '{\n  "schem'
    assert "Traceback" not in result.stderr and "Exception" not in result.stderr


NAMED_INPUTS = {
    "a bad value in --facts names the file": (
        ["--facts", "{tmp}/facts.yaml"], "--facts {tmp}/facts.yaml: 'port_state' must be one of"),
    "a fact with no value in --facts says so": (
        ["--facts", "{tmp}/empty.yaml"], "'after_idle' has no value"),
    "a bad value in --probe-results names the file": (
        ["--probe-results", "{tmp}/results.json"],
        "--probe-results {tmp}/results.json: 'port_state' must be one of"),
    "--dont-know of a derived fact": (
        ["--dont-know", "reset_on_reuse"], "'reset_on_reuse' is derived by the KB's rules"),
    "--dont-know of a fact given": (
        ["--fact", "after_idle=true", "--dont-know", "after_idle"],
        "--dont-know after_idle: after_idle is given (--fact)"),
}


@pytest.mark.parametrize("case", list(NAMED_INPUTS))
def test_bad_input_names_where_it_came_from(tmp_path: Path, case: str) -> None:
    """The one line names the file or flag at fault (before: a bare value error, 'None',
    or a silently dropped --dont-know)."""
    (tmp_path / "facts.yaml").write_text("port_state: ajar\n")
    (tmp_path / "empty.yaml").write_text("after_idle:\n")
    (tmp_path / "results.json").write_text(json.dumps({
        "schema_version": 1, "target": "127.0.0.1:1", "addresses": ["127.0.0.1"],
        "vantage": {"host": "h", "source_address": None}, "started_at": "2026-11-23T00:00:00Z",
        "probes": [{"name": "port", "status": "ok", "reason": None, "seconds": 0.1,
                    "facts": {"port_state": "ajar"}, "evidence": {}}]}))
    args, says = NAMED_INPUTS[case]
    result = run_cli("diagnose", "--no-input", *[a.format(tmp=tmp_path) for a in args])
    assert result.code == Exit.FAILED
    assert says.format(tmp=tmp_path) in result.err and result.err.count("\n") == 1
    assert "None" not in result.err
