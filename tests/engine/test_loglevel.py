"""The level a log line names in its head, in the forms real logs write it."""

from __future__ import annotations

import pytest

from engine.loglevel import is_informational, level_of


@pytest.mark.parametrize(("line", "level"), [
    ("2026/11/22 15:18:29 [info] 6042#6042: *8 epoll_wait() reported that client prematurely"
     " closed connection", "info"),
    ("2026/11/22 15:18:28 [crit] 6042#6042: accept4() failed (24: Too many open files)", "crit"),
    ("[Sun Nov 22 10:00:00.1 2026] [proxy:error] [pid 1] (104)Connection reset by peer", "error"),
    ('time="2026-11-22T10:00:00Z" level=warning msg="read: connection reset by peer"',
     "warning"),
    ('{"level":"info","ts":1.5,"msg":"client disconnected"}', "info"),
    ("2026-11-22 10:00:00.123 ERROR 1 --- [main] o.a.c.Foo : Connection reset", "error"),
    ("ERROR:root:ConnectionResetError: [Errno 104] Connection reset by peer", "error"),
    ("I1122 10:00:00.123456    1 proxier.go:1] connection reset", "info"),
    ("E1122 10:00:00.123456    1 reflector.go:1] watch ended: unexpected EOF", "error"),
    ('[info] time="2026-11-22T10:00:00Z" level=fatal msg="accept: too many open files"',
     "fatal"),
    ('[info] time="2026-11-22T10:00:00Z" level=debug msg="client went away"', "info"),
])
def test_the_level_each_log_format_writes(line: str, level: str) -> None:
    """nginx, Apache, logfmt, JSON, Spring, Python logging and klog say their level; of two
    (one program's output wrapped by another's), the more severe."""
    assert level_of(line) == level


@pytest.mark.parametrize("line", [
    "2026-11-22 10:00:00 UTC LOG:  could not receive data from client: Connection reset by peer",
    "<134>Nov 22 10:00:00 lb haproxy[1]: 10.0.0.1:1 [22/Nov/2026:10:00:00.000] fe be/s"
    " 0/0/0/0/0 502 0 - - SH-- 1/1/1/1/0 0/0",
    "read tcp 10.0.0.1:41234->10.0.0.2:80: read: connection reset by peer",
    "2026-11-22 10:00:00 [main] connection reset by peer; error count 1",
])
def test_a_line_without_a_known_level_always_counts(line: str) -> None:
    """Postgres's LOG, syslog's priority, a bare error and a lower-case word name no level."""
    assert is_informational(line) is None


def test_only_the_head_of_a_line_is_read() -> None:
    """An upper-case word deep in the message is text, not the line's level."""
    assert level_of("x" * 200 + " ERROR ") is None
