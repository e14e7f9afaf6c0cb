"""Probes against faults made for real in network namespaces (root, iproute2, iptables)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import require_lab_tools
from tests.lab.diagnosing import FRONT
from tests.lab.middleboxes import start_nginx, start_sshd
from tests.lab.netlab import ROUTER_CLIENT_IP, ROUTER_SERVER_IP, SERVER_IP, Lab, probe_result

pytestmark = pytest.mark.lab
PORT = 8080


def test_firewall_drop_is_filtered_within_three_seconds(lab: Lab) -> None:
    """A router that drops SYNs silently makes the port 'filtered', decided in under 3 s."""
    lab.serve("stall", PORT)
    lab.run(lab.router, "iptables", "-A", "FORWARD", "-p", "tcp", "--dport", str(PORT),
            "-j", "DROP")
    port = probe_result(lab.probe(PORT, "--only", "port"), "port")
    assert port["facts"]["port_state"] == "filtered"
    assert port["seconds"] < 3.0


def test_rst_injected_by_router_is_from_a_middlebox(lab: Lab) -> None:
    """REJECT --reject-with tcp-reset in the router: the RST is attributed to a middlebox."""
    lab.serve("stall", PORT)
    lab.serve("stall", 80)
    lab.run(lab.router, "iptables", "-A", "FORWARD", "-p", "tcp", "--dport", str(PORT),
            "-j", "REJECT", "--reject-with", "tcp-reset")
    run = lab.probe(PORT, "--only", "port", "--only", "reachability")
    assert probe_result(run, "port")["facts"]["port_state"] == "closed"
    reachability = probe_result(run, "reachability")
    assert reachability["facts"] == {"rst_source": "middlebox"}, reachability["evidence"]


def test_rst_from_the_host_itself_is_from_the_endpoint(lab: Lab) -> None:
    """Nothing listens on the port behind the router: the host's own RST is the endpoint's."""
    lab.serve("stall", 80)
    run = lab.probe(PORT, "--only", "reachability")
    reachability = probe_result(run, "reachability")
    assert reachability["facts"] == {"rst_source": "endpoint"}, reachability["evidence"]


def test_a_closed_port_on_the_router_itself_is_the_endpoints_reset(lab: Lab) -> None:
    """The target is the router's far-side address (a gateway, a multi-homed host) and
    none of its probed ports is open: its RST arrives with an untouched TTL from behind a
    router, which alone reads as a middlebox's. A SYN with TTL 1 is answered by the
    router only for its own address: the endpoint. (Before: middlebox, firewall-reject.)"""
    run = lab.probe(PORT, "--only", "reachability", host=ROUTER_SERVER_IP)
    reachability = probe_result(run, "reachability")
    assert reachability["facts"] == {"rst_source": "endpoint"}, reachability["evidence"]


def test_a_router_resetting_every_port_of_a_host_behind_it_is_a_middlebox(lab: Lab) -> None:
    """The router rejects every TCP port of the server with a reset, so there is no
    SYN-ACK to compare with and every RST has an untouched TTL, as in the test above;
    but a SYN with TTL 1 expires at the router instead of being answered."""
    lab.run(lab.router, "iptables", "-A", "FORWARD", "-p", "tcp", "-d", SERVER_IP,
            "-j", "REJECT", "--reject-with", "tcp-reset")
    run = lab.probe(PORT, "--only", "reachability")
    reachability = probe_result(run, "reachability")
    assert reachability["facts"] == {"rst_source": "middlebox"}, reachability["evidence"]


def test_conntrack_expiry_is_a_silent_idle_close(lab: Lab) -> None:
    """A router whose conntrack forgets idle flows after 4 s (INVALID dropped): 'silent' at ~4 s."""
    lab.serve("stall", PORT)
    lab.run(lab.router, "iptables", "-A", "FORWARD", "-m", "conntrack", "--ctstate", "INVALID",
            "-j", "DROP")
    lab.forget_idle_flows_after(4)
    idle = probe_result(lab.probe(PORT, "--only", "idle", "--idle-max", "10"), "idle")
    assert idle["facts"]["idle_close_kind"] == "silent", idle["evidence"]
    assert abs(idle["facts"]["idle_close_seconds"] - 4) <= 0.4 + 1
    assert idle["seconds"] <= 1.25 * 4 + 3 + 1  # + the probe's own connect and setup


def test_large_segments_dropped_make_the_transfer_stall(lab: Lab) -> None:
    """A router that drops every packet over 1000 bytes (an MTU black hole): 'stall'."""
    lab.serve("sink", PORT)
    lab.run(lab.router, "iptables", "-A", "FORWARD", "-p", "tcp", "--dport", str(PORT),
            "-m", "length", "--length", "1000:65535", "-j", "DROP")
    run = lab.probe(PORT, "--only", "port", "--only", "transfer")
    assert probe_result(run, "port")["facts"]["port_state"] == "open"
    assert probe_result(run, "transfer")["facts"] == {"large_transfer": "stall"}


def test_healthy_path_carries_a_large_transfer(lab: Lab) -> None:
    """The same lab without the drop rule: the upload is acknowledged ('ok')."""
    lab.serve("sink", PORT)
    run = lab.probe(PORT, "--only", "transfer")
    assert probe_result(run, "transfer")["facts"] == {"large_transfer": "ok"}


def test_icmp_host_unreachable_is_unreachable(lab: Lab) -> None:
    """A router answering SYNs with ICMP host-unreachable: 'unreachable', not 'filtered'."""
    lab.serve("stall", PORT)
    lab.run(lab.router, "iptables", "-A", "FORWARD", "-p", "tcp", "--dport", str(PORT),
            "-j", "REJECT", "--reject-with", "icmp-host-unreachable")
    port = probe_result(lab.probe(PORT, "--only", "port"), "port")
    assert port["facts"]["port_state"] == "unreachable"
    assert port["evidence"]["addresses"][0]["details"] == ["EHOSTUNREACH"]


def test_expired_flow_answered_with_rst_is_an_rst_idle_close(lab: Lab) -> None:
    """A router that resets packets of flows it forgot after 3 s (as NAT gateways do): 'rst'."""
    lab.serve("stall", PORT)
    lab.run(lab.router, "iptables", "-A", "FORWARD", "-p", "tcp", "-m", "conntrack",
            "--ctstate", "INVALID", "-j", "REJECT", "--reject-with", "tcp-reset")
    lab.forget_idle_flows_after(3)
    idle = probe_result(lab.probe(PORT, "--only", "idle", "--idle-max", "8"), "idle")
    assert idle["facts"]["idle_close_kind"] == "rst", idle["evidence"]
    assert abs(idle["facts"]["idle_close_seconds"] - 3) <= 0.3 + 1
    assert idle["evidence"]["before_request"]["bracket"] is not None  # found by a keepalive


def test_lossy_path_makes_connects_intermittent(lab: Lab) -> None:
    """A router dropping every second SYN (statistic nth): repeated connects disagree."""
    lab.serve("stall", PORT)
    lab.run(lab.router, "iptables", "-A", "FORWARD", "-p", "tcp", "--syn", "--dport", str(PORT),
            "-m", "statistic", "--mode", "nth", "--every", "2", "--packet", "1", "-j", "DROP")
    port = probe_result(lab.probe(PORT, "--only", "port"), "port")
    states = port["evidence"]["addresses"][0]["states"]
    assert port["facts"]["intermittent_connect"] is True, states
    assert port["facts"]["port_state"] == "open"
    assert {"late", "filtered"} & set(states), states
    assert len(states) > 5, states  # through a router the series goes on to count lost handshakes
    assert 0.2 <= port["facts"]["connect_loss"] <= 0.8, states


def test_first_two_handshakes_lost_is_still_an_open_port(lab: Lab) -> None:
    """The router drops the first SYN and the first SYN-ACK (then every tenth packet): the
    first two tries get no answer in time, but their resent SYNs are usually answered, so the
    port is open with lost handshakes, not 'filtered' (which stopped the series before). The
    resent SYN of the first try is itself the tenth packet now and then (it depends on how
    many the other tries sent meanwhile, found in CI): that try stays unanswered, and the port
    is still open."""
    lab.serve("stall", PORT)
    lab.lose_every_nth_packet(PORT, 10)
    port = probe_result(lab.probe(PORT, "--only", "port"), "port")
    address = port["evidence"]["addresses"][0]
    states = address["states"]
    assert port["facts"]["port_state"] == "open", states
    assert states[0] in ("late", "filtered"), states  # the first SYN is always lost
    if states[0] == "late":
        assert 950 <= address["ms"][0] <= 1500  # the SYN resent after 1 s
    assert "open" in states[1:], states
    assert port["facts"]["connect_loss"] >= 0.2


def test_idle_test_on_a_lossy_path_ends_in_time_and_finds_no_close(lab: Lab) -> None:
    """Every tenth packet lost both ways, the idle test's first SYN among them: its waits come
    from the quickest handshake (not the one that needed a resent SYN, which made them 4 s and
    ran the probe past its budget), and lost keepalives are not a silent expiry."""
    lab.serve("stall", PORT)
    lab.lose_every_nth_packet(PORT, 10)
    idle = probe_result(lab.probe(PORT, "--only", "idle", "--idle-max", "6"), "idle")
    assert idle["status"] == "ok", idle
    assert idle["facts"] == {"idle_close_kind": "none"}, idle["evidence"]
    assert idle["seconds"] <= 6 * 1.25 + 3


def test_nginx_out_of_slots_under_the_burst_does_not_fool_the_idle_test(
        lab: Lab, tmp_path: Path) -> None:
    """nginx with 20 worker_connections: the burst fills them, and nginx closes idle keep-alive
    connections to make room. The idle test runs after the burst, so it times nginx's own
    keepalive_timeout (75 s: nothing closes within 4 s), not the burst (a FIN at 0.7 s when
    both ran at once)."""
    require_lab_tools("nginx")
    lab.serve("http-keepalive", PORT, 60)
    start_nginx(lab, tmp_path, listen=ROUTER_CLIENT_IP, port=FRONT, worker_connections=20,
                server_block=f"location / {{ proxy_pass http://{SERVER_IP}:{PORT}; }}")
    run = lab.probe(FRONT, "--idle-max", "4", host=ROUTER_CLIENT_IP)
    assert probe_result(run, "burst")["facts"]["burst_failure_rate"] > 0.3  # nginx was full
    idle = probe_result(run, "idle")
    assert idle["facts"] == {"idle_close_kind": "none"}, idle["evidence"]


def test_sshd_turning_a_burst_away_past_max_startups_is_counted(lab: Lab, tmp_path: Path) -> None:
    """sshd with its default ``MaxStartups 10:30:100``: past 10 unauthenticated connections it
    says "Exceeded MaxStartups" and closes, at random and then always. The burst counts
    those as failures; a lone connection afterwards gets the banner. Before, any bytes
    back counted as a connection served, and the burst read 0 failures."""
    require_lab_tools("sshd", "ssh-keygen")
    start_sshd(lab, tmp_path, port=PORT, max_startups="10:30:100")
    burst = probe_result(lab.probe(PORT, "--only", "burst"), "burst")
    assert burst["facts"]["burst_failure_kind"] == "reset", burst
    assert burst["facts"]["burst_failure_rate"] >= 0.1, burst
    assert "turned away by a cap" in burst["evidence"]["said_and_closed"]
