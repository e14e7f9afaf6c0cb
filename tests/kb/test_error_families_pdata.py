"""Data stores, brokers and infrastructure servers of datastores-brokers-2.yaml: read end to end."""

from __future__ import annotations

import pytest

from engine.errortext import reader_for
from engine.kbmodel import KnowledgeBase

# One line per family as the software prints it (taken from the project's
# source or an issue thread quoting it), with the kind a person would give it.
# `unknown` families must claim `unknown`: the text says a connection failed,
# not how.
FAMILIES = [
    # ZooKeeper
    ("WARN org.apache.zookeeper.ClientCnxn: Session 0x0 for server zhangyun:2181, unexpected "
     "error, closing socket connection and attempting reconnect", "unknown"),
    ("INFO channel for sessionid 0x0 is lost, closing socket connection and attempting reconnect "
     "(org.apache.zookeeper.ClientCnxn)", "unknown"),
    ("INFO Unable to read additional data from client, it probably closed the socket: address = "
     "/172.19.0.1:60056, session = 0x0 (org.apache.zookeeper.server.NIOServerCnxn)", "eof"),
    ("WARN  [QuorumConnectionThread-[myid=2]-3:QuorumCnxManager@400] - Cannot open channel to 3 "
     "at election address /192.168.24.142:3888", "unknown"),
    ("WARN  [RecvWorker:0:QuorumCnxManager$RecvWorker@1242] - Connection broken for id 0, my id "
     "= 2, error = ", "unknown"),
    # Hadoop, HDFS, Spark
    ("INFO ipc.Client: Retrying connect to server: ubuntu102/192.168.78.102:8032. Already tried 0 "
     "time(s); retry policy is RetryUpToMaximumCountWithFixedSleep(maxRetries=10, "
     "sleepTime=1000 MILLISECONDS)", "unknown"),
    ("INFO hdfs.DFSClient: Exception in createBlockOutputStream 192.168.10.46:50010 "
     "java.io.IOException: Bad connect ack with firstBadLink as 192.168.10.47:54313", "unknown"),
    ("WARN hdfs.DFSClient: Failed to connect to /172.19.0.2:9866 for file /user/root/foo.txt for "
     "block BP-1872787820-172.19.0.2-1698102830448:blk_1073741825_1001, add to deadNodes and "
     "continue.", "unknown"),
    ("19/08/22 15:40:22 ERROR client.TransportResponseHandler: Still have 1 requests outstanding "
     "when connection from /192.168.2.12:56274 is closed", "eof"),
    ("org.apache.spark.shuffle.FetchFailedException: java.io.IOException: Connection from "
     "spark-worker-1/10.0.0.7:7337 closed", "eof"),
    ("24/02/28 14:33:01 ERROR TaskSchedulerImpl: Lost executor 2 on 10.0.0.5: Remote RPC client "
     "disassociated.", "unknown"),
    # Elasticsearch
    ("[2021-06-04T18:09:11,925][WARN ][o.e.x.s.t.n.SecurityNetty4HttpServerTransport] [es-node1] "
     "received plaintext http traffic on an https channel, closing connection "
     "Netty4HttpChannel{localAddress=0.0.0.0/0.0.0.0:9200, remoteAddress=/192.168.0.17:41104}",
     "tls_error"),
    ("Caused by: NodeNotConnectedException[[][127.0.0.1:9300] Node not connected]", "unknown"),
    ("cloudwatcher: error: health check timeout: no Elasticsearch node available, try --help",
     "timeout"),
    ("no active connection found: no Elasticsearch node available", "unknown"),
    # Cassandra drivers
    ("com.datastax.driver.core.exceptions.NoHostAvailableException: All host(s) tried for query "
     "failed (no host was tried)", "unknown"),
    ("com.datastax.driver.core.exceptions.TransportException: [localhost/127.0.0.1:9042] Cannot "
     "connect", "unknown"),
    # Redis clients
    ("io.lettuce.core.RedisConnectionException: Unable to connect to 127.0.0.1:6379", "unknown"),
    ("org.redisson.client.RedisResponseTimeoutException: Redis server response timeout (3000 ms) "
     "occured after 3 retry attempts", "timeout"),
    ("MaxRetriesPerRequestError: Reached the max retries per request limit (which is 20). Refer "
     "to \"maxRetriesPerRequest\" option for details.", "unknown"),
    ("Error: Stream isn't writeable and enableOfflineQueue options is false", "unknown"),
    ("redis: client is closed", "unknown"),
    ("StackExchange.Redis.RedisConnectionException: No connection is active/available to service "
     "this operation: PING", "unknown"),
    ("UnableToConnect on localhost:6379/Interactive, Initializing/NotStarted, last: NONE, "
     "origin: BeginConnectAsync", "unknown"),
    ("redis.exceptions.RedisClusterException: Redis Cluster cannot be connected. Please provide "
     "at least one reachable node.", "unknown"),
    # RabbitMQ clients
    ("pika.exceptions.AMQPHeartbeatTimeout: No activity or too many missed heartbeats in the last "
     "60 seconds", "timeout"),
    ("Error: Socket closed abruptly during opening handshake", "eof"),
    ("dial amqp://guest:guest@localhost:5672/: Exception (501) Reason: \"EOF\"", "eof"),
    ("com.rabbitmq.client.ShutdownSignalException: connection error", "unknown"),
    ("org.springframework.amqp.AmqpConnectException", "unknown"),
    # Kafka clients
    ("ERROR:kafka.conn:<BrokerConnection node_id=1 host=Kafka:9092 <connected>>: Closing "
     "connection. KafkaConnectionError: socket disconnected", "eof"),
    ("KafkaJSRequestTimeoutError: Request Metadata(key: 3, version: 6) timed out", "timeout"),
    ("KafkaJSConnectionClosedError: Closed connection", "eof"),
    ("KafkaJSNumberOfRetriesExceeded", "unknown"),
    # ActiveMQ, Hazelcast, Pulsar, etcd
    ("WARN o.a.a.transport.failover.FailoverTransport.doReconnect:1100]-Failed to connect to "
     "[tcp://xx:56161] after: 10 attempt(s) continuing to retry.", "unknown"),
    ("Cause: Could not connect to broker URL: tcp://activemqcontainer:61616. Reason: "
     "java.net.UnknownHostException: activemqcontainer", "unknown"),
    ("java.lang.IllegalStateException: Unable to connect to any cluster.", "unknown"),
    ("Heartbeat failed over the connection: ClientConnection{alive=true, connectionId=1, "
     "remoteAddress=[10.0.0.5]:5701}", "timeout"),
    ("org.apache.pulsar.client.api.PulsarClientException$ConnectException: Disconnected from "
     "server at localhost/127.0.0.1:49173", "eof"),
    ("org.apache.pulsar.client.api.PulsarClientException$TimeoutException: 2 lookup request "
     "timedout after ms 30000", "timeout"),
    ("org.apache.pulsar.client.api.PulsarClientException$ConnectException: "
     "[localhost/127.0.0.1:6650] Failed to connect to localhost/127.0.0.1:6650", "unknown"),
    ("Error: etcdclient: no available endpoints", "unknown"),
    # SQL drivers
    ("panic: pq: SSL is not enabled on the server", "tls_error"),
    ("failed to connect to `user=postgres database=app`: 127.0.0.1:5432 (localhost): server "
     "error: FATAL: password authentication failed for user \"postgres\" (SQLSTATE 28P01)",
     "unknown"),
    ("Error: Can't add new command when connection is in closed state", "unknown"),
    ("Error: Client has encountered a connection error and is not queryable", "unknown"),
    # batch 2: ZooKeeper 3.6+, Kafka's ZooKeeper client, Hadoop, Spark, Elasticsearch
    ("WARN Session 0x1000032b94e0001 for server zookeeper/172.23.0.2:2181, Closing socket "
     "connection. Attempting reconnect except it is a SessionExpiredException. "
     "(org.apache.zookeeper.ClientCnxn)", "unknown"),
    ("kafka.zookeeper.ZooKeeperClientTimeoutException: Timed out waiting for connection while in "
     "state: CONNECTING", "timeout"),
    ("06:20,317 [main] WARN  org.apache.hadoop.ipc.Client - Failed to connect to server: "
     "quickstart.cloudera/127.0.0.1:40718: retries get failed due to exceeded maximum allowed "
     "retries number: 3", "unknown"),
    ("WARN  [rpc-server-3-4] server.TransportChannelHandler: Exception in connection from "
     "/10.0.0.17:53218", "unknown"),
    ("[2021-06-08T17:06:03,540][WARN ][o.e.x.c.s.t.n.SecurityNetty4Transport] [es-node1] client "
     "did not trust this server's certificate, closing connection "
     "Netty4TcpChannel{localAddress=0.0.0.0/0.0.0.0:9300, remoteAddress=/192.168.0.17:34346}",
     "tls_error"),
    ("WARN  [RebuildLock] ensureIndex failed (...): Timeout connecting to "
     "[localhost/127.0.0.1:9200]", "timeout"),
    # MongoDB, Telegraf, ClickHouse, NATS, Kafka
    ("{\"t\":{\"$date\":\"2025-01-13T01:39:20.974+00:00\"},\"s\":\"I\",  \"c\":\"-\",        "
     "\"id\":20883,   \"ctx\":\"conn2\",\"msg\":\"Interrupted operation as its client "
     "disconnected\",\"attr\":{\"opId\":14337}}", "eof"),
    ("Last reported error:  Couldn't get a connection within the time limit", "timeout"),
    ("2019/11/12 01:48:41 server selection error: server selection timeout", "timeout"),
    ("2022-07-04T06:54:09Z E! [agent] Error writing to output [influxdb]: could not write any "
     "address", "unknown"),
    ("clickhouse: acquire conn timeout. you can increase the number of max open conn or the dial "
     "timeout", "timeout"),
    ("outbox.itest.ts     NatsError: CONNECTION_REFUSED", "refused"),
    ("Error connecting to node node1:9092 (id: 2 rack: null) java.net.UnknownHostException",
     "unknown"),
    # RabbitMQ, Redis, Hazelcast, Artemis
    ("pika.exceptions.AMQPConnectionError", "unknown"),
    ("Staging backend: `ClientClosedError: The client is closed`", "unknown"),
    ("com.hazelcast.client.HazelcastClientNotActiveException: Client is shutdown", "unknown"),
    ("Suspecting Member [10.0.0.2]:5701 - 1 because it has not sent any heartbeats since "
     "2021-01-01 10:00:00.000. Now: 2021-01-01 10:01:00.000, heartbeat timeout: 60000 ms, "
     "suspicion level: 1.00", "timeout"),
    ("AMQ212037: Connection failure has been detected: AMQ219011: Did not receive data from "
     "server for org.apache.activemq.artemis.core.remoting.impl.netty.NettyConnection@1",
     "timeout"),
    # SQL drivers
    ("QueryFailedError: Query read timeout", "timeout"),
    ("[mysql] 2026/08/29 03:24:30 connection.go:801 closing bad idle connection: unexpected read "
     "from socket", "unknown"),
    ("error: error communicating with database: Cannot assign requested address (os error 99)",
     "unknown"),
    # batch 3: Redis, MongoDB, Cassandra, ZooKeeper and NATS servers, Spark, Kafka
    ("WARN 90224 --- [ioEventLoop-6-3] i.l.core.protocol.ConnectionWatchdog     : Cannot "
     "reconnect to [redis/<unresolved>:6379]: CancellationException", "unknown"),
    ("BE-1366\tRedisConnectionException: Unable to init enough connections amount! Only 0 of 24 "
     "were initialized.", "unknown"),
    ("StackExchange.Redis.RedisConnectionException: The message timed out in the backlog "
     "attempting to send because no connection became available (5000ms)", "timeout"),
    ("redis: all ring shards are down", "unknown"),
    ("Connection pool for cluster0-shard-00-01.mongodb.net:27017 was cleared because another "
     "operation failed with: connection() error occurred during connection handshake: auth error",
     "unknown"),
    ("MongoTopologyClosedError: Topology is closed", "unknown"),
    ("com.mongodb.MongoSocketReadException: Exception receiving message", "unknown"),
    ("Caused by: java.lang.RuntimeException: Unable to gossip with any peers", "unknown"),
    ("[6] 2020/09/28 13:01:35.423085 [INF] 10.1.1.X:54812 - cid:860 - Slow Consumer Detected: "
     "WriteDeadline of 2s Exceeded", "timeout"),
    ("INFO  [SessionTracker:ZooKeeperServer@398] - Expiring session 0x15e6b0e4b660000, timeout "
     "of 40000ms exceeded", "timeout"),
    ("ERROR TransportRequestHandler: Error sending result StreamResponse{streamId=/jars/app.jar, "
     "byteCount=1000, body=FileSegmentManagedBuffer} to /10.0.0.5:40000; closing connection",
     "unknown"),
    ("[Producer clientId=producer-1] Connection to node -3 "
     "(ark-03.srvs.cloudkafka.com/10.0.0.9:9094) terminated during authentication. This may "
     "happen due to any of the following reasons: (1) Authentication failed due to invalid "
     "credentials with brokers older than 1.0.0, (2) Firewall blocking Kafka TLS traffic (eg it "
     "may only allow HTTPS traffic), (3) Transient network issue.", "eof"),
    # batch 4: librdkafka, Kafka client and broker, etcd, NATS, RabbitMQ Java, Pulsar, Rust
    ("KAFKA-3-ERROR: rdkafka#producer-15 10.0.0.7:9092/1: Receive failed: Disconnected", "eof"),
    ("ssl://b-1.agoradev2kafkaclu.wnahze.c4.kafka.ap-northeast-1.amazonaws.com:9094/bootstrap: "
     "Connection setup timed out in state CONNECT (after 30033ms in state CONNECT)", "timeout"),
    ("kafka:9092/bootstrap: Failed to resolve 'kafka:9092': Name or service not known (after 2ms "
     "in state CONNECT)", "unknown"),
    ("Caused by: org.apache.kafka.common.errors.DisconnectException: Cancelled createTopics "
     "request with correlation id 3 due to node 0 being disconnected", "eof"),
    ("[2018-02-20 12:02:08,342] WARN Attempting to send response via channel for which there is "
     "no open connection, connection id 10.132.0.32:9092-10.14.148.20:56352-96708 "
     "(kafka.network.Processor)", "unknown"),
    ("2021-01-16 10:01:55.705600 I | rafthttp: peer fa5e59193de34069 became inactive (message "
     "send to peer failed)", "unknown"),
    ("[7] 2025/04/25 02:01:04.339092 [ERR] 10.0.6.53:27827 - cid:10110160 - TLS handshake error: "
     "EOF", "eof"),
    ("07:01:32.693 [AMQP Connection 10.10.33.167:5672] ERROR c.r.c.impl.ForgivingExceptionHandler "
     "- An unexpected connection driver error occured", "unknown"),
    ("_pulsar.ConnectError: Pulsar error: ConnectError", "unknown"),
    ("Pulsar error: TimeOut", "timeout"),
    ("Error: error connecting to server: Connection refused (os error 111)", "refused"),
    ("error occurred while attempting to establish a TLS connection: received fatal alert: "
     "HandshakeFailure", "tls_error"),
    # batch 5: names that do not resolve, no servers; ClickHouse, HBase
    ("2017/03/20 14:24:50 [ERR] agent: failed to sync remote state: No known Consul servers",
     "unknown"),
    ("WARN  [org.apache.kafka.clients.ClientUtils] (main) Couldn't resolve server "
     "kafka.backend.svc.cluster.local:9092 from bootstrap.servers as DNS resolution failed for "
     "kafka.backend.svc.cluster.local", "unknown"),
    ("ConfigException: No resolvable bootstrap urls given in bootstrap.servers", "unknown"),
    ("java.lang.IllegalArgumentException: Unable to canonicalize address zhangyun:2181 because "
     "it's not resolvable", "unknown"),
    ("Code: 102. DB::NetException: Unexpected packet from server <host_FQDN>.mdb.yandexcloud.net:"
     "9440 (expected Hello or Exception, got Unknown packet)", "unknown"),
    ("java.io.IOException: Call to s103/172.18.18.103:16020 failed on local exception: "
     "org.apache.hadoop.hbase.ipc.CallTimeoutException: Call id=466, waitTime=60001, "
     "operationTimeout=60000 expired.", "timeout"),
    # batch 6: Redis cluster clients, RabbitMQ channel state, Elastic Stack, kafka-python errno
    ("ClusterAllFailedError: Failed to refresh slots cache.", "unknown"),
    ("nested exception is io.lettuce.core.RedisException: io.lettuce.core.RedisException: "
     "Currently not connected. Commands are rejected.", "unknown"),
    ("redis.clients.jedis.exceptions.JedisClusterMaxAttemptsException: No more cluster attempts "
     "left.", "unknown"),
    ("pika.exceptions.ChannelWrongStateError: Channel is closed.", "unknown"),
    ("Error: Channel ended, no reply will be forthcoming", "unknown"),
    ("Error nacking message for queue 67: IllegalOperationError: Channel closed", "unknown"),
    ("[2023-06-26T05:59:46,601][WARN ][logstash.licensechecker.licensereader] Attempted to "
     "resurrect connection to dead ES instance, but got an error {:url=>\"http://es:9200/\", "
     ":exception=>LogStash::Outputs::ElasticSearch::HttpClient::Pool::BadResponseCodeError, "
     ":message=>\"Got response code '401' contacting Elasticsearch at URL "
     "'http://es:9200/_xpack'\"}", "unknown"),
    ("ERROR: Failed to connect to backoff(elasticsearch(https://wazuh.indexer:9200))", "unknown"),
    ("[ERROR][elasticsearch-service] Unable to retrieve version information from Elasticsearch "
     "nodes. security_exception: [security_exception] Reason: unable to authenticate user "
     "[kibana_system] for REST request [/_nodes?filter_path=nodes.*.version]", "unknown"),
    ("[2024-11-18, 11:36:32 UTC] {conn.py:418} ERROR - Connect attempt to <BrokerConnection "
     "node_id=1 host=localhost:9092 <connecting> [IPv6 ('::1', 9092, 0, 0)]> returned error 111. "
     "Disconnecting.", "refused"),
    # batch 7: Redis Sentinel clients, rabbitmqctl
    ("unable to connect to Redis database: redis: all sentinels specified in configuration are "
     "unreachable", "unknown"),
    ("All sentinels are unreachable. Retrying from scratch after 10ms", "unknown"),
    ("Error: TCP connection succeeded but Erlang distribution failed", "unknown"),
]

# A wrapper of this file with the socket error it carries: the cause decides.
WRAPPED = [
    ("Session 0x0 for server null, unexpected error, closing socket connection and attempting "
     "reconnect java.net.ConnectException: Connection refused: no further information", "refused"),
    ("Cannot open channel to 2 at election address host_name/public_ip:3888 "
     "java.net.ConnectException: Connection refused", "refused"),
    ("WARN [main] org.apache.hadoop.hdfs.DFSClient: Failed to connect to /10.0.0.93:50010 for "
     "block, add to deadNodes and continue. org.apache.hadoop.net.ConnectTimeoutException: 60000 "
     "millis timeout while waiting for channel to be ready for connect.", "timeout"),
    ("org.springframework.amqp.AmqpConnectException: java.net.ConnectException: Connection "
     "refused", "refused"),
    ("javax.jms.JMSException: Could not connect to broker URL: tcp://localhost:61616. Reason: "
     "java.net.ConnectException: Connection refused", "refused"),
    ("failed to connect to `host=localhost user=postgres database=postgres`: dial error (dial tcp "
     "127.0.0.1:5432: connect: connection refused)", "refused"),
    ("SSE setup error: MaxRetriesPerRequestError: Reached the max retries per request limit "
     "(which is 20)\nRedis subscriber error: Error: connect ECONNREFUSED 127.0.0.1:6379",
     "refused"),
    ("WARN [TransportChannelHandler] Exception in connection from "
     "node-s34-w08.lakehouse/10.244.8.42:7337\njava.io.IOException: Connection reset by peer",
     "reset"),
    ("error communicating with database: Connection refused (os error 111)", "refused"),
    ("WARN ConnectionWatchdog - Cannot reconnect to [172.31.46.124/<unresolved>:6379]: "
     "finishConnect(..) failed: Connection refused: /172.31.46.124:6379", "refused"),
    ("Connection pool for mongo-a.internal:27017 was cleared because another operation failed "
     "with: \"connection <monitor> to 172.16.0.9:27017 timed out\"", "timeout"),
    ("07:01:32.693 [AMQP Connection 10.10.33.167:5672] ERROR "
     "c.r.c.impl.ForgivingExceptionHandler - An unexpected connection driver error occured\n"
     "java.net.SocketException: Connection timed out (Read failed)", "timeout"),
    ("rafthttp: failed to read fa5e59193de34069 on stream Message (unexpected EOF)\n"
     "2021-01-16 10:01:55.705600 I | rafthttp: peer fa5e59193de34069 became inactive (message "
     "send to peer failed)", "eof"),
    ("[WARN ][logstash.outputs.elasticsearch][main] Attempted to resurrect connection to dead ES "
     "instance, but got an error. {:url=>\"http://elasticsearch:9200/\", "
     ":error_type=>LogStash::Outputs::ElasticSearch::HttpClient::Pool::HostUnreachableError, "
     ":error=>\"Elasticsearch Unreachable: [http://elasticsearch:9200/][Manticore::"
     "SocketException] Connection refused (Connection refused)\"}", "refused"),
    ("metricbeat | ERROR [publisher_pipeline_output] pipeline/output.go:154  Failed to connect to "
     "backoff(elasticsearch(http://elasticsearch:9200)): Get \"http://elasticsearch:9200\": dial "
     "tcp 192.168.240.4:9200: connect: connection refused", "refused"),
    ("[2025-03-06T10:53:51.450+00:00][ERROR][elasticsearch-service] Unable to retrieve version "
     "information from Elasticsearch nodes. connect ECONNREFUSED 172.19.0.2:9300", "refused"),
    ("MongoPoolClearedError: Connection pool for localhost:27017 was cleared because another "
     "operation failed with: \"connection <monitor> to 127.0.0.1:27017 closed\"", "eof"),
]


@pytest.mark.parametrize(("line", "expected"), FAMILIES)
def test_each_family_is_read_with_its_kind(
    knowledge: KnowledgeBase, line: str, expected: str
) -> None:
    """A line of each family gets the kind a person would give it, after precedence."""
    assert reader_for(knowledge).read(line)["error_kind"][0] == expected


@pytest.mark.parametrize(("line", "expected"), WRAPPED)
def test_the_cause_inside_a_wrapper_decides(
    knowledge: KnowledgeBase, line: str, expected: str
) -> None:
    """A driver or broker wrapper that claims unknown yields to the socket error it carries."""
    assert reader_for(knowledge).read(line)["error_kind"][0] == expected
