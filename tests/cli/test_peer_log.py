"""``peer_log`` (what the peer's logs say) and texts in ``--facts``: read, not just kept.

Before, ``--fact peer_log=...`` was stored and read by nothing, and an
``error`` in a ``--facts`` file skipped the error reader that ``--error``
and ``--fact error=`` use.
"""

from __future__ import annotations

from pathlib import Path

from tests.conftest import diagnose_report, ranked_causes, run_cli

GUNICORN_TIMEOUT = "[2026-11-21 10:00:30 +0000] [7] [CRITICAL] WORKER TIMEOUT (pid:12)"
NGINX_CLIENT_CLOSED = ("2024/01/01 10:00:00 [info] 7#7: *1 client closed connection while "
                       "waiting for request, client: 10.0.0.1, server: 0.0.0.0:80")


def test_a_peer_log_naming_its_timer_decides_the_cause() -> None:
    """The client saw a reset; the server's log says its own timer killed the worker."""
    report = diagnose_report("--error", "read: connection reset by peer",
                             "--fact", f"peer_log={GUNICORN_TIMEOUT}")
    assert ranked_causes(report)[0] == "server-request-timeout"
    assert report["facts"]["server_timeout_logged"] is True
    assert report["facts"]["peer_log"] == GUNICORN_TIMEOUT
    source = next(s for s in report["fact_sources"] if s["fact"] == "server_timeout_logged")
    assert source["source"] == "log" and source["detail"].startswith("peer_log ")


def test_the_peers_own_view_is_shown_but_not_taken_for_this_sides() -> None:
    """nginx's 'client closed connection' reads eof on the server side: that is how the
    failure looked there, so the user's reset and side stand, and the report says why
    the rest of the reading was not used."""
    report = diagnose_report("--error", "read: connection reset by peer",
                             "--fact", f"peer_log={NGINX_CLIENT_CLOSED}")
    assert report["facts"]["error_kind"] == "reset"
    assert "side" not in report["facts"]
    assert not report["conflicts"]
    peer = next(e for e in report["error_lines"] if e["source"] == "peer_log")
    assert peer["facts"] == {}
    assert peer["not_used"] == {"error_kind": "eof", "side": "server", "reported_by": "nginx"}
    text = run_cli("diagnose", "--no-input", "--fact", f"peer_log={NGINX_CLIENT_CLOSED}").out
    assert "Read from the peer's log\n  peer's log: 2024/01/01" in text
    assert "-> not used, the peer's own view: error_kind=eof, side=server" in text


def test_texts_in_a_facts_file_are_read_like_the_flags(tmp_path: Path) -> None:
    """``error`` and ``peer_log`` in --facts give what --error and --fact peer_log= give."""
    facts = tmp_path / "ticket.yaml"
    facts.write_text(f"error: 'read: connection reset by peer'\npeer_log: '{GUNICORN_TIMEOUT}'\n",
                     encoding="utf-8")
    from_file = diagnose_report("--facts", str(facts))
    from_flags = diagnose_report("--error", "read: connection reset by peer",
                                 "--fact", f"peer_log={GUNICORN_TIMEOUT}")
    assert from_file["facts"] == from_flags["facts"]
    assert from_file["facts"]["error_kind"] == "reset"
    assert ranked_causes(from_file) == ranked_causes(from_flags)


NGINX_BROKEN_PIPE = ("2026/11/21 10:00:0{} [error] 7#7: *1 writev() failed (32: Broken pipe) "
                     "while sending to client, client: 10.0.0.1, server: _\n")
NGINX_EMFILE = "2026/11/21 10:00:0{} [alert] 7#7: accept4() failed (24: Too many open files)\n"


def test_the_other_ends_log_file_does_not_replace_this_sides_view(tmp_path: Path) -> None:
    """The client saw a reset and has the server's nginx log, which says broken pipe on
    the server side. Given as --log it outranks the pasted error (source log over
    error) and turns the diagnosis to the client going away; as --peer-log the user's
    view stands, and the lines say what was set aside."""
    log = tmp_path / "error.log"
    log.write_text(NGINX_BROKEN_PIPE.format(1) + NGINX_BROKEN_PIPE.format(2), encoding="utf-8")
    reset = ("--error", "read: connection reset by peer")
    as_own = diagnose_report(*reset, "--log", str(log))
    as_peer = diagnose_report(*reset, "--peer-log", str(log))
    assert (as_own["facts"]["side"], as_own["facts"]["error_kind"]) == ("server", "broken_pipe")
    assert as_peer["facts"]["error_kind"] == "reset" and "side" not in as_peer["facts"]
    assert "error_count" not in as_peer["facts"]  # the peer's failures, all its clients'
    said = run_cli("diagnose", "--no-input", *reset, "--peer-log", str(log)).err
    assert f"--peer-log {log}: the count and timing of its failures (error_count" in said
    assert ranked_causes(as_peer)[0] != "client-cancelled"
    lines = [e for e in as_peer["error_lines"] if e["source"] == "peer_log"]
    assert [e["line"] for e in lines] == [1, 2]
    assert lines[0]["not_used"] == {"error_kind": "broken_pipe", "side": "server",
                                    "reported_by": "nginx"}


def test_a_limit_in_the_other_ends_log_file_counts(tmp_path: Path) -> None:
    """nginx out of file descriptors, in the server's log: a fact both ends share."""
    log = tmp_path / "error.log"
    log.write_text(NGINX_EMFILE.format(1) + NGINX_EMFILE.format(2), encoding="utf-8")
    report = diagnose_report("--error", "read: connection reset by peer",
                             "--peer-log", str(log))
    assert report["facts"]["limit_hit"] == "file_descriptors"
    assert ranked_causes(report)[0] == "resource-exhaustion"
    source = next(s for s in report["fact_sources"] if s["fact"] == "limit_hit")
    assert source["detail"].startswith("peer_log ")


def test_only_one_log_can_come_from_stdin() -> None:
    """--log - and --peer-log - together: one line, exit 1."""
    result = run_cli("diagnose", "--no-input", "--log", "-", "--peer-log", "-")
    assert result.code == 1
    assert result.err == ("conndoctor: error: '-' (stdin) is given more than once among --log "
                          "and --peer-log: stdin can be read once; give the other log as a "
                          "file\n")
