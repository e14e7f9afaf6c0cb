"""The burst probe: do connections fail only when many arrive at once?

One connect first: if the port is not open, a burst says nothing more and
the probe is skipped. Then ``burst_size`` connects (default 50, hard cap 500)
start together; each is judged refused (RST), reset (accepted, then reset or
closed before any byte), timeout (no SYN-ACK: a full accept queue drops SYNs)
or ok. Each connection is held a short while, long enough to see a reset
right after accept, and always closed.

A server at an application-level cap says so and closes: sshd past
MaxStartups ("Exceeded MaxStartups"), SMTP and FTP servers ("421 Too many
connections"), Redis past maxclients. Such a connection counts as reset --
unless a lone connection, opened once the burst is over, is closed after a
message too: then that is how the service always talks (Redis in protected
mode says ``-DENIED`` and closes), not a cap. A cap takes a moment to free
the burst's own places (sshd counts a connection until its child process has
gone), so a lone connection turned away at once is tried once more after
``LONE_RETRY_DELAY`` before the service is taken to talk that way.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import resource
import socket
import time
from collections import Counter
from pathlib import Path
from typing import Any

from engine.probes.base import BURST_HARD_CAP, ProbeOptions, ProbeResult, Target
from engine.probes.netutil import (
    ResolveError,
    client_address,
    handshake_round_trip,
    open_socket,
    read_bounded,
    why,
)

CONNECT_TIMEOUT = 1.5
HOLD_MIN = 0.25
FD_MARGIN = 200  # sockets left for the probes running beside the burst
LOCAL_LIMITS = {errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.EADDRNOTAVAIL}
START_DELAY = 0.2  # let the port probe time its connects before the burst loads the target
SAID_AND_CLOSED = "said_and_closed"  # a message, then the close: a cap's refusal, or the protocol
LONE_RETRY_DELAY = 0.5  # for a cap to free the places the burst itself held


async def probe_burst(target: Target, options: ProbeOptions) -> ProbeResult:
    """Open a bounded burst of concurrent connections; report the failure rate and kind."""
    await asyncio.sleep(START_DELAY)
    started = time.monotonic()
    try:
        family, address = await client_address(target.host, target.port)
        first = await open_socket(family, address, target.port, CONNECT_TIMEOUT)
        first.close()
    except ConnectionResetError:
        pass  # accepted, then reset: the port takes connections, the burst will count resets
    except (ResolveError, OSError, TimeoutError) as error:
        return ProbeResult(name="burst", status="skipped",
                           reason=f"the port does not accept a single connection: "
                                  f"{why(error)}")
    rtt = handshake_round_trip(time.monotonic() - started)
    size = max(1, min(options.burst_size, BURST_HARD_CAP, _fd_room()))
    hold = max(HOLD_MIN, 4 * rtt)
    outcomes = await asyncio.gather(*(_one(family, address, target.port, hold)
                                      for _ in range(size)))
    turned_away = sum(kind == SAID_AND_CLOSED for kind, _ in outcomes)
    always_closes = turned_away > 0 and await _closes_a_lone_connection(
        family, address, target.port, hold)
    outcomes = [("ok" if always_closes else "reset", seconds) if kind == SAID_AND_CLOSED
                else (kind, seconds) for kind, seconds in outcomes]
    kinds = Counter(kind for kind, _ in outcomes)
    local = kinds.pop("local", 0)  # our own limits, not the target's doing
    size -= local
    if size <= 0:
        return ProbeResult(name="burst", status="skipped",
                           reason="this host could not open the burst's sockets (file limit)")
    failures = {kind: count for kind, count in kinds.items() if kind != "ok"}
    failed = sum(failures.values())
    kind = max(failures, key=lambda k: failures[k]) if failures else "none"
    times = sorted(seconds for k, seconds in outcomes if k == "ok")
    evidence: dict[str, Any] = {"size": size, "counts": dict(kinds), "hold_s": round(hold, 3),
                                "connect_timeout_s": CONNECT_TIMEOUT}
    if local:
        evidence["not_counted"] = f"{local} sockets this host could not open (file limit)"
    if turned_away:
        evidence["said_and_closed"] = (
            f"{turned_away} connections got a message and were closed; a lone one "
            + ("is closed so too: the service's way, not counted" if always_closes
               else "is not: turned away by a cap, counted as reset"))
    if times:
        evidence["connect_ms_p50"] = round(times[len(times) // 2] * 1000, 3)
        evidence["connect_ms_max"] = round(times[-1] * 1000, 3)
    return ProbeResult(
        name="burst", status="ok", seconds=round(time.monotonic() - started, 4),
        facts={"burst_failure_rate": round(failed / size, 4), "burst_failure_kind": kind},
        evidence=evidence,
    )


def _fd_room() -> int:
    """How many more sockets this process may open, keeping a margin for the other probes."""
    try:
        soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    except (OSError, ValueError):
        return BURST_HARD_CAP
    if soft == resource.RLIM_INFINITY:
        return BURST_HARD_CAP
    fds = Path("/proc/self/fd")
    used = sum(1 for _ in fds.iterdir()) if fds.is_dir() else soft // 2
    return max(1, soft - used - FD_MARGIN)


async def _one(family: int, address: str, port: int, hold: float) -> tuple[str, float]:
    """One connect of the burst: its kind and connect time."""
    started = time.monotonic()
    try:
        sock = await open_socket(family, address, port, CONNECT_TIMEOUT)
    except TimeoutError:
        return "timeout", time.monotonic() - started
    except ConnectionRefusedError:
        return "refused", time.monotonic() - started
    except ConnectionResetError:
        return "reset", time.monotonic() - started
    except OSError as error:
        if error.errno in LOCAL_LIMITS:
            return "local", 0.0
        return "refused", time.monotonic() - started
    seconds = time.monotonic() - started
    with contextlib.closing(sock):
        reply = await read_bounded(sock, 1024, hold)
        if not reply.data and reply.end in ("reset", "eof"):
            return "reset", seconds
        if reply.end in ("reset", "eof"):
            return SAID_AND_CLOSED, seconds
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
    return "ok", seconds


async def _closes_a_lone_connection(family: int, address: str, port: int, hold: float) -> bool:
    """Whether the server, now unloaded, also ends a single connection (after a message or not).

    Asked twice when the first is ended: right after the burst a cap may still count the
    burst's connections (found in CI: sshd's MaxStartups turned the lone one away too, and the
    burst read 0 %).
    """
    kind, _ = await _one(family, address, port, hold)
    if kind not in ("reset", SAID_AND_CLOSED):
        return False
    await asyncio.sleep(LONE_RETRY_DELAY)
    kind, _ = await _one(family, address, port, hold)
    return kind in ("reset", SAID_AND_CLOSED)
