"""Long-tail stacks (IoT and media, infrastructure tools, brokers and stores), read end to end."""

from __future__ import annotations

import json

import pytest

from engine.errortext import reader_for
from engine.kbmodel import KnowledgeBase
from tests.conftest import run_cli

# One line per family as the software prints it, with the kind a person would
# give it; many carry a nested errno the reading must agree with or override.
# Each read with its kind by test_each_family_is_read_with_its_kind (test_error_stacks.py).
FAMILIES = [
    # MQTT brokers and clients
    ("1700000000: Client sensor-7 has exceeded timeout, disconnecting.", "timeout"),
    ("1700000000: Client sensor-7 closed its connection.", "eof"),
    ("[pinger] pingresp not received, disconnecting", "timeout"),
    ("E (40123) mqtt_client: No PING_RESP, disconnected", "timeout"),
    ("Timed out waiting for a response from the server (32000)", "timeout"),
    ("Connection lost (32109) - java.net.SocketException: Connection reset", "reset"),
    ("Error: connack timeout", "timeout"),
    # ESP-IDF, ESPHome, Arduino, mbedTLS
    ("[W][api.connection:205]: Home Assistant 2024.6.1 (10.0.0.9) is unresponsive; disconnecting",
     "timeout"),
    ("E (8123) esp-tls-mbedtls: mbedtls_ssl_handshake returned -0x2700", "tls_error"),
    # the TLS library's own end-of-file report, as OpenSSL's "unexpected eof" (round-9 rule)
    ("[E][ssl_client.cpp:37] _handle_error(): [start_ssl_client():273]: (-29312) SSL - The "
     "connection indicated an EOF", "tls_error"),
    ("[E][WiFiClient.cpp:275] connect(): select returned due to timeout 3000 ms for fd 48",
     "timeout"),
    # media
    ("[tcp @ 000001d2] Connection to tcp://10.1.1.20:554?timeout=0 failed: Error number -138 "
     "occurred", "timeout"),
    ("[http @ 0x55f0] Stream ends prematurely at 1212416, should be 28129536", "eof"),
    ("RTMPSockBuf_Fill, remote host closed connection", "eof"),
    ("Could not receive message. (Timeout while waiting for server response)", "timeout"),
    # file transfer, LDAP, SMB, NFS
    ("rsync: connection unexpectedly closed (0 bytes received so far) [sender]", "eof"),
    ("rsync error: timeout waiting for daemon connection (code 35) at socket.c(278)", "timeout"),
    ("FATAL ERROR: Server unexpectedly closed network connection", "eof"),
    ("Network error: Connection to \"files.example.org\" timed out.", "timeout"),
    ("javax.naming.NamingException: LDAP response read timed out, timeout used:5000ms.", "timeout"),
    ("do_connect: Connection to nas failed (Error NT_STATUS_IO_TIMEOUT)", "timeout"),
    ("tree connect failed: NT_STATUS_CONNECTION_RESET", "reset"),
    ("mount error(111): could not connect to 10.0.0.5Unable to find suitable address.", "refused"),
    ("kernel: nfs: server filer01 not responding, still trying", "timeout"),
    # SIP, mail, CI
    ("Registration for '1000@sip.example.net' timed out, trying again (Attempt #3)", "timeout"),
    ("status=deferred (conversation with mx.example.net[192.0.2.1] timed out while receiving "
     "the initial server greeting)", "timeout"),
    ("java.util.concurrent.TimeoutException: Ping started at 1700000000000 hasn't completed by "
     "1700000240000", "timeout"),
    # brokers and stores
    ("nats: stale connection", "timeout"),
    ("AMQ219015: The connection was disconnected because of server shutdown", "eof"),
    ("amqp.exceptions.ConnectionForced: Too many heartbeats missed", "timeout"),
    ("Error from server: etcdserver: request timed out", "timeout"),
    ("[ERR] yamux: keepalive failed: i/o deadline reached", "timeout"),
    ("consumer: Cannot connect to amqp://guest:**@rabbit:5672//: [Errno 111] Connection refused.",
     "refused"),
]

# A server's log about its client: side server, whatever the kind.
SERVER_SIDE = [
    "1616126374: Socket error on client DVES_98843E, disconnecting.",
    "slapd[812]: conn=1044 fd=17 closed (connection lost)",
    "WARN | Transport Connection to: tcp://172.29.108.66:37302 failed: java.io.EOFException",
    "embed: rejected connection from \"10.0.0.9:43936\" (error \"EOF\", ServerName \"\")",
    "read_fd_with_timeout: client 0.0.0.0 read error = Connection reset by peer.",
    "[1] [DBG] 10.0.0.5:51234 - cid:12 - Stale Client Connection - Closing",
]

# Families that do not say how the connection failed: a side or phase, never a kind.
NO_KIND = [
    "ldap_sasl_bind(SIMPLE): Can't contact LDAP server (-1)",
    "RTMP_ReadPacket, failed to read RTMP packet header",
    "nats: no servers available for connection",
    "The self-hosted runner: build-01 lost communication with the server.",
    "Err:1 http://archive.ubuntu.com/ubuntu jammy InRelease Connection failed "
    "[IP: 91.189.91.39 80]",
    "CondaHTTPError: HTTP 000 CONNECTION FAILED for url <https://repo.anaconda.com/pkgs/main>",
]


@pytest.mark.parametrize("line", SERVER_SIDE)
def test_broker_and_server_logs_about_clients_say_side_server(
    knowledge: KnowledgeBase, line: str
) -> None:
    """mosquitto, slapd, ActiveMQ, etcd, smbd and nats-server about a client: side server."""
    assert reader_for(knowledge).read(line)["side"][0] == "server"


@pytest.mark.parametrize("line", NO_KIND)
def test_families_that_do_not_say_how_claim_no_kind(knowledge: KnowledgeBase, line: str) -> None:
    """A wrapper that does not tell how the connection failed is read, but without a kind."""
    facts = reader_for(knowledge).read(line)
    assert "error_kind" not in facts
    assert facts.keys() & {"side", "phase"}


@pytest.mark.parametrize("line", [
    "Connection error: Connection Refused: not authorised.",
    "[HTTP] GET... failed, error: connection refused",
])
def test_application_refusals_are_not_read_as_tcp_refused(
    knowledge: KnowledgeBase, line: str
) -> None:
    """An MQTT CONNACK refusal or Arduino's HTTPClient -1 is not ECONNREFUSED."""
    assert reader_for(knowledge).read(line)["error_kind"][0] == "unknown"


@pytest.mark.parametrize(("line", "facts", "pattern"), [
    ("rsync: connection unexpectedly closed (0 bytes received so far) [sender]",
     {"error_kind": "eof"}, "rsync-connection-unexpectedly-closed"),
    ("X-Squid-Error: ERR_CONNECT_FAIL 111",
     {"error_kind": "refused", "phase": "connect"}, "squid-err-connect-fail-refused"),
])
def test_diagnose_reads_a_family_end_to_end(line: str, facts: dict[str, str],
                                            pattern: str) -> None:
    """`diagnose --error` on rsync's and Squid's lines gives their kind from their own pattern."""
    result = run_cli("diagnose", "--no-input", "--error", line, "--format", "json")
    assert result.code == 0, result.err
    report = json.loads(result.out)
    assert {fact: report["facts"][fact] for fact in facts} == facts
    assert report["error_lines"][0]["pattern"] == pattern
