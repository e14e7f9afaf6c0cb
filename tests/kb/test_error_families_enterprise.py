"""Enterprise databases, Windows and mail, other languages' clients: read end to end."""

from __future__ import annotations

import json

import pytest

from engine.errortext import reader_for
from engine.kbmodel import KnowledgeBase
from tests.conftest import run_cli

# One line per family as the software prints it, with the kind a person would
# give it; many carry an errno or code the reading must agree with or override.
# Each read with its kind by test_each_family_is_read_with_its_kind (test_error_stacks.py).
FAMILIES = [
    # Oracle Net
    ("ORA-12547: TNS:lost contact", "eof"),
    ("TNS-12537: TNS:connection closed", "eof"),
    ("    nt secondary err code: 104", "reset"),
    ("    nt secondary err code: 111", "refused"),
    ("nt secondary err code: 10060", "timeout"),
    ("    nt secondary err code: 32", "broken_pipe"),
    # the thin driver's connect wrapper yields to the cause line
    ("java.sql.SQLRecoverableException: IO Error: The Network Adapter could not establish the "
     "connection\nCaused by: java.net.ConnectException: Connection refused", "refused"),
    # SQL Server through ODBC
    ("[Microsoft][ODBC Driver 17 for SQL Server]TCP Provider: Timeout error [258].", "timeout"),
    ("A network-related or instance-specific error occurred while establishing a connection to "
     "SQL Server. (provider: TCP Provider, error: 0 - No connection could be made because the "
     "target machine actively refused it.)", "refused"),
    # DB2: the protocol-specific code is the errno
    ('SQL30081N  A communication error has been detected. Communication protocol being used: '
     '"TCP/IP".  Communication API being used: "SOCKETS".  Location where the error was '
     'detected: "10.0.0.5".  Communication function detecting the error: "recv".  Protocol '
     'specific error code(s): "10054", "*", "0".  SQLSTATE=08001', "reset"),
    ('SQL30081N  A communication error has been detected.  Communication function detecting the '
     'error: "connect".  Protocol specific error code(s): "111", "*", "*".  SQLSTATE=08001',
     "refused"),
    ('SQL30081N  A communication error has been detected.  Communication function detecting the '
     'error: "connect".  Protocol specific error code(s): "10060", "*", "*".  SQLSTATE=08001',
     "timeout"),
    ('SQL30081N  A communication error has been detected.  Communication function detecting the '
     'error: "recv".  Protocol specific error code(s): "*", "*", "0".  SQLSTATE=08001', "eof"),
    ('Communication function detecting the error: "selectForConnectTimeout".  Protocol specific '
     'error code(s): "0", "*", "*".  SQLSTATE=08001', "timeout"),
    # IBM MQ
    ("AMQ9209E: Connection to host 'client (10.0.0.9)' for channel 'APP.SVRCONN' closed.", "eof"),
    ("AMQ9208E: Error on receive from host 'mq1 (10.0.0.5)(1414)'. The return code from the "
     "TCP/IP recv() call was 104 (X'68').", "reset"),
    ("The return code from the TCP/IP (connect) call was 10061 (X'274D').", "refused"),
    # SAP and Sybase
    ("*** ERROR => NiIRead: SiRecv failed for hdl 12/sock 15 (SI_ECONN_BROKEN/104; I4; ST; "
     "P=10.0.0.5:3200) [nixxi.cpp 5087]", "reset"),
    ("return code -10 (NIECONN_REFUSED)", "refused"),
    ("NiRead: rc = -5 (NIETIMEOUT)", "timeout"),
    ("ct_connect(): network packet layer: internal net library error: Net-Library operation "
     "terminated due to disconnect", "eof"),
    # WinINet / WinHTTP and their HRESULTs
    ("InternetReadFile failed: ERROR_INTERNET_CONNECTION_RESET", "reset"),
    ("WinHttpReceiveResponse failed: ERROR_WINHTTP_TIMEOUT", "timeout"),
    ("WinHttpReceiveResponse failed with error 12031", "reset"),
    ("WU client failed Searching for update with error 0x80072ee2", "timeout"),
    ("BITS job failed: 0x80072EFF", "reset"),
    # .NET WebException texts
    ("System.Net.WebException: The underlying connection was closed: The connection was closed "
     "unexpectedly.", "eof"),
    ("The underlying connection was closed: Could not establish trust relationship for the "
     "SSL/TLS secure channel.", "tls_error"),
    # mail
    ("451 4.4.1 No answer from host", "timeout"),
    ("454 4.7.0 TLS not available due to local problem", "tls_error"),
    ("Receiving reported error (0x8004210A) : 'The operation timed out waiting for a response "
     "from the receiving (POP) server.'", "timeout"),
    # other languages' clients
    ("failed to receive response header: closed", "eof"),
    ('HttpExceptionRequest Request { host = "example.com" } NoResponseDataReceived', "eof"),
    ('HttpExceptionRequest Request { host = "example.com" } ConnectionClosed', "eof"),
    ("akka.http.scaladsl.model.EntityStreamException: Entity stream truncation. The HTTP parser "
     "was receiving an entity when the underlying connection was closed unexpectedly.", "eof"),
    ("akka.stream.StreamTcpException: Tcp command [Connect(example.com/10.0.0.5:443,None,List(),"
     "Some(10 seconds),true)] failed because of Connect timeout of Some(10 seconds) expired",
     "timeout"),
    ("ERROR: EOFError: read end of file", "eof"),
    ("{gun_down,<0.345.0>,http,closed,[],[]}", "eof"),
    ("read failed: End of file [asio.misc:2]", "eof"),
    ("shutdown: stream truncated [asio.ssl.stream:1]", "tls_error"),
    ("QNetworkReply::RemoteHostClosedError", "eof"),
    ("QAbstractSocket::SocketTimeoutError", "timeout"),
    # monitoring and desktop tools
    ("Get value from agent failed: ZBX_TCP_READ() failed: [104] Connection reset by peer", "reset"),
    ("Get value from agent failed: ZBX_TCP_READ() timed out", "timeout"),
    ("CHECK_NRPE: Received 0 bytes from daemon.  Check the remote server logs for error messages.",
     "eof"),
    ("CRITICAL - Socket timeout after 10 seconds", "timeout"),
    ("CRITICAL - No data received from host", "eof"),
    ("Unable to connect to the MKS: Connection terminated by server", "eof"),
    # sqlnet.log headers, Perl, libuv
    ("Fatal NI connect error 12170, connecting to:", "timeout"),
    ("TNS-00511: No listener", "refused"),
    ("500 Can't connect to example.com:443 (connect: timeout)", "timeout"),
    ("IO::Socket::SSL: SSL connect attempt failed because of handshake problems", "tls_error"),
    ("read error: UV_ECONNRESET", "reset"),
    ("write failed: UV_EPIPE", "broken_pipe"),
    ("Error location: Reply.fill() - insufficient data (-1).  Message: Insufficient data. "
     "ERRORCODE=-4499, SQLSTATE=08001", "eof"),
]

# Families that say the connection failed but not how: read, with kind unknown.
UNKNOWN_KIND = [
    "ORA-12514: TNS:listener does not currently know of service requested in connect descriptor",
    "ORA-12560: TNS:protocol adapter error",
    "[08S01] [Microsoft][ODBC Driver 17 for SQL Server]Communication link failure (0) "
    "(SQLExecDirectW)",
    "[Microsoft][ODBC SQL Server Driver][DBNETLIB]General network error. Check your network "
    "documentation.",
    "JMSWMQ2002: Failed to get a message from destination 'Q1'. Reason '2009' "
    "('MQRC_CONNECTION_BROKEN')",
    "[Informix][Informix ODBC Driver][Informix]Attempt to connect to database server "
    "(ol_informix1170) failed.",
    "partner '10.0.0.5:sapgw00' not reached",
    "Error 800: The remote connection was not made because the attempted VPN tunnels failed.",
    # RAS's "port ... was closed" is its own port, not a closed TCP connection
    "Error 619: A connection to the remote computer could not be established, so the port used "
    "for this connection was closed.",
    "Remote Desktop can't connect to the remote computer for one of these reasons:",
    "WinHttpSendRequest failed with error 12029",
    "Invoke-WebRequest : The underlying connection was closed: An unexpected error occurred on a "
    "receive.",
    "WARNING: TCP connect to (10.0.0.5 : 443) failed",
    "451 4.4.2 Bad connection",
    "Cannot connect to the server. Account: 'user@example.com', Server: 'mail.example.com', "
    "Protocol: IMAP, Port: 993, Secure(SSL): Yes, Error Number: 0x800CCC0E",
    # check_nrpe prints one text for refused and for timed out
    "CHECK_NRPE: Error - Could not connect to 10.0.0.5: Connection refused or timed out",
    'Zabbix agent item "system.cpu.load" on host "web1" failed: first network error, wait for 15 '
    "seconds",
    "Error: Failed to connect to the port [vbr01:2500].",
]


@pytest.mark.parametrize("line", UNKNOWN_KIND)
def test_wrappers_that_do_not_say_how_read_as_unknown(knowledge: KnowledgeBase, line: str) -> None:
    """A wrapper that does not tell how the connection failed is read with kind unknown."""
    facts = reader_for(knowledge).read(line)
    assert facts["error_kind"][0] == "unknown"


def test_db2_wrapper_yields_to_its_protocol_code() -> None:
    """`diagnose --error` on DB2's SQL30081N with code 10054 gives reset from the code's pattern."""
    line = ('SQL30081N  A communication error has been detected.  Communication function '
            'detecting the error: "recv".  Protocol specific error code(s): "10054", "*", "0".  '
            "SQLSTATE=08001")
    result = run_cli("diagnose", "--no-input", "--error", line, "--format", "json")
    assert result.code == 0, result.err
    report = json.loads(result.out)
    assert report["facts"]["error_kind"] == "reset"
    patterns = {entry["pattern"] for entry in report["error_lines"]}
    assert "db2-protocol-code-reset" in patterns
