"""Faults in the programs at either end, made for real and diagnosed end to end.

``test_lab_diagnosis.py`` breaks the path; this module breaks the ends: a
server's timer that closes on a stalled upload, a client that gives up on a
slow page, a client out of ephemeral ports, nginx out of file descriptors, an
application server killed mid-request (SIGKILL, as the OOM killer sends), sshd
past its MaxStartups. The
client is a real program (curl, Python's ``http.client``, a socket), and the
user's diagnosis is what it would be: ``conndoctor diagnose --no-input
--target`` from the client namespace with the error the program printed or
the server's log, and only the facts that user plainly knows.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import require_lab_tools
from tests.lab.diagnosing import (
    CROWD,
    FRONT,
    PORT,
    QUICK_IDLE,
    confidence,
    first,
    measured,
    ranking,
)
from tests.lab.middleboxes import start_nginx, start_sshd
from tests.lab.netlab import ROUTER_CLIENT_IP, SERVER_IP, Lab

pytestmark = pytest.mark.lab


def wait_for_line(log: Path, text: str, seconds: float = 5) -> str:
    """The log's text once it holds ``text`` (a daemon writes when it notices, not at once)."""
    deadline = time.monotonic() + seconds
    while True:
        written = log.read_text(errors="replace")
        if text in written or time.monotonic() > deadline:
            assert text in written, written[-2000:]
            return written
        time.sleep(0.05)


SLOW_UPLOADER = """\
import socket, sys, time
sock = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=5)
sock.sendall(b"POST /upload HTTP/1.1\\r\\nHost: lab\\r\\nContent-Length: 200000\\r\\n\\r\\n")
sock.sendall(b"x" * 1000)
time.sleep(2.5)  # the uploader's source stalls: nginx's client_body_timeout (1 s) fires
try:
    for _ in range(199):
        sock.sendall(b"x" * 1000)
        time.sleep(0.01)
except OSError as error:
    print(f"{type(error).__name__}: {error}")
"""


def test_upload_cut_by_the_servers_body_timeout_is_a_write_after_peer_close(
        lab: Lab, tmp_path: Path) -> None:
    """nginx closes an upload stalled past client_body_timeout with a FIN; the client's next
    writes meet a RST, and Linux reports EPIPE, not ECONNRESET, after the peer's FIN."""
    require_lab_tools("nginx")
    lab.serve("http-keepalive", PORT, 60)
    start_nginx(lab, tmp_path, listen=ROUTER_CLIENT_IP, port=FRONT, server_block=(
        "client_body_timeout 1s; client_max_body_size 1m; "
        f"location / {{ proxy_pass http://{SERVER_IP}:{PORT}; }}"))
    said = lab.run_in(lab.client, sys.executable, "-c", SLOW_UPLOADER, ROUTER_CLIENT_IP,
                      str(FRONT)).stdout.strip()
    assert said == "BrokenPipeError: [Errno 32] Broken pipe"
    report = lab.diagnose(ROUTER_CLIENT_IP, FRONT, "--idle-max", QUICK_IDLE, "--error", said,
                          "--fact", "side=client", "--fact", "phase=sending_request",
                          "--fact", "large_payload=false", "--fact", "after_idle=false",
                          "--fact", "frequency=intermittent")
    assert first(report) == "write-after-peer-close", ranking(report)
    assert confidence(report) >= 0.5, ranking(report)


def test_client_giving_up_on_a_slow_page_is_client_cancelled(lab: Lab, tmp_path: Path) -> None:
    """curl gives up after 1 s on a page nginx is still waiting for; the operator reads
    nginx's log, which says the client closed first."""
    require_lab_tools("nginx", "curl")
    lab.serve("stall", PORT, 60)
    error_log = start_nginx(lab, tmp_path, listen=ROUTER_CLIENT_IP, port=FRONT, server_block=(
        f"location / {{ proxy_pass http://{SERVER_IP}:{PORT}; }}"))
    said = lab.client_says("curl", "-sS", "--max-time", "1", f"http://{ROUTER_CLIENT_IP}:{FRONT}/")
    assert said.startswith("curl: (28) Operation timed out"), said
    wait_for_line(error_log, "client prematurely closed connection")
    report = lab.diagnose(ROUTER_CLIENT_IP, FRONT, "--idle-max", QUICK_IDLE,
                          "--log", str(error_log))
    assert first(report) == "client-cancelled", ranking(report)
    assert report["facts"]["side"] == "server"


PORT_HOARDER = """\
import socket, struct, sys
held = []
for _ in range(int(sys.argv[3])):
    try:
        held.append(socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=2))
    except OSError as error:
        print(f"{type(error).__name__}: {error}", flush=True)
        break
print(len(held), flush=True)
for sock in held:  # torn down with RST, as a pool closed at exit: no TIME_WAIT holds the ports
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()
"""


def test_client_out_of_ephemeral_ports_is_resource_exhaustion(lab: Lab) -> None:
    """A client with 20 ephemeral ports opens connection after connection to one server;
    the 21st connect fails with EADDRNOTAVAIL."""
    lab.serve("http-keepalive", PORT, 60)
    lab.run(lab.client, "sysctl", "-qw", "net.ipv4.ip_local_port_range=40000 40019")
    said = lab.run_in(lab.client, sys.executable, "-c", PORT_HOARDER, SERVER_IP, str(PORT),
                      "50").stdout.splitlines()
    assert said == ["OSError: [Errno 99] Cannot assign requested address", "20"], said
    report = lab.diagnose(SERVER_IP, PORT, "--idle-max", QUICK_IDLE, "--error", said[0],
                          "--fact", "under_load=true")
    assert first(report) == "resource-exhaustion", ranking(report)
    assert report["facts"]["limit_hit"] == "ephemeral_ports"
    assert measured(report, "port")["port_state"] == "open"  # the server was never the problem


def test_nginx_out_of_file_descriptors_is_resource_exhaustion(lab: Lab, tmp_path: Path) -> None:
    """nginx limited to 24 descriptors meets 30 clients: accept4() and socket() fail with
    EMFILE (crit, alert), and the clients left waiting give up (info)."""
    require_lab_tools("nginx")
    lab.serve("stall", PORT, 60)
    error_log = start_nginx(lab, tmp_path, listen=ROUTER_CLIENT_IP, port=FRONT,
                            server_block=f"location / {{ proxy_pass http://{SERVER_IP}:{PORT}; }}",
                            main_block="worker_rlimit_nofile 24;")
    lab.run_in(lab.client, sys.executable, "-c", CROWD, ROUTER_CLIENT_IP, str(FRONT), "30",
               "http")
    written = wait_for_line(error_log, "(24: Too many open files)")
    assert "[info]" in written  # the clients' side of it, which must not outvote the cause
    report = lab.diagnose(ROUTER_CLIENT_IP, FRONT, "--idle-max", QUICK_IDLE,
                          "--log", str(error_log))
    assert first(report) == "resource-exhaustion", ranking(report)
    assert report["facts"]["limit_hit"] == "file_descriptors"


APP_SERVER = """\
import http.server, sys, time
class Report(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        time.sleep(float(sys.argv[3]))  # the work a request does
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")
    def log_message(self, *args):
        pass
http.server.ThreadingHTTPServer((sys.argv[1], int(sys.argv[2])), Report).serve_forever()
"""

REQUESTS_IN_FLIGHT = """\
import http.client, sys, threading
outcomes = []
def fetch():
    conn = http.client.HTTPConnection(sys.argv[1], int(sys.argv[2]), timeout=10)
    try:
        conn.request("GET", "/report")
        outcomes.append(str(conn.getresponse().status))
    except Exception as error:
        outcomes.append(f"{type(error).__module__}.{type(error).__name__}: {error}")
threads = [threading.Thread(target=fetch) for _ in range(4)]
for thread in threads:
    thread.start()
print("sent", flush=True)
for thread in threads:
    thread.join()
print("\\n".join(outcomes))
"""


def test_server_killed_mid_request_is_peer_process_crashed(lab: Lab) -> None:
    """An app server is SIGKILLed with 4 requests in flight and restarted: each client gets
    an EOF. The diagnosis asks whether anything restarted; the answer settles it."""
    app = lab.start(lab.server, sys.executable, "-c", APP_SERVER, SERVER_IP, str(PORT), "3",
                    listens_on=PORT)
    clients = lab.talk(lab.client, sys.executable, "-c", REQUESTS_IN_FLIGHT, SERVER_IP, str(PORT))
    assert clients.stdout is not None
    assert clients.stdout.readline().strip() == "sent"
    time.sleep(1)  # the requests are being worked on
    app.kill()  # SIGKILL, as the OOM killer sends; the kernel closes its sockets
    app.wait(timeout=5)
    said = clients.communicate(timeout=20)[0].splitlines()
    eof = "http.client.RemoteDisconnected: Remote end closed connection without response"
    assert said == [eof] * 4, said
    lab.start(lab.server, sys.executable, "-c", APP_SERVER, SERVER_IP, str(PORT), "0",
              listens_on=PORT)  # its supervisor starts it again
    known = ("--idle-max", QUICK_IDLE, "--error", eof, "--fact", "many_at_once=true",
             "--fact", "frequency=once")
    before = lab.diagnose(SERVER_IP, PORT, *known)
    assert before["next_questions"][0]["fact"] == "recent_restart", before["next_questions"]
    report = lab.diagnose(SERVER_IP, PORT, *known, "--fact", "recent_restart=true")
    assert first(report) == "peer-process-crashed", ranking(report)
    assert confidence(report) >= 0.8, ranking(report)
    assert measured(report, "port")["intermittent_connect"] is False



# holds one SSH connection that never authenticates: ``python -c HOLD HOST PORT``
HOLD_UNAUTHENTICATED = """\
import socket, sys, time
sock = socket.create_connection((sys.argv[1], int(sys.argv[2])))
sock.recv(256)
time.sleep(60)
"""
SSH_PORT = 2222


def test_sshd_past_max_startups_is_rate_limited(lab: Lab, tmp_path: Path) -> None:
    """sshd with ``MaxStartups 1:100:1`` while one connection waits unauthenticated.

    ssh prints 'kex_exchange_identification: read: Connection reset by peer':
    sshd wrote "Exceeded MaxStartups" instead of its banner and closed without
    reading the client's. From the error and "now and then" alone it is
    rate-limited (before: peer-process-crashed); with the probes too, and the
    protocol probe names the port ssh (it read "Exceeded MaxStartups" as a
    Postgres error before).
    """
    require_lab_tools("sshd", "ssh", "ssh-keygen")
    start_sshd(lab, tmp_path, port=SSH_PORT, max_startups="1:100:1")
    lab.start(lab.client, sys.executable, "-c", HOLD_UNAUTHENTICATED, SERVER_IP, str(SSH_PORT))
    time.sleep(1)  # the held connection is in before ours
    said = lab.client_says("ssh", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no",
                           "-o", "UserKnownHostsFile=/dev/null", "-p", str(SSH_PORT),
                           f"root@{SERVER_IP}", "true")
    error = said.splitlines()[0]
    assert error.startswith("kex_exchange_identification:"), said
    facts = ("--fact", "frequency=intermittent")
    alone = json.loads(lab.run_cli("diagnose", "--no-input", "--format", "json",
                                   "--error", error, *facts).stdout)
    assert first(alone) == "rate-limited", ranking(alone)
    probed = lab.diagnose(SERVER_IP, SSH_PORT, "--idle-max", QUICK_IDLE, "--error", error, *facts)
    assert measured(probed, "protocol")["protocol_guess"] == "ssh"
    assert first(probed) == "rate-limited", ranking(probed)
