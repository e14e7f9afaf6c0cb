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
