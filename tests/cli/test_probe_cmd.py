"""``conndoctor probe`` and ``diagnose --probe-results``: JSON, text, progress, vantage points."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

from cli.environment import Environment
from cli.main import main
from engine.faults import BEHAVIOURS, FaultServer, unused_port
from tests.conftest import run_cli


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _probe_json(port: int, *flags: str) -> dict[str, object]:
    result = run_cli("probe", f"127.0.0.1:{port}", "--format", "json", *flags)
    assert result.code == 0, result.err
    data: dict[str, object] = json.loads(result.out)
    return data


def test_probe_json_records_target_addresses_vantage_and_times() -> None:
    """The results JSON holds target, addresses, vantage, start time, durations and results."""
    with FaultServer(BEHAVIOURS["stall"]) as server:
        data = _probe_json(server.port, "--only", "port")
    assert data["schema_version"] == 1
    assert data["target"] == f"127.0.0.1:{server.port}"
    assert data["addresses"] == ["127.0.0.1"]
    assert data["vantage"] == {"host": data["vantage"]["host"],  # type: ignore[index]
                               "source_address": "127.0.0.1"}
    assert str(data["started_at"]).endswith("Z")
    [port] = data["probes"]  # type: ignore[misc]
    assert port["name"] == "port" and port["status"] == "ok"
    assert port["facts"]["port_state"] == "open"


def test_probe_text_says_the_idle_range_covered() -> None:
    """The text output names each probe and, for idle, the range of durations covered."""
    with FaultServer(BEHAVIOURS["close-idle-fin"], seconds=1.5) as server:
        result = run_cli("probe", f"127.0.0.1:{server.port}", "--only", "idle",
                         "--idle-max", "3")
    assert result.code == 0
    assert "idle_close_kind=fin" in result.out
    assert re.search(r"idle durations covered: 1 to 1\.[4-7]\d* s", result.out), result.out


def test_plain_progress_lines_when_stderr_is_not_a_terminal() -> None:
    """Without a TTY, progress is plain lines: started, then the status with facts."""
    result = run_cli("probe", f"127.0.0.1:{unused_port()}", "--only", "port")
    assert result.err.splitlines() == [
        f"probing {result.out.split()[1]}",
        "probe port: started",
        "probe port: ok (port_state=closed, intermittent_connect=false)",
    ]


def test_quiet_silences_progress() -> None:
    """--quiet: nothing on stderr, results still on stdout."""
    result = run_cli("-q", "probe", f"127.0.0.1:{unused_port()}", "--only", "port")
    assert result.err == ""
    assert "port_state=closed" in result.out


def test_live_table_on_a_terminal() -> None:
    """On a TTY stderr, rich draws a live table with each probe and its status."""
    err = _Terminal()
    env = Environment(stdout=io.StringIO(), stderr=err, stdin=io.StringIO(""))
    code = main(["probe", f"127.0.0.1:{unused_port()}", "--only", "port", "--only", "burst"], env)
    assert code == 0
    assert "probing 127.0.0.1:" in err.getvalue()
    assert "skipped" in err.getvalue() and "port" in err.getvalue()


@pytest.mark.parametrize("value", ["0", "-1", "nan", "inf", "7201"])
def test_bad_idle_max_is_one_line_error(value: str) -> None:
    """--idle-max 0, nan (once a silent 1 s budget) or past 2 h is refused with one line
    naming the flag and the allowed range, before anything is probed."""
    result = run_cli("probe", "127.0.0.1:80", "--idle-max", value)
    assert result.code == 1
    assert result.err == ("conndoctor: error: --idle-max must be a positive number of seconds, "
                          f"at most 7200 (got {float(value):g})\n")


def _write(path: Path, data: dict[str, object]) -> str:
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def test_two_vantage_points_are_kept_apart(tmp_path: Path) -> None:
    """Results from the client host and from inside the cluster: each fact names its vantage."""
    port = unused_port()
    client = _probe_json(port, "--only", "port")
    cluster = json.loads(json.dumps(client))
    cluster["vantage"] = {"host": "node-3", "source_address": "10.0.0.9"}
    cluster["probes"][0]["facts"]["port_state"] = "open"
    result = run_cli("diagnose", "--no-input", "--format", "json",
                     "--probe-results", _write(tmp_path / "client.json", client),
                     "--probe-results", _write(tmp_path / "cluster.json", cluster))
    assert result.code == 0, result.err
    report = json.loads(result.out)
    seen = {(s["value"], s["vantage"]) for s in report["fact_sources"]
            if s["fact"] == "port_state"}
    host = client["vantage"]["host"]  # type: ignore[index]
    assert seen == {("closed", f"{host} (127.0.0.1)"), ("open", "node-3 (10.0.0.9)")}
    text = run_cli("diagnose", "--no-input", "--probe-results", str(tmp_path / "client.json"),
                   "--probe-results", str(tmp_path / "cluster.json"))
    assert "[from node-3 (10.0.0.9)]" in text.out


def test_results_for_different_targets_are_refused(tmp_path: Path) -> None:
    """Two files about different targets: a one-line error naming both."""
    one = _probe_json(unused_port(), "--only", "port")
    other = json.loads(json.dumps(one))
    other["target"], other["addresses"] = "db.internal:5432", ["10.0.0.5"]
    a, b = _write(tmp_path / "a.json", one), _write(tmp_path / "b.json", other)
    result = run_cli("diagnose", "--no-input", "--probe-results", a, "--probe-results", b)
    assert result.code == 1
    assert result.err == (f"conndoctor: error: --probe-results {b}: results for "
                          f"db.internal:5432, but --probe-results {a} are for {one['target']} "
                          "(probe the same HOST:PORT from each vantage point)\n")


def test_wrong_schema_version_is_refused(tmp_path: Path) -> None:
    """A results file of another schema version: a one-line error with the version read."""
    data = _probe_json(unused_port(), "--only", "port")
    data["schema_version"] = 2
    path = _write(tmp_path / "v2.json", data)
    result = run_cli("diagnose", "--no-input", "--probe-results", path)
    assert result.code == 1
    assert result.err == (f"conndoctor: error: --probe-results {path}: schema_version 2 is not "
                          "supported (this conndoctor reads 1)\n")


def test_malformed_results_are_one_line_errors(tmp_path: Path) -> None:
    """Not JSON, or a probe with an unknown status: one line naming the file and the field."""
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    result = run_cli("diagnose", "--no-input", "--probe-results", str(bad))
    assert result.code == 1 and result.err.count("\n") == 1
    assert f"--probe-results {bad}: not JSON" in result.err
    data = _probe_json(unused_port(), "--only", "port")
    data["probes"][0]["status"] = "finished"  # type: ignore[index]
    path = _write(tmp_path / "status.json", data)
    result = run_cli("diagnose", "--no-input", "--probe-results", path)
    assert result.code == 1 and result.err.count("\n") == 1
    assert f"--probe-results {path}: probes.0.status: Input should be" in result.err


@pytest.mark.parametrize(("edit", "says"), [
    ({"name": "nosuch"}, "probes.0.name: 'nosuch' is not a probe (known: burst, idle, port,"),
    ({"facts": {"port_state": "closed", "error_kind": "reset"}},
     "probes.0: the port probe does not measure 'error_kind' (it sets: port_state, connect_ms,"),
])
def test_results_a_probe_could_not_have_measured_are_refused(
        tmp_path: Path, edit: dict[str, object], says: str) -> None:
    """A results file naming a probe nobody has, or passing a fact off as measured by a
    probe that does not measure it: one line naming the file and the entry (before, both
    were taken as measurements)."""
    data = _probe_json(unused_port(), "--only", "port")
    data["probes"][0].update(edit)  # type: ignore[index]
    path = _write(tmp_path / "edited.json", data)
    result = run_cli("diagnose", "--no-input", "--probe-results", path)
    assert result.code == 1 and result.err.count("\n") == 1
    assert f"--probe-results {path}: {says}" in result.err


def test_diagnose_target_runs_the_probes_with_progress() -> None:
    """diagnose --target probes live (progress on stderr) and the report holds the results."""
    port = unused_port()
    result = run_cli("diagnose", "--no-input", "--format", "json", "--target",
                     f"127.0.0.1:{port}", "--only", "port", "--only", "reachability")
    assert result.code == 0, result.err
    assert "probe port: ok" in result.err
    report = json.loads(result.out)
    assert [p["name"] for p in report["probes"]] == ["port", "reachability"]
    assert report["facts"]["port_state"] == "closed"
