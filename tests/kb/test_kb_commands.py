"""``kb list`` and ``kb test``: what a contributor reads, in text and JSON."""

from __future__ import annotations

import json

import pytest

from tests.conftest import REPO, run_cli


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    monkeypatch.setenv("CONNDOCTOR_NO_CACHE", "1")
    monkeypatch.delenv("CONNDOCTOR_KB_PATH", raising=False)


def test_kb_list_json_names_every_item_and_where_it_is_defined() -> None:
    """Causes, observations, rules, probes and patterns, each with its file and line."""
    result = run_cli("kb", "list", "--no-builtin", "--format", "json",
                     "--kb", "tests/kb/lint/clean")
    data = json.loads(result.out)
    assert result.code == 0
    assert sorted(data) == ["causes", "error_patterns", "observations", "probes", "rules"]
    assert [c["id"] for c in data["causes"]] == ["keepalive-race", "port-not-listening"]
    assert data["causes"][0]["defined_at"] == \
        "tests/kb/lint/clean/causes/keepalive-race.yaml:1"
    reuse = next(r for r in data["rules"] if r["id"] == "keepalive-race.reuse")
    assert reuse == {
        "id": "keepalive-race.reuse", "kind": "evidence", "cause": "keepalive-race",
        "effect": "lr 8", "because": "A pooled connection failed on its first use after sitting "
        "idle.", "defined_at": "tests/kb/lint/clean/causes/keepalive-race.yaml:6",
    }
    derived = next(o for o in data["observations"] if o["id"] == "reset_on_reuse")
    assert derived["derived"] is True


def test_kb_list_text_has_a_section_per_kind() -> None:
    """The text listing has one aligned section per kind with its count."""
    result = run_cli("kb", "list", "--no-builtin", "--kb", "tests/kb/lint/clean")
    assert result.code == 0
    assert "causes (2):\n  keepalive-race      Keep-alive race" in result.out
    assert "\nobservations (7):\n" in result.out
    assert "  reset-on-reuse                   reset_on_reuse=true  The connection was reset" \
        in result.out
    assert "\nprobes (1):\n  port  port_state  default\n" in result.out


def test_kb_test_json_reports_each_case() -> None:
    """``kb test --format json`` gives counts and one row per case."""
    result = run_cli("kb", "test", "--no-builtin", "--format", "json",
                     "--kb", "tests/kb/lint/clean")
    body = json.loads(result.out)
    assert result.code == 0
    assert (body["ok"], body["passed"], body["failed"], body["todo"]) == (True, 5, 0, 0)
    row = next(c for c in body["cases"] if c["case"] == "keepalive-race.pooled-reset")
    assert (row["cause"], row["kind"], row["passed"], row["top"]) == \
        ("keepalive-race", "positive", True, "keepalive-race")


def test_kb_test_fails_with_the_reason_when_a_case_fails(tmp_path) -> None:
    """A case whose expectation does not hold is FAIL with the ranking, and exit 1."""
    import shutil

    copy = tmp_path / "kb"
    shutil.copytree(REPO / "tests" / "kb" / "lint" / "clean", copy)
    cause = copy / "causes" / "keepalive-race.yaml"
    cause.write_text(cause.read_text().replace(
        "    expect: {top: keepalive-race}\n", "    expect: {top: port-not-listening}\n", 1))
    result = run_cli("kb", "test", "--no-builtin", "--kb", str(copy))
    assert result.code == 1
    assert ("FAIL keepalive-race.pooled-reset: expected port-not-listening first, "
            "got keepalive-race") in result.out
    assert result.err == "4 passed, 1 failed, 0 todo (known misses)\n"


def test_kb_test_says_when_a_todo_case_passes_now(tmp_path) -> None:
    """A known miss kept on record that now passes is pointed out, without failing the run."""
    import shutil

    copy = tmp_path / "kb"
    shutil.copytree(REPO / "tests" / "kb" / "lint" / "clean", copy)
    cause = copy / "causes" / "keepalive-race.yaml"
    expect = "    expect: {top: keepalive-race}\n"
    cause.write_text(cause.read_text().replace(expect, expect + "    kind: todo\n", 1))
    result = run_cli("kb", "test", "--no-builtin", "--kb", str(copy))
    assert result.code == 0
    assert ("todo keepalive-race.pooled-reset: passes now: make it a real case "
            "(drop 'kind: todo')\n") in result.out
    assert result.err == "4 passed, 0 failed, 1 todo (known misses)\n"
