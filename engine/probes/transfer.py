"""The transfer probe (opt-in: it sends data): do large transfers get through?

It sends an HTTP-shaped upload (``POST /`` with a ``Content-Length``, then
zero bytes, 4 MiB by default), inside TLS when a first connection shows the
port speaks TLS (plaintext to a TLS port would only measure the TLS
server's refusal), and judges by the kernel's acknowledgement counters
(TCP_INFO), not by guesses:

- ``ok``: the bytes sent were acknowledged, or the peer stopped reading after
  acknowledging many full-size segments (the path carries large segments);
- ``stall``: data is in flight, retransmitted, and no acknowledgement has
  advanced for a while (an MTU black hole drops full-size segments);
- ``reset``: the peer or the path reset the connection during the upload.

What the server answers is read, bounded to 64 KiB, and shown in the evidence.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time
from typing import Any

from engine.probes.base import ProbeOptions, ProbeResult, Target
from engine.probes.netutil import ResolveError, client_address, open_socket, why
from engine.probes.tcpinfo import TcpInfo, read
from engine.probes.tlswire import TlsSession, handshake, printable

CHUNK = 64 * 1024
REPLY_LIMIT = 64 * 1024
TICK = 0.05
MIN_STALL = 2.0
RUN_LIMIT = 12.0
CONNECT_TIMEOUT = 3.0
TLS_TIMEOUT = 2.0
LARGE_SEGMENTS = 2  # acknowledged full-size segments that show large packets get through


async def probe_transfer(target: Target, options: ProbeOptions) -> ProbeResult:
    """Upload a few MiB (in TLS on a TLS port); judge ok, stall or reset from acknowledgements."""
    started = time.monotonic()
    try:
        family, address = await client_address(target.host, target.port)
        speaks_tls = await _speaks_tls(family, address, target)
        sock = await open_socket(family, address, target.port, CONNECT_TIMEOUT)
    except (ResolveError, OSError, TimeoutError) as error:
        return ProbeResult(name="transfer", status="skipped",
                           reason=f"no TCP connection to upload on: {why(error)}")
    with contextlib.closing(sock):
        if read(sock) is None:
            return ProbeResult(name="transfer", status="skipped",
                               reason="judging a transfer needs TCP_INFO (Linux)")
        session = None
        if speaks_tls:
            shake = await handshake(sock, _sni(target), TLS_TIMEOUT, linger=0.0)
            if shake.session is None:
                return ProbeResult(name="transfer", status="skipped",
                                   reason=f"the TLS handshake failed: {shake.kind}")
            session = shake.session
        outcome, evidence = await _upload(sock, target, options.transfer_bytes, session)
    evidence["tls"] = speaks_tls
    return ProbeResult(name="transfer", status="ok", facts={"large_transfer": outcome},
                       evidence=evidence, seconds=round(time.monotonic() - started, 4))


async def _speaks_tls(family: int, address: str, target: Target) -> bool:
    """Whether a TLS handshake succeeds on a first, separate connection."""
    try:
        sock = await open_socket(family, address, target.port, CONNECT_TIMEOUT)
    except (OSError, TimeoutError):
        return False
    with contextlib.closing(sock):
        return (await handshake(sock, _sni(target), TLS_TIMEOUT, linger=0.0)).kind == "ok"


def _sni(target: Target) -> str | None:
    return None if target.host.replace(".", "").isdigit() or ":" in target.host else target.host


async def _upload(sock: socket.socket, target: Target, size: int,
                  session: TlsSession | None) -> tuple[str, dict[str, Any]]:
    head = (f"POST / HTTP/1.1\r\nHost: {target.host}\r\nContent-Type: application/octet-stream"
            f"\r\nContent-Length: {size}\r\n\r\n").encode("ascii", "replace")
    plain = head + bytes(size)
    pending = memoryview(session.encrypt(plain) if session else plain)
    total = len(pending)
    reply = bytearray()
    received = 0
    sent = 0
    last_progress, last_acked = time.monotonic(), 0
    deadline = last_progress + RUN_LIMIT
    info: TcpInfo | None = None
    while True:
        error = None
        try:
            while sent < total:
                count = sock.send(pending[sent:sent + CHUNK])
                if count <= 0:
                    break
                sent += count
        except BlockingIOError:
            pass
        except (ConnectionResetError, BrokenPipeError) as failure:
            error = type(failure).__name__
        with contextlib.suppress(BlockingIOError, OSError):
            while received < REPLY_LIMIT and (chunk := sock.recv(4096)):
                received += len(chunk)
                reply += session.decrypt(chunk) if session else chunk
        info = read(sock)
        now = time.monotonic()
        evidence = _evidence(sent, total, info, bytes(reply), now - (deadline - RUN_LIMIT))
        if error or info is None or info.state_name == "close":
            return "reset", {**evidence, "error": error or "the connection was reset"}
        acked = (info.bytes_acked or 1) - 1
        if acked > last_acked:
            last_acked, last_progress = acked, now
        if sent >= total and acked >= total:
            return "ok", evidence
        stall_after = max(MIN_STALL, 4 * info.rto_us / 1e6)
        if now - last_progress > stall_after:
            if info.unacked > 0 and info.total_retrans > 0:
                return "stall", {**evidence, "note": f"no acknowledgement for {stall_after:g} s "
                                 "while segments were retransmitted"}
            if acked >= LARGE_SEGMENTS * max(1, info.snd_mss):
                return "ok", {**evidence, "note": "the peer stopped reading; every segment "
                              "sent was acknowledged"}
        if now > deadline:
            large = acked >= LARGE_SEGMENTS * max(1, info.snd_mss)
            return "ok" if large else "stall", evidence
        await asyncio.sleep(TICK)


def _evidence(sent: int, total: int, info: TcpInfo | None, reply: bytes,
              seconds: float) -> dict[str, Any]:
    entry: dict[str, Any] = {"bytes_to_send": total, "bytes_sent": sent,
                             "seconds": round(seconds, 3)}
    if info is not None:
        entry.update(bytes_acked=max(0, (info.bytes_acked or 1) - 1), unacked=info.unacked,
                     retransmissions=info.total_retrans, mss=info.snd_mss, pmtu=info.pmtu,
                     state=info.state_name)
    if reply:
        entry["reply"] = printable(reply, 80)
    return entry
