"""``diagnose --no-input``: the contract's JSON, exit statuses and one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

from engine.faults import unused_port
from tests.conftest import run_cli


def test_json_report_follows_the_contract() -> None:
    """A reset after idle gives ranked diagnoses with evidence, facts and sources."""
    result = run_cli("diagnose", "--no-input", "--format", "json",
                     "--error", "read: connection reset by peer",
                     "--fact", "after_idle=true", "--fact", "idle_seconds=8")
    assert result.code == 0, result.err
    report = json.loads(result.out)
    assert report["schema_version"] == 1
    top = report["diagnoses"][0]
    assert top["cause"] == "keepalive-race"
    assert 0 < top["confidence"] <= 1
    assert {e["rule"] for e in top["evidence"]} >= {"keepalive-race.reset-on-reuse"}
    assert report["facts"]["error_kind"] == "reset"
    sources = {(s["fact"], s["source"]) for s in report["fact_sources"]}
    assert ("error_kind", "error") in sources
    assert ("after_idle", "user") in sources
    assert isinstance(report["done"], bool)


def test_no_input_at_all_gives_the_prior_ranking_and_questions() -> None:
    """With nothing given: exit 0, no diagnoses, next questions, not done."""
    result = run_cli("diagnose", "--no-input", "--format", "json")
    report = json.loads(result.out)
    assert result.code == 0
    assert report["diagnoses"] == []
    assert report["done"] is False
    assert report["next_questions"]


def test_unknown_fact_is_one_line_error_naming_it() -> None:
    """An unknown id exits 1 with one line naming it and a suggestion."""
    result = run_cli("diagnose", "--no-input", "--fact", "after_idel=true")
    assert result.code == 1
    lines = result.err.strip().splitlines()
    assert len(lines) == 1
    assert "'after_idel'" in lines[0] and "did you mean 'after_idle'" in lines[0]


def test_bad_value_names_the_allowed_values() -> None:
    """A bad enum value exits 1 and lists what is allowed."""
    result = run_cli("diagnose", "--no-input", "--fact", "phase=idle")
    assert result.code == 1
    assert "'phase' must be one of [connect, tls_handshake" in result.err
    assert "(got 'idle')" in result.err


def test_fact_without_equals_is_a_usage_error() -> None:
    """--fact without '=' is a malformed command line: exit 2."""
    assert run_cli("diagnose", "--no-input", "--fact", "after_idle").code == 2


def test_unknown_flag_is_a_usage_error() -> None:
    """argparse's usage errors exit 2."""
    assert run_cli("diagnose", "--no-such-flag").code == 2


def test_no_tty_without_no_input_says_which_flags_to_use() -> None:
    """Without a terminal and without --no-input, it explains instead of hanging."""
    result = run_cli("diagnose")
    assert result.code == 1
    assert "--no-input" in result.err and "--fact" in result.err


def test_target_with_closed_port_ranks_port_not_listening_first() -> None:
    """A refused connect plus a real closed port: nothing listens."""
    port = unused_port()
    result = run_cli("diagnose", "--no-input", "--format", "json", "--target",
                     f"127.0.0.1:{port}", "--only", "port", "--error", "Connection refused")
    report = json.loads(result.out)
    assert report["diagnoses"][0]["cause"] == "port-not-listening"
    assert report["probes"][0]["facts"]["port_state"] == "closed"


def test_without_a_target_next_questions_propose_no_probe() -> None:
    """Without --target nothing can be measured, so only questions are proposed."""
    result = run_cli("diagnose", "--no-input", "--format", "json",
                     "--error", "read: connection reset by peer")
    kinds = {q["kind"] for q in json.loads(result.out)["next_questions"]}
    assert kinds == {"question"}


def test_a_target_other_than_the_probe_results_is_refused_before_probing(tmp_path: Path) -> None:
    """--probe-results for one port and --target another: one line naming both, at once,
    with --no-probes too (before: accepted silently, or said only after a whole probe run)."""
    port = unused_port()
    probed = run_cli("probe", f"127.0.0.1:{port}", "--only", "port", "--format", "json")
    assert probed.code == 0, probed.err
    results = tmp_path / "results.json"
    results.write_text(probed.out)
    other = unused_port()
    for extra in ([], ["--no-probes"]):
        result = run_cli("diagnose", "--no-input", "--probe-results", str(results),
                         "--target", f"127.0.0.1:{other}", *extra)
        assert result.code == 1
        assert f"holds results for 127.0.0.1:{port}" in result.err
        assert "probing" not in result.err
    same = run_cli("diagnose", "--no-input", "--probe-results", str(results),
                   "--target", f"127.0.0.1:{port}", "--no-probes")
    assert same.code == 0, same.err


def test_flags_given_but_no_terminal_says_add_no_input() -> None:
    """stdin not a terminal with --error given: the way out is --no-input (before: the
    message listed --error among the flags to use, though it was given)."""
    result = run_cli("diagnose", "--error", "connection refused")
    assert result.code == 1
    assert "add --no-input to diagnose from the flags given" in result.err


def test_probe_choices_without_a_target_are_said_to_do_nothing() -> None:
    """--only, --with or --idle-max without --target would be ignored in silence."""
    result = run_cli("diagnose", "--no-input", "--error", "connection refused", "--only", "idle")
    assert result.code == 0
    assert "without a target nothing is probed" in result.err


def test_print_schema_honours_output(tmp_path: Path) -> None:
    """--print-schema --output FILE writes the schema there (before: stdout, --output ignored)."""
    out = tmp_path / "schema.json"
    result = run_cli("diagnose", "--print-schema", "--output", str(out))
    assert result.code == 0 and result.out == ""
    assert "diagnoses" in json.loads(out.read_text())["properties"]
