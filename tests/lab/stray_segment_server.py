"""A server whose kernel lets one segment stray far outside the TCP window (run in a namespace).

The mechanism of conntrack-invalid-reset (kubernetes/kubernetes#74839): a
NATing node's conntrack marks an out-of-window segment INVALID and forwards
it untranslated, so it reaches the client from the server's real address,
not the address the client connected to; the client's kernel knows no such
connection and answers with a RST, which kills the server's side. The
stray segment is what congestion makes now and then (a late retransmission
after the window moved on); here it is made on demand:

    python stray_segment_server.py HOST PORT

prints ``ready`` once listening, answers one HTTP request of the one
connection it accepts, and on a line from stdin sends that connection's
segment with a sequence number 2**30 beyond its own, then prints what its
next read of the connection gets (``[Errno 104] Connection reset by peer``
once the client's RST arrived). The sequence numbers come from
``TCP_REPAIR``, as CRIU reads them (root, or CAP_NET_ADMIN).
"""

from __future__ import annotations

import socket
import struct
import sys

TCP_REPAIR, TCP_REPAIR_QUEUE, TCP_QUEUE_SEQ = 19, 20, 21  # linux/tcp.h
TCP_RECV_QUEUE, TCP_SEND_QUEUE = 1, 2
PSH_ACK = 0x18
ANSWER = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"


def checksum(data: bytes) -> int:
    """The Internet checksum (RFC 1071)."""
    if len(data) % 2:
        data += b"\0"
    total: int = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def sequence_numbers(conn: socket.socket) -> tuple[int, int]:
    """The connection's next sequence number to send and to receive."""
    conn.setsockopt(socket.IPPROTO_TCP, TCP_REPAIR, 1)
    try:
        conn.setsockopt(socket.IPPROTO_TCP, TCP_REPAIR_QUEUE, TCP_SEND_QUEUE)
        send = conn.getsockopt(socket.IPPROTO_TCP, TCP_QUEUE_SEQ) & 0xFFFFFFFF
        conn.setsockopt(socket.IPPROTO_TCP, TCP_REPAIR_QUEUE, TCP_RECV_QUEUE)
        receive = conn.getsockopt(socket.IPPROTO_TCP, TCP_QUEUE_SEQ) & 0xFFFFFFFF
    finally:
        conn.setsockopt(socket.IPPROTO_TCP, TCP_REPAIR, 0)
    return send, receive


def send_stray_segment(conn: socket.socket) -> None:
    """One data segment of this connection, 2**30 beyond the window, acknowledging all."""
    (source, source_port), (peer, peer_port) = conn.getsockname(), conn.getpeername()
    send, receive = sequence_numbers(conn)
    payload = b"late retransmission"
    header = struct.pack("!HHIIBBHHH", source_port, peer_port, (send + 2**30) & 0xFFFFFFFF,
                         receive, 5 << 4, PSH_ACK, 65535, 0, 0)
    pseudo = struct.pack("!4s4sBBH", socket.inet_aton(source), socket.inet_aton(peer), 0,
                         socket.IPPROTO_TCP, len(header) + len(payload))
    header = header[:16] + struct.pack("!H", checksum(pseudo + header + payload)) + header[18:]
    with socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP) as raw:
        raw.sendto(header + payload, (peer, 0))


def main() -> None:
    with socket.create_server((sys.argv[1], int(sys.argv[2]))) as listener:
        print("ready", flush=True)
        conn, _ = listener.accept()
        with conn:
            conn.settimeout(10)
            conn.recv(4096)
            conn.sendall(ANSWER)
            sys.stdin.readline()
            send_stray_segment(conn)
            try:
                print("read", conn.recv(4096) or b"EOF", flush=True)
            except OSError as error:
                print(error, flush=True)


if __name__ == "__main__":
    main()
