"""Capture the target's TCP packets with a raw socket, to tell who sent an RST.

On Linux a raw ``IPPROTO_TCP`` socket receives a copy of every incoming TCP
packet; ``connect`` on it keeps only those from the target address. This
needs root (CAP_NET_RAW); without it ``open_capture`` says so and the probe
reports what it could not measure. IPv4 packets come with their IP header
(TTL, IP ID, DF); IPv6 ones without, so the hop limit comes as ancillary
data (IPV6_RECVHOPLIMIT) and IPv6 has no IP ID. Reading is bounded: at most
``MAX_PACKETS`` packets are kept, and only while the probe runs.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import sys
from dataclasses import dataclass, field
from typing import Any

MAX_PACKETS = 2000
TCP_FLAGS = ((0x01, "FIN"), (0x02, "SYN"), (0x04, "RST"), (0x08, "PSH"), (0x10, "ACK"))
OPTION_NAMES = {2: "mss", 3: "wscale", 4: "sack_ok", 8: "timestamp"}


@dataclass(frozen=True)
class Packet:
    """What the IP and TCP headers of one received packet say about its sender."""

    src_port: int
    dst_port: int
    ttl: int
    ip_id: int | None
    dont_fragment: bool | None
    flags: str
    window: int
    options: tuple[str, ...]

    def describe(self) -> dict[str, Any]:
        """The packet as evidence."""
        return {"ttl": self.ttl, "ip_id": self.ip_id, "df": self.dont_fragment,
                "flags": self.flags, "window": self.window, "options": list(self.options),
                "hops": hops(self.ttl)}


def hops(ttl: int) -> int:
    """Hops travelled, from the usual initial TTLs (64 Linux, 128 Windows, 255 network gear)."""
    initial = next(start for start in (64, 128, 255) if ttl <= start)
    return initial - ttl


def parse(raw: bytes) -> Packet | None:
    """Parse an IPv4 packet carrying TCP; None when it is not one."""
    if len(raw) < 40 or raw[0] >> 4 != 4:
        return None
    ihl = (raw[0] & 0x0F) * 4
    tcp = raw[ihl:]
    if len(tcp) < 20:
        return None
    return parse_tcp(tcp, raw[8], struct.unpack_from("!H", raw, 4)[0], bool(raw[6] & 0x40))


def parse_tcp(tcp: bytes, ttl: int, ip_id: int | None = None,
              dont_fragment: bool | None = None) -> Packet | None:
    """Parse a TCP header received with the given IP facts; None when too short."""
    if len(tcp) < 20:
        return None
    src, dst = struct.unpack_from("!HH", tcp)
    offset = (tcp[12] >> 4) * 4
    flags = "|".join(name for bit, name in TCP_FLAGS if tcp[13] & bit)
    return Packet(src, dst, ttl, ip_id, dont_fragment, flags,
                  struct.unpack_from("!H", tcp, 14)[0], _options(tcp[20:offset]))


def _options(data: bytes) -> tuple[str, ...]:
    found = []
    index = 0
    while index < len(data):
        kind = data[index]
        if kind == 0:
            break
        if kind == 1:
            index += 1
            continue
        if index + 1 >= len(data) or data[index + 1] < 2:
            break
        found.append(OPTION_NAMES.get(kind, str(kind)))
        index += data[index + 1]
    return tuple(found)


@dataclass
class Capture:
    """Packets from one address, collected while connects run."""

    sock: socket.socket
    packets: list[Packet] = field(default_factory=list)
    local_ports: set[int] = field(default_factory=set)

    def drain(self) -> None:
        """Read what has arrived (non-blocking); keep only packets to our own local ports.

        The raw socket sees every packet from the target address, including
        other programs' traffic and the other probes', so it is drained as
        soon as it is readable (``loop.add_reader``) and filtered at once.
        """
        for _ in range(MAX_PACKETS):
            try:
                packet = self._receive()
            except OSError:  # BlockingIOError when empty
                return
            if (packet is not None and packet.dst_port in self.local_ports
                    and len(self.packets) < MAX_PACKETS):
                self.packets.append(packet)

    def _receive(self) -> Packet | None:
        if self.sock.family == socket.AF_INET:
            return parse(self.sock.recv(65535))
        data, ancillary, _, _ = self.sock.recvmsg(65535, socket.CMSG_SPACE(4))
        hop_limit = next((int.from_bytes(value[:4], sys.byteorder)
                          for level, kind, value in ancillary
                          if level == socket.IPPROTO_IPV6 and kind == socket.IPV6_HOPLIMIT), None)
        return None if hop_limit is None else parse_tcp(data, hop_limit)

    def from_port(self, port: int, local_port: int) -> list[Packet]:
        """Packets the target sent from ``port`` to our ``local_port``."""
        return [p for p in self.packets if p.src_port == port and p.dst_port == local_port]

    def close(self) -> None:
        """Close the raw socket."""
        self.sock.close()


def open_capture(address: str, family: int) -> tuple[Capture | None, str | None]:
    """A capture of the target's packets, or None and the reason it cannot run."""
    if not sys.platform.startswith("linux"):
        return None, "capturing packets is implemented for Linux only"
    try:
        sock = socket.socket(family, socket.SOCK_RAW, socket.IPPROTO_TCP)
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_RECVHOPLIMIT, 1)
    except PermissionError:
        return None, "capturing the RST's TTL, IP ID, flags and options needs root (CAP_NET_RAW)"
    except OSError as error:
        return None, f"no raw socket: {error.strerror}"
    try:
        sock.setblocking(False)
        sock.connect((address, 0))
    except OSError as error:
        with contextlib.suppress(OSError):
            sock.close()
        return None, f"raw socket cannot filter on {address}: {error.strerror}"
    return Capture(sock), None


def on_link(address: str) -> bool | None:
    """Whether the IPv4 route to ``address`` needs no gateway (None when unknown)."""
    if address.startswith("127.") or address == "::1":
        return True
    if ":" in address:
        return None
    try:
        target = struct.unpack("<I", socket.inet_aton(address))[0]
        with open("/proc/net/route", encoding="ascii") as routes:  # noqa: PTH123
            lines = routes.read().splitlines()[1:]
    except OSError:
        return None
    best: tuple[int, bool] | None = None
    for line in lines:
        fields = line.split()
        if len(fields) < 8:
            continue
        dest, gateway, mask = (int(fields[i], 16) for i in (1, 2, 7))
        if target & mask == dest and (best is None or bin(mask).count("1") > best[0]):
            best = (bin(mask).count("1"), gateway == 0)
    return None if best is None else best[1]
