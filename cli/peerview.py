"""What the other end's log can tell about this side's failure, and what it cannot.

Both ends of a failed connection log it, each in its own words: the client's
"connection reset by peer" is often the server's "client closed connection".
Read from the peer's log, the facts an error pattern implies fall in two
groups. Those about the situation both ends share -- a limit reached, the
server's own timer, a restart, load, TLS, the path, the PROXY protocol -- hold
for this side too. Those about how the failure looked (``error_kind``,
``side``, ``reported_by``, ``phase``, ``after_idle``) are the peer's view;
taken for this side's, they would put the peer's view in place of the user's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

SHARED_BY_BOTH_ENDS = frozenset({
    "limit_hit", "server_timeout_logged", "recent_restart", "under_load", "tls", "path",
    "proxy_protocol", "tls_handshake",
})

Reading = TypeVar("Reading")


def split_peer_view(facts: Mapping[str, Reading]) -> tuple[dict[str, Reading], dict[str, Reading]]:
    """(facts that hold for both ends, facts that are only the peer's view)."""
    shared = {fact: read for fact, read in facts.items() if fact in SHARED_BY_BOTH_ENDS}
    return shared, {fact: read for fact, read in facts.items() if fact not in shared}
