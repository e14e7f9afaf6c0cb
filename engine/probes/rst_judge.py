"""Judging where an RST came from, given the host's own packets as reference.

Kept apart from the probe so the reasoning reads as one list of cases, each
with the sentence that goes into the evidence.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.probes.rawcapture import hops

if TYPE_CHECKING:
    from engine.probes.reachability import Attempt

TIME_RATIO = 0.5
TIME_MARGIN = 0.002


def judge(goal: Attempt, others: list[Attempt], captured: bool,
          target_on_link: bool | None, first_hop: bool | None = None) -> tuple[str, str]:
    """``(rst_source, because)`` for the target port's RST.

    ``first_hop``: whether a SYN sent with a TTL of 1 was answered, i.e. the
    target is the first router itself (None when not asked).
    """
    if goal.reset_after_accept:
        return _after_accept(goal, captured)
    synacks = [a for a in others if a.state == "open"]
    resets = [a for a in others if a.state == "closed"]
    if captured and goal.packet is not None:
        return _by_packets(goal, synacks, resets, target_on_link, first_hop)
    return _by_time(goal, synacks)


def _by_packets(goal: Attempt, synacks: list[Attempt], resets: list[Attempt],
                target_on_link: bool | None, first_hop: bool | None) -> tuple[str, str]:
    assert goal.packet is not None
    rst = goal.packet
    reference = next((a.packet for a in synacks if a.packet is not None), None)
    if reference is not None:
        if reference.ttl != rst.ttl:
            return "middlebox", (f"the RST came with TTL {rst.ttl} ({hops(rst.ttl)} hops), the "
                                 f"host's own SYN-ACK with TTL {reference.ttl} "
                                 f"({hops(reference.ttl)} hops)")
        return "endpoint", f"the RST and the host's own SYN-ACK both came with TTL {rst.ttl}"
    if hops(rst.ttl) == 0 and target_on_link is False and first_hop:
        return "endpoint", (f"the RST came with an untouched TTL {rst.ttl} from behind a "
                            "router, and a SYN sent with TTL 1 was answered too: the target is "
                            "that first router itself")
    if hops(rst.ttl) == 0 and target_on_link is False:
        return "middlebox", (f"the RST came with an untouched TTL {rst.ttl}, but the target is "
                             "behind a router: it was sent before the first hop")
    other = next((a.packet for a in resets if a.packet is not None), None)
    if other is not None and other.ttl != rst.ttl:
        return "middlebox", (f"the RST came with TTL {rst.ttl}, the RST of another closed port "
                             f"with TTL {other.ttl}: two different senders")
    if hops(rst.ttl) == 0 and target_on_link:
        return "endpoint", f"the target is on the local link and its RST kept TTL {rst.ttl}"
    return "unknown", (f"the RST (TTL {rst.ttl}) looks like those of other ports and no open "
                       "port gave a SYN-ACK to compare with the host's own packets")


def _by_time(goal: Attempt, synacks: list[Attempt]) -> tuple[str, str]:
    if not synacks:
        return "unknown", ("no open port on the host gave a SYN-ACK round trip to compare the "
                           "RST's arrival time with")
    rtt = min(a.seconds for a in synacks)
    rst = goal.seconds
    if rst < TIME_RATIO * rtt and rtt - rst > TIME_MARGIN:
        return "middlebox", (f"the RST arrived after {rst * 1000:.1f} ms, well before the "
                             f"host's SYN-ACK round trip of {rtt * 1000:.1f} ms")
    if abs(rst - rtt) <= 0.3 * rtt + TIME_MARGIN:
        return "endpoint", (f"the RST took {rst * 1000:.1f} ms, as long as the host's SYN-ACK "
                            f"({rtt * 1000:.1f} ms)")
    return "unknown", (f"the RST took {rst * 1000:.1f} ms and the host's SYN-ACK "
                       f"{rtt * 1000:.1f} ms: neither clearly closer nor the same")


def _after_accept(goal: Attempt, captured: bool) -> tuple[str, str]:
    """An RST right after the handshake, compared with the same connection's SYN-ACK.

    A host's own RST on an established flow carries the ACK flag, an IP ID,
    a window and the timestamp option the flow negotiated; an injected one
    typically has none of these, and another TTL.
    """
    rst, synack = goal.rst_packet, goal.packet
    if not captured or rst is None or synack is None:
        return "unknown", ("the connection was reset right after the handshake; telling who "
                           "sent the RST needs its TTL (root)")
    signs = [sign for sign, present in (
        ("IP ID 0", rst.ip_id == 0),
        ("no ACK flag", "ACK" not in rst.flags.split("|")),
        ("window 0", rst.window == 0),
        ("no timestamp option", "timestamp" in synack.options and "timestamp" not in rst.options),
    ) if present]
    if rst.ttl != synack.ttl:
        return "middlebox", (f"the RST after the handshake came with TTL {rst.ttl}, the SYN-ACK "
                             f"of the same connection with TTL {synack.ttl}"
                             + (f"; also {', '.join(signs)}" if signs else ""))
    if len(signs) >= 3:
        return "middlebox", ("the RST after the handshake looks injected: "
                             + ", ".join(signs))
    return "endpoint", (f"the RST after the handshake came with the TTL of the host's SYN-ACK "
                        f"({rst.ttl}) and looks like the host's own packets")
