"""The error-pattern catalogue: examples, literals, coverage and the facts it sets."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.conditions import value_problem
from engine.errortext import check_pattern_examples, reader_for
from engine.kbmodel import KnowledgeBase
from engine.loader import load_kb

STACKS = {"generic", "python", "java", "go", "node", "dotnet", "curl", "git", "ssh", "nginx",
          "haproxy", "envoy", "aws", "postgres", "mysql", "redis", "grpc", "docker", "kubectl",
          "rust", "ruby", "php", "elixir", "browser", "ios", "android", "dart", "kafka",
          "oracle", "cloudflare", "traefik"}


def test_every_example_behaves_as_its_pattern_promises(knowledge: KnowledgeBase) -> None:
    """Each match example matches (and holds the literal); no no_match example does."""
    failures = [str(f) for f in check_pattern_examples(knowledge)]
    assert failures == []


def test_every_builtin_pattern_has_a_literal_and_a_near_miss(knowledge: KnowledgeBase) -> None:
    """The cheap prefilter needs a literal; a pattern without a near-miss is untested."""
    missing = [p.id for p in knowledge.patterns.values()
               if not p.literal or not p.examples.no_match]
    assert missing == []


def test_catalogue_covers_every_stack_the_issue_names(knowledge: KnowledgeBase) -> None:
    """Each named stack has several patterns (real message forms), not a token one."""
    counts: dict[str, int] = {}
    for pattern in knowledge.patterns.values():
        counts[pattern.stack] = counts.get(pattern.stack, 0) + 1
    thin = {stack: counts.get(stack, 0) for stack in STACKS if counts.get(stack, 0) < 2}
    assert thin == {}


@pytest.mark.parametrize(("line", "expected"), [
    ("Error: socket hang up\n    at connResetException\n  code: 'ECONNRESET'", "eof"),
    ("Error: Client network socket disconnected before secure TLS connection was established"
     " { code: 'ECONNRESET' }", "tls_error"),
    ("urllib3.exceptions.ProtocolError: ('Connection aborted.', "
     "ConnectionResetError(104, 'Connection reset by peer'))", "reset"),
    ("pymysql.err.OperationalError: (2013, 'Lost connection to MySQL server during query "
     "([Errno 104] Connection reset by peer)')", "reset"),
    ("curl: (35) Recv failure: Connection reset by peer", "reset"),
    ("dial tcp 10.0.0.1:443: i/o timeout", "timeout"),
    ("dial tcp 127.0.0.1:5432: connect: connection refused", "refused"),
    ("write tcp 10.0.0.1:5->10.0.0.2:80: write: broken pipe", "broken_pipe"),
])
def test_precedence_picks_the_specific_reading(
    knowledge: KnowledgeBase, line: str, expected: str
) -> None:
    """When patterns disagree, priority then specificity decides error_kind."""
    assert reader_for(knowledge).read(line)["error_kind"][0] == expected


def test_server_side_logs_say_side_server(knowledge: KnowledgeBase) -> None:
    """A server's log about its client is side: server; a client's error is side: client."""
    reader = reader_for(knowledge)
    server = ("2024/01/02 10:00:00 [info] 7#7: *12 client prematurely closed connection "
              "while reading client request body, client: 10.0.0.1")
    client = "http.client.RemoteDisconnected: Remote end closed connection without response"
    assert reader.read(server)["side"][0] == "server"
    assert reader.read(client)["side"][0] == "client"


def test_haproxy_states_are_read_case_sensitively_in_context(knowledge: KnowledgeBase) -> None:
    """cD (client timeout) is not CD (client abort); bare letters outside a log mean nothing."""
    reader = reader_for(knowledge)
    line = ("Feb  6 12:14:14 lb1 haproxy[14389]: 10.0.1.2:33317 [06/Feb/2009:12:14:14.655] "
            "http-in static/srv1 10/0/30/69/109 200 2750 - - {} 1/1/1/1/0 0/0 \"GET / HTTP/1.1\"")
    timeout = reader.read(line.format("cD--"))
    abort = reader.read(line.format("CD--"))
    assert (timeout["error_kind"][0], timeout["side"][0]) == ("timeout", "server")
    assert (abort["error_kind"][0], abort["side"][0]) == ("eof", "server")
    assert reader.read("haproxy says SD CD sD") == {}


def test_list_facts_from_patterns_become_lists(knowledge: KnowledgeBase) -> None:
    """A pattern's scalar for a list fact (path) is read as a one-item list."""
    line = "upstream timed out (110: Connection timed out) while connecting to upstream"
    assert reader_for(knowledge).read(line)["path"][0] == ["reverse_proxy"]


def test_every_fact_a_pattern_sets_is_a_valid_observation_value(
    knowledge: KnowledgeBase,
) -> None:
    """What a reading yields is accepted by the fact store: known id, allowed value."""
    reader = reader_for(knowledge)
    problems = []
    for compiled in reader.patterns:
        for fact, value in compiled.pattern.sets.items():
            observation = knowledge.observations.get(fact)
            if observation is None:
                problems.append(f"{compiled.pattern.id}: unknown fact {fact!r}")
                continue
            problem = value_problem(observation, reader.typed_value(fact, value))
            if problem:
                problems.append(f"{compiled.pattern.id}: {problem}")
    assert problems == []


def test_a_broken_example_is_reported_with_file_and_line(tmp_path: Path) -> None:
    """An extension pattern whose example does not match is named with its file and line."""
    (tmp_path / "manifest.yaml").write_text("name: ext\ncontent_version: '1'\n", encoding="utf-8")
    (tmp_path / "errors").mkdir()
    (tmp_path / "errors" / "acme.yaml").write_text(
        "patterns:\n"
        "  - id: acme-reset\n"
        "    stack: acme\n"
        "    regex: 'ACME reset \\d+'\n"
        "    literal: acme reset\n"
        "    sets: {error_kind: reset}\n"
        "    examples:\n"
        "      match: ['ACME reset now']\n"
        "      no_match: ['ACME reset 7']\n", encoding="utf-8")
    failures = [str(f) for f in check_pattern_examples(load_kb([tmp_path]))]
    where = f"{tmp_path / 'errors' / 'acme.yaml'}:2"
    assert failures == [
        f"{where}: acme-reset: should match but does not: 'ACME reset now'",
        f"{where}: acme-reset: matches but should not: 'ACME reset 7'",
    ]
