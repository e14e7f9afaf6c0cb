"""The TLS probe: what a TLS handshake with SNI gets, and what a protocol mismatch gets.

One handshake with SNI (the target's name; none for an IP address, as
clients do): ``ok`` with version and cipher, a fatal ``alert`` with its
description, ``reset`` or ``eof`` during the handshake, ``timeout`` (a server
that half-opens TLS), or ``not_tls`` with the first bytes the server sent
back to the ClientHello (a TLS hello to a plaintext port). When the port does
speak TLS, a plaintext HTTP request on a second connection shows what a
client that forgot TLS gets (an alert, an HTTP 400, a reset or silence).
"""

from __future__ import annotations

import contextlib
import ipaddress
import time
from typing import Any

from engine.probes.base import ProbeOptions, ProbeResult, Target
from engine.probes.netutil import (
    ResolveError,
    client_address,
    handshake_round_trip,
    open_socket,
    read_bounded,
    send_all,
    why,
)
from engine.probes.tlswire import handshake, printable

CONNECT_TIMEOUT = 2.0
PLAINTEXT_LIMIT = 4096


async def probe_tls(target: Target, options: ProbeOptions) -> ProbeResult:
    """Handshake with SNI; classify the outcome; try plaintext on a TLS port."""
    started = time.monotonic()
    try:
        family, address = await client_address(target.host, target.port)
        sock = await open_socket(family, address, target.port, CONNECT_TIMEOUT)
    except ConnectionResetError:  # accepted, then reset before the ClientHello could go out
        return ProbeResult(name="tls", status="ok", facts={"tls_handshake": "reset"},
                           seconds=round(time.monotonic() - started, 4),
                           evidence={"detail": "reset right after the TCP handshake"})
    except (ResolveError, OSError, TimeoutError) as error:
        return ProbeResult(name="tls", status="skipped",
                           reason=f"no TCP connection to try TLS on: {why(error)}")
    connect_seconds = handshake_round_trip(time.monotonic() - started)
    timeout = min(5.0, max(1.0, 20 * connect_seconds))
    sni = None if _is_ip(target.host) else target.host
    with contextlib.closing(sock):
        outcome = await handshake(sock, sni, timeout)
    evidence: dict[str, Any] = {"sni": sni, "address": address, "detail": outcome.detail,
                                "handshake_timeout_s": round(timeout, 2)}
    if outcome.version:
        evidence.update(version=outcome.version, cipher=outcome.cipher)
    if outcome.alert:
        evidence["alert"] = outcome.alert
    if outcome.kind == "not_tls":
        evidence["reply_to_client_hello"] = printable(outcome.first_bytes)
    if outcome.kind == "ok":
        evidence["plaintext_request_gets"] = await _plaintext_reply(
            family, address, target, min(timeout, 1.0))
    return ProbeResult(name="tls", status="ok", seconds=round(time.monotonic() - started, 4),
                       facts={"tls_handshake": outcome.kind}, evidence=evidence)


async def _plaintext_reply(family: int, address: str, target: Target, timeout: float) -> str:
    """What a plaintext HTTP request to this TLS port gets back."""
    try:
        sock = await open_socket(family, address, target.port, CONNECT_TIMEOUT)
    except (OSError, TimeoutError) as error:
        return f"no connection: {why(error)}"
    with contextlib.closing(sock):
        request = f"GET / HTTP/1.1\r\nHost: {target.host}\r\nConnection: close\r\n\r\n"
        sent = await send_all(sock, request.encode("ascii", "replace"), timeout)
        if sent != "sent":
            return sent
        reply = await read_bounded(sock, PLAINTEXT_LIMIT, timeout)
    if reply.data[:1] == b"\x15":
        return "a TLS alert"
    if reply.data.startswith(b"HTTP/"):
        status_line = reply.data.split(b"\r\n", 1)[0]
        return f"an HTTP answer: {printable(status_line)}"
    if reply.data:
        return f"bytes: {printable(reply.data)}"
    return {"eof": "a close (EOF)", "reset": "a reset", "timeout": "silence"}.get(
        reply.end, reply.end)


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True
