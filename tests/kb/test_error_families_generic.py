"""Families and generic forms added after rounds 24-54: read end to end."""

from __future__ import annotations

# One line per family as the software prints it, with the kind a person would
# give it. Each read with its kind by test_each_family_is_read_with_its_kind
# (test_error_stacks.py).
FAMILIES = [
    # errnos and Winsock codes in the places libraries print them
    ("[E 160413 14:09:46 base_connection:335] Socket Error: 104", "reset"),
    ("Predis\\Connection\\ConnectionException (111)", "refused"),
    ("Operating system call connect failed (error no. 10060)", "timeout"),
    ("WSAGetLastError() = 10061", "refused"),
    ("recv() failed (10054)", "reset"),
    # .NET
    ("System.Net.Mail.SmtpException: Failure sending mail. ---> System.IO.IOException: Unable "
     "to read data from the transport connection: net_io_connectionclosed.", "eof"),
    ("System.Net.WebException: The underlying connection was closed: Unable to connect to the "
     "remote server.", "unknown"),
    ("De onderliggende verbinding is gesloten: een verbinding die naar verwachting in leven zou "
     "blijven, is gesloten door de server.", "eof"),
    ("NzbDrone.Common.Http.HttpException: HTTP request failed: [524:524] [GET] at "
     "[https://indexer.example.org/api]", "timeout"),
    # Java
    ("javax.net.ssl.SSLException: java.lang.RuntimeException: Unexpected error: "
     "java.security.InvalidAlgorithmParameterException: the trustAnchors parameter must be "
     "non-empty", "tls_error"),
    ("org.bouncycastle.tls.TlsFatalAlert: handshake_failure(40)", "tls_error"),
    ("Caused by: java.io.IOException: HTTPS hostname wrong:  should be <api.example.com>",
     "tls_error"),
    ("java.net.SocketException: Verbindung zurückgesetzt", "reset"),
    ("org.apache.kafka.common.errors.TimeoutException: Topic orders not present in metadata "
     "after 60000 ms.", "timeout"),
    ("reason: zen-disco-node-failed({node-1}{10.0.0.6:9300}), reason(transport disconnected)",
     "eof"),
    # servers, proxies, tools
    ('SSL0200E may be issued with an error of "GSK_ERROR_BAD_CERTIFICATE"', "tls_error"),
    ("[error] Re-negotiation handshake failed: Not accepted by client!?", "tls_error"),
    ("Received disconnect from 192.0.2.7 port 22:11: Bye Bye", "eof"),
    ("HTTPCode_ELB_504_Count alarm", "timeout"),
    ("14 UNAVAILABLE: upstream connect error or disconnect/reset before headers. reset reason: "
     "remote refused stream reset", "reset"),
    ("LOG:  EOF on client connection with an open transaction", "eof"),
    ("fatal: unable to access 'https://git.example.org/repo.git/': schannel: server closed "
     "abruptly (missing close_notify)", "tls_error"),
    ('{"level":"debug","logger":"http.stdlib","msg":"http: TLS handshake error from '
     '172.18.0.1:50810: EOF"}', "eof"),
    ("psycopg2.InterfaceError: connection already closed", "unknown"),
    # database/sql's ErrBadConn does not say how; the errno after it does
    ("sql: driver: bad connection", "unknown"),
    ("driver: bad connection: read tcp 10.0.0.1:5432: read: connection reset by peer", "reset"),
    ("Thunderbirdで「接続できませんでした。接続が拒否されました。」", "refused"),
    ("_ssl.c:1056: TLSV1_ALERT_PROTOCOL_VERSION", "tls_error"),
    ("pika.exceptions.ConnectionWrongStateError: Illegal close(320, \"Timeout while setting up "
     "AMQP to 'rabbitmq'\")", "timeout"),
    ("Error [ERR_HTTP_REQUEST_TIMEOUT]: Request timeout", "timeout"),
    ("io.grpc.StatusRuntimeException: UNAVAILABLE: End of stream or IOException", "eof"),
    ("websocket closed: 1006 Abnormal Closure", "eof"),
    ("A connection attempt failed because the connected party did not properly respondafter a "
     "period of time", "timeout"),
    ("10054远程主机强迫关闭", "reset"),
    # Winsock 10053 in Chinese is a local abort, as in English: no kind
    ("java.io.IOException: 你的主机中的软件中止了一个已建立的连接。", "unknown"),
    ("[WinError 10053]", "unknown"),
    ("Nenhuma ligação pôde ser feita porque o computador de destino as recusou ativamente.",
     "refused"),
    ("System.IO.IOException: 원격 호스트에 의해 기존 연결이 강제로 종료되었습니다.", "reset"),
    ("このサイトにアクセスできません/example.com からの応答時間が長すぎます", "timeout"),
    ("SSL: CERTIFICATE_VERIFY_FAILED", "tls_error"),
    ("curl: (35) OpenSSL SSL_connect: SSL_ERROR_SYSCALL in connection to example.com:443",
     "tls_error"),
    ("Handshake failed: HANDSHAKE_FAILURE_ON_CLIENT_HELLO", "tls_error"),
    ("ERRSSLPROTOCOL_ERROR", "tls_error"),
    ("09:31:01,162 ERROR MaxwellKafkaProducer - Exception: Failed to update metadata after "
     "60000 ms.", "timeout"),
    ('error: UNAVAILABLE StatusRuntimeException:"End of stream or IOException"', "eof"),
    ("[HPM] Error occurred while trying to proxy request /api from localhost:3000 to "
     "https://api.example.com/v1 (EPROTO)", "tls_error"),
    ('"[Fiddler] ReadResponse() failed: The server did not return a response for this '
     'request."', "eof"),
    # a vague wrapper's unknown gives way to the words after it
    ("UNAVAILABLE: connection closed", "eof"),
    # after rounds 35-38
    ("gnutls.c: 0 fatal error: The TLS connection was non-properly terminated.", "tls_error"),
    ("org.postgresql.util.PSQLException: This connection has been closed", "unknown"),
    ("TCP Provider: Error code 0, error message: The specified network name is no longer "
     "available.", "unknown"),
    ("ConnectionResetError: [WinError 64] The specified network name is no longer available",
     "reset"),
    ('rpc error: code = Unavailable desc = connection error: desc = "transport: authentication '
     'handshake failed: read tcp 10.0.0.5:55706->10.0.0.9:443: read: connection reset by peer"',
     "reset"),
    ('rpc error: code = DeadlineExceeded desc = latest connection error: connection error: '
     'desc = "transport: Error while dialing dial tcp: lookup etcd0 on 10.0.0.2:53: server '
     'misbehaving"', "unknown"),
    ('error="rpc error making call: i/o deadline reached"', "timeout"),
    ("mysqli::real_connect(): (HY000/2013): Lost connection to MySQL server at 'reading "
     "initial communication packet', system error: 111", "refused"),
    ("DEBUG org.apache.kafka.common.network.Selector - Connection with /10.0.0.6 disconnected",
     "eof"),
    ("UNAVAILABLE: GOAWAY closed buffered stream. HTTP/2 error code: NO_ERROR", "eof"),
    ("[warning][upstream] grpc_mux_impl.cc:235] gRPC config stream closed: 14, no healthy "
     "upstream", "unknown"),
    ("code: 'ECONNRESET' } stack: Error; socket hung up", "eof"),
    ("The load balancer receives a TCP RST from the target", "reset"),
    ("http proxy error getsockopt:connection refuse", "refused"),
    ("„Verbindung fehlgeschlagen: SSL-Fehler“", "tls_error"),
    ("The SSL connection could not be established, see inner exception. Unable to read data "
     "from the transport connection: A connection attempt failed because the connected party "
     "did not properly respond af", "timeout"),
    ("System.Net.Http.WinHttpException (0x80072F8F): A security error occurred", "tls_error"),
    ("IOException: An existing connection was forcibly closed by the remo", "reset"),
    # after rounds 39-42
    ("[Note] Aborted connection 3 to db: 'app' user: 'app' host: '10.0.0.4' (Got an error "
     "reading communication packets)", "unknown"),
    ("1:S 26 Jan 2022 12:52:55.214 # Connection with master lost.", "unknown"),
    ("outbound:accept{peer.addr=10.0.0.1:39120}: linkerd2_app_core::serve: Connection closed "
     "error=Service in fail-fast", "unknown"),
    ("System.Net.WebException: The operation has timed-out.", "timeout"),
    ("PONG response has not been received, aborting", "timeout"),
    ("Server did not respond to heartbeats for 30s", "timeout"),
    ("javax.net.ssl.SSLException: handshake timed out", "timeout"),
    ("[SearchGuardSSLNettyTransport] SSL Problem Received close_notify during handshake",
     "tls_error"),
    ("Bug: 503 UC sometimes, upstream_reset_before_response_started", "eof"),
    ("webserver 0/0/53/-1/69 502 1029 - - SH-- 7/6/1/1/0 0/0 \"GET / HTTP/2.0\" fc_err=- "
     "bc_err=ERESET", "reset"),
    ("Connection 1: failed to connect 1:60, reason -1", "timeout"),
    ("Error: sockect hang up", "eof"),
    ("error: RPC failed; curl 56 LibreSSL SSL_read: SSL_ERROR_SYSCALL, errno 54", "reset"),
    ("Can't connect to HTTPS URL because the SSL module is not available.", "tls_error"),
    ("django.db.utils.OperationalError: couldn't get a connection after 30.00 sec", "timeout"),
    # after rounds 43-46
    ("Predis\\Connection\\ConnectionException: No connection can be made because the target "
     "machine has actively rejected them.", "refused"),
    ('"Abnormal Closure" (code 1006)', "eof"),
    ("InvalidOperationException: Websocket closed with error: 1006.", "eof"),
    ("closing because: client disconnect while server was not ready (age=300s)", "eof"),
    ("[INF] 10.0.0.4:6222 - rid:103 - Router connection closed: Slow Consumer (Write Deadline)",
     "unknown"),
    ("Socket错误10054", "reset"),
    ("Your printer is connected, but the request took too long.", "timeout"),
    # SendFailure does not say how; what follows it does
    ("System.Net.WebException: The underlying connection was closed: An unexpected error "
     "occurred on a send.", "unknown"),
    ("The underlying connection was closed: An unexpected error occurred on a send. ---> "
     "System.IO.IOException: Unable to read data from the transport connection: An existing "
     "connection was forcibly closed by the remote host.", "reset"),
    ("Die zugrunde liegende Verbindung wurde geschlossen: Die Verbindung mit dem Remoteserver "
     "kann nicht hergestellt werden.", "unknown"),
    # after rounds 47-50
    ("cURL error 56: OpenSSL SSL_read: SSL_ERROR_SYSCALL, errno 0.", "tls_error"),
    ("aiohttp.client_exceptions.WSMessageTypeError: Received message 8:1001 is not "
     "WSMsgType.TEXT", "eof"),
    ("Disconnected: Did not receive auth message within 10 seconds", "timeout"),
    ("Error Message: connection 6 to cluster0-shard-00-01.example.mongodb.net:27017 closed",
     "eof"),
    ("deadpool.postgres: Connection error: db error: FATAL: terminating connection due to "
     "unexpected postmaster exit", "eof"),
    ("Error: client rate limiter Wait returned an error: rate: Wait(n=1) would exceed context "
     "deadline", "timeout"),
    ("Failed authorization procedure. example.com (tls-sni-01): urn:acme:error:connection :: "
     "The server could not connect to the client to verify the domain :: Timeout", "timeout"),
    ("ERROR:rabbitpy.channel0:Have not received a heartbeat in 900 seconds", "timeout"),
    ("botocore.exceptions.IncompleteReadError: 1077927735 read, but total bytes expected is "
     "1179535354.", "eof"),
    # after rounds 51-54
    ("OSError: Timed out trying to connect to 'tcp://scheduler:8786' after 10 s: [Errno -2] "
     "Name or service not known", "unknown"),
    ("`fetch` throws UND_ERR_SOCKET error", "unknown"),
    ("TypeError: fetch failed [cause]: SocketError: other side closed code: 'UND_ERR_SOCKET'",
     "eof"),
    ("Problem running workflow. Request failed with status code 504.", "timeout"),
    ("psycopg2.OperationalError: SSL SYSCALL error: Socket operation on non-socket", "unknown"),
]
