"""Application client platforms (kb/errors/client-platforms.yaml): each family read end to end."""

from __future__ import annotations

# One line per family as the software prints it, with the kind a person would
# give it (Apple, Chromium, Firefox, Android, React Native, Dart, Unity,
# WebSocket clients, PHP, Ruby, Perl, Erlang/Elixir, Haskell, R, SwiftNIO,
# Ktor, Mono).
# Each list read with its kind by test_each_family_is_read_with_its_kind (test_error_stacks.py).
FAMILIES = [
    # apple-task-finished-timeout
    ('Task <8B2E9A1C-3F4D-4E5A-9B6C-7D8E9F0A1B2C>.<1> finished with error [-1001] '
     'Error Domain=NSURLErrorDomain', 'timeout'),
    # apple-task-finished-tls
    ('Task <1A2B3C4D>.<1> finished with error [-1200] Error '
     'Domain=NSURLErrorDomain Code=-1200', 'tls_error'),
    # apple-urlerror-tls-names
    ('NSURLErrorSecureConnectionFailed', 'tls_error'),
    # apple-errssl-names
    ('SSLHandshake failed with errSSLClosedAbort', 'tls_error'),
    # apple-osstatus-ssl-code
    ('NSUnderlyingError=0x60000 {Error Domain=NSOSStatusErrorDomain Code=-9806 '
     '"(null)"}', 'tls_error'),
    # apple-nw-encountered-refused
    ('2020-07-08 23:01:25.327631+0100 AwesomeProject[25533:277858] Connection 2: '
     'encountered error(1:61)', 'refused'),
    # apple-nw-encountered-reset
    ('Connection 7: encountered error(1:54)', 'reset'),
    # apple-nw-encountered-timeout
    ('Connection 4: encountered error(1:60)', 'timeout'),
    # apple-nw-encountered-tls
    ('Connection 1: encountered error(3:-9838)', 'tls_error'),
    # chromium-err-bad-client-cert
    ("This site can't provide a secure connection. "
     'net::ERR_BAD_SSL_CLIENT_AUTH_CERT', 'tls_error'),
    # chromium-err-quic-handshake
    ('GET https://example.com/ net::ERR_QUIC_HANDSHAKE_FAILED', 'tls_error'),
    # firefox-ns-error-timeout-external
    ('NS_ERROR_NET_TIMEOUT_EXTERNAL', 'timeout'),
    # firefox-ns-error-empty-response
    ('Error: NS_ERROR_NET_EMPTY_RESPONSE', 'eof'),
    # firefox-ns-error-inadequate-security
    ('NS_ERROR_NET_INADEQUATE_SECURITY', 'tls_error'),
    # unity-received-no-data
    ('UnityWebRequest failed: Received no data in response', 'eof'),
    # websocket-close-event-1006
    ('CloseEvent {isTrusted: true, wasClean: false, code: 1006, reason: "", type: '
     '"close"}', 'eof'),
    # websocket-abnormal-closure
    ('websocket: close 1006 (abnormal closure)', 'eof'),
    # python-websockets-1006
    ('code = 1006 (connection closed abnormally [internal]), no reason', 'eof'),
    # node-ws-unexpected-server-response-504
    ('Error: Unexpected server response: 504', 'timeout'),
    # socketio-server-disconnect
    ('Disconnected: io server disconnect', 'eof'),
    # ruby-ethon-return-code-tls
    ('Typhoeus::Response return_code=:ssl_connect_error', 'tls_error'),
    # ruby-httpclient-keepalive-disconnected
    ('HTTPClient::KeepAliveDisconnected: HTTPClient::KeepAliveDisconnected', 'eof'),
    # perl-lwp-read-timeout
    ('500 read timeout', 'timeout'),
    # perl-net-http-eof-chunk
    ('500 EOF when chunk header expected', 'eof'),
    # perl-http-tiny-timeout
    ('599 Internal Exception: Timed out while waiting for socket to become ready '
     'for reading', 'timeout'),
    # perl-mojo-premature-close
    ('Download of "/var/lib/openqa/cache/test.qcow2" failed: 521 Premature '
     'connection close', 'eof'),
    # perl-mojo-inactivity-timeout
    ('Mojo::UserAgent error: Inactivity timeout', 'timeout'),
    # erlang-httpc-failed-connect-timeout
    ('{error,{failed_connect,[{to_address,{"example.com",443}},{inet,[inet],timeout}]}}',
     'timeout'),
    # haskell-http-client-incomplete-headers
    ('HttpExceptionRequest Request { host = "example.com" port = 443 secure = True '
     '} IncompleteHeaders', 'eof'),
    # haskell-http-client-response-timeout
    ('HttpExceptionRequest Request { host = "example.com" port = 443 } '
     'ResponseTimeout', 'timeout'),
    # swift-nio-channel-eof
    ('NIOCore.ChannelError.eof', 'eof'),
    # swift-niossl-handshake-failed
    ('NIOSSLError.handshakeFailed(NIOSSL.BoringSSLError.sslError([Error: 268435581 '
     'error:1000007d:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED]))', 'tls_error'),
    # swift-ahc-pool-timeout
    ('HTTPClientError.getConnectionFromPoolTimeout', 'timeout'),
    # curl-sectransp-server-aborted-handshake
    ("fatal: unable to access 'https://github.com/x/y.git/': Server aborted the "
     'SSL handshake', 'tls_error'),
    # curl-sectransp-dropped-during-handshake
    ('Error in curl::curl_fetch_memory(url, handle = handle) : Server dropped the '
     'connection during the SSL handshake', 'tls_error'),
    # curl-sectransp-closed-no-notification
    ('curl: (56) The server closed the session with no notification', 'tls_error'),
    # curl-sectransp-peer-handshake-failed
    ('curl: (35) SSL peer handshake failed, the server most likely requires a '
     'client certificate to connect', 'tls_error'),
    # curl-sectransp-engine-error
    ("fatal: unable to access 'https://example.com/repo.git/': Internal SSL engine "
     'error encountered during the SSL handshake', 'tls_error'),
    # curl-sectransp-no-cipher-suite
    ('SSL connect error: Could not negotiate an SSL cipher suite with the server', 'tls_error'),
    # godot-result-tls-handshake
    ('HTTPRequest failed: RESULT_TLS_HANDSHAKE_ERROR', 'tls_error'),
    # godot-result-timeout
    ('Request failed with HTTPRequest.RESULT_TIMEOUT', 'timeout'),
    # ruby-httpx-timeout-error
    ('HTTPX::ConnectTimeoutError: Timed out after 60 seconds while connecting', 'timeout'),
    # swift-nio-ioerror-reset
    ('IOError(errnoCode: 104, reason: "read(descriptor:pointer:size:)")', 'reset'),
    # swift-nio-ioerror-refused
    ('NIOCore.IOError(errnoCode: 61, reason: "connect(descriptor:addr:size:)")', 'refused'),
    # swift-nio-ioerror-timeout
    ('IOError(errnoCode: 110, reason: "connect(descriptor:addr:size:)")', 'timeout'),
    # swift-nio-ioerror-broken-pipe
    ('IOError(errnoCode: 32, reason: "write(descriptor:pointer:size:)")', 'broken_pipe'),
    # swift-ahc-tls-handshake-timeout
    ('HTTPClientError.tlsHandshakeTimeout', 'timeout'),
    # php-amp-socket-closed-early
    ('Amp\\Http\\Client\\SocketException: Receiving the response headers failed, '
     'because the socket closed early', 'eof'),
    # apple-tic-conn-failed-refused
    ('2018-11-19 00:25:09.424581+0900 xctest[3011:64950] TIC TCP Conn Failed '
     '[1:0x7f84f480e030]: 1:61 Err(61)', 'refused'),
    # apple-tic-conn-failed-reset
    ('TIC TCP Conn Failed [3:0x1c0167bc0]: 1:54 Err(54)', 'reset'),
    # apple-tic-conn-failed-timeout
    ('TIC TCP Conn Failed [5:0x600000172000]: 1:60 Err(60)', 'timeout'),
    # apple-tic-conn-failed-tls
    ('TIC TCP Conn Failed [2:0x60c000177340]: 3:-9800 Err(-9800)', 'tls_error'),
    # mono-webexception-trust-failure
    ('System.Net.WebException: Error: TrustFailure (Ssl error:1000007d:SSL '
     'routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED)', 'tls_error'),
    # node-ws-opening-handshake-timeout
    ('Error: Opening handshake has timed out', 'timeout'),
    # socketrocket-stream-end
    ('Disconnected from Metro (1001: "Stream end encountered")', 'eof'),
    # okhttp-websocket-expected-101-504
    ("java.net.ProtocolException: Expected HTTP 101 response but was '504 Gateway "
     "Time-out'", 'timeout'),
    # python-websockets-rejected-504
    ('websockets.exceptions.InvalidStatus: server rejected WebSocket connection: '
     'HTTP 504', 'timeout'),
    # android-conscrypt-tls-packet-header
    ('javax.net.ssl.SSLException: Unable to parse TLS packet header', 'tls_error'),
    # ruby-rest-client-server-broke-connection
    ('RestClient::ServerBrokeConnection: Server broke connection', 'eof'),
    # chromium-err-http2-inadequate-security
    ('GET https://localhost:5001/ net::ERR_HTTP2_INADEQUATE_TRANSPORT_SECURITY', 'tls_error'),
    # firebase-firestore-backend-timeout
    ('@firebase/firestore: Firestore (11.10.0): Could not reach Cloud Firestore '
     "backend. Backend didn't respond within 10 seconds.", 'timeout'),
    # firefox-secure-connection-failed
    ('Secure Connection Failed An error occurred during a connection to '
     'example.com.', 'tls_error'),
]

# Families that do not say how the connection failed (name lookups, local
# closes, wrappers): read, with kind unknown.
UNKNOWN_KIND = [
    # apple-nsurl-offline-or-no-host
    'Error Domain=NSURLErrorDomain Code=-1009 "The Internet connection appears to '
    'be offline." UserInfo={_kCFStreamErrorCodeKey=50, '
    'NSUnderlyingError=0x600000c8c0f0}',
    # apple-nsurl-offline-text
    'The operation couldn’t be completed. The Internet connection appears to be '
    'offline.',
    # apple-nsurl-cannot-find-host-text
    'Task <6D233C43-FB54-43AF-B045-481005150516>.<1> finished with error - code: '
    '-1003, NSLocalizedDescription=A server with the specified hostname could not '
    'be found.',
    # apple-task-finished-no-kind
    'Task <D3238357-9491-46A1-9F7D-300A1B2C3D4E>.<1> finished with error [-1004] '
    'Error Domain=NSURLErrorDomain Code=-1004',
    # apple-urlerror-no-kind-names
    'NSURLErrorNetworkConnectionLost',
    # apple-nw-encountered-no-kind
    'Connection 3: encountered error(1:53)',
    # apple-nw-failure-notification
    'Connection 1: received failure notification',
    # apple-nw-no-connected-path
    'nw_connection_copy_connected_local_endpoint_block_invoke [C3] Connection has '
    'no connected path',
    # chromium-err-name-not-resolved
    'GET https://api.example.com/v1 net::ERR_NAME_NOT_RESOLVED',
    # chromium-err-internet-disconnected
    'Failed to load resource: net::ERR_INTERNET_DISCONNECTED',
    # chromium-err-network-state
    'GET http://localhost:8080/api net::ERR_NETWORK_CHANGED',
    # chromium-err-socket-not-connected
    'Failed to load resource: net::ERR_SOCKET_NOT_CONNECTED',
    # chromium-err-cleartext-not-permitted
    'Webpage not available: net::ERR_CLEARTEXT_NOT_PERMITTED',
    # chromium-err-invalid-http-response
    'GET http://localhost:5000/ net::ERR_INVALID_HTTP_RESPONSE',
    # electron-err-failed-loading
    "Error: ERR_FAILED (-2) loading 'http://localhost:3000/'",
    # firefox-ns-error-no-connection
    'NS_ERROR_UNKNOWN_HOST',
    # firefox-ns-error-offline
    'NS_ERROR_OFFLINE',
    # android-unable-to-resolve-host
    'java.net.UnknownHostException: Unable to resolve host "api.example.com": No '
    'address associated with hostname',
    # android-cleartext-not-permitted
    'java.io.IOException: Cleartext HTTP traffic to 192.168.1.5 not permitted',
    # okhttp-cleartext-not-permitted
    'java.net.UnknownServiceException: CLEARTEXT communication to 10.0.2.2 not '
    'permitted by network security policy',
    # android-socket-failed-permission
    'java.net.SocketException: socket failed: EPERM (Operation not permitted)',
    # android-volley-no-connection
    'com.android.volley.NoConnectionError: java.net.ConnectException: Failed to '
    'connect to /192.168.1.5:8080',
    # react-native-dev-server
    'Could not connect to development server.',
    # dart-failed-host-lookup
    "SocketException: Failed host lookup: 'example.com' (OS Error: No address "
    'associated with hostname, errno = 7)',
    # dart-reading-closed-socket
    'E/flutter: SocketException: Reading from a closed socket',
    # dart-websocket-not-upgraded
    'WebSocketChannelException: WebSocketException: Connection to '
    "'https://example.com:0/ws#' was not upgraded to websocket",
    # dart-dio-connection-error
    'DioException [connection error]: The connection errored: Failed host lookup: '
    "'api.example.com' This indicates an error which most likely cannot be solved "
    'by the library.',
    # dart-dio-error-type-other
    'DioError [DioErrorType.other]: SocketException: Failed host lookup: '
    "'api.example.com'",
    # dart-dio-exception-type-connection
    'type: DioExceptionType.connectionError',
    # unity-cannot-connect-destination
    'Server Error: Cannot connect to destination host',
    # unity-cannot-resolve-destination
    'UnityWebRequest error: Cannot resolve destination host',
    # unity-curl-unitytls
    'Curl error 56: Receiving data failed with unitytls error code 1048578',
    # node-ws-unexpected-server-response
    'Error: Unexpected server response: 502',
    # socketio-client-disconnect
    'socket disconnected: io client disconnect',
    # socketio-xhr-poll-error
    'connect_error Error: xhr poll error',
    # socketio-websocket-error
    'connect_error: Error: websocket error',
    # signalr-negotiation-failed
    'Error: Failed to complete negotiation with the server: TypeError: Failed to '
    'fetch',
    # signalr-failed-to-start
    'Error: Failed to start the connection: Error: WebSocket failed to connect.',
    # signalr-stopped-during-negotiation
    'Error: The connection was stopped during negotiation.',
    # signalr-invocation-canceled
    'Error: Invocation canceled due to the underlying connection being closed.',
    # signalr-websocket-failed-to-connect
    'Error: WebSocket failed to connect. The connection could not be found on the '
    'server, either the endpoint may not be a SignalR endpoint, the connection ID '
    'is not present on the server, or there is a proxy blocking WebSockets.',
    # php-getaddrinfo-failed
    'SQLSTATE[HY000] [2002] php_network_getaddresses: getaddrinfo for mysql '
    'failed: Name or service not known',
    # php-mysqlnd-2002-no-such-file
    'PDOException: SQLSTATE[HY000] [2002] No such file or directory',
    # php-pgsql-no-connection
    'SQLSTATE[HY000]: General error: 7 no connection to the server',
    # php-amqp-could-not-connect
    'AMQPConnectionException: Socket error: could not connect to host.',
    # curl-could-not-resolve-host
    'cURL error 6: Could not resolve host: api.example.com (see '
    'https://curl.haxx.se/libcurl/c/libcurl-errors.html)',
    # ruby-ethon-return-code-no-kind
    'return_code=:couldnt_resolve_host',
    # perl-lwp-cant-connect-bare
    "500 Can't connect to example.com:443",
    # perl-http-tiny-could-not-connect
    "599 Internal Exception: Could not connect to 'example.com:443': "
    'IO::Socket::IP configuration failed',
    # erlang-httpc-failed-connect
    '{error,{failed_connect,[{to_address,{"localhost",8080}},{inet,[inet],nxdomain}]}}',
    # erlang-nxdomain
    '%HTTPoison.Error{id: nil, reason: :nxdomain}',
    # elixir-mint-non-existing-domain
    '** (Mint.TransportError) non-existing domain',
    # haskell-http-client-connection-failure
    'HttpExceptionRequest Request { host = "localhost" } (ConnectionFailure '
    'Network.Socket.getAddrInfo (called with preferred socket type/protocol: '
    'AddrInfo {}, host name: Just "x", service name: Just "80"): does not exist '
    '(Name or service not known))',
    # r-httr2-failed-to-perform
    '! Failed to perform HTTP request.',
    # swift-nio-connection-error
    'NIOConnectionError(host: "localhost", port: 8080, dnsAAAAError: nil, '
    'dnsAError: nil, connectionErrors: [])',
    # swift-nio-channel-local-close
    'NIOCore.ChannelError.ioOnClosedChannel',
    # ktor-unresolved-address
    'Exception in thread "main" java.nio.channels.UnresolvedAddressException',
    # mono-webexception-connect-failure
    'System.Net.WebException: Error: ConnectFailure (No route to host)',
    # mono-webexception-name-resolution
    'System.Net.WebException: Error: NameResolutionFailure',
    # mono-webexception-receive-failure
    'System.Net.WebException: Error: ReceiveFailure',
    # apple-ats-blocked
    'Error Domain=NSURLErrorDomain Code=-1022 "The resource could not be loaded '
    'because the App Transport Security policy requires the use of a secure '
    'connection."',
    # browser-websocket-connection-failed
    "WebSocket connection to 'ws://localhost:8080/' failed: ",
    # xamarin-android-connection-failure
    'System.Net.Http.HttpRequestException: Connection failure',
    # godot-result-no-kind
    'HTTPRequest error: RESULT_CANT_CONNECT',
    # php-mysqli-2002-no-such-file
    'Warning: mysqli::real_connect(): (HY000/2002): No such file or directory',
    # php-phpmailer-smtp-connect-failed
    'Mailer Error: SMTP connect() failed. '
    'https://github.com/PHPMailer/PHPMailer/wiki/Troubleshooting',
    # grpc-swift-transport-inactive
    'unavailable (14): Transport became inactive',
    # php-soap-error-fetching-headers
    'SoapFault exception: [HTTP] Error Fetching http headers',
    # php-soap-error-fetching-body
    'SoapFault exception: [HTTP] Error Fetching http body, No Content-Length, '
    'connection closed or chunked data',
    # php-soap-could-not-connect
    'SoapFault exception: [HTTP] Could not connect to host in '
    '/var/www/app/soap.php:12',
    # node-getaddrinfo-dns
    'Error: getaddrinfo ENOTFOUND api.example.com',
    # eai-name-or-service-not-known
    'SocketError: Failed to open TCP connection to example.com:443 (getaddrinfo: '
    'Name or service not known)',
    # eai-nodename-nor-servname
    'SocketError: getaddrinfo: nodename nor servname provided, or not known',
    # eai-temporary-failure
    "urllib3.exceptions.NameResolutionError: Failed to resolve 'example.com' "
    '([Errno -3] Temporary failure in name resolution)',
    # alamofire-session-task-failed
    'URLSessionTask failed with error: A server with the specified hostname could '
    'not be found.',
    # apple-tic-conn-failed-no-kind
    'TIC TCP Conn Failed [1:0x6000001392c0]: 12:8 Err(-65554)',
    # enonet-machine-not-on-network
    'SocketException: Connection failed (OS Error: Machine is not on the network, '
    'errno = 64), address = login.parker.com, port = 443',
    # chromium-err-failed-bare
    'GET http://localhost:8080/api net::ERR_FAILED 200 (OK)',
    # ehostdown-host-is-down
    'Errno::EHOSTDOWN: Host is down - connect(2) for 192.168.1.20:8080',
    # ktor-server-channel-write-exception
    'io.ktor.util.cio.ChannelWriteException: Cannot write to a channel',
    # unity-failed-to-receive-data
    'Proyecto26.RequestException: Failed to receive data',
    # browser-websocket-already-closed
    'WebSocket is already in CLOSING or CLOSED state.',
    # okhttp-websocket-expected-101
    "java.net.ProtocolException: Expected HTTP 101 response but was '502 Bad "
    "Gateway'",
    # python-websockets-rejected
    'websockets.exceptions.InvalidStatusCode: server rejected WebSocket '
    'connection: HTTP 502',
    # firebase-firestore-could-not-reach
    'Could not reach Cloud Firestore backend. Connection failed 1 times. Most '
    'recent error: FirebaseError: [code=unavailable]: The operation could not be '
    'completed',
    # firebase-auth-network-request-failed
    'FirebaseError: Firebase: Error (auth/network-request-failed).',
    # wininet-name-not-resolved-text
    'Invoke-WebRequest : The server name or address could not be resolved',
    # safari-cannot-find-server
    'Safari Can’t Open the Page because Safari can’t find the server '
    '“example.com”.',
    # chrome-site-cannot-be-reached
    'This site can’t be reached',
]

# Wrappers whose line carries the socket error that decides the kind.
WRAPPED = [
    # php-guzzle-connect-exception
    ('GuzzleHttp\\Exception\\ConnectException: Connection refused for URI '
     'http://localhost:8080/', 'refused'),
    # php-laravel-connection-exception
    ('Illuminate\\Http\\Client\\ConnectionException: cURL error 28: Operation '
     'timed out after 30001 milliseconds', 'timeout'),
    # mono-webexception-send-failure
    ('System.Net.WebException: Error: SendFailure (Connection reset by peer)', 'reset'),
]
