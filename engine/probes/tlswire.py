"""A TLS client handshake driven by hand over a non-blocking socket.

``asyncio``'s own TLS reports an EOF and a reset during the handshake both as
``ConnectionResetError``, and hides what a non-TLS server answered. Driving
``ssl.SSLObject`` over memory BIOs keeps every byte in view: an EOF (``recv``
returned nothing), a reset (ECONNRESET), a fatal alert (record type 21 and its
description), a non-TLS reply (its first bytes) or silence (timeout). Reads
are bounded in bytes and time, so a server that floods or never answers
cannot hold the probe.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import socket
import ssl
import time
from dataclasses import dataclass, field

from engine.probes.netutil import send_all

READ_LIMIT = 256 * 1024
TLS_RECORD_TYPES = {20, 21, 22, 23}
ALERT_RECORD = 21


@dataclass
class Handshake:
    """How a handshake ended (``kind`` is the ``tls_handshake`` value) and what was seen."""

    kind: str
    detail: str = ""
    version: str | None = None
    cipher: str | None = None
    alert: str | None = None
    first_bytes: bytes = b""
    evidence: dict[str, object] = field(default_factory=dict)
    session: TlsSession | None = None


@dataclass
class TlsSession:
    """An established TLS session over memory BIOs: encrypt to send, decrypt what came back."""

    obj: ssl.SSLObject
    incoming: ssl.MemoryBIO
    outgoing: ssl.MemoryBIO

    def encrypt(self, data: bytes, chunk: int = 16384) -> bytes:
        """The TLS records carrying ``data``."""
        out = bytearray()
        view = memoryview(data)
        for start in range(0, len(data), chunk):
            self.obj.write(view[start:start + chunk])
            out += self.outgoing.read()
        return bytes(out)

    def decrypt(self, records: bytes, limit: int = 65536) -> bytes:
        """Best-effort plaintext of records received (for evidence only)."""
        self.incoming.write(records)
        plain = b""
        while len(plain) < limit:
            try:
                piece = self.obj.read(limit - len(plain))
            except ssl.SSLError:
                break
            if not piece:
                break
            plain += piece
        return plain


@functools.cache
def client_context() -> ssl.SSLContext:
    """A client context that completes the handshake whatever the certificate.

    The probe asks whether TLS works on the wire, not whether the
    certificate is trusted (that would hide what the server does).
    """
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # no CA store: loading it costs ~50 ms
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def printable(data: bytes, size: int = 48) -> str:
    """The first bytes of a reply as text a person can read."""
    return data[:size].decode("latin-1").encode("unicode_escape").decode("ascii")


async def handshake(sock: socket.socket, server_hostname: str | None, timeout: float,
                    linger: float = 0.2) -> Handshake:
    """Run a TLS client handshake on a connected socket, within ``timeout`` s."""
    loop = asyncio.get_running_loop()
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = client_context().wrap_bio(incoming, outgoing, server_hostname=server_hostname)
    deadline = time.monotonic() + timeout
    received = b""
    while True:
        try:
            obj.do_handshake()
            break
        except ssl.SSLWantReadError:
            pass
        except ssl.SSLError as error:
            return _failed(error, received)
        sent = await send_all(sock, outgoing.read(), max(0.05, deadline - time.monotonic()))
        if sent != "sent":
            return Handshake("reset" if sent != "timeout" else "timeout", f"send: {sent}",
                             first_bytes=received)
        left = deadline - time.monotonic()
        try:
            if left <= 0:
                raise TimeoutError
            chunk = await asyncio.wait_for(loop.sock_recv(sock, 16384), left)
        except TimeoutError:
            return Handshake("timeout", f"no handshake reply within {timeout:.2g} s",
                             first_bytes=received)
        except ConnectionResetError:
            return Handshake("reset", "connection reset during the handshake", first_bytes=received)
        if not chunk:
            return Handshake("eof", "the server closed during the handshake", first_bytes=received)
        received += chunk
        if received[0] not in TLS_RECORD_TYPES:
            return Handshake("not_tls", f"the server answered '{printable(received)}'",
                             first_bytes=received)
        if len(received) > READ_LIMIT:
            return Handshake("not_tls", "more than 256 KiB without finishing a handshake",
                             first_bytes=received[:64])
        incoming.write(chunk)
    await send_all(sock, outgoing.read(), max(0.05, deadline - time.monotonic()))
    cipher = obj.cipher()
    result = Handshake("ok", version=obj.version(), cipher=cipher[0] if cipher else None,
                       first_bytes=received[:64])
    listen = min(linger, max(0.0, deadline - time.monotonic()))
    late = await _late_alert(sock, obj, incoming, listen)
    if late:
        return Handshake("alert", f"alert after the handshake: {late}", alert=late,
                         version=result.version, cipher=result.cipher, first_bytes=received[:64])
    result.session = TlsSession(obj, incoming, outgoing)
    return result


async def _late_alert(sock: socket.socket, obj: ssl.SSLObject, incoming: ssl.MemoryBIO,
                      seconds: float) -> str | None:
    """A TLS 1.3 server rejects a client (certificate, policy) after the client's Finished."""
    loop = asyncio.get_running_loop()
    deadline = time.monotonic() + seconds
    read = 0
    while (left := deadline - time.monotonic()) > 0 and read < READ_LIMIT:
        try:
            chunk = await asyncio.wait_for(loop.sock_recv(sock, 16384), left)
        except (TimeoutError, OSError):
            return None
        if not chunk:
            return None
        read += len(chunk)
        incoming.write(chunk)
        try:
            obj.read(1)
        except ssl.SSLWantReadError:
            continue
        except ssl.SSLError as error:
            return _alert_name(error)
    return None


def _alert_name(error: ssl.SSLError) -> str:
    reason = str(error.reason or error).lower()
    for prefix in ("sslv3_alert_", "tlsv1_alert_", "tlsv13_alert_"):
        if reason.startswith(prefix):
            return reason[len(prefix):]
    return reason


def _failed(error: ssl.SSLError, received: bytes) -> Handshake:
    """Classify an SSL error: a received alert, EOF, or a reply that is not TLS."""
    if isinstance(error, ssl.SSLEOFError):
        return Handshake("eof", "the server closed during the handshake", first_bytes=received)
    reason = str(error.reason or error).lower()
    if "alert" in reason or received[:1] == bytes([ALERT_RECORD]):
        name = _alert_name(error)
        return Handshake("alert", f"the server sent a TLS alert: {name}", alert=name,
                         first_bytes=received)
    if (received and received[0] not in TLS_RECORD_TYPES) or "wrong_version" in reason:
        return Handshake("not_tls", f"the server answered '{printable(received)}'",
                         first_bytes=received)
    return Handshake("alert", f"handshake failed: {reason}", alert=reason, first_bytes=received)


def client_hello(server_hostname: str | None) -> bytes:
    """The bytes of a real ClientHello (to see whether a port answers TLS at all)."""
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = client_context().wrap_bio(incoming, outgoing, server_hostname=server_hostname)
    with contextlib.suppress(ssl.SSLWantReadError):
        obj.do_handshake()
    return outgoing.read()
