"""Package managers, container, Kubernetes, CI, cloud and log-shipping tools: read end to end."""

from __future__ import annotations

import pytest

from engine.errortext import reader_for
from engine.kbmodel import KnowledgeBase

# One line per family of kb/errors/ops-tools.yaml that claims a kind, as the
# tool prints it (from the project's source or an issue thread quoting it),
# with the kind a person would give it. Wrappers that do not say how the
# connection failed are `unknown`.
FAMILIES = [
    # package managers
    ("warning: spurious network error (2 tries remaining): [6] Couldn't resolve host name "
     "(Could not resolve host: crates.io)", "unknown"),
    ("npm ERR! network This is a problem related to network connectivity.", "unknown"),
    ("npm ERR! network request to https://registry.npmjs.org failed", "unknown"),
    ("npm ERR! Response timeout while trying to fetch https://registry.npmjs.org/react "
     "(over 300000ms)", "timeout"),
    (" ERR_PNPM_META_FETCH_FAIL  GET https://registry.npmjs.org/@types%2Fnode: "
     "Value of \"this\" must be of type URLSearchParams", "unknown"),
    ("Could not fetch URL https://pypi.org/simple/pwntools/: There was a problem confirming the "
     "ssl certificate: HTTPSConnectionPool(host='pypi.org', port=443): Max retries exceeded "
     "with url: /simple/pwntools/", "tls_error"),
    ("/workspace/app.csproj : error NU1301: Unable to load the service index for source "
     "https://api.nuget.org/v3/index.json.", "unknown"),
    ("error : The HTTP request to 'GET https://api.nuget.org/v3-flatcontainer/newtonsoft.json/"
     "index.json' has timed out after 100000ms.", "timeout"),
    ("ERROR: https://dl-cdn.alpinelinux.org/alpine/v3.18/main: could not connect to server "
     "(check repositories file)", "refused"),
    ("WARNING: Ignoring http://dl-cdn.alpinelinux.org/alpine/v3.7/community/x86_64/"
     "APKINDEX.tar.gz: network error (check Internet connection and firewall)", "unknown"),
    ("ERROR: http://dl-cdn.alpinelinux.org/alpine/v3.12/main: temporary error (try again later)",
     "unknown"),
    ("ERROR: https://dl-cdn.alpinelinux.org/alpine/v3.18/main: network connection aborted",
     "unknown"),
    ("Download (curl) error for 'http://download.opensuse.org/tumbleweed/repo/non-oss/"
     "repodata/repomd.xml':", "unknown"),
    ("Error code: Connection failed", "unknown"),
    ("Timeout exceeded when accessing 'http://download.opensuse.org/tumbleweed/repo/oss/"
     "repodata/repomd.xml'.", "timeout"),
    ("Errors during downloading metadata for repository 'appstream':", "unknown"),
    # containers and Kubernetes
    ("Error: initializing source docker://quay.io/ceph/ceph:v20.2.0: pinging container registry "
     "quay.io: Get \"https://quay.io/v2/\": dial tcp: lookup quay.io: Temporary failure in "
     "name resolution", "unknown"),
    ("Error: INSTALLATION FAILED: Kubernetes cluster unreachable: the server has asked for the "
     "client to provide credentials", "unknown"),
    ("Error: Looks like \"https://charts.example.com\" is not a valid chart repository or cannot "
     "be reached: Get \"https://charts.example.com/index.yaml\": x509: certificate signed by "
     "unknown authority", "tls_error"),
    ("plugin type=\"calico\" failed (add): error getting ClusterInformation: connection is "
     "unauthorized: Unauthorized", "unknown"),
    ("unable to fully collect metrics: [unable to fully scrape metrics from source "
     "kubelet_summary:master01: unable to fetch metrics from Kubelet master01 (master01)",
     "unknown"),
    ("Error from server: client: etcd cluster is unavailable or misconfigured", "unknown"),
    # CI runners
    ("Couldn't execute POST against https://hostname.tld/api/v4/jobs/request:", "unknown"),
    ("Attempt 1 of 5 failed with error: Request timeout: /twirp/github.actions.results.api.v1."
     "ArtifactService/CreateArtifact. Retrying request in 3000 ms...", "timeout"),
    # cloud CLIs and SDKs
    ("botocore.exceptions.ConnectTimeoutError: Connect timeout on endpoint URL: "
     "\"https://events.us-east-1.amazonaws.com/\"", "timeout"),
    ("botocore.exceptions.ReadTimeoutError: Read timeout on endpoint URL: "
     "\"https://bedrock-runtime.us-east-1.amazonaws.com/model/x/invoke\"", "timeout"),
    ("SSL validation failed for https://sts.us-east-1.amazonaws.com/ [SSL: "
     "CERTIFICATE_VERIFY_FAILED] certificate verify failed: self signed certificate",
     "tls_error"),
    ("Get instance id metadata failed: RequestError: send request failed", "unknown"),
    ("ERROR: gcloud crashed (ProxyError): Max retries exceeded", "unknown"),
    ("ERROR: gcloud crashed (SSLError): HTTPSConnectionPool(host='oauth2.googleapis.com', "
     "port=443): Max retries exceeded with url: /token", "tls_error"),
    ("Error: Failed to request discovery document: 401 Unauthorized", "unknown"),
    ("fatal: [n2]: UNREACHABLE! => {\"changed\": false, \"msg\": \"Data could not be sent to "
     "remote host \\\"172.20.0.11\\\". Make sure this host can be reached over ssh: \", "
     "\"unreachable\": true}", "unknown"),
    # log shippers
    ("ERROR\tpipeline/output.go:100\tFailed to connect to backoff(async(tcp://logstash:5044)): "
     "lookup logstash on 127.0.0.11:53: no such host", "unknown"),
    ("2017/12/17 22:21:09.795726 async.go:235: ERR Failed to publish events caused by: read tcp "
     "192.168.0.3:47964->192.168.0.2:5044: read: connection reset by peer", "reset"),
    ("[WARN ][logstash.outputs.elasticsearch][main] Attempted to resurrect connection to dead ES "
     "instance, but got an error {:url=>\"http://localhost:9200/\"}", "unknown"),
    ("Attempted to send a bulk request but OpenSearch appears to be unreachable or down",
     "unknown"),
    ("Manticore::SocketTimeout", "timeout"),
    ("Elasticsearch Unreachable: [http://es:9200/][Manticore::ConnectTimeout] connect timed out",
     "timeout"),
    ("Elasticsearch Unreachable: [http://localhost:9200/][Manticore::SocketException] Connect to "
     "localhost:9200 failed", "unknown"),
    ("[2023/07/10 10:34:17] [error] [tls] error: unexpected EOF", "tls_error"),
    ("[2024/06/17 16:51:31] [debug] [upstream] connection #50 failed to "
     "other.fluent-aggregator.net:24224", "unknown"),
    ("level=warn caller=client.go:379 component=client host=loki:3100 msg=\"error sending batch, "
     "will retry\" status=-1 error=\"Post \\\"http://loki:3100/loki/api/v1/push\\\": dial tcp: "
     "lookup loki on 127.0.0.11:53: server misbehaving\"", "unknown"),
    # more package managers, Kubernetes, CI, cloud, monitoring (round two)
    ("WARNING: Retrying (Retry(total=4, connect=None, read=None, redirect=None, status=None)) "
     "after connection broken by 'ProxyError('Cannot connect to proxy.', OSError(0, 'Error'))': "
     "/simple/lunr/", "unknown"),
    ("  Temporary failure resolving 'security.ubuntu.com'", "unknown"),
    ("Could not retrieve mirrorlist http://mirrorlist.centos.org/?release=7&arch=x86_64&repo=os"
     "&infra=stock error was", "unknown"),
    ("Cannot find a valid baseurl for repo: base/7/x86_64", "unknown"),
    ("[Composer\\Downloader\\TransportException] The \"http://packagist.org/packages.json\" file "
     "could not be downloaded: failed to open stream: Connection timed out", "timeout"),
    ("{\"level\":\"warn\",\"caller\":\"rafthttp/probing_status.go:68\",\"msg\":\"prober detected "
     "unhealthy status\",\"round-tripper-name\":\"ROUND_TRIPPER_SNAPSHOT\",\"error\":\"dial tcp "
     "127.0.0.1:12380: connect: connection refused\"}", "refused"),
    ("Envoy proxy is NOT ready: config not received from XDS server (is Istiod running?): cds "
     "updates: 0 successful, 0 rejected; lds updates: 0 successful, 0 rejected", "unknown"),
    ("Runner connect error: Error: Conflict. Retrying until reconnected.", "unknown"),
    ("azure.core.exceptions.ServiceRequestTimeoutError: Connection timed out", "timeout"),
    ("azure.core.exceptions.ServiceResponseTimeoutError: The read operation timed out", "timeout"),
    ("could not query provider registry for registry.terraform.io/hashicorp/google: the request "
     "failed after 2 attempts, please try again later", "unknown"),
    ("ts=2022-07-10T18:04:29.280Z caller=notifier.go:527 component=notifier alertmanager="
     "http://10.128.4.14:9093/api/v2/alerts count=1 msg=\"Error sending alert\" err=\"Post "
     "\\\"http://10.128.4.14:9093/api/v2/alerts\\\": dial tcp 10.128.4.14:9093: connect: no route "
     "to host\"", "unknown"),
    ("failed to connect to server - please inspect Grafana server log for details", "unknown"),
    ("error_class=Fluent::Plugin::ElasticsearchOutput::RecoverableRequestFailure error=\"could not "
     "push logs to Elasticsearch cluster ({:host=>\\\"elasticsearch\\\", :port=>9200}): "
     "connect_write timeout reached\"", "timeout"),
    ("failed to establish connection with node fluentd-aggregator", "unknown"),
    # Envoy details, Caddy, GnuTLS under apt and git, docker-compose (round three)
    ("{\"response_code\": \"0\", \"response_flags\": \"DC\", \"response_code_details\": "
     "\"downstream_remote_disconnect\", \"bytes_sent\": \"0\"}", "eof"),
    ("{\"response_code\": \"503\", \"response_flags\": \"URX,UF\", \"response_code_details\": "
     "\"upstream_reset_before_response_started{connection_timeout}\"}", "timeout"),
    ("\"response_code_details\": \"upstream_per_try_timeout\"", "timeout"),
    ("{\"response_code\": \"504\", \"response_flags\": \"UT\", \"response_code_details\": "
     "\"response_timeout\"}", "timeout"),
    ("{\"level\":\"error\",\"logger\":\"http.log.error\",\"msg\":\"no upstreams available\","
     "\"status\":503}", "unknown"),
    ("Err:2 https://pkgs.tailscale.com/stable/ubuntu kinetic InRelease  Could not handshake: Error "
     "in the pull function. [IP: 167.172.11.40 443]", "tls_error"),
    ("error: RPC failed; curl 56 GnuTLS recv error (-54): Error in the pull function.",
     "tls_error"),
    ("ERROR: An HTTP request took too long to complete. Retry with --verbose to obtain debug "
     "information.", "timeout"),
    # cargo, AWS SDKs, Jenkins remoting (round four)
    ("error: failed to fetch into: /home/u/.cargo/git/db/rege-e7e\n  network failure seems to "
     "have happened", "unknown"),
    ("[01:18:18] error: failed to download from `https://crates.io/api/v1/crates/openssl-src/"
     "111.0.1+1.1.1/download`", "unknown"),
    ("Error: operation error IAM: GetOpenIDConnectProvider, https response error StatusCode: 0, "
     "RequestID: , request send failed, Post \"https://iam.amazonaws.com/\": dial tcp "
     "x.x.x.x:443: i/o timeout", "timeout"),
    ("Exception in thread \"main\" com.amazonaws.SdkClientException: Unable to execute HTTP "
     "request: secretsmanager.ap-south-1.amazonaws.com", "unknown"),
    ("java.io.IOException: Backing channel 'JNLP4-connect connection from 10.248.88.35/"
     "10.248.88.35:34716' is disconnected.", "unknown"),
    # containers/image, kubectl, NuGet, telemetry exporters (round five)
    ("rpc error: code = Unknown desc = error pinging docker registry registry.redhat.io: Get "
     "\"https://registry.redhat.io/v2/\": dial tcp: lookup registry.redhat.io on "
     "192.168.31.100:53: server misbehaving", "unknown"),
    ("Error from server (ServiceUnavailable): the server is currently unable to handle the "
     "request (get nodes.metrics.k8s.io)", "unknown"),
    ("error NU1301: Failed to retrieve information about 'Microsoft.NETCore.App.Host.win-x64' "
     "from remote source 'https://api.nuget.org/v3-flatcontainer/microsoft.netcore.app.host."
     "win-x64/index.json'.", "unknown"),
    ("level=info msg=\"Exporting failed. Will retry the request after interval.\" "
     "component_id=otelcol.exporter.otlp.tempo error=\"rpc error: code = Unavailable desc = "
     "connection refused\"", "refused"),
    ("ts=2022-12-05T13:35:53.495Z caller=dedupe.go:112 component=remote level=warn "
     "remote_name=2eb187 url=http://prometheus-kafka-adapter.sma.svc.cluster.local:80/receive "
     "msg=\"Failed to send batch, retrying\"", "unknown"),
    # Go's local-close texts (round six)
    ("read tcp 10.0.0.1:1234->10.0.0.2:443: use of closed network connection", "unknown"),
    ("http2: client connection force closed via ClientConn.Close", "unknown"),
    # Ansible's URL helper, Grafana's Loki data source (round seven)
    ("fatal: [localhost]: FAILED! => {\"changed\": false, \"msg\": \"Failed to connect to "
     "galaxy.ansible.com at port 443: [Errno 110] Connection timed out\"}", "timeout"),
    ("Unable to connect with Loki. Please check the server logs for more details.", "unknown"),
    ("2025-08-26 18:32:15 +0530 [warn]: #0 detached forwarding server 'coreserver' "
     "host=\"coreserver\" port=24224 phi=16.010400375908784 phi_threshold=16", "unknown"),
    ("2019-03-01 10:00:00 +0000 [warn]: #0 detached forwarding server 'aggregator' "
     "host=\"10.0.0.5\" port=24224 hard_timeout=true", "timeout"),
    # service meshes
    ("warning envoy config external/envoy/source/extensions/config_subscription/grpc/"
     "grpc_stream.h:190 StreamAggregatedResources gRPC config stream to xds-grpc closed since "
     "354s ago: 14, connection error: desc = \"transport: Error while dialing: dial tcp "
     "10.97.219.77:15012: connect: connection refused", "refused"),
    ("l5d-proxy-error: HTTP Logical service in fail-fast", "unknown"),
]


@pytest.mark.parametrize(("line", "expected"), FAMILIES)
def test_each_ops_tool_family_is_read_with_its_kind(
    knowledge: KnowledgeBase, line: str, expected: str
) -> None:
    """A line of each tool family gets the kind a person would give it, after precedence."""
    assert reader_for(knowledge).read(line)["error_kind"][0] == expected
