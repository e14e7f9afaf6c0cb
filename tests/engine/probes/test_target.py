"""``--target HOST:PORT`` and ``probe HOST:PORT``: what is accepted, and the one-line errors."""

from __future__ import annotations

import pytest

from engine.errors import InputError
from engine.probes.base import Target


@pytest.mark.parametrize(("text", "host", "port"), [
    ("db.internal:5432", "db.internal", 5432),
    ("10.0.0.5:80", "10.0.0.5", 80),
    ("[::1]:443", "::1", 443),
    ("[2001:db8::1]:8443", "2001:db8::1", 8443),
    ("localhost:65535", "localhost", 65535),
])
def test_targets_users_write_are_read(text: str, host: str, port: int) -> None:
    """Names, IPv4 and bracketed IPv6; printed back the way they were written."""
    target = Target.parse(text)
    assert (target.host, target.port) == (host, port)
    assert str(target) == text


@pytest.mark.parametrize(("text", "says"), [
    ("db.internal", "is not HOST:PORT"),
    (":80", "is not HOST:PORT"),
    ("db:http", "is not HOST:PORT"),
    ("db:0", "port must be 1-65535 (got 0)"),
    ("db:70000", "port must be 1-65535 (got 70000)"),
    ("[::1:80", "'[::1' is not a host name or address"),  # was probed as host '[:' port 1
    ("[]:80", "'' is not a host name or address"),
    ("db internal:80", "'db internal' is not a host name or address"),
    ("::1:80", "an IPv6 address goes in brackets, e.g. [::1]:80 (or [::1:80]:PORT"),
    ("2001:db8::1:443", "e.g. [2001:db8::1]:443"),
])
def test_bad_targets_get_one_line_naming_the_value(text: str, says: str) -> None:
    """Each names the target as given and shows the form expected; nothing is probed."""
    with pytest.raises(InputError) as raised:
        Target.parse(text)
    message = str(raised.value)
    assert says in message
    assert repr(text) in message and "\n" not in message
