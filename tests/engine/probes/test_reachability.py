"""The reachability probe on loopback: who sent the RST, and what it could not measure."""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys

import pytest

from engine.faults import FaultServer, reset_on_accept, stall, unused_port
from engine.probes.base import ProbeOptions, Target
from engine.probes.reachability import probe_reachability
from tests.conftest import REPO, require, require_lab_tools


@pytest.fixture
def as_root() -> None:
    """Raw capture needs root: skip outside CI without it, fail under CI=true."""
    require_lab_tools()


needs_root = pytest.mark.usefixtures("as_root")


@needs_root
def test_closed_port_rst_is_the_hosts_own_with_capture() -> None:
    """As root, the RST of a closed loopback port is the endpoint's (TTL untouched, on link)."""
    result = asyncio.run(probe_reachability(Target("127.0.0.1", unused_port()), ProbeOptions()))
    assert result.facts == {"rst_source": "endpoint"}
    target = result.evidence["ports"][0]
    assert target["role"] == "target"
    assert target["packet"]["flags"] == "RST|ACK"
    assert target["packet"]["ttl"] == 64


def test_without_capture_it_says_what_it_could_not_measure() -> None:
    """Without packet capture and no open port to time, the source is 'unknown', and why."""
    options = ProbeOptions(capture=False)
    result = asyncio.run(probe_reachability(Target("127.0.0.1", unused_port()), options))
    assert result.status == "ok"
    assert result.evidence["not_measured"] == "packet capture turned off"
    assert "packet" not in result.evidence["ports"][0]
    if not any(p["state"] == "open" for p in result.evidence["ports"][1:]):
        assert result.facts == {"rst_source": "unknown"}


def test_open_port_has_no_reset_to_attribute() -> None:
    """An open port that does not reset sets no rst_source (nothing was measured)."""
    with FaultServer(stall) as server:
        result = asyncio.run(probe_reachability(Target("127.0.0.1", server.port),
                                                ProbeOptions()))
    assert result.status == "ok"
    assert result.facts == {}
    assert result.evidence["ports"][0]["state"] == "open"


@needs_root
def test_reset_right_after_accept_is_compared_with_the_same_connections_syn_ack() -> None:
    """A server that resets on accept: its RST matches its SYN-ACK, so 'endpoint'."""
    with FaultServer(reset_on_accept) as server:
        result = asyncio.run(probe_reachability(Target("127.0.0.1", server.port),
                                                ProbeOptions()))
    target = result.evidence["ports"][0]
    assert target["reset_after_accept"] is True
    assert target["rst_packet"]["flags"] == "RST|ACK"
    assert result.facts == {"rst_source": "endpoint"}


def test_unresolvable_name_is_skipped_with_the_reason() -> None:
    """A name that does not resolve: skipped, no fact, the DNS error as reason."""
    result = asyncio.run(probe_reachability(Target("no-such-host.invalid", 80), ProbeOptions()))
    assert result.status == "skipped"
    assert result.facts == {}
    assert "does not resolve" in (result.reason or "")


def test_unprivileged_run_says_capture_needs_root() -> None:
    """Run as 'nobody': no raw socket, and the evidence says the RST's TTL etc. need root."""
    require_lab_tools("setpriv")
    code = ("import asyncio, json, sys; from engine.probes.base import ProbeOptions, Target; "
            "from engine.probes.reachability import probe_reachability; "
            "r = asyncio.run(probe_reachability(Target('127.0.0.1', int(sys.argv[1])), "
            "ProbeOptions())); print(json.dumps(r.evidence))")
    result = subprocess.run(
        ["setpriv", "--reuid", "65534", "--regid", "65534", "--clear-groups", sys.executable,
         "-c", code, str(unused_port())],
        capture_output=True, text=True, timeout=60, cwd=REPO, check=True)
    evidence = json.loads(result.stdout)
    assert evidence["not_measured"] == ("capturing the RST's TTL, IP ID, flags and options "
                                        "needs root (CAP_NET_RAW)")


def _ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as sock:
            sock.bind(("::1", 0))
    except OSError:
        return False
    return True


@needs_root
def test_ipv6_rst_is_captured_with_its_hop_limit() -> None:
    """Over IPv6 the RST's hop limit comes as ancillary data; IPv6 has no IP ID."""
    require(_ipv6_loopback(), "no IPv6 loopback on this host")
    with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as probe:
        probe.bind(("::1", 0))
        port = probe.getsockname()[1]
    result = asyncio.run(probe_reachability(Target("::1", port), ProbeOptions()))
    packet = result.evidence["ports"][0]["packet"]
    assert (packet["ttl"], packet["ip_id"], packet["flags"]) == (64, None, "RST|ACK")
    assert result.facts == {"rst_source": "endpoint"}
