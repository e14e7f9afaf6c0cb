"""Proxies, database and broker clients, browsers and tools added in round 17: read end to end."""

from __future__ import annotations

import pytest

from engine.errortext import reader_for
from engine.kbmodel import KnowledgeBase

# One line per family as the software prints it, with the kind a person would
# give it. Each read with its kind by test_each_family_is_read_with_its_kind
# (test_error_stacks.py).
FAMILIES = [
    # proxies and gateways
    ('{"message":"The upstream server is timing out"}', "timeout"),
    ("-   FetchError     first byte timeout", "timeout"),
    ("-   FetchError     HTC eof (Unexpected end of input)", "eof"),
    ("-   FetchError     backend default: fail errno 111 (Connection refused)", "refused"),
    ("X-Squid-Error: ERR_CONNECT_FAIL 111", "refused"),
    ("X-Squid-Error: ERR_CONNECT_FAIL 110", "timeout"),
    ("X-Squid-Error: ERR_READ_TIMEOUT 0", "timeout"),
    ("X-Squid-Error: ERR_ZERO_SIZE_OBJECT 0", "eof"),
    # database and cache clients
    ("System.IO.EndOfStreamException: An incomplete response was received from the server",
     "eof"),
    ("org.neo4j.driver.exceptions.ServiceUnavailableException: Connection to the database "
     "terminated. Please ensure that your database is listening on the correct host and port "
     "and that you have compatible encryption settings both on Neo4j server and driver.", "eof"),
    ("pymemcache.exceptions.MemcacheUnexpectedCloseError", "eof"),
    ("memcache: connect timeout to 127.0.0.1:11211", "timeout"),
    ("gocql: no response received from cassandra within timeout period", "timeout"),
    ("gocql: connection closed waiting for response", "eof"),
    ("com.datastax.oss.driver.api.core.connection.ClosedConnectionException: Lost connection to "
     "remote peer", "eof"),
    ("org.apache.solr.client.solrj.SolrServerException: Server refused connection at: "
     "http://localhost:8983/solr/core", "refused"),
    ("FATAL:  canceling authentication due to timeout", "timeout"),
    # brokers
    ("kafka server: Request exceeded the user-specified time limit in the request", "timeout"),
    ("aiokafka.errors.KafkaConnectionError: Connection at localhost:9092 closed", "eof"),
    (" ---> System.IO.IOException: connection.start was never received, likely due to a network "
     "timeout", "timeout"),
    ("LCB_ERR_SOCKET_SHUTDOWN (1025): The remote host closed the connection", "eof"),
    ("LCB_ERR_CONNECTION_RESET (1026): The connection was forcibly reset by the remote host",
     "reset"),
    ("com.couchbase.client.core.error.UnambiguousTimeoutException: GetRequest, Reason: TIMEOUT",
     "timeout"),
    # browsers, tools and runtimes
    ("NS_ERROR_NET_INTERRUPT", "eof"),
    ("The server at 10.50.22.197 is taking too long to respond.", "timeout"),
    ("Safari can't open the page \"https://localhost:4321/\" because Safari can't establish a "
     "secure connection to the server \"localhost\".", "tls_error"),
    ("Connecting to remote server web1 failed with the following error message : The WinRM client "
     "cannot complete the operation within the time specified.", "timeout"),
    ("Jun 20 10:23:47 gw charon[1234]: 09[IKE] establishing IKE_SA failed, peer not responding",
     "timeout"),
    ("socket.io disconnected: transport close", "eof"),
    ("API Error: The socket connection was closed unexpectedly. For more information, pass "
     "`verbose: true` in the second argument to fetch()", "eof"),
    ("io.vertx.core.http.HttpClosedException: Connection was closed", "eof"),
    ("io.netty.channel.StacklessClosedChannelException", "eof"),
    ("io.lettuce.core.RedisConnectionException: Connection closed prematurely", "eof"),
    ("oracledb.exceptions.OperationalError: DPY-4011: the database or network closed the "
     "connection", "eof"),
    ("io.netty.handler.codec.PrematureChannelClosureException: channel gone inactive with 1 "
     "missing response(s)", "eof"),
    ("Error from server (Timeout): the server was unable to return a response in the time "
     "allotted, but may still be processing the request (get pods)", "timeout"),
    ("org.apache.http.TruncatedChunkException: Truncated chunk (expected size: 8,192; actual "
     "size: 4,096)", "eof"),
    ("curl: (56) GnuTLS recv error (-12): A TLS fatal alert has been received.", "tls_error"),
    ("ConnectionResetError: [WinError 64] The specified network name is no longer available",
     "reset"),
    ("SocketException: Connection refused (OS Error: The remote computer refused the network "
     "connection, errno = 1225), address = localhost, port = 8787", "refused"),
    ('Swift_TransportException: Expected response code 220 but got code "", with message ""',
     "eof"),
    ("Error: Connection disconnected with error 'Error: Server timeout elapsed without receiving "
     "a message from the server.'.", "timeout"),
    ("thrift.transport.TTransport.TTransportException: TSocket read 0 bytes", "eof"),
]

# Wrappers that say a connection failed but not how: read, with kind unknown.
UNKNOWN_KIND = [
    '{"message":"An invalid response was received from the upstream server"}',
    '{"message":"failure to get a peer from the ring-balancer"}',
    "Error 503 Backend fetch failed Guru Meditation: XID: 32770",
    "X-Squid-Error: ERR_CONNECT_FAIL 113",
    "MySqlConnector.MySqlException (0x80004005): Unable to connect to any of the specified MySQL "
    "hosts.",
    "A connection was successfully established with the server, but then an error occurred "
    "during the pre-login handshake. (provider: TCP Provider, error: 35 - An internal exception "
    "was caught)",
    "Error: P1001: Can't reach database server at `db.example.com`:`5432`",
    "neo4j.exceptions.ServiceUnavailable: Failed to read from defunct connection "
    "IPv4Address(('localhost', 7687)) (ResolvedIPv4Address(('127.0.0.1', 7687)))",
    "Memcached::get(): SERVER HAS FAILED AND IS DISABLED UNTIL TIMED RETRY",
    "redis.clients.jedis.exceptions.JedisConnectionException: Could not get a resource from the "
    "pool",
    "kafka: client has run out of available brokers to talk to (Is your cluster reachable?)",
    "Confluent.Kafka.KafkaException: Local: Broker transport failure",
    "RabbitMQ.Client.Exceptions.BrokerUnreachableException: None of the specified endpoints were "
    "reachable",
    "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon "
    "running?",
    'fatal: [web1]: UNREACHABLE! => {"changed": false, "msg": "Failed to connect to the host via '
    'ssh: ", "unreachable": true}',
    "GET https://example.com/api net::ERR_CONNECTION_FAILED",
    "botocore.exceptions.EndpointConnectionError: Could not connect to the endpoint URL: "
    '"https://s3.us-east-1.amazonaws.com/"',
    "java.net.ConnectException: Failed to connect to /10.0.2.2:8080",
    "SMTP Error: Could not connect to SMTP host.",
    "Error: write ECONNABORTED",
    "Error: Disconnected from server: ECONNABORTED - Connection aborted",
    "TypeError: Failed to fetch",
    "AxiosError: Network Error",
    "[TypeError: Network request failed]",
    "no healthy upstream",
    "CloudFront attempted to establish a connection with the origin, but either the attempt "
    "failed or the origin closed the connection.",
    "Corrupted MAC on input.",
    "425 Failed to establish connection.",
    "Error: Could not connect to server",
    "error during connect: This error may indicate that the docker daemon is not running.",
]

# A wrapper and the cause it carries, as pasted together: the cause decides.
WRAPPED = [
    ("MySqlConnector.MySqlException (0x80004005): Unable to connect to any of the specified MySQL "
     "hosts.\n ---> System.Net.Sockets.SocketException (10061): No connection could be made "
     "because the target machine actively refused it.", "refused"),
    ('fatal: [web1]: UNREACHABLE! => {"changed": false, "msg": "Failed to connect to the host via '
     'ssh: ssh: connect to host 10.0.0.5 port 22: Connection timed out", "unreachable": true}',
     "timeout"),
    ("java.net.ConnectException: Failed to connect to /10.0.2.2:8080\nCaused by: "
     "java.net.ConnectException: Connection refused", "refused"),
    ('{"level":"warn","logger":"http.handlers.reverse_proxy","msg":"aborting with incomplete '
     'response","error":"reading: unexpected EOF"}', "eof"),
    ("kafka: client has run out of available brokers to talk to: dial tcp 127.0.0.1:9092: "
     "connect: connection refused", "refused"),
]

# Look-alikes: a config knob, a navigation notice, axios's timeout code.
NOT_THESE_KINDS = [
    ("set bereq.first_byte_timeout = 60s;", None),
    ("The connection to wss://example.com/socket was interrupted while the page was loading.",
     None),
    ("AxiosError: timeout of 5000ms exceeded code: 'ECONNABORTED'", "timeout"),
    ("Connection failure detected, retrying", None),
]


@pytest.mark.parametrize("line", UNKNOWN_KIND)
def test_wrappers_that_do_not_say_how_read_as_unknown(knowledge: KnowledgeBase, line: str) -> None:
    """A proxy page, driver wrapper or tool message that does not tell how reads as unknown."""
    assert reader_for(knowledge).read(line)["error_kind"][0] == "unknown"


@pytest.mark.parametrize(("line", "expected"), WRAPPED)
def test_a_wrapper_yields_to_the_cause_it_carries(
    knowledge: KnowledgeBase, line: str, expected: str
) -> None:
    """The socket error inside a wrapper decides the kind, not the wrapper's unknown."""
    assert reader_for(knowledge).read(line)["error_kind"][0] == expected


@pytest.mark.parametrize(("line", "expected"), NOT_THESE_KINDS)
def test_look_alikes_keep_their_own_reading(
    knowledge: KnowledgeBase, line: str, expected: str | None
) -> None:
    """Config knobs and notices get no kind; axios's ECONNABORTED code stays a timeout."""
    facts = reader_for(knowledge).read(line)
    assert facts.get("error_kind", (None, ""))[0] == expected

