"""Socket helpers shared by probes: resolution, adaptive timeouts, one connect.

Timeouts adapt to the measured round trip the way nmap and TCP do:
``srtt + 4 * rttvar``, clamped to [MIN_TIMEOUT, MAX_TIMEOUT], so a loopback
target is judged in milliseconds and a distant one still gets its time.
"""

from __future__ import annotations

import asyncio
import contextvars
import errno
import socket
import time
from dataclasses import dataclass

MIN_TIMEOUT = 0.25
MAX_TIMEOUT = 2.0
INITIAL_TIMEOUT = 1.0

UNREACHABLE_ERRNOS = {errno.EHOSTUNREACH, errno.ENETUNREACH, errno.EACCES, errno.EPERM}
SYN_RESENDS = (1.0, 3.0, 7.0, 15.0, 31.0)  # when Linux resends an unanswered SYN (RTO 1 s, doubled)


class ResolveError(Exception):
    """The name does not resolve."""


_RESOLVED: contextvars.ContextVar[dict[tuple[str, int], list[tuple[int, str]] | str] | None] = (
    contextvars.ContextVar("probe_resolved", default=None)
)


_ANSWERING: contextvars.ContextVar[dict[tuple[str, int], tuple[int, str]] | None] = (
    contextvars.ContextVar("probe_answering", default=None)
)


def share_resolution() -> None:
    """Make every probe of this run see one resolution of the name.

    The runner calls this before starting the probes (tasks copy the
    context, so they share the dicts): with DNS round robin, separate lookups
    could send each probe to another address. The port probe records there
    which address answers (``remember_answering``) for the probes after it.
    """
    _RESOLVED.set({})
    _ANSWERING.set({})


async def resolve(host: str, port: int) -> list[tuple[int, str]]:
    """Every (family, address) the name resolves to, in the order a client tries them."""
    cache = _RESOLVED.get()
    if cache is not None and (host, port) in cache:
        known = cache[(host, port)]
        if isinstance(known, str):
            raise ResolveError(known)
        return list(known)
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        message = f"{host!r} does not resolve: {error.strerror}"
        if cache is not None:
            cache[(host, port)] = message
        raise ResolveError(message) from error
    seen: list[tuple[int, str]] = []
    for family, _, _, _, sockaddr in infos:
        entry = (int(family), str(sockaddr[0]))
        if entry not in seen:
            seen.append(entry)
    if cache is not None:
        cache[(host, port)] = seen
    return list(seen)


def handshake_round_trip(connect_seconds: float) -> float:
    """The round trip one connect measured: its time since the last SYN resend it needed.

    A connect whose SYN (or SYN-ACK) was lost took a second or more on top of
    the path's delay (Karn's problem); timing waits from it made them four
    times a second too long. The answer to the resent SYN dates the round trip.
    """
    resent = max((at for at in SYN_RESENDS if at <= connect_seconds), default=0.0)
    return connect_seconds - resent


@dataclass
class RttEstimator:
    """Smoothed round trip and variance (RFC 6298), for adaptive timeouts."""

    srtt: float | None = None
    rttvar: float = 0.0

    def update(self, sample: float) -> None:
        """Feed one measured round trip in seconds."""
        if self.srtt is None:
            self.srtt, self.rttvar = sample, sample / 2
        else:
            self.rttvar = 0.75 * self.rttvar + 0.25 * abs(self.srtt - sample)
            self.srtt = 0.875 * self.srtt + 0.125 * sample

    def timeout(self) -> float:
        """The connect timeout to use next."""
        if self.srtt is None:
            return INITIAL_TIMEOUT
        return min(MAX_TIMEOUT, max(MIN_TIMEOUT, self.srtt + 4 * self.rttvar))


@dataclass(frozen=True)
class ConnectOutcome:
    """How one TCP connect ended: open, closed, filtered or unreachable."""

    state: str
    seconds: float
    detail: str = ""


async def try_connect(family: int, address: str, port: int, timeout: float) -> ConnectOutcome:
    """One TCP connect with a deadline; the socket is always closed."""
    loop = asyncio.get_running_loop()
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setblocking(False)
    started = time.monotonic()
    try:
        await asyncio.wait_for(loop.sock_connect(sock, (address, port)), timeout)
        return ConnectOutcome("open", time.monotonic() - started)
    except TimeoutError:
        return ConnectOutcome("filtered", time.monotonic() - started, "no answer")
    except ConnectionRefusedError:
        return ConnectOutcome("closed", time.monotonic() - started, "refused (RST)")
    except ConnectionResetError:  # the SYN-ACK came, then an RST before connect() returned
        return ConnectOutcome("open", time.monotonic() - started, "reset right after accept")
    except OSError as error:
        elapsed = time.monotonic() - started
        if error.errno in UNREACHABLE_ERRNOS:
            return ConnectOutcome("unreachable", elapsed, errno.errorcode.get(error.errno or 0, ""))
        raise
    finally:
        sock.close()


async def open_socket(family: int, address: str, port: int, timeout: float) -> socket.socket:
    """A connected non-blocking socket; the caller closes it. Raises TimeoutError or OSError."""
    loop = asyncio.get_running_loop()
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setblocking(False)
    try:
        await asyncio.wait_for(loop.sock_connect(sock, (address, port)), timeout)
    except BaseException:
        sock.close()
        raise
    return sock


@dataclass(frozen=True)
class ReadOutcome:
    """Bytes read (bounded) and how the read ended: eof, reset, timeout or limit."""

    data: bytes
    end: str
    seconds: float


async def read_bounded(sock: socket.socket, limit: int, timeout: float,
                       until: bytes | None = None) -> ReadOutcome:
    """Read at most ``limit`` bytes within ``timeout`` s (stop early at ``until``;
    ``until=b""`` stops after the first chunk).

    A hostile peer that floods data or never answers cannot make this read
    more than ``limit`` bytes or wait longer than ``timeout``.
    """
    loop = asyncio.get_running_loop()
    started = time.monotonic()
    deadline = started + timeout
    data = b""
    end = "timeout"
    while len(data) < limit:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        try:
            chunk = await asyncio.wait_for(loop.sock_recv(sock, limit - len(data)), left)
        except TimeoutError:
            break
        except ConnectionResetError:
            end = "reset"
            break
        if not chunk:
            end = "eof"
            break
        data += chunk
        if until is not None and until in data:
            end = "until"
            break
    else:
        end = "limit"
    return ReadOutcome(data, end, time.monotonic() - started)


async def send_all(sock: socket.socket, data: bytes, timeout: float) -> str:
    """Send within ``timeout`` s: ``sent``, ``reset``, ``broken_pipe`` or ``timeout``."""
    loop = asyncio.get_running_loop()
    try:
        await asyncio.wait_for(loop.sock_sendall(sock, data), timeout)
    except TimeoutError:
        return "timeout"
    except ConnectionResetError:
        return "reset"
    except BrokenPipeError:
        return "broken_pipe"
    return "sent"


async def first_address(host: str, port: int) -> tuple[int, str]:
    """The (family, address) a client would try first; ResolveError when none."""
    addresses = await resolve(host, port)
    if not addresses:
        raise ResolveError(f"{host!r} resolves to no address")
    return addresses[0]


def remember_answering(host: str, port: int, family: int, address: str) -> None:
    """The port probe found ``address`` to be the first of the name's that accepts."""
    answering = _ANSWERING.get()
    if answering is not None:
        answering[(host, port)] = (family, address)


async def client_address(host: str, port: int) -> tuple[int, str]:
    """The (family, address) a client ends up connected to; ResolveError when none.

    curl, Python's ``create_connection`` and Go try a name's addresses in
    order and move on when one refuses or times out; so when the port probe
    has found the first one dead and a later one accepting (``localhost``
    giving ``::1`` to a server bound to IPv4), the probes that talk to the
    service talk to that one. Without the port probe's finding, the first.
    """
    answering = _ANSWERING.get()
    if answering is not None and (host, port) in answering:
        return answering[(host, port)]
    return await first_address(host, port)


def why(error: BaseException) -> str:
    """A connect failure in a few words, for a probe's ``reason``."""
    if isinstance(error, TimeoutError):
        return "connect timed out (no answer)"
    if isinstance(error, ConnectionRefusedError):
        return "connection refused"
    if isinstance(error, ConnectionResetError):
        return "connection reset"
    if isinstance(error, ResolveError):
        return str(error)
    if isinstance(error, OSError) and error.errno is not None:
        return errno.errorcode.get(error.errno, str(error.errno)) + f" ({error.strerror})"
    return str(error) or type(error).__name__
