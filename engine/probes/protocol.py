"""The protocol probe: what does the port speak?

Banner-first services talk before the client does: SSH (``SSH-``), SMTP
(``220 ... ESMTP``), MySQL (a v10 handshake packet), Redis in protected mode
(``-DENIED``). For silent ports, four small questions go out at the same time,
each on its own connection: a TLS ClientHello (a TLS record comes back), an
HTTP request (``HTTP/``), a Postgres SSLRequest (a single ``S`` or ``N``) and
a Redis ``PING`` (``+PONG`` or a Redis error). Each read is bounded to 4 KiB
and to the wait time, so the probe opens at most five connections and lasts
about one wait when anything answers.

A forwarder with nothing behind it (docker-proxy, ``kubectl port-forward``,
a TCP proxy whose backend refuses) accepts every connection and ends it
without a byte. ``closes_without_reply`` says whether all five ended so
within the wait -- the one that was sent nothing too, which a server that
merely dislikes our questions leaves open. A forwarder that first retries
its backend (HAProxy: three times, a second apart) is slower than this
quick probe waits; the idle probe, which holds connections anyway, tells.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
import time
from collections.abc import Callable
from typing import Any

from engine.probes.base import ProbeOptions, ProbeResult, Target
from engine.probes.netutil import (
    ReadOutcome,
    ResolveError,
    client_address,
    handshake_round_trip,
    open_socket,
    read_bounded,
    send_all,
    why,
)
from engine.probes.tlswire import client_hello, printable

READ_LIMIT = 4096
POSTGRES_SSL_REQUEST = struct.pack("!II", 8, 80877103)
ORDER = ("tls", "http", "postgres", "redis")


async def probe_protocol(target: Target, options: ProbeOptions) -> ProbeResult:
    """Listen for a banner; ask TLS, HTTP, Postgres and Redis questions; name the protocol."""
    started = time.monotonic()
    try:
        family, address = await client_address(target.host, target.port)
        sock = await open_socket(family, address, target.port, 2.0)
    except ConnectionResetError:  # accepted, then reset: no banner, the questions still go
        sock = None
    except (ResolveError, OSError, TimeoutError) as error:
        return ProbeResult(name="protocol", status="skipped",
                           reason=f"no TCP connection to listen on: {why(error)}")
    wait = min(3.0, max(0.5, 8 * handshake_round_trip(time.monotonic() - started) + 0.2))
    questions = {
        "tls": client_hello(None),
        "http": f"GET / HTTP/1.0\r\nHost: {target.host}\r\n\r\n".encode("ascii", "replace"),
        "postgres": POSTGRES_SSL_REQUEST,
        "redis": b"PING\r\n",
    }
    with contextlib.ExitStack() as stack:
        if sock is not None:
            stack.callback(sock.close)
        banner_task = asyncio.ensure_future(_banner(sock, wait))
        asks = {name: asyncio.ensure_future(_ask(family, address, target.port, data, wait))
                for name, data in questions.items()}
        try:
            banner = await banner_task
        except BaseException:  # interrupted (Ctrl-C cancels the probe): end the questions too
            banner_task.cancel()
            for task in asks.values():
                task.cancel()
            await asyncio.gather(banner_task, *asks.values(), return_exceptions=True)
            raise
        if _from_banner(banner.data):  # the service named itself: the questions are moot
            for task in asks.values():
                task.cancel()
        replies = dict(zip(asks, await asyncio.gather(*asks.values(), return_exceptions=True),
                           strict=True))
    evidence: dict[str, Any] = {"banner": printable(banner.data) if banner.data else None,
                                "wait_s": round(wait, 2)}
    guess = _from_banner(banner.data)
    if guess is None:
        for name in ORDER:
            reply = replies[name]
            if isinstance(reply, ReadOutcome):
                evidence[f"{name}_reply"] = printable(reply.data) if reply.data else reply.end
                if guess is None and _ANSWERS[name](reply.data):
                    guess = name
    if guess is None and (named := _named_by_any_reply(replies)):
        guess, asked = named
        evidence["named_by"] = f"the reply to the {asked} question"
    facts: dict[str, Any] = {"protocol_guess": guess or "unknown"}
    ends = [banner, *replies.values()]
    closes = False if guess else _all_closed_unanswered(ends)
    if closes is not None:
        facts["closes_without_reply"] = closes
    if closes:
        last = max(end.seconds for end in ends if isinstance(end, ReadOutcome))
        evidence["closed_without_reply"] = (
            f"all {len(ends)} connections, the one sent nothing too, within {last:.1f} s")
    return ProbeResult(name="protocol", status="ok", seconds=round(time.monotonic() - started, 4),
                       facts=facts, evidence=evidence)


def _all_closed_unanswered(ends: list[Any]) -> bool | None:
    """Whether every connection ended (FIN or RST) before the server sent a byte.

    False once any answered; None when that is not known: a connection still
    open and silent may yet be closed (a forwarder retrying its backend), and
    one that could not be opened (a lost handshake) says nothing either way.
    """
    outcomes = [end for end in ends if isinstance(end, ReadOutcome)]
    if any(end.data for end in outcomes):
        return False
    closed = [end for end in outcomes if end.end in ("eof", "reset")]
    return True if len(closed) == len(ends) else None


async def _banner(sock: socket.socket | None, wait: float) -> ReadOutcome:
    """What the server says before being asked (nothing when it reset at once)."""
    if sock is None:
        return ReadOutcome(b"", "reset", 0.0)
    return await read_bounded(sock, READ_LIMIT, wait, b"")


async def _ask(family: int, address: str, port: int, question: bytes, wait: float) -> ReadOutcome:
    """Send one question on a fresh connection and read the bounded answer."""
    try:
        sock = await open_socket(family, address, port, 2.0)
    except ConnectionResetError:  # accepted, then reset before the connect returned
        return ReadOutcome(b"", "reset", 0.0)
    with contextlib.closing(sock):
        if await send_all(sock, question, wait) != "sent":
            return ReadOutcome(b"", "reset", 0.0)
        return await read_bounded(sock, READ_LIMIT, wait, b"")


def _named_by_any_reply(replies: dict[str, Any]) -> tuple[str, str] | None:
    """A protocol that a reply to another question names (and the question it answered).

    A server names HTTP or TLS in whatever reply it gives: an HTTP status line
    answering the TLS ClientHello (a parser rejecting bytes it cannot read,
    while the request itself waits on a stalled application, or was lost on
    a lossy path), a TLS alert answering the HTTP request. The other answers
    are too short to tell apart from another protocol's words.
    """
    for asked in ORDER:
        reply = replies[asked]
        if isinstance(reply, ReadOutcome):
            for name, names_itself in _SELF_NAMING.items():
                if names_itself(reply.data):
                    return name, asked
    return None


def _from_banner(data: bytes) -> str | None:
    """A protocol that speaks first, recognised by its greeting."""
    if data.startswith((b"SSH-", b"Exceeded MaxStartups")):  # sshd, or sshd past its cap
        return "ssh"
    if data.startswith(b"220") and any(w in data.upper() for w in (b"SMTP", b"MAIL", b"POSTFIX")):
        return "smtp"
    if (len(data) >= 5 and data[3] == 0 and data[4] in (10, 0xFF)  # v10 greeting or error
            and 4 < int.from_bytes(data[:3], "little") < 1024):
        return "mysql"
    if data.startswith((b"-DENIED", b"-NOAUTH")):
        return "redis"
    return None


def _is_tls(data: bytes) -> bool:
    return len(data) >= 2 and data[0] in (21, 22) and data[1] == 3


def _is_http(data: bytes) -> bool:
    return data.startswith(b"HTTP/")


def _is_postgres(data: bytes) -> bool:
    """'S' or 'N' to the SSLRequest, or an ErrorResponse: 'E' and a plausible int32 length.

    The length keeps other words starting with 'E' out (sshd's "Exceeded
    MaxStartups" read as Postgres before).
    """
    if data in (b"S", b"N"):
        return True
    return data[:1] == b"E" and len(data) > 5 and 4 < int.from_bytes(data[1:5], "big") < 65536


def _is_redis(data: bytes) -> bool:
    return data.startswith((b"+PONG", b"-NOAUTH", b"-ERR", b"-DENIED"))


_ANSWERS: dict[str, Callable[[bytes], bool]] = {
    "tls": _is_tls, "http": _is_http, "postgres": _is_postgres, "redis": _is_redis,
}
_SELF_NAMING: dict[str, Callable[[bytes], bool]] = {"http": _is_http, "tls": _is_tls}
