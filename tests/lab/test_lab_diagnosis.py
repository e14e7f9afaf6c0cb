"""Real faults, made in network namespaces, diagnosed end to end.

Each test builds one fault the way it happens in production -- an iptables
rule in the router, a conntrack table that forgets idle flows, a real HAProxy
or nginx (Debian packages) with its timers in seconds -- lets a real client
(curl, or a socket that behaves like a slow one) meet it when the user would
have an error to paste, and then runs what the user runs:
``conndoctor diagnose --no-input --target HOST:PORT --format json`` from the
client namespace, with the default probes and the facts that user plainly
knows. It asserts what the user reads: the cause ranked first, and the
measurement that put it there.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import require_lab_tools
from tests.lab.diagnosing import (
    CROWD,
    FRONT,
    PORT,
    QUICK_IDLE,
    confidence,
    curl_error,
    first,
    measured,
    ranking,
)
from tests.lab.middleboxes import start_haproxy, start_nginx
from tests.lab.netlab import ROUTER_CLIENT_IP, ROUTER_SERVER_IP, SERVER_IP, Lab, probe_result

pytestmark = pytest.mark.lab
DROPPED_IP = "10.77.2.3"  # a second address of the server, behind a DROP in the router
UNBOUND_IP = "10.77.2.4"  # a second address of the server that its service is not bound to


def test_router_dropping_syns_is_a_firewall_drop(lab: Lab) -> None:
    """iptables DROP in the router: curl times out, the port is filtered, firewall-drop first."""
    lab.serve("http-keepalive", PORT, 60)
    lab.run(lab.router, "iptables", "-A", "FORWARD", "-p", "tcp", "--dport", str(PORT),
            "-j", "DROP")
    error = curl_error(lab, f"http://{SERVER_IP}:{PORT}/")
    report = lab.diagnose(SERVER_IP, PORT, "--idle-max", QUICK_IDLE, "--error", error)
    assert first(report) == "firewall-drop", ranking(report)
    assert measured(report, "port")["port_state"] == "filtered"


def test_router_rejecting_with_a_reset_is_a_firewall_reject(lab: Lab) -> None:
    """REJECT --reject-with tcp-reset in the router: the RST is not the host's; firewall-reject."""
    lab.serve("http-keepalive", PORT, 60)
    lab.serve("http-keepalive", 80, 60)  # an open port of the same host, for its TTL
    lab.run(lab.router, "iptables", "-A", "FORWARD", "-p", "tcp", "--dport", str(PORT),
            "-j", "REJECT", "--reject-with", "tcp-reset")
    error = curl_error(lab, f"http://{SERVER_IP}:{PORT}/")
    report = lab.diagnose(SERVER_IP, PORT, "--idle-max", QUICK_IDLE, "--error", error)
    assert first(report) == "firewall-reject", ranking(report)
    assert confidence(report) >= 0.5, ranking(report)
    assert measured(report, "reachability")["rst_source"] == "middlebox"


def test_nothing_listening_behind_the_router_is_port_not_listening(lab: Lab) -> None:
    """The host itself refuses (nothing on the port): port-not-listening, not a firewall."""
    lab.serve("http-keepalive", 80, 60)
    error = curl_error(lab, f"http://{SERVER_IP}:{PORT}/")
    report = lab.diagnose(SERVER_IP, PORT, "--idle-max", QUICK_IDLE, "--error", error)
    assert first(report) == "port-not-listening", ranking(report)
    assert measured(report, "reachability")["rst_source"] == "endpoint"


@pytest.mark.parametrize(("verdict", "kind"), [
    (["-j", "DROP"], "silent"),  # conntrack marking the late packet INVALID, dropped
    (["-j", "REJECT", "--reject-with", "tcp-reset"], "rst"),  # as AWS NAT Gateway answers
])
def test_conntrack_forgetting_idle_flows_is_an_idle_timeout_middlebox(
        lab: Lab, verdict: list[str], kind: str) -> None:
    """A router whose conntrack forgets flows idle 4 s: the idle probe finds it at ~4 s."""
    lab.serve("http-keepalive", PORT, 60)
    lab.run(lab.router, "iptables", "-A", "FORWARD", "-p", "tcp", "-m", "conntrack",
            "--ctstate", "INVALID", *verdict)
    lab.forget_idle_flows_after(4)
    report = lab.diagnose(SERVER_IP, PORT, "--idle-max", "10", "--fact", "after_idle=true")
    assert first(report) == "idle-timeout-middlebox", ranking(report)
    idle = measured(report, "idle")
    assert idle["idle_close_kind"] == kind
    assert 3 <= idle["idle_close_seconds"] <= 6


def test_router_losing_syns_is_a_faulty_network_path(lab: Lab) -> None:
    """Every third SYN lost on the way: single connects are flaky too, so it is loss, not load."""
    lab.serve("http-keepalive", PORT, 60)
    lab.run(lab.router, "iptables", "-A", "FORWARD", "-p", "tcp", "--syn", "--dport", str(PORT),
            "-m", "statistic", "--mode", "nth", "--every", "3", "--packet", "2", "-j", "DROP")
    report = lab.diagnose(SERVER_IP, PORT, "--idle-max", QUICK_IDLE,
                          "--fact", "frequency=intermittent", "--fact", "under_load=false")
    assert first(report) == "faulty-network-path", ranking(report)
    assert measured(report, "port")["intermittent_connect"] is True
    assert "load_dependent" not in report["facts"]


def test_router_losing_every_tenth_packet_is_a_faulty_network_path(lab: Lab) -> None:
    """Every tenth packet lost both ways: the lost handshakes are counted, and lost keepalives
    do not read as a middlebox forgetting idle flows."""
    lab.serve("http-keepalive", PORT, 60)
    lab.lose_every_nth_packet(PORT, 10)
    report = lab.diagnose(SERVER_IP, PORT, "--idle-max", QUICK_IDLE,
                          "--fact", "frequency=intermittent", "--fact", "under_load=false")
    assert first(report) == "faulty-network-path", ranking(report)
    assert confidence(report) >= 0.3, ranking(report)
    port = measured(report, "port")
    assert port["port_state"] == "open"
    assert port["connect_loss"] >= 0.1
    assert measured(report, "idle")["idle_close_kind"] == "none"


def test_router_dropping_large_packets_is_an_mtu_black_hole(lab: Lab) -> None:
    """Packets over 1000 bytes dropped: small exchanges work, the transfer probe stalls."""
    lab.serve("sink", PORT)
    lab.run(lab.router, "iptables", "-A", "FORWARD", "-p", "tcp", "--dport", str(PORT),
            "-m", "length", "--length", "1000:65535", "-j", "DROP")
    report = lab.diagnose(SERVER_IP, PORT, "--idle-max", QUICK_IDLE, "--with", "transfer")
    assert first(report) == "mtu-blackhole", ranking(report)
    assert measured(report, "transfer")["large_transfer"] == "stall"
    assert measured(report, "port")["port_state"] == "open"


def test_router_limiting_new_connections_is_rate_limited(lab: Lab) -> None:
    """hashlimit (20 new connections a second) with REJECT: the burst is refused; rate-limited."""
    lab.serve("http-keepalive", PORT, 60)
    lab.limit_new_connections(PORT, 20, 20, "REJECT", "--reject-with", "tcp-reset")
    report = lab.diagnose(SERVER_IP, PORT, "--idle-max", QUICK_IDLE)
    assert first(report) == "rate-limited", ranking(report)
    burst = measured(report, "burst")
    assert burst["burst_failure_kind"] == "refused"
    assert measured(report, "port")["port_state"] == "open"


def test_router_dropping_syns_past_a_strict_limit_is_load_not_a_lossy_path(lab: Lab) -> None:
    """hashlimit (10 new connections a second, burst 5) with DROP: the port probe's series
    loses handshakes past the limit as a lossy path would, but the burst loses most of its
    connects, which loss cannot do (each connect survives one lost SYN): load, not the path.
    (Before, faulty-network-path ranked first.) Which load, a limiter or a full accept queue,
    a SYN that gets no answer does not tell."""
    lab.serve("http-keepalive", PORT, 60)
    lab.limit_new_connections(PORT, 10, 5, "DROP")
    report = lab.diagnose(SERVER_IP, PORT, "--idle-max", QUICK_IDLE)
    assert first(report) in ("server-overload", "rate-limited"), ranking(report)
    assert report["facts"]["load_dependent"] is True
    assert measured(report, "port")["connect_loss"] > 0.1  # the series did trip the limit
    assert measured(report, "burst")["burst_failure_rate"] >= 0.5
    # a connect that waited for its resent SYN is not a round trip: the reachability probe
    # timed its wait for a reset from one (4 s) and ran past its budget of 5 s
    assert {p["name"]: p["status"] for p in report["probes"]}["reachability"] == "ok"


def test_a_strict_limit_that_spares_other_clients_is_rate_limited(
        lab: Lab, tmp_path: Path) -> None:
    """The same SYN-dropping limiter, measured once (``conndoctor probe``) and diagnosed from
    those measurements with the answer that tells a limiter from a full queue: other clients
    fine at the same time is a limit kept per client; every client failing is the server."""
    lab.serve("http-keepalive", PORT, 60)
    lab.limit_new_connections(PORT, 10, 5, "DROP")
    run = lab.probe(PORT, "--idle-max", QUICK_IDLE)
    assert probe_result(run, "burst")["facts"]["burst_failure_kind"] == "timeout"
    probes = tmp_path / "probes.json"
    probes.write_text(json.dumps(run))

    def answered(others_fine: str) -> dict[str, Any]:
        said = lab.run_cli("diagnose", "--no-input", "--format", "json", "--probe-results",
                           str(probes), "--fact", f"other_clients_ok={others_fine}")
        report: dict[str, Any] = json.loads(said.stdout)
        return report

    spared, everybody = answered("true"), answered("false")
    assert first(spared) == "rate-limited", ranking(spared)
    assert first(everybody) == "server-overload", ranking(everybody)


def test_a_name_with_one_dead_address_is_port_not_listening(lab: Lab) -> None:
    """A name with two addresses (the client's hosts file, as a stale DNS record or a
    dead replica behind round-robin DNS leaves it): the server answers at the first,
    nothing listens at the second. Clients given the second are refused now and then.
    The port probe tries both and says they disagree; before, the first address's open
    port ruled port-not-listening out and nothing explained the refusals."""
    lab.serve("http-keepalive", PORT, 60)
    lab.name_in_client("svc.lab", SERVER_IP, ROUTER_SERVER_IP)
    report = lab.diagnose("svc.lab", PORT, "--idle-max", QUICK_IDLE,
                          "--error", "connect: connection refused",
                          "--fact", "frequency=intermittent")
    port = measured(report, "port")
    assert port["addresses_disagree"] is True
    assert first(report) == "port-not-listening", ranking(report)
    assert confidence(report) >= 0.5, ranking(report)


def test_a_dead_first_address_still_lets_the_probes_reach_the_service(lab: Lab) -> None:
    """The server host has a second address its service is not bound to, and the name
    gives that one first (as ``localhost`` gives ``::1`` first to a server bound to IPv4
    only): the port probe reports it closed, and the probes that talk to the service go
    where a client ends up, the second address. Before, they were skipped."""
    lab.serve("http-keepalive", PORT, 60)
    lab.run(lab.server, "ip", "addr", "add", f"{UNBOUND_IP}/24", "dev", "s0")
    lab.name_in_client("svc.lab", UNBOUND_IP, SERVER_IP)
    report = lab.diagnose("svc.lab", PORT, "--idle-max", QUICK_IDLE,
                          "--error", "connect: connection refused")
    port = measured(report, "port")
    assert port["port_state"] == "closed" and port["addresses_disagree"] is True
    assert measured(report, "protocol")["protocol_guess"] == "http"
    assert measured(report, "tls")["tls_handshake"] == "not_tls"
    assert first(report) == "port-not-listening", ranking(report)


def test_a_name_with_one_dropped_address_is_a_firewall_drop(lab: Lab) -> None:
    """The same name, but the second address is the server's too and the router drops
    everything sent to it (as a security group open for one address only, or a broken
    IPv6 path while IPv4 works): clients given it time out. Before, the first address's
    open port counted 20 to 1 against firewall-drop."""
    lab.serve("http-keepalive", PORT, 60)
    lab.run(lab.server, "ip", "addr", "add", f"{DROPPED_IP}/24", "dev", "s0")
    lab.run(lab.router, "iptables", "-A", "FORWARD", "-d", DROPPED_IP, "-j", "DROP")
    lab.name_in_client("svc.lab", SERVER_IP, DROPPED_IP)
    report = lab.diagnose("svc.lab", PORT, "--idle-max", QUICK_IDLE,
                          "--error", f"dial tcp {DROPPED_IP}:{PORT}: connect: connection timed out",
                          "--fact", "frequency=intermittent")
    port = measured(report, "port")
    assert port["addresses_disagree"] is True and port["port_state"] == "open"
    assert first(report) == "firewall-drop", ranking(report)


def test_haproxy_closing_idle_connections_is_a_keepalive_race(lab: Lab, tmp_path: Path) -> None:
    """HAProxy's 3 s idle timeout closes with FIN, as a cloud LB does: the client pool's race."""
    require_lab_tools("haproxy")
    lab.serve("http-keepalive", PORT, 60)
    start_haproxy(lab, tmp_path, listen=ROUTER_CLIENT_IP, port=FRONT,
                  backend=f"{SERVER_IP}:{PORT}", idle_timeout_s=3)
    report = lab.diagnose(ROUTER_CLIENT_IP, FRONT, "--idle-max", "8",
                          "--error", "read: connection reset by peer", "--fact", "after_idle=true")
    assert first(report) == "keepalive-race", ranking(report)
    idle = measured(report, "idle")
    assert idle["idle_close_kind"] == "fin"
    assert 2.5 <= idle["idle_close_seconds"] <= 4


def test_haproxy_before_a_backend_that_refuses_is_port_not_listening(
        lab: Lab, tmp_path: Path) -> None:
    """HAProxy in TCP mode before a port where nothing listens: it accepts, retries, closes.

    The client never sees the refusal: curl says 'Empty reply from server'
    after HAProxy's three retries (3 s). The idle probe sees its GET closed
    unanswered at the same 3 s as the idle connections. Before, that FIN at
    3 s made it a keep-alive race, and the accepted connection ruled out
    port-not-listening.
    """
    require_lab_tools("haproxy", "curl")
    lab.serve("http-keepalive", 80, 60)  # the backend host is up; only its port is dead
    start_haproxy(lab, tmp_path, listen=ROUTER_CLIENT_IP, port=FRONT,
                  backend=f"{SERVER_IP}:{PORT}", idle_timeout_s=30)
    error = curl_error(lab, f"http://{ROUTER_CLIENT_IP}:{FRONT}/")
    assert "Empty reply from server" in error
    report = lab.diagnose(ROUTER_CLIENT_IP, FRONT, "--idle-max", "8", "--error", error)
    assert measured(report, "idle")["closes_without_reply"] is True
    assert first(report) == "port-not-listening", ranking(report)
    assert "forwarder" in report["diagnoses"][0]["remedies"][0]


def test_socat_forwarding_to_a_port_where_nothing_listens_is_port_not_listening(
        lab: Lab) -> None:
    """socat forwarding to a dead port, as docker-proxy or kubectl port-forward do: closed at once.

    Each connection is accepted, socat's own connect is refused, and it ends
    the client's connection without a byte; the protocol probe sees every one
    of its connections end so. Before, the burst's resets read as a rate limit.
    """
    require_lab_tools("socat", "curl")
    lab.serve("http-keepalive", 80, 60)  # the backend host is up; only its port is dead
    lab.start(lab.router, "socat", f"TCP-LISTEN:{FRONT},bind={ROUTER_CLIENT_IP},fork,reuseaddr",
              f"TCP:{SERVER_IP}:{PORT}", listens_on=FRONT)
    error = curl_error(lab, f"http://{ROUTER_CLIENT_IP}:{FRONT}/")
    report = lab.diagnose(ROUTER_CLIENT_IP, FRONT, "--idle-max", QUICK_IDLE, "--error", error)
    assert measured(report, "protocol")["closes_without_reply"] is True
    assert first(report) == "port-not-listening", ranking(report)
    assert "forwarder" in report["diagnoses"][0]["remedies"][0]


def test_nginx_upstream_timeout_in_its_log_is_a_proxy_upstream_timeout(
        lab: Lab, tmp_path: Path) -> None:
    """nginx with proxy_read_timeout 1s before a backend that never answers: its log says so."""
    require_lab_tools("nginx", "curl")
    lab.serve("stall", PORT, 60)
    error_log = start_nginx(lab, tmp_path, listen=ROUTER_CLIENT_IP, port=FRONT, server_block=(
        f"location / {{ proxy_pass http://{SERVER_IP}:{PORT}; proxy_read_timeout 1s; }}"))
    status = lab.run_in(lab.client, "curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}",
                        f"http://{ROUTER_CLIENT_IP}:{FRONT}/").stdout
    assert status == "504"
    assert "upstream timed out" in error_log.read_text()
    report = lab.diagnose(ROUTER_CLIENT_IP, FRONT, "--idle-max", QUICK_IDLE,
                          "--log", str(error_log))
    assert first(report) == "proxy-upstream-timeout", ranking(report)


SLOW_READER = """\
import socket, sys, time
sock = socket.socket()
sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
sock.connect((sys.argv[1], int(sys.argv[2])))
sock.sendall(b"GET /export.bin HTTP/1.1\\r\\nHost: lab\\r\\n\\r\\n")
time.sleep(2.5)  # reads nothing: nginx's send_timeout (1 s) fires first
"""


def test_nginx_send_timeout_in_its_log_is_a_server_request_timeout(
        lab: Lab, tmp_path: Path) -> None:
    """nginx's own send_timeout cuts a client that reads too slowly: server-request-timeout."""
    require_lab_tools("nginx")
    (tmp_path / "www").mkdir()
    (tmp_path / "www" / "export.bin").write_bytes(b"x" * 20_000_000)
    error_log = start_nginx(lab, tmp_path, listen=ROUTER_CLIENT_IP, port=FRONT,
                            server_block=f"send_timeout 1s; root {tmp_path}/www;")
    lab.run_in(lab.client, sys.executable, "-c", SLOW_READER, ROUTER_CLIENT_IP, str(FRONT))
    assert "client timed out" in error_log.read_text()
    report = lab.diagnose(ROUTER_CLIENT_IP, FRONT, "--idle-max", QUICK_IDLE,
                          "--log", str(error_log))
    assert first(report) == "server-request-timeout", ranking(report)
    assert report["facts"]["server_timeout_logged"] is True


def test_https_to_a_plain_http_port_is_a_protocol_mismatch(lab: Lab, tmp_path: Path) -> None:
    """curl speaks TLS to nginx's plain HTTP port: 'wrong version number'; the probes agree."""
    require_lab_tools("nginx", "curl")
    start_nginx(lab, tmp_path, listen=ROUTER_CLIENT_IP, port=FRONT,
                server_block="location / { return 200 'ok'; }")
    error = curl_error(lab, f"https://{ROUTER_CLIENT_IP}:{FRONT}/")
    report = lab.diagnose(ROUTER_CLIENT_IP, FRONT, "--idle-max", QUICK_IDLE, "--error", error)
    assert first(report) == "protocol-mismatch", ranking(report)
    assert measured(report, "tls")["tls_handshake"] == "not_tls"
    assert measured(report, "protocol")["protocol_guess"] == "http"


def test_nginx_out_of_worker_connections_is_server_overload(lab: Lab, tmp_path: Path) -> None:
    """A crowd of 30 clients against nginx with 6 worker_connections: its log names the limit."""
    require_lab_tools("nginx")
    lab.serve("stall", PORT, 60)
    error_log = start_nginx(lab, tmp_path, listen=ROUTER_CLIENT_IP, port=FRONT,
                            server_block=f"location / {{ proxy_pass http://{SERVER_IP}:{PORT}; }}",
                            worker_connections=6, backlog=4)
    lab.run_in(lab.client, sys.executable, "-c", CROWD, ROUTER_CLIENT_IP, str(FRONT), "30")
    assert "worker_connections are not enough" in error_log.read_text(errors="replace")
    report = lab.diagnose(ROUTER_CLIENT_IP, FRONT, "--idle-max", QUICK_IDLE,
                          "--log", str(error_log))
    assert first(report) == "server-overload", ranking(report)
    assert measured(report, "port")["port_state"] == "open"


def test_client_capped_below_the_servers_tls_is_a_tls_handshake_rejected(
        lab: Lab, tmp_path: Path) -> None:
    """nginx allows only TLS 1.3, the client stops at 1.2: a protocol-version alert."""
    require_lab_tools("nginx", "curl", "openssl")
    lab.run_in(lab.client, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
               "-keyout", str(tmp_path / "key.pem"), "-out", str(tmp_path / "cert.pem"),
               "-days", "1", "-subj", "/CN=lab")
    start_nginx(lab, tmp_path, listen=ROUTER_CLIENT_IP, port=FRONT, tls=True, server_block=(
        f"ssl_certificate {tmp_path}/cert.pem; ssl_certificate_key {tmp_path}/key.pem; "
        "ssl_protocols TLSv1.3; location / { return 200 'ok'; }"))
    said = lab.client_says("curl", "-sS", "--insecure", "--tls-max", "1.2",
                           f"https://{ROUTER_CLIENT_IP}:{FRONT}/")
    assert "alert protocol version" in said, said
    report = lab.diagnose(ROUTER_CLIENT_IP, FRONT, "--idle-max", QUICK_IDLE, "--error", said)
    assert first(report) == "tls-handshake-rejected", ranking(report)
    assert measured(report, "tls")["tls_handshake"] == "ok"  # a modern client gets through


POOL = """\
import socket, sys
pool = [socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=5) for _ in range(5)]
print("ready", flush=True)
sys.stdin.readline()  # the failover happens here
for sock in pool:
    try:
        sock.sendall(b"GET / HTTP/1.1\\r\\nHost: lab\\r\\n\\r\\n")
        print("answer", sock.recv(100) or b"EOF", flush=True)
    except OSError as error:
        print(error, flush=True)
"""


def test_nat_failover_without_state_sync_is_a_stale_connection(lab: Lab) -> None:
    """The router's DNAT moves to a standby and its conntrack is flushed: every pooled
    connection is reset at once, new ones work."""
    require_lab_tools("conntrack")
    standby = "10.77.2.3"
    lab.run(lab.server, "ip", "addr", "add", f"{standby}/24", "dev", "s0")
    for address in (SERVER_IP, standby):
        lab.serve("http-keepalive", PORT, 60, host=address)
    dnat = ["PREROUTING", "-d", ROUTER_CLIENT_IP, "-p", "tcp", "--dport", str(FRONT),
            "-j", "DNAT", "--to-destination"]
    lab.run(lab.router, "iptables", "-t", "nat", "-A", *dnat, f"{SERVER_IP}:{PORT}")
    pool = lab.talk(lab.client, sys.executable, "-c", POOL, ROUTER_CLIENT_IP, str(FRONT))
    assert pool.stdout is not None and pool.stdin is not None
    assert pool.stdout.readline().strip() == "ready"
    lab.run(lab.router, "iptables", "-t", "nat", "-R", *dnat[:1], "1", *dnat[1:],
            f"{standby}:{PORT}")
    lab.run(lab.router, "conntrack", "-F")
    said = pool.communicate("failover\n", timeout=20)[0].splitlines()
    assert said == ["[Errno 104] Connection reset by peer"] * 5, said
    report = lab.diagnose(ROUTER_CLIENT_IP, FRONT, "--idle-max", QUICK_IDLE,
                          "--error", said[0], "--fact", "many_at_once=true",
                          "--fact", "frequency=once", "--fact", "recent_restart=false")
    assert first(report) == "stale-connection-after-failover", ranking(report)
    assert measured(report, "port")["port_state"] == "open"  # new connections work


KEPT_CONNECTION = """\
import socket, sys
sock = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=5)
sock.sendall(b"GET / HTTP/1.1\\r\\nHost: lab\\r\\n\\r\\n")
print("answer", sock.recv(100)[:15], flush=True)
sys.stdin.readline()  # the next request, once the stray segment has passed
try:
    sock.sendall(b"GET / HTTP/1.1\\r\\nHost: lab\\r\\n\\r\\n")
    print("answer", sock.recv(100)[:15] or b"EOF", flush=True)
except OSError as error:
    print(f"{type(error).__name__}: {error}", flush=True)
"""


def conntrack_invalid_count(lab: Lab) -> int:
    """The router's INVALID counter over all CPUs, as ``conntrack -S`` shows it on a node."""
    stats = lab.run(lab.router, "conntrack", "-S").stdout
    return sum(int(word.split("=")[1]) for word in stats.split() if word.startswith("invalid="))


def test_a_segment_outside_conntracks_window_is_a_conntrack_invalid_reset(lab: Lab) -> None:
    """Through the router's DNAT, the server's kernel sends one segment far outside the window:
    conntrack marks it INVALID and forwards it untranslated, the client's kernel answers it with
    a RST that kills the server's side, and the client's next request is reset."""
    require_lab_tools("conntrack")
    lab.run(lab.router, "iptables", "-t", "nat", "-A", "PREROUTING", "-d", ROUTER_CLIENT_IP,
            "-p", "tcp", "--dport", str(FRONT), "-j", "DNAT", "--to-destination",
            f"{SERVER_IP}:{PORT}")
    server = lab.talk(lab.server, sys.executable, str(Path(__file__).with_name(
        "stray_segment_server.py")), SERVER_IP, str(PORT))
    assert server.stdout is not None and server.stdin is not None
    assert server.stdout.readline().strip() == "ready"  # listening: the client may connect
    client = lab.talk(lab.client, sys.executable, "-c", KEPT_CONNECTION, ROUTER_CLIENT_IP,
                      str(FRONT))
    assert client.stdout is not None
    assert client.stdout.readline().startswith("answer b'HTTP/1.1 200")
    invalid_before = conntrack_invalid_count(lab)
    server.stdin.write("stray\n")
    server.stdin.flush()
    assert server.stdout.readline().strip() == "[Errno 104] Connection reset by peer"
    assert conntrack_invalid_count(lab) > invalid_before  # what the node's conntrack -S shows
    said = client.communicate("next\n", timeout=20)[0].strip()
    assert said == "ConnectionResetError: [Errno 104] Connection reset by peer"
    server.wait(timeout=5)
    lab.serve("http-keepalive", PORT, 60)  # the service goes on answering
    report = lab.diagnose(ROUTER_CLIENT_IP, FRONT, "--idle-max", QUICK_IDLE, "--error", said,
                          "--fact", "path=nat", "--fact", "conntrack_invalid=true",
                          "--fact", "after_idle=false", "--fact", "frequency=intermittent")
    assert first(report) == "conntrack-invalid-reset", ranking(report)
