"""Whole message families of the stacks issue 7 added, read end to end with precedence."""

from __future__ import annotations

import json

import pytest

from engine.errortext import reader_for
from engine.kbmodel import KnowledgeBase
from engine.triggers import literal_grams
from tests.bench.bench_errortext import LOOKALIKES, ORDINARY
from tests.conftest import run_cli
from tests.kb.test_error_families_enterprise import FAMILIES as ENTERPRISE_FAMILIES
from tests.kb.test_error_families_generic import FAMILIES as GENERIC_FAMILIES
from tests.kb.test_error_families_lang import FAMILIES as LANG_FAMILIES
from tests.kb.test_error_families_longtail import FAMILIES as LONG_TAIL_FAMILIES
from tests.kb.test_error_families_more import FAMILIES as MORE_FAMILIES
from tests.kb.test_error_families_papps import FAMILIES as APP_FAMILIES
from tests.kb.test_error_families_papps import UNKNOWN_KIND as APP_UNKNOWN_KIND
from tests.kb.test_error_families_papps import WRAPPED as APP_WRAPPED
from tests.kb.test_error_families_pdata import FAMILIES as DATA_FAMILIES
from tests.kb.test_error_families_pdata import WRAPPED as DATA_WRAPPED
from tests.kb.test_error_families_ptools import FAMILIES as TOOLS_FAMILIES

# One line per family and stack, as the library prints it, with the kind a
# person would give it. Several lines carry a second message (a wrapper and
# its cause): the reading must pick the cause.
FAMILIES = [
    # Rust: std::io, hyper, reqwest, h2, tonic, tokio, rustls
    ("error trying to connect: tcp connect error: Connection refused (os error 111)", "refused"),
    ("Error: Os { code: 10054, kind: ConnectionReset, "
     "message: \"远程主机强迫关闭了一个现有的连接。\" }", "reset"),
    ("error writing a body to connection: Broken pipe (os error 32)", "broken_pipe"),
    ("reqwest::Error { kind: Request, url: \"https://x/\", source: TimedOut }", "timeout"),
    ("error sending request for url (http://b/): operation was canceled: connection closed", "eof"),
    ("status: Unavailable, message: \"h2 protocol error: http2 error: stream error received: "
     "refused stream before processing any application logic\"", "reset"),
    ("status: Unavailable, message: \"h2 protocol error: http2 error: connection error received: "
     "not a result of an error\"", "eof"),
    ("Error: deadline has elapsed", "timeout"),
    ("error trying to connect: received corrupt message of type InvalidContentType", "tls_error"),
    ("error trying to connect: invalid peer certificate: UnknownIssuer", "tls_error"),
    # Ruby
    ("Faraday::ConnectionFailed: Failed to open TCP connection to api:443 (execution expired)",
     "timeout"),
    ("OpenSSL::SSL::SSLError: SSL_connect returned=1 errno=0 peeraddr=10.0.0.5:443 state=error: "
     "certificate verify failed (unable to get local issuer certificate)", "tls_error"),
    # OpenSSL 3's own end-of-file report: tls_error, as the held-out conventions (round 9) read it
    ("OpenSSL::SSL::SSLError: SSL_read: unexpected eof while reading", "tls_error"),
    ("Redis::ConnectionError: Connection lost (ECONNABORTED)", "reset"),
    ("Redis::ConnectionError: Connection lost (EOFError)", "eof"),
    ("Redis::CannotConnectError: Timed out connecting to Redis on 10.0.1.1:6380", "timeout"),
    ("Excon::Error::Timeout: read timeout reached", "timeout"),
    # PHP
    ("cURL error 56: OpenSSL SSL_read: SSL_ERROR_SYSCALL, errno 104", "reset"),
    ("GuzzleHttp\\Exception\\ConnectException: cURL error 52:  (see https://curl.haxx.se/)", "eof"),
    ("cURL error 60: SSL certificate problem: unable to get local issuer certificate", "tls_error"),
    ("Warning: PDOStatement::execute(): Error while sending QUERY packet. PID=2816", "eof"),
    ("mysqli::real_connect(): (HY000/2013): Lost connection to server at 'handshake: reading "
     "initial communication packet', system error: 104", "reset"),  # errno 104: ECONNRESET
    ("RedisException: Redis server went away", "eof"),
    ("stream_socket_enable_crypto(): SSL: Handshake timed out", "timeout"),
    # Elixir / Erlang
    ("{:error, %Mint.TransportError{reason: :closed}}", "eof"),
    ("** (Mint.TransportError) timeout", "timeout"),
    ("%HTTPoison.Error{id: nil, reason: :econnrefused}", "refused"),
    ("TLS client: In state hello received SERVER ALERT: Fatal - Handshake Failure", "tls_error"),
    ("Postgrex.Protocol (#PID<0.4.0>) disconnected: ** (DBConnection.ConnectionError) "
     "tcp recv (idle): closed", "eof"),
    # Node
    ("TypeError: fetch failed [cause]: { code: 'UND_ERR_SOCKET' }", "unknown"),  # the code alone
    ("TypeError: fetch failed [cause]: Error: read ECONNRESET { code: 'UND_ERR_SOCKET' }", "reset"),
    ("[cause]: BodyTimeoutError: Body Timeout Error { code: 'UND_ERR_BODY_TIMEOUT' }", "timeout"),
    ("MongoNetworkError: connection 2 to 10.0.0.5:27017 closed", "eof"),
    ("npm ERR! code SELF_SIGNED_CERT_IN_CHAIN", "tls_error"),
    ("Error: Connection terminated unexpectedly", "eof"),
    # .NET
    ("System.IO.IOException: Authentication failed because the remote party has closed the "
     "transport stream.", "eof"),  # the peer closed during the handshake
    ("Npgsql.NpgsqlException (0x80004005): Exception while reading from stream ---> "
     "System.TimeoutException: Timeout during reading attempt", "timeout"),
    ("[Microsoft][ODBC Driver 17 for SQL Server]TCP Provider: Error code 0x68", "reset"),
    ("System.IO.IOException: The client reset the request stream.", "reset"),
    # Java / Kotlin
    ("org.apache.http.ConnectionClosedException: Premature end of chunk coded message body: "
     "closing chunk expected", "eof"),
    ("org.apache.kafka.common.errors.NetworkException: The server disconnected before a response "
     "was received.", "eof"),
    ("sun.security.validator.ValidatorException: PKIX path building failed", "tls_error"),
    ("java.sql.SQLRecoverableException: IO Error: Got minus one from a read call", "eof"),
    ("ORA-12541: TNS:no listener", "refused"),
    # Python
    ("websockets.exceptions.ConnectionClosedError: sent 1011 (internal error) keepalive ping "
     "timeout; no close frame received", "timeout"),
    ("pymongo.errors.ServerSelectionTimeoutError: localhost:27017: [Errno 111] Connection refused,"
     " Timeout: 30s", "refused"),
    ("pymongo.errors.AutoReconnect: mongo-1.mongo:27017: connection closed", "eof"),
    ("asyncio.exceptions.IncompleteReadError: 0 bytes read on a total of 2 expected bytes", "eof"),
    ("httpcore.RemoteProtocolError: <ConnectionTerminated error_code:ErrorCodes.NO_ERROR, "
     "last_stream_id:1999, additional_data:None>", "eof"),
    # Browsers, mobile, edges
    ("GET https://api.example.com/v1 net::ERR_CONNECTION_RESET", "reset"),
    ("POST http://localhost:8000/upload net::ERR_EMPTY_RESPONSE", "eof"),
    ("This site can’t be reached localhost refused to connect.", "refused"),
    # dropped, by a reset or a close: the text does not say which, so no kind
    ("Error Domain=NSURLErrorDomain Code=-1005 \"The network connection was lost.\"", "unknown"),
    # refused or unreachable (curl 7.8x+ says this for both); a local abort, not a peer's RST
    ("curl: (7) Failed to connect to localhost port 1 after 0 ms: Couldn't connect to server",
     "unknown"),
    ("System.IO.IOException: Unable to read data from the transport connection: An established "
     "connection was aborted by the software in your host machine.", "unknown"),
    ("Error Domain=NSURLErrorDomain Code=-1001 \"The request timed out.\"", "timeout"),
    ("okhttp3.internal.http2.StreamResetException: stream was reset: PROTOCOL_ERROR", "reset"),
    ("HttpException: Connection closed before full header was received, uri = https://x/", "eof"),
    ("error code: 521", "refused"),
    ("'502 Bad Gateway' caused by: dial tcp 10.42.0.15:8080: connect: connection refused",
     "refused"),
    ("net/http: request canceled (Client.Timeout exceeded while reading body)", "timeout"),
    ("at=error code=H12 desc=\"Request timeout\" method=GET path=\"/\" status=503", "timeout"),
    ("(70014)End of file found: AH01102: error reading status line from remote server b:8080",
     "eof"),
    ("warning: spurious network error (2 tries remaining): [28] Timeout was reached", "timeout"),
    # Deno and Bun name the kind; localised Winsock and glibc texts carry no number
    ("error: Uncaught (in promise) ConnectionRefused: Connection refused (os error 111)",
     "refused"),
    ("No se puede establecer una conexión ya que el equipo de destino denegó expresamente "
     "dicha conexión. (localhost:5001)", "refused"),
    ("read: Die Verbindung wurde vom Kommunikationspartner zurückgesetzt", "reset"),
    ("System.Net.Http.HttpRequestException: 由于目标计算机积极拒绝，无法连接。 (localhost:5000)",
     "refused"),
    ("read tcp 192.168.1.5:51234->140.82.113.4:443: wsarecv: 远程主机强迫关闭了一个现有的连接。",
     "reset"),
    ("recv() failed (104: Unknown error) while reading response header from upstream", "reset"),
]

# Families whose wording does not tell the kind: they may say who wrote the
# line, never a kind.
AMBIGUOUS = [
    "[Producer clientId=p-1] Connection to node -1 (localhost/127.0.0.1:9092) could not be "
    "established. Broker may not be available.",
    "RedisException: read error on connection to 127.0.0.1:6379",
    "paramiko.ssh_exception.SSHException: Error reading SSH protocol banner",
    "GET https://example.com/api net::ERR_HTTP2_PROTOCOL_ERROR 200",
    "Web server is returning an unknown error Error code 520",
    "TypeError: fetch failed",
]

# Look-alikes that are not connection errors at all.
NOT_ERRORS = [
    "Refused to connect to 'wss://example.com/socket' because it violates the following Content "
    "Security Policy directive: \"connect-src 'self'\"",
    "Firefox can't establish a connection to the server at wss://example.com/socket.",
    "CERT_FILE=/etc/ssl/cert.pem",
    "pingTimeout: 20000",
    "getxattr failed, errno 61 (No data available)",
    "ping timeout: 20s",
    "heartbeat timeout = 60",
    "backend_timeout: 30s",
    "connectionTimeout=30000",
]

# Single-word literals of errno-level text that must match bare words; kept as they were.
BARE_WORD_LITERALS = {"connection-reset", "http2-stream-reset"}


@pytest.mark.parametrize(("line", "expected"),
                         FAMILIES + LONG_TAIL_FAMILIES + ENTERPRISE_FAMILIES + MORE_FAMILIES
                         + LANG_FAMILIES + DATA_FAMILIES + DATA_WRAPPED + TOOLS_FAMILIES
                         + APP_FAMILIES + APP_WRAPPED + GENERIC_FAMILIES
                         + [(line, "unknown") for line in APP_UNKNOWN_KIND])
def test_each_family_is_read_with_its_kind(
    knowledge: KnowledgeBase, line: str, expected: str
) -> None:
    """A line of each family gets the kind a person would give it, after precedence."""
    assert reader_for(knowledge).read(line)["error_kind"][0] == expected


@pytest.mark.parametrize("line", AMBIGUOUS)
def test_ambiguous_families_set_no_kind(knowledge: KnowledgeBase, line: str) -> None:
    """A family that does not say how the connection failed leaves error_kind unset."""
    facts = reader_for(knowledge).read(line)
    assert "error_kind" not in facts
    assert facts["side"][0] == "client"


@pytest.mark.parametrize("line", NOT_ERRORS)
def test_look_alikes_are_not_read_as_errors(knowledge: KnowledgeBase, line: str) -> None:
    """CSP violations, WebSocket notices, config lines and other errnos give no kind."""
    assert "error_kind" not in reader_for(knowledge).read(line)


def test_every_literal_has_a_gram_ordinary_log_lines_lack(knowledge: KnowledgeBase) -> None:
    """The log prefilter can skip ordinary lines: no literal is made only of their grams."""
    ordinary = "\n".join(
        template.format(a=10, b=20, m=30, s=40, n=567) for template in ORDINARY + LOOKALIKES
    ).lower() + "\ninfo pool timeout=30s connection=keep-alive reading thread stream closed"
    common = [
        compiled.pattern.id for compiled in reader_for(knowledge).log_reader.patterns
        if compiled.literal and compiled.pattern.id not in BARE_WORD_LITERALS
        and all(gram in ordinary for gram in literal_grams(compiled.literal))
    ]
    assert common == []


def test_diagnose_reads_a_rust_error_end_to_end() -> None:
    """`diagnose --error` on a reqwest line gives error_kind with the pattern that read it."""
    line = ("error sending request for url (https://api.example.com/v1): error trying to connect: "
            "tcp connect error: Connection refused (os error 111)")
    result = run_cli("diagnose", "--no-input", "--error", line, "--format", "json")
    assert result.code == 0, result.err
    report = json.loads(result.out)
    assert report["facts"]["error_kind"] == "refused"
    assert report["facts"]["phase"] == "connect"
    sources = {(s["fact"], s["source"]) for s in report["fact_sources"]}
    assert ("error_kind", "error") in sources
    assert report["diagnoses"][0]["cause"] == "port-not-listening"
