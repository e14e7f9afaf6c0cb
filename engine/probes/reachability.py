"""The reachability probe: does a reset come from the target host or from something on the way?

One connect each, all at once, to the target port, a high port that is most
likely closed, and well-known ports (22, 80, 443) of the same address. The
host's own packets (a SYN-ACK from an open port, or the RST of a closed one)
are the reference the target port's RST is compared with:

- as root (Linux, IPv4), a raw socket captures the RST and the reference
  packets: TTL and hop count, IP ID, DF, TCP flags, window and options. A TTL
  that differs from the host's own SYN-ACK, or a zero-hop RST from a target
  behind a router, is a middlebox's; the same TTL is the host's. A zero-hop
  RST may also come from the router itself when the target is one of its own
  addresses: one more SYN, sent with a TTL of 1, tells (``_is_first_hop``).
- without root, only time is compared: an RST that arrives in well under
  the SYN-ACK round trip came from closer than the host. The evidence says
  what could not be measured.

When the target port accepts and then resets the connection at once (a
filter that resets after the handshake, an overloaded server), that RST is
compared with the same connection's SYN-ACK. ``rst_source`` is set only when
the target port did answer with an RST.
"""

from __future__ import annotations

import asyncio
import random
import socket
import time
from dataclasses import dataclass
from typing import Any

from engine.probes.base import ProbeOptions, ProbeResult, Target
from engine.probes.netutil import (
    UNREACHABLE_ERRNOS,
    ResolveError,
    first_address,
    handshake_round_trip,
    read_bounded,
)
from engine.probes.rawcapture import Capture, Packet, hops, on_link, open_capture
from engine.probes.rst_judge import judge

WELL_KNOWN = (22, 80, 443)
CONNECT_TIMEOUT = 1.5
SETTLE = 0.05
HOLD = 0.1


@dataclass
class Attempt:
    """One connect of the comparison and the packets it drew."""

    port: int
    role: str
    state: str = "filtered"
    seconds: float = 0.0
    local_port: int = 0
    packet: Packet | None = None
    reset_after_accept: bool = False
    rst_packet: Packet | None = None

    def describe(self) -> dict[str, Any]:
        """The attempt as evidence."""
        entry: dict[str, Any] = {"port": self.port, "role": self.role, "state": self.state,
                                 "ms": round(self.seconds * 1000, 3)}
        if self.packet is not None:
            entry["packet"] = self.packet.describe()
        if self.reset_after_accept:
            entry["reset_after_accept"] = True
            if self.rst_packet is not None:
                entry["rst_packet"] = self.rst_packet.describe()
        return entry


async def probe_reachability(target: Target, options: ProbeOptions) -> ProbeResult:
    """Compare the target port's answer with other ports of the same host."""
    started = time.monotonic()
    try:
        family, address = await first_address(target.host, target.port)
    except ResolveError as error:
        return ProbeResult(name="reachability", status="skipped", reason=str(error))
    capture, no_capture = open_capture(address, family) if options.capture else (
        None, "packet capture turned off")
    high = _high_port(target.port)
    attempts = [Attempt(target.port, "target"), Attempt(high, "closed_high_port")]
    attempts += [Attempt(port, "well_known") for port in WELL_KNOWN if port != target.port]
    loop = asyncio.get_running_loop()
    if capture is not None:
        loop.add_reader(capture.sock.fileno(), capture.drain)
    try:
        await asyncio.gather(*(_connect(a, family, address, capture) for a in attempts))
        if capture is not None:
            await asyncio.sleep(SETTLE)
            _attach_packets(capture, attempts)
    finally:
        if capture is not None:
            loop.remove_reader(capture.sock.fileno())
            capture.close()
    evidence: dict[str, Any] = {"address": address, "ports": [a.describe() for a in attempts]}
    if no_capture:
        evidence["not_measured"] = no_capture
    facts: dict[str, Any] = {}
    goal = attempts[0]
    if goal.state == "closed" or goal.reset_after_accept:
        target_on_link = on_link(address)
        first_hop = None
        if (target_on_link is False and goal.state == "closed" and goal.packet is not None
                and hops(goal.packet.ttl) == 0):
            first_hop = await _is_first_hop(family, address, target.port, goal.seconds)
        source, because = judge(goal, attempts[1:], capture is not None, target_on_link,
                                first_hop)
        facts["rst_source"] = source
        evidence["because"] = because
    else:
        evidence["because"] = f"the target port is {goal.state}: no reset to attribute"
    return ProbeResult(name="reachability", status="ok", facts=facts, evidence=evidence,
                       seconds=round(time.monotonic() - started, 4))


async def _is_first_hop(family: int, address: str, port: int, round_trip: float) -> bool:
    """Whether a SYN sent with a TTL of 1 is answered (accepted or refused).

    A TTL of 1 ends at the first router: it answers the SYN itself only when
    the address is its own, and otherwise sends ICMP time exceeded before any
    forwarding rule sees the packet, so a router that forges resets for hosts
    behind it does not answer this one.
    """
    loop = asyncio.get_running_loop()
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setblocking(False)
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS, 1)
        else:
            sock.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, 1)
        try:
            await asyncio.wait_for(loop.sock_connect(sock, (address, port)),
                                   min(CONNECT_TIMEOUT, max(0.2, 8 * round_trip)))
        except (ConnectionRefusedError, ConnectionResetError):
            return True
        except (TimeoutError, OSError):
            return False
    return True


def _high_port(port: int) -> int:
    """A high port unlikely to be open (and not the target)."""
    candidate = random.randint(40000, 60000)
    return candidate + 1 if candidate == port else candidate


async def _connect(attempt: Attempt, family: int, address: str, capture: Capture | None) -> None:
    loop = asyncio.get_running_loop()
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setblocking(False)
        sock.bind(("", 0))
        attempt.local_port = int(sock.getsockname()[1])
        if capture is not None:
            capture.local_ports.add(attempt.local_port)
        started = time.monotonic()
        try:
            await asyncio.wait_for(loop.sock_connect(sock, (address, attempt.port)),
                                   CONNECT_TIMEOUT)
            attempt.state = "open"
            attempt.seconds = time.monotonic() - started
            if attempt.role == "target":
                hold = max(HOLD, 4 * handshake_round_trip(attempt.seconds))
                reply = await read_bounded(sock, 1024, hold, b"")
                attempt.reset_after_accept = reply.end == "reset"
            return
        except TimeoutError:
            attempt.state = "filtered"
        except ConnectionRefusedError:
            attempt.state = "closed"
        except ConnectionResetError:  # accepted, then reset before the connect returned
            attempt.state, attempt.reset_after_accept = "open", attempt.role == "target"
        except OSError as error:
            attempt.state = "unreachable" if error.errno in UNREACHABLE_ERRNOS else "error"
        attempt.seconds = time.monotonic() - started


def _attach_packets(capture: Capture, attempts: list[Attempt]) -> None:
    capture.drain()
    for attempt in attempts:
        packets = capture.from_port(attempt.port, attempt.local_port)
        wanted = "RST" if attempt.state == "closed" else "SYN|ACK"
        attempt.packet = next((p for p in packets if _is(p, wanted)), None)
        if attempt.reset_after_accept:
            attempt.rst_packet = next((p for p in packets if _is(p, "RST")), None)


def _is(packet: Packet, wanted: str) -> bool:
    flags = packet.flags.split("|")
    return all(flag in flags for flag in wanted.split("|"))

