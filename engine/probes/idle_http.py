"""The HTTP part of the idle probe: the server's keep-alive timeout after a real request.

Servers time out idle connections differently before the first request and
after a response (nginx ``client_header_timeout`` vs ``keepalive_timeout``),
and pooled clients meet the second one. One ``GET /`` goes out (plain HTTP;
if the answer is not HTTP, once more over TLS), the response is read (bounded
to 64 KiB), and the connection is watched, untouched, until the server
closes it or the budget ends. Anything that is not an HTTP answer ends this
part quietly: the port does not speak HTTP.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import time
from typing import Any

from engine.probes.base import Target
from engine.probes.tlswire import client_context

RESPONSE_LIMIT = 64 * 1024
ANSWER_TIMEOUT = 3.0
# How long the plain request waits for its answer: past the 3 s after which
# HAProxy, retrying a refusing server three times a second apart, gives up
# and closes its client's connection without a byte.
HEAD_TIMEOUT = 5.0


class HttpIdle:
    """The HTTP keep-alive measurement; ``watching`` once an HTTP answer came back.

    ``closed_unanswered_after``: seconds from connect after which the server
    ended the plain request's connection without sending a byte (None when
    it answered, or did not close within the wait).
    """

    def __init__(self) -> None:
        self.watching = False
        self.closed_unanswered_after: float | None = None

    async def run(self, target: Target, address: str, budget: float) -> dict[str, Any] | None:
        """``{"scheme", "close_seconds", "kind"}`` after one request, or None when not HTTP."""
        for context in (None, client_context()):
            outcome = await _one(self, target, address, context, budget)
            if outcome is not None:
                return outcome
        return None


async def _one(state: HttpIdle, target: Target, address: str, context: ssl.SSLContext | None,
               budget: float) -> dict[str, Any] | None:
    sni = target.host if context is not None and target.host != address else None
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(
            address, target.port, ssl=context, server_hostname=sni if context else None,
            limit=RESPONSE_LIMIT), ANSWER_TIMEOUT)
    except (OSError, TimeoutError, ssl.SSLError):
        return None
    scheme = "https" if context else "http"
    connected = time.monotonic()
    try:
        request = (f"GET / HTTP/1.1\r\nHost: {target.host}\r\nUser-Agent: conndoctor\r\n"
                   "Accept: */*\r\nConnection: keep-alive\r\n\r\n")
        writer.write(request.encode("ascii", "replace"))
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), HEAD_TIMEOUT)
        except (asyncio.IncompleteReadError, ConnectionResetError) as ended:
            if context is None and not getattr(ended, "partial", b""):
                state.closed_unanswered_after = time.monotonic() - connected
            raise
        if not head.startswith(b"HTTP/1."):
            return None
        await asyncio.wait_for(_skip_body(reader, head), ANSWER_TIMEOUT)
        if b"connection: close" in head.lower():
            return {"scheme": scheme, "close_seconds": 0.0, "kind": "fin",
                    "note": "the server answered with Connection: close"}
        status = head.split(b"\r\n", 1)[0].decode("latin-1")
        answered = time.monotonic()
        state.watching = True
        kind = await _wait_close(reader, budget)
        elapsed = round(time.monotonic() - answered, 2)
        if kind is None:
            return {"scheme": scheme, "status": status, "close_seconds": None, "kind": "none",
                    "survived_s": elapsed}
        return {"scheme": scheme, "status": status, "close_seconds": elapsed, "kind": kind}
    except (OSError, TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError,
            ssl.SSLError, ValueError):
        return None
    finally:
        writer.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(writer.wait_closed(), 0.5)


async def _skip_body(reader: asyncio.StreamReader, head: bytes) -> None:
    """Read the body the head announces (Content-Length only; at most 64 KiB)."""
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
            if length > RESPONSE_LIMIT:
                raise ValueError("response body too large")
            await reader.readexactly(length)
            return
        if name.strip().lower() == b"transfer-encoding" and b"chunked" in value.lower():
            await _skip_chunks(reader)
            return


async def _skip_chunks(reader: asyncio.StreamReader) -> None:
    """Read a chunked body to its end (at most 64 KiB in all)."""
    total = 0
    while total <= RESPONSE_LIMIT:
        size = int((await reader.readuntil(b"\r\n")).split(b";")[0].strip() or b"0", 16)
        total += size
        if size == 0:
            while (await reader.readuntil(b"\r\n")) != b"\r\n":
                pass
            return
        if total > RESPONSE_LIMIT:
            break
        await reader.readexactly(size + 2)
    raise ValueError("response body too large")


async def _wait_close(reader: asyncio.StreamReader, budget: float) -> str | None:
    """``fin`` or ``rst`` when the server ends the idle connection; None if it survives."""
    deadline = time.monotonic() + budget
    read = 0
    while (left := deadline - time.monotonic()) > 0 and read < RESPONSE_LIMIT:
        try:
            chunk = await asyncio.wait_for(reader.read(4096), left)
        except TimeoutError:
            return None
        except ConnectionResetError:
            return "rst"
        if not chunk:
            return "fin"
        read += len(chunk)
    return None
