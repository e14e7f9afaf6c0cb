"""The cause conntrack-invalid-reset end to end: ``diagnose --no-input --format json``.

A NATing node's conntrack marks an out-of-window segment INVALID, leaves it
untranslated, and the kernel that receives it resets the real connection.
These tests drive the command line as a user or a support script would and
check the ranking, the evidence rules that fired, what rules the cause out,
and that the questionnaire asks for the node's INVALID counter.
"""

from __future__ import annotations

from typing import Any

from tests.conftest import diagnose_report, diagnosis_of, fired_rules, ranked_causes

CAUSE = "conntrack-invalid-reset"

# The shape of the Kubernetes blog's incident: large downloads from a
# ClusterIP Service, reset halfway when many clients run at once.
K8S_BUSY_DOWNLOADS = {
    "error_kind": "reset", "side": "client", "phase": "reading_response",
    "frequency": "intermittent", "path": "kubernetes", "under_load": "true",
    "large_payload": "true", "after_idle": "false", "recent_restart": "false",
    "many_at_once": "false",
}


def diagnose(facts: dict[str, str], *extra: str) -> dict[str, Any]:
    """Run ``diagnose --no-input --format json`` with these facts; return the report."""
    return diagnose_report(*extra, *(f"--fact={fact}={value}" for fact, value in facts.items()))


def test_busy_large_resets_through_a_service_rank_it_first() -> None:
    """Large downloads from a Service reset under load: the INVALID reset ranks first."""
    report = diagnose(K8S_BUSY_DOWNLOADS)
    assert ranked_causes(report)[0] == CAUSE
    assert fired_rules(report, CAUSE) >= {
        f"{CAUSE}.reset-through-dnat", f"{CAUSE}.busy-or-large",
        f"{CAUSE}.busy-and-large", f"{CAUSE}.mid-transfer",
    }
    assert ranked_causes(report).index(CAUSE) < ranked_causes(report).index("server-overload")


def test_pasted_reset_line_feeds_the_same_diagnosis() -> None:
    """A pasted 'connection reset by peer' gives error_kind and the same top cause."""
    facts = {k: v for k, v in K8S_BUSY_DOWNLOADS.items() if k != "error_kind"}
    line = "read tcp 10.0.0.2:41234->10.96.0.12:80: read: connection reset by peer"
    report = diagnose(facts, "--error", line)
    assert report["facts"]["error_kind"] == "reset"
    assert ranked_causes(report)[0] == CAUSE


def test_invalid_counter_is_strong_evidence() -> None:
    """The node counting INVALID packets raises the cause's confidence well above 0.6."""
    without = diagnosis_of(diagnose(K8S_BUSY_DOWNLOADS), CAUSE)["confidence"]
    report = diagnose({**K8S_BUSY_DOWNLOADS, "conntrack_invalid": "true"})
    assert ranked_causes(report)[0] == CAUSE
    assert f"{CAUSE}.invalid-counter" in fired_rules(report, CAUSE)
    assert diagnosis_of(report, CAUSE)["confidence"] > max(0.6, without)


def test_no_invalid_counter_lets_another_cause_win() -> None:
    """A node that counts no INVALID packets drops the cause below the overloaded server."""
    report = diagnose({**K8S_BUSY_DOWNLOADS, "conntrack_invalid": "false"})
    assert ranked_causes(report)[0] != CAUSE
    against = {a["rule"] for a in diagnosis_of(report, CAUSE).get("against", [])}
    assert f"{CAUSE}.no-invalid-counter" in against


def test_docker_published_port_stream_ranks_it_first() -> None:
    """A long-lived stream to a Docker-published port reset while data flows: it ranks first."""
    report = diagnose({
        "error_kind": "reset", "side": "client", "phase": "long_lived",
        "frequency": "intermittent", "path": "nat", "after_idle": "false",
        "recent_restart": "false", "many_at_once": "false", "large_payload": "true",
        "rst_source": "middlebox",
    })
    order = ranked_causes(report)
    assert order[0] == CAUSE
    assert f"{CAUSE}.middlebox-rst" in fired_rules(report, CAUSE)
    assert order.index(CAUSE) < order.index("idle-timeout-middlebox")


def test_the_questionnaire_asks_for_the_invalid_counter() -> None:
    """Large transfers reset through a busy Service: the conntrack -S check is asked first."""
    report = diagnose({"error_kind": "reset", "path": "kubernetes", "under_load": "true",
                       "frequency": "intermittent", "large_payload": "true",
                       "phase": "reading_response"})
    first = report["next_questions"][0]
    assert first["fact"] == "conntrack_invalid"
    assert "conntrack -S" in first["question"] and "invalid" in first["question"]
    assert CAUSE in first["separates"]


def test_near_miss_full_conntrack_table_is_resource_exhaustion() -> None:
    """Connect timeouts through a busy node are a full conntrack table, not INVALID packets."""
    report = diagnose({"error_kind": "timeout", "phase": "connect", "under_load": "true",
                       "path": "kubernetes,nat", "frequency": "intermittent",
                       "recent_restart": "false", "after_idle": "false", "side": "client"})
    order = ranked_causes(report)
    assert order[0] == "resource-exhaustion"
    assert CAUSE not in order[:3]


def test_near_miss_reset_after_long_idle_is_the_idle_timeout() -> None:
    """A reset on the first use after an hour idle through a NAT is the idle timeout."""
    report = diagnose({"error_kind": "reset", "after_idle": "true", "idle_seconds": "3600",
                       "path": "nat", "frequency": "intermittent", "recent_restart": "false",
                       "many_at_once": "false", "under_load": "false"})
    assert ranked_causes(report)[0] == "idle-timeout-middlebox"
    against = {a["rule"] for a in diagnosis_of(report, CAUSE).get("against", [])}
    assert f"{CAUSE}.after-idle" in against


def test_near_miss_all_at_once_is_the_lost_state_table() -> None:
    """Every connection reset at one moment through the nodes is a failover, not INVALID packets."""
    report = diagnose({"error_kind": "reset", "many_at_once": "true", "recent_restart": "false",
                       "path": "kubernetes,nat", "frequency": "once", "after_idle": "false",
                       "phase": "long_lived", "side": "client"})
    order = ranked_causes(report)
    assert order[0] == "stale-connection-after-failover"
    stale = diagnosis_of(report, "stale-connection-after-failover")["confidence"]
    assert stale > 5 * diagnosis_of(report, CAUSE)["confidence"]


def test_near_miss_refusal_rules_it_out() -> None:
    """A refused connect is a firewall's answer and rules the INVALID reset out."""
    report = diagnose({"error_kind": "refused", "phase": "connect", "frequency": "always",
                       "path": "kubernetes,firewall", "rst_source": "middlebox"})
    assert ranked_causes(report)[0] == "firewall-reject"
    out = {r["cause"]: r["rule"] for r in report["ruled_out"]}
    assert out.get(CAUSE) == f"{CAUSE}.refused"
    assert CAUSE not in ranked_causes(report)


def test_near_miss_random_resets_without_invalid_counts_are_the_path() -> None:
    """Random resets over a VPN, no load, no INVALID counts: the lossy path wins."""
    report = diagnose({"error_kind": "reset", "frequency": "intermittent", "after_idle": "false",
                       "under_load": "false", "large_payload": "false", "path": "vpn,nat",
                       "phase": "reading_response", "conntrack_invalid": "false",
                       "recent_restart": "false", "many_at_once": "false"})
    assert ranked_causes(report)[0] == "faulty-network-path"
    against = {a["rule"] for a in diagnosis_of(report, CAUSE).get("against", [])}
    assert {f"{CAUSE}.no-invalid-counter", f"{CAUSE}.quiet-traffic"} <= against
