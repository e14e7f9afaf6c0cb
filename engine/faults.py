"""Misbehaving servers on loopback, shared by tests, ``demo`` and ``lab``.

Each server reproduces one real fault with real sockets: nothing listening,
reset on accept, closing idle connections with FIN or RST after N seconds,
rejecting a request before reading it (close with unread data: the kernel
answers with RST), stalling. Servers run in a daemon thread, bind to an
ephemeral port on 127.0.0.1, and are stopped (every socket closed, thread
joined) when the ``with`` block ends.
"""

from __future__ import annotations

import contextlib
import select
import socket
import struct
import threading
import time
from collections.abc import Callable
from types import TracebackType

Behaviour = Callable[[socket.socket, "FaultServer"], None]

LINGER_ZERO = struct.pack("ii", 1, 0)
READ_CHUNK = 65536


def abort(conn: socket.socket) -> None:
    """Close with SO_LINGER 0: the kernel sends RST instead of FIN."""
    with contextlib.suppress(OSError):
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, LINGER_ZERO)
    conn.close()


def unused_port() -> int:
    """A loopback port with nothing listening (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class FaultServer:
    """A TCP server on 127.0.0.1 whose connections get one misbehaviour."""

    def __init__(self, behaviour: Behaviour, *, backlog: int = 128, seconds: float = 1.0) -> None:
        self.behaviour = behaviour
        self.seconds = seconds
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(backlog)
        self.port = int(self._listener.getsockname()[1])
        self.stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._connections: list[socket.socket] = []
        self._lock = threading.Lock()
        self._acceptor = threading.Thread(target=self._accept_loop, daemon=True)

    @property
    def target(self) -> str:
        """``127.0.0.1:PORT``, ready for ``--target``."""
        return f"127.0.0.1:{self.port}"

    def __enter__(self) -> FaultServer:
        self._acceptor.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def stop(self) -> None:
        """Stop accepting, close every connection and join every thread."""
        self.stopping.set()
        self._listener.close()
        with self._lock:
            for conn in self._connections:
                with contextlib.suppress(OSError):
                    conn.close()
        self._acceptor.join(timeout=5)
        for thread in self._threads:
            thread.join(timeout=5)

    def _accept_loop(self) -> None:
        while not self.stopping.is_set():
            try:
                ready, _, _ = select.select([self._listener], [], [], 0.05)
                if not ready:
                    continue
                conn, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                self._connections.append(conn)
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            self.behaviour(conn, self)
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                conn.close()

    def wait(self, seconds: float) -> bool:
        """Sleep up to ``seconds``; False when the server is stopping."""
        return not self.stopping.wait(seconds)


def reset_on_accept(conn: socket.socket, server: FaultServer) -> None:
    """Accept, then reset at once (what an overloaded or filtering peer may do)."""
    abort(conn)


def close_idle_fin(conn: socket.socket, server: FaultServer) -> None:
    """Serve nothing; close with FIN after ``seconds`` of idleness."""
    if server.wait(server.seconds):
        conn.shutdown(socket.SHUT_RDWR)


def close_idle_rst(conn: socket.socket, server: FaultServer) -> None:
    """Serve nothing; reset after ``seconds`` of idleness (an LB's RST on idle)."""
    if server.wait(server.seconds):
        abort(conn)


def stall(conn: socket.socket, server: FaultServer) -> None:
    """Accept and never answer (until the server stops)."""
    server.wait(3600)


def reject_unread(conn: socket.socket, server: FaultServer) -> None:
    """Read the request head, answer 413 and close with the body unread (RST follows)."""
    conn.settimeout(5)
    head = b""
    deadline = time.monotonic() + 5
    while b"\r\n\r\n" not in head and len(head) < READ_CHUNK and time.monotonic() < deadline:
        chunk = conn.recv(1024)
        if not chunk:
            return
        head += chunk
    conn.sendall(
        b"HTTP/1.1 413 Payload Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )
    conn.close()


BEHAVIOURS: dict[str, Behaviour] = {
    "reset-on-accept": reset_on_accept,
    "close-idle-fin": close_idle_fin,
    "close-idle-rst": close_idle_rst,
    "stall": stall,
    "reject-unread": reject_unread,
}
