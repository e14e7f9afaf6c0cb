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


@pytest.mark.parametrize(("url", "host", "port"), [
    ("https://api.example.com/v1/items?x=1", "api.example.com", 443),
    ("http://10.0.0.5:8080/", "10.0.0.5", 8080),
    ("http://[::1]:8080/health", "::1", 8080),
    ("postgres://app:secret@db.internal/app", "db.internal", 5432),
    ("redis://cache:6380/0", "cache", 6380),
    ("WSS://stream.example.com", "stream.example.com", 443),
])
def test_urls_people_paste_give_their_host_and_port(url: str, host: str, port: int) -> None:
    """A URL copied from a browser, a config or the error itself: its host, and its port
    or the scheme's default (before: 'is not HOST:PORT')."""
    assert (Target.parse(url).host, Target.parse(url).port) == (host, port)


@pytest.mark.parametrize(("url", "says"), [
    ("foo://x", "no port, and 'foo' has no default here (known: amqp,"),
    ("https://:80", "no host in the URL"),
    ("http://h:99999", "Port out of range"),
    ("http://[::1:18084", "Invalid IPv6 URL"),  # was an internal error (ValueError)
])
def test_urls_without_a_port_or_a_host_are_one_line_errors(url: str, says: str) -> None:
    """Each names the URL as given and what is missing."""
    with pytest.raises(InputError) as raised:
        Target.parse(url)
    assert says in str(raised.value) and repr(url) in str(raised.value)
