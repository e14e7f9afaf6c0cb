"""Socket helpers shared by probes: resolution, adaptive timeouts, one connect.

Timeouts adapt to the measured round trip the way nmap and TCP do:
``srtt + 4 * rttvar``, clamped to [MIN_TIMEOUT, MAX_TIMEOUT], so a loopback
target is judged in milliseconds and a distant one still gets its time.
"""

from __future__ import annotations

import asyncio
import errno
import socket
import time
from dataclasses import dataclass

MIN_TIMEOUT = 0.25
MAX_TIMEOUT = 2.0
INITIAL_TIMEOUT = 1.0

UNREACHABLE_ERRNOS = {errno.EHOSTUNREACH, errno.ENETUNREACH, errno.EACCES, errno.EPERM}


class ResolveError(Exception):
    """The name does not resolve."""


async def resolve(host: str, port: int) -> list[tuple[int, str]]:
    """Every (family, address) the name resolves to, in the order a client tries them."""
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise ResolveError(f"{host!r} does not resolve: {error.strerror}") from error
    seen: list[tuple[int, str]] = []
    for family, _, _, _, sockaddr in infos:
        entry = (int(family), str(sockaddr[0]))
        if entry not in seen:
            seen.append(entry)
    return seen


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
    except OSError as error:
        elapsed = time.monotonic() - started
        if error.errno in UNREACHABLE_ERRNOS:
            return ConnectOutcome("unreachable", elapsed, errno.errorcode.get(error.errno or 0, ""))
        raise
    finally:
        sock.close()
