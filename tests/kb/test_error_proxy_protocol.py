"""PROXY protocol messages (kb/errors/proxy-protocol.yaml): proxy_protocol and protocol-mismatch."""

from __future__ import annotations

import pytest

from engine.errortext import reader_for
from engine.kbmodel import KnowledgeBase
from tests.conftest import diagnose_report, ranked_causes

# A line per server as it logs the disagreement, with the side that is wrong.
PROXY_LINES = [
    ('2024/01/02 10:00:00 [error] 31#31: *1 broken header: "GET / HTTP/1.1" while reading '
     'PROXY protocol, client: 10.0.0.5, server: 0.0.0.0:443', "header_expected"),
    ("10.0.0.7:51432 [02/Jan/2024:10:00:00.123] fe_https/1: Received something which does not "
     "look like a PROXY protocol header", "header_expected"),
    ("203.0.113.9:40110 [02/Jan/2024:10:00:01.456] fe_http/1: Received an invalid PROXY protocol "
     "header", "header_expected"),
    ('10.0.1.15 - - [02/Jan/2024:10:00:00 +0000] "PROXY TCP4 203.0.113.7 10.0.1.20 51234 80" '
     '400 157 "-" "-"', "header_unexpected"),
]

# Configuration lines and neighbours that say nothing about a disagreement.
NOT_PROXY = [
    "listen 443 ssl proxy_protocol;",
    "bind :443 accept-proxy",
    '"GET /proxy HTTP/1.1" 200 512',
    "upstream sent too big header while reading response header from upstream",
]


@pytest.mark.parametrize(("line", "value"), PROXY_LINES)
def test_a_proxy_protocol_message_says_which_end_disagrees(
        knowledge: KnowledgeBase, line: str, value: str) -> None:
    """The reader sets proxy_protocol: a header expected but missing, or one nobody expected."""
    assert reader_for(knowledge).read(line).get("proxy_protocol", (None,))[0] == value


@pytest.mark.parametrize("line", NOT_PROXY)
def test_look_alikes_say_nothing_about_proxy_protocol(knowledge: KnowledgeBase, line: str) -> None:
    """A config line or an unrelated 'header' message sets no proxy_protocol."""
    assert "proxy_protocol" not in reader_for(knowledge).read(line)


@pytest.mark.parametrize(("line", "_value"), PROXY_LINES)
def test_a_proxy_protocol_message_ranks_protocol_mismatch_first(line: str, _value: str) -> None:
    """`diagnose --error` on the server's PROXY protocol complaint ranks protocol-mismatch first."""
    report = diagnose_report("--error", line)
    assert ranked_causes(report)[0] == "protocol-mismatch", report["diagnoses"][:2]
