"""The cause server-request-timeout end to end: its signature, its look-alikes and its messages.

Every test runs ``conndoctor diagnose --no-input ... --format json`` (or the
error reader) on the built-in KB, as a user or a support bot would, and reads
the ranking, the evidence and the facts that come out.
"""

from __future__ import annotations

from typing import Any

import pytest

from engine.errortext import reader_for
from engine.kbmodel import KnowledgeBase
from tests.conftest import diagnose_report, fired_rules, ranked_causes

CAUSE = "server-request-timeout"


def diagnose(*facts: str, error: str | None = None) -> dict[str, Any]:
    """The JSON report of a non-interactive diagnosis from facts and an optional error line."""
    args = [f"--fact={fact}" for fact in facts]
    if error is not None:
        args += ["--error", error]
    return diagnose_report(*args)


def test_fixed_cut_with_nothing_in_between_ranks_first() -> None:
    """An EOF 30 s into waiting, with no proxy on the path, is the server's own timer."""
    report = diagnose("error_kind=eof", "side=client", "phase=awaiting_response",
                      "elapsed_seconds=30", "path=none", "frequency=always")
    assert ranked_causes(report)[0] == CAUSE
    assert {f"{CAUSE}.fixed-time-cut", f"{CAUSE}.nothing-in-between"} <= fired_rules(report, CAUSE)
    order = ranked_causes(report)
    assert order.index(CAUSE) < order.index("proxy-upstream-timeout")


def test_the_engine_asks_whether_the_server_named_its_timer() -> None:
    """With a fixed cut and no proxy, the server's log is among the next three questions."""
    report = diagnose("error_kind=eof", "side=client", "phase=awaiting_response",
                      "elapsed_seconds=30", "path=none")
    assert "server_timeout_logged" in [q["fact"] for q in report["next_questions"][:3]]


def test_a_slow_upload_cut_after_minutes_is_not_an_abortive_close() -> None:
    """A large upload closed 300 s in ranks the server's read timer above a rejection."""
    report = diagnose("error_kind=eof", "side=client", "phase=sending_request",
                      "elapsed_seconds=300", "large_payload=true", "path=none", "frequency=always")
    order = ranked_causes(report)
    assert order[0] == CAUSE
    assert f"{CAUSE}.slow-upload-cut" in fired_rules(report, CAUSE)


def test_a_named_timer_wins_even_behind_a_proxy() -> None:
    """gunicorn's WORKER TIMEOUT behind nginx points at gunicorn's timer, not at nginx's."""
    report = diagnose("elapsed_seconds=30", "path=reverse_proxy",
                      error="[2026-11-21 10:00:30 +0000] [7] [CRITICAL] WORKER TIMEOUT (pid:12)")
    order = ranked_causes(report)
    assert order[0] == CAUSE
    assert order.index(CAUSE) < order.index("proxy-upstream-timeout")
    assert f"{CAUSE}.timer-named" in fired_rules(report, CAUSE)


@pytest.mark.parametrize(("facts", "error", "winner"), [
    # the proxy itself says it gave up on the upstream
    (["elapsed_seconds=60", "path=reverse_proxy"],
     "upstream timed out (110: Connection timed out) while reading response header from upstream, "
     "client: 10.0.0.1", "proxy-upstream-timeout"),
    # a load balancer in front and a server log that names no timer
    (["error_kind=eof", "side=client", "phase=awaiting_response", "elapsed_seconds=60",
      "path=load_balancer,cloud", "server_timeout_logged=false"], None, "proxy-upstream-timeout"),
    # seen from the server, the client went away first
    (["error_kind=broken_pipe", "side=server", "phase=reading_response", "elapsed_seconds=30",
      "path=none", "frequency=intermittent", "after_idle=false"], None, "client-cancelled"),
    # an oversized upload rejected at once
    (["error_kind=reset", "side=client", "phase=sending_request", "elapsed_seconds=0.5",
      "large_payload=true", "path=none", "frequency=always"], None, "abortive-close-unread-data"),
    # cut by a deploy, all at once
    (["error_kind=eof", "side=client", "phase=awaiting_response", "elapsed_seconds=40", "path=none",
      "many_at_once=true", "recent_restart=true", "frequency=once"], None, "peer-process-crashed"),
    # client timeouts at traffic peaks only
    (["error_kind=timeout", "side=client", "phase=awaiting_response", "elapsed_seconds=30",
      "path=none", "under_load=true", "frequency=intermittent"], None, "server-overload"),
])
def test_look_alikes_win_where_their_evidence_points(
    facts: list[str], error: str | None, winner: str
) -> None:
    """Each near-miss ranks its own cause first and the server timer below it."""
    order = ranked_causes(diagnose(*facts, error=error))
    assert order[0] == winner
    assert CAUSE not in order or order.index(CAUSE) > order.index(winner)


def test_a_connect_failure_rules_the_cause_out() -> None:
    """A refused connect never reached a request timer."""
    report = diagnose("error_kind=refused", "phase=connect")
    assert CAUSE in {item["cause"] for item in report["ruled_out"]}
    assert CAUSE not in ranked_causes(report)


# Each server's own line naming its timer, with the pattern that must read it.
TIMER_LINES = [
    ("[2026-11-21 10:00:30 +0000] [7] [CRITICAL] WORKER TIMEOUT (pid:12)",
     "gunicorn-worker-timeout-timer"),
    ("*** HARAKIRI ON WORKER 2 (pid: 4117, try: 1) ***", "uwsgi-harakiri"),
    ("*** HARAKIRI ON WORKER 1 (pid: 8129) ***", "uwsgi-harakiri"),
    ("PHP Fatal error:  Maximum execution time of 30 seconds exceeded in "
     "/var/www/html/import.php on line 88", "php-max-execution-time"),
    ("WARNING: [pool www] child 3112, script '/var/www/html/index.php' "
     "(request: \"POST /index.php\") execution timed out (60.021342 sec), terminating",
     "php-fpm-execution-timed-out"),
    ("write response: http: Handler timeout", "go-handler-timeout"),
    ("Microsoft.AspNetCore.Server.Kestrel.Core.BadHttpRequestException: Reading the request body "
     "timed out due to data arriving too slowly. See MinRequestBodyDataRate.",
     "kestrel-request-body-rate-timer"),
    ("Error [ERR_HTTP_REQUEST_TIMEOUT]: Request timeout", "node-request-timeout-timer"),
    ("client timed out (110: Connection timed out) while sending to client, client: 10.0.0.1",
     "nginx-client-timer"),
]


@pytest.mark.parametrize(("line", "pattern"), TIMER_LINES)
def test_a_timer_message_is_read_as_the_servers_timer(
    knowledge: KnowledgeBase, line: str, pattern: str
) -> None:
    """The reader sets server_timeout_logged from that server's own pattern."""
    facts = reader_for(knowledge).read(line)
    assert facts.get("server_timeout_logged") == (True, pattern)


@pytest.mark.parametrize(("line", "_pattern"), TIMER_LINES)
def test_a_timer_message_alone_ranks_the_cause_first(line: str, _pattern: str) -> None:
    """`diagnose --error` on a server's timer message ranks server-request-timeout first."""
    report = diagnose(error=line)
    assert ranked_causes(report)[0] == CAUSE
    assert report["facts"]["server_timeout_logged"] is True


def test_existing_families_keep_their_reading(knowledge: KnowledgeBase) -> None:
    """gunicorn's line still reads as the app server's own timeout, now with its timer named."""
    line = "[2026-11-21 10:00:30 +0000] [7] [CRITICAL] WORKER TIMEOUT (pid:12)"
    facts = reader_for(knowledge).read(line)
    assert {fact: value for fact, (value, _) in facts.items()} == {
        "error_kind": "timeout", "side": "server", "reported_by": "app_server",
        "server_timeout_logged": True,
    }


@pytest.mark.parametrize("line", [
    "worker timeout = 30",
    "harakiri = 60",
    "max_execution_time = 30",
    "Job \"report\" exceeded maximum execution time of 60 seconds",
    "request_terminate_timeout = 60s",
    "options.Limits.MinRequestBodyDataRate = null;",
    "client timed out (110: Connection timed out) while reading client request headers",
    "upstream timed out (110: Connection timed out) while reading response header from upstream",
    "upstream timed out (110: Connection timed out) while sending to client, client: 10.0.0.1",
])
def test_look_alike_lines_name_no_server_timer(knowledge: KnowledgeBase, line: str) -> None:
    """Config lines, other programs' wording and a proxy's upstream timeout set no server timer."""
    assert "server_timeout_logged" not in reader_for(knowledge).read(line)
