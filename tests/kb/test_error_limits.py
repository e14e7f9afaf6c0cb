"""Messages that name a limit (kb/errors/limits.yaml, server families): limit_hit and its cause."""

from __future__ import annotations

import pytest

from engine.errortext import reader_for
from engine.kbmodel import KnowledgeBase
from tests.conftest import diagnose_report, ranked_causes

# A line per family as the software prints it, with the limit a person reads in it.
LIMIT_LINES = [
    ("nc_proxy.c:290 accept on p 7 failed: Too many open files", "file_descriptors"),
    ("http: Accept error: accept tcp [::]:8080: accept4: too many open files; retrying in 5ms",
     "file_descriptors"),
    ("Error: EMFILE, accept", "file_descriptors"),
    ("Proxy fe_http reached process FD limit (maxsock=4096). Please check 'ulimit-n' and restart.",
     "file_descriptors"),
    ("dial tcp 54.85.222.182:443: connect: cannot assign requested address", "ephemeral_ports"),
    ("Error: connect EADDRNOTAVAIL 10.0.0.5:6379 - Local (0.0.0.0:0)", "ephemeral_ports"),
    ("dial tcp 127.32.0.1:0->127.0.0.1:11211: bind: address already in use", "ephemeral_ports"),
    ("kernel: nf_conntrack: table full, dropping packet", "conntrack_table"),
    ("kernel: [1234567.890123] TCP: out of memory -- consider tuning tcp_mem", "socket_memory"),
    ("kernel: TCP: request_sock_TCP: Possible SYN flooding on port 8080. Sending cookies.",
     "listen_backlog"),
    ("kernel: sonewconn: pcb 0xfffff8000c1b2000: Listen queue overflow: 193 already in queue",
     "listen_backlog"),
    ("2016/03/14 00:35:26 [alert] 25909#0: 1024 worker_connections are not enough",
     "server_connections"),
    ("pq: sorry, too many clients already", "server_connections"),
    ("SQLSTATE[08004] [1040] Too many connections", "server_connections"),
    ("ReplyError: ERR max number of clients reached", "server_connections"),
    ("ERROR Error: Too many connections (8) from this IP", "per_client_limit"),
    ("sshd[812]: drop connection #10 from [203.0.113.9]:51234 on [10.0.0.2]:22 past MaxStartups",
     "per_client_limit"),
]

# Look-alikes that name no limit a connection ran into.
NO_LIMIT = [
    "listen tcp :8080: bind: address already in use",
    "worker_connections 4096;",
    "MaxStartups 10:30:100",
    "too many files to list",
]


@pytest.mark.parametrize(("line", "limit"), LIMIT_LINES)
def test_a_limit_message_names_its_limit(knowledge: KnowledgeBase, line: str, limit: str) -> None:
    """The reader sets limit_hit to the limit the message names."""
    assert reader_for(knowledge).read(line).get("limit_hit", (None,))[0] == limit


@pytest.mark.parametrize("line", NO_LIMIT)
def test_look_alikes_name_no_limit(knowledge: KnowledgeBase, line: str) -> None:
    """A server's own bind failure or a config line sets no limit_hit."""
    assert "limit_hit" not in reader_for(knowledge).read(line)


@pytest.mark.parametrize(("line", "facts", "cause"), [
    ("accept4: too many open files; retrying in 5ms", ["side=server"], "resource-exhaustion"),
    ("dial tcp 10.0.0.5:443: connect: cannot assign requested address", [], "resource-exhaustion"),
    ("421 Too many connections (10) from this IP", ["side=client"], "rate-limited"),
    ("[alert] 12#12: 1024 worker_connections are not enough", [], "server-overload"),
])
def test_the_named_limit_decides_the_cause(line: str, facts: list[str], cause: str) -> None:
    """`diagnose --error` on a message that names a limit ranks that limit's cause first."""
    report = diagnose_report("--error", line, *(arg for fact in facts for arg in ("--fact", fact)))
    assert ranked_causes(report)[0] == cause, report["diagnoses"][:2]
