"""Misbehaving servers on loopback, shared by tests, ``demo`` and ``lab``.

Each server reproduces one real fault with real sockets: nothing listening,
reset on accept, closing idle connections with FIN or RST after N seconds,
rejecting a request before reading it (close with unread data: the kernel
answers with RST), stalling, flooding data, a tiny accept backlog that is never
drained or drained slowly, an HTTP server with distinct idle timeouts before and after a
request, and banner-first services (SSH, SMTP, MySQL, Redis, Postgres).
TLS servers are in ``engine.faults_tls``. Servers run in daemon threads, bind
to an ephemeral port on 127.0.0.1, and are stopped (every socket closed,
threads joined) when the ``with`` block ends.
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

    def __init__(
        self, behaviour: Behaviour, *, backlog: int = 128, seconds: float = 1.0,
        seconds_before: float | None = None, accepting: bool = True, host: str = "127.0.0.1",
        port: int = 0, accept_pause: float = 0.0,
    ) -> None:
        self.behaviour = behaviour
        self.accept_pause = accept_pause
        self.seconds = seconds
        self.seconds_before = seconds if seconds_before is None else seconds_before
        self.accepting = accepting
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind((host, port))
        self.host = host
        self._listener.listen(backlog)
        self.port = int(self._listener.getsockname()[1])
        self.stopping = threading.Event()
        self.accepted = 0
        self._threads: list[threading.Thread] = []
        self._connections: list[socket.socket] = []
        self._lock = threading.Lock()
        self._acceptor = threading.Thread(target=self._accept_loop, daemon=True)

    @property
    def target(self) -> str:
        """``HOST:PORT``, ready for ``--target``."""
        return f"{self.host}:{self.port}"

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
        if not self.accepting:  # a full accept queue: SYNs beyond the backlog are dropped
            self.stopping.wait()
            return
        while not self.stopping.is_set():
            try:
                ready = readable(self._listener, 0.05)
                if not ready:
                    continue
                with self._lock:  # accept and count as one step: see settled_accepts
                    conn, _ = self._listener.accept()
                    self._connections.append(conn)
                    self.accepted += 1
            except OSError:
                return
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            self._threads.append(thread)
            thread.start()
            if self.accept_pause:  # a slow acceptor: a Python server's loop waiting on its GIL
                self.stopping.wait(self.accept_pause)

    def _serve(self, conn: socket.socket) -> None:
        try:
            self.behaviour(conn, self)
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                conn.close()

    def settled_accepts(self, within: float = 5.0) -> int:
        """Connections accepted once the accept queue is empty (or ``within`` seconds passed).

        A client's connect completes in the kernel before this server's thread
        accepts it; on a busy machine a count read at once can miss it.
        """
        deadline = time.monotonic() + within
        while True:
            with self._lock:
                queued = readable(self._listener, 0)
                if not queued or time.monotonic() >= deadline:
                    return self.accepted
            time.sleep(0.01)

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
    """Read the request head, answer 413 and close with the body unread (RST follows).

    Like a real HTTP server, it answers 400 at once to bytes that cannot start
    an HTTP request (a TLS ClientHello, a binary banner) instead of waiting.
    """
    if _request_head(conn, server, seconds=5) is None:
        return
    conn.sendall(
        b"HTTP/1.1 413 Payload Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )
    conn.close()


def http_app_stalled(conn: socket.socket, server: FaultServer) -> None:
    """An HTTP front whose application hangs: bytes that cannot be a request get
    400 at once from the parser (as nginx or gunicorn answer them), a request
    waits for an answer that never comes."""
    if _request_head(conn, server, seconds=5) is not None:
        server.wait(3600)


def _request_head(conn: socket.socket, server: FaultServer, seconds: float) -> bytes | None:
    """An HTTP request head read within ``seconds``, or None: the client left, or sent
    bytes that cannot start a request and got the 400 a real server's parser sends."""
    head = b""
    deadline = time.monotonic() + seconds
    while b"\r\n\r\n" not in head and len(head) < READ_CHUNK:
        if server.stopping.is_set() or time.monotonic() >= deadline:
            return None
        if not readable(conn, 0.05):
            continue
        chunk = conn.recv(1024)
        if not chunk:
            return None
        head += chunk
        if not _could_be_http(head):
            conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n"
                         b"Connection: close\r\n\r\n")
            return None
    return head


def _could_be_http(head: bytes) -> bool:
    """True while the bytes so far can be the start of an HTTP/1 request line."""
    method = head.split(b" ", 1)[0]
    return method[:7].isalpha() and method[:7].isupper() if method else True


def flood(conn: socket.socket, server: FaultServer) -> None:
    """Send data as fast as the client takes it, forever (a hostile or confused peer)."""
    chunk = b"x" * READ_CHUNK
    conn.settimeout(0.5)
    while not server.stopping.is_set():
        with contextlib.suppress(TimeoutError):
            conn.send(chunk)


def sink(conn: socket.socket, server: FaultServer) -> None:
    """Read and discard everything the client sends (a healthy upload target).

    Any socket will do, a TLS one (``faults_tls.tls_sink``) too.
    """
    conn.settimeout(0.2)
    while not server.stopping.is_set():
        try:
            if not conn.recv(READ_CHUNK):
                return
        except TimeoutError:
            continue


def readable(sock: socket.socket, timeout: float) -> bool:
    """True when ``sock`` has data, a connection or an EOF within ``timeout`` seconds.

    poll, not select: select fails on descriptors above 1023, which a busy
    process holding many connections reaches.
    """
    poller = select.poll()
    poller.register(sock, select.POLLIN)
    return bool(poller.poll(max(0.0, timeout) * 1000))


def read_request(conn: socket.socket, server: FaultServer, idle: float) -> bytes | None:
    """One request head (bounded), or None when the client left or ``idle`` s passed."""
    head = b""
    deadline = time.monotonic() + idle
    while b"\r\n\r\n" not in head and b"\n\n" not in head and len(head) < READ_CHUNK:
        left = deadline - time.monotonic()
        if left <= 0 or server.stopping.is_set():
            return None
        ready = readable(conn, min(left, 0.05))
        if not ready:
            continue
        chunk = conn.recv(4096)
        if not chunk:
            return None
        head += chunk
        if not head[:1].isalpha():  # not a request line: let the caller answer at once
            return head
    return head


def http_keepalive(conn: socket.socket, server: FaultServer) -> None:
    """HTTP/1.1 with keep-alive: idle ``seconds_before`` s before the first request,
    ``seconds`` s after a response, then FIN (as nginx, Node.js or gunicorn do)."""
    idle = server.seconds_before
    while (head := read_request(conn, server, idle)) is not None:
        if not head.split(b" ", 1)[0].isalpha() or b"HTTP/" not in head:
            conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n"
                         b"Connection: close\r\n\r\n")
            return
        body = b"ok\n"
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
        idle = server.seconds
    if not server.stopping.is_set():
        conn.shutdown(socket.SHUT_RDWR)


def banner(text: bytes) -> Behaviour:
    """A banner-first service: greet, then wait idle (as SSH, SMTP, MySQL servers do)."""
    def behaviour(conn: socket.socket, server: FaultServer) -> None:
        conn.sendall(text)
        server.wait(3600)
    return behaviour


def sshd_full(conn: socket.socket, server: FaultServer) -> None:
    """sshd past MaxStartups: one line instead of its banner, then the connection ends.

    OpenSSH writes it without reading what the client sent, so a client that
    had sent its own banner gets a reset (``kex_exchange_identification:
    read: Connection reset by peer``).
    """
    conn.sendall(b"Exceeded MaxStartups\r\n")


def redis_like(conn: socket.socket, server: FaultServer) -> None:
    """Answer ``PING`` with ``+PONG`` and anything else with a Redis error."""
    while (line := _read_line(conn, server)) is not None:
        conn.sendall(b"+PONG\r\n" if line.strip().upper() == b"PING" else b"-ERR unknown\r\n")


def postgres_like(conn: socket.socket, server: FaultServer) -> None:
    """Answer an SSLRequest with ``N`` (no TLS), as a Postgres server without TLS does."""
    data = _read_exactly(conn, server, 8)
    if data == struct.pack("!II", 8, 80877103):
        conn.sendall(b"N")
        server.wait(3600)


def _read_line(conn: socket.socket, server: FaultServer) -> bytes | None:
    line = b""
    while b"\n" not in line and len(line) < 4096:
        if server.stopping.is_set():
            return None
        ready = readable(conn, 0.05)
        if ready:
            chunk = conn.recv(1)
            if not chunk:
                return None
            line += chunk
    return line


def _read_exactly(conn: socket.socket, server: FaultServer, size: int) -> bytes:
    data = b""
    while len(data) < size and not server.stopping.is_set():
        ready = readable(conn, 0.05)
        if ready:
            chunk = conn.recv(size - len(data))
            if not chunk:
                break
            data += chunk
    return data


_MYSQL_BODY = (b"\x0a8.0.36\x00\x08\x00\x00\x00abcdefgh\x00\xff\xf7\x08\x02\x00"
               + b"\x00" * 13 + b"ijklmnopqrst\x00")
MYSQL_GREETING = len(_MYSQL_BODY).to_bytes(3, "little") + b"\x00" + _MYSQL_BODY

BEHAVIOURS: dict[str, Behaviour] = {
    "reset-on-accept": reset_on_accept,
    "close-idle-fin": close_idle_fin,
    "close-idle-rst": close_idle_rst,
    "stall": stall,
    "reject-unread": reject_unread,
    "flood": flood,
    "sink": sink,
    "http-keepalive": http_keepalive,
    "http-app-stalled": http_app_stalled,
    "ssh": banner(b"SSH-2.0-OpenSSH_9.6 conndoctor-fault\r\n"),
    "sshd-full": sshd_full,
    "smtp": banner(b"220 mail.example ESMTP conndoctor-fault\r\n"),
    "mysql": banner(MYSQL_GREETING),
    "redis": redis_like,
    "postgres": postgres_like,
}
