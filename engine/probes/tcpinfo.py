"""Linux TCP_INFO and per-socket keepalive: what the kernel knows about one connection.

Probes judge a connection by what the kernel saw rather than by guesses:
``probes`` counts keepalive or zero-window probes still unanswered,
``last_ack_recv_ms`` says when the peer last acknowledged anything,
``bytes_acked`` and ``unacked`` show whether data gets through. The layout is
``struct tcp_info`` of ``linux/tcp.h``; older kernels return a shorter struct,
so missing trailing fields read as ``None``. On other systems ``read`` returns
``None`` and callers say what they could not measure.
"""

from __future__ import annotations

import socket
import struct
import sys
from dataclasses import dataclass

TCP_INFO = getattr(socket, "TCP_INFO", 11)
TCP_INFO_SIZE = 232
_HEAD = struct.Struct("<8B24I")  # 104 bytes: state .. total_retrans
_TAIL = struct.Struct("<4Q6I")  # pacing, max_pacing, bytes_acked, bytes_received, segs ..
TCP_STATES = {1: "established", 2: "syn_sent", 4: "fin_wait1", 5: "fin_wait2", 7: "close",
              8: "close_wait", 9: "last_ack", 11: "closing"}


@dataclass(frozen=True)
class TcpInfo:
    """The fields of ``struct tcp_info`` the probes use."""

    state: int
    retransmits: int
    probes: int
    backoff: int
    options: int
    rto_us: int
    snd_mss: int
    unacked: int
    lost: int
    last_data_recv_ms: int
    last_ack_recv_ms: int
    pmtu: int
    rtt_us: int
    rttvar_us: int
    total_retrans: int
    bytes_acked: int | None
    segs_out: int | None
    segs_in: int | None

    @property
    def state_name(self) -> str:
        """The TCP state as a word (``established``, ``close_wait``, ...)."""
        return TCP_STATES.get(self.state, str(self.state))


def available() -> bool:
    """True where TCP_INFO exists (Linux)."""
    return sys.platform.startswith("linux")


def read(sock: socket.socket) -> TcpInfo | None:
    """The kernel's view of this connection, or None when it cannot be read."""
    if not available():
        return None
    try:
        raw = sock.getsockopt(socket.IPPROTO_TCP, TCP_INFO, TCP_INFO_SIZE)
    except OSError:
        return None
    if len(raw) < _HEAD.size:
        return None
    head = _HEAD.unpack_from(raw)
    tail = _TAIL.unpack_from(raw, _HEAD.size) if len(raw) >= _HEAD.size + _TAIL.size else None
    return TcpInfo(
        state=head[0], retransmits=head[2], probes=head[3], backoff=head[4], options=head[5],
        rto_us=head[8], snd_mss=head[10], unacked=head[12], lost=head[14],
        last_data_recv_ms=head[19], last_ack_recv_ms=head[20], pmtu=head[21], rtt_us=head[23],
        rttvar_us=head[24], total_retrans=head[31],
        bytes_acked=tail[2] if tail else None,
        segs_out=tail[4] if tail else None, segs_in=tail[5] if tail else None,
    )


def enable_keepalive(sock: socket.socket, idle: int, interval: int = 1, count: int = 5) -> bool:
    """Send a keepalive probe after ``idle`` s of silence, then every ``interval`` s.

    The values are per socket (TCP_KEEPIDLE/INTVL/CNT), never the host-wide
    sysctls. Returns False where the options do not exist.
    """
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, max(1, idle))
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, max(1, interval))
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT, max(1, count))
    except (OSError, AttributeError):
        return False
    return True
