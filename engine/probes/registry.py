"""The explicit registry of probes: name, function and declared contract.

Each entry declares the facts the probe may set (the runner drops any
other), its time budget (the runner cuts it off there) and the most
connections it opens to the target (tests count them against real servers).
``kb/probes.yaml`` declares the same names, facts and defaults for the
engine's question planner; a test checks that the two agree.
"""

from __future__ import annotations

from engine.probes.base import BURST_HARD_CAP, ProbeOptions, ProbeSpec, Registry
from engine.probes.burst import probe_burst
from engine.probes.idle import probe_idle
from engine.probes.idle_ladder import MAX_RUNGS
from engine.probes.port import LOSS_TRIES, MAX_ADDRESSES, OTHER_ADDRESS_TRIES, probe_port
from engine.probes.protocol import probe_protocol
from engine.probes.reachability import WELL_KNOWN, probe_reachability
from engine.probes.tls import probe_tls
from engine.probes.transfer import probe_transfer

# The port probe's verdict (open, and whether connects are consistent) needs a
# quiet target: the other probes' connects, a dozen at once, overflow a small
# accept queue (Python's http.server listens with 5), and a SYN dropped there
# reads as a flaky path. It takes milliseconds on an open port.
AFTER_PORT = frozenset({"port"})
# The burst runs alone: the quick probes before it, the long ones after it. A
# server out of connection slots closes idle keep-alive connections to make
# room (nginx does), so an idle test running beside the burst would time the
# burst, not the server's idle timer.
AFTER_BURST = frozenset({"port", "burst"})


def _idle_budget(options: ProbeOptions) -> float:
    return max(1.0, options.idle_max_seconds) + 8.0


def build_registry() -> Registry:
    """All probes conndoctor knows, in display order."""
    registry = Registry()
    registry.add(ProbeSpec(
        name="port", function=probe_port,
        sets=frozenset({"port_state", "connect_ms", "intermittent_connect", "connect_loss",
                        "addresses_disagree"}),
        budget_seconds=lambda _options: 12.0,
        max_connections=LOSS_TRIES + OTHER_ADDRESS_TRIES * (MAX_ADDRESSES - 1),
        description="TCP connects to every address: open, refused, filtered or unreachable;"
                    " the share of handshakes lost on the way",
    ))
    registry.add(ProbeSpec(
        name="reachability", function=probe_reachability, sets=frozenset({"rst_source"}),
        budget_seconds=lambda _options: 5.0, max_connections=3 + len(WELL_KNOWN),
        description="whether an RST comes from the host or from something on the way",
        runs_after=AFTER_PORT,
    ))
    registry.add(ProbeSpec(
        name="idle", function=probe_idle,
        sets=frozenset({"idle_close_seconds", "idle_close_kind", "closes_without_reply"}),
        budget_seconds=_idle_budget, max_connections=MAX_RUNGS + 3,
        description="how long an idle connection survives and how it ends",
        runs_after=AFTER_BURST,
    ))
    registry.add(ProbeSpec(
        name="tls", function=probe_tls, sets=frozenset({"tls_handshake"}),
        budget_seconds=lambda _options: 12.0, max_connections=2,
        description="TLS handshake with SNI; plaintext to a TLS port",
        runs_after=AFTER_PORT,
    ))
    registry.add(ProbeSpec(
        name="protocol", function=probe_protocol,
        sets=frozenset({"protocol_guess", "closes_without_reply"}),
        budget_seconds=lambda _options: 8.0, max_connections=5,
        description="what the port speaks: banner, TLS, HTTP, Postgres, Redis",
        runs_after=AFTER_PORT,
    ))
    registry.add(ProbeSpec(
        name="burst", function=probe_burst,
        sets=frozenset({"burst_failure_rate", "burst_failure_kind"}),
        budget_seconds=lambda _options: 8.0, max_connections=BURST_HARD_CAP + 2,
        description="a bounded burst of concurrent connects",
        # its crowd of 50 fills a small accept queue: a connect that reachability,
        # tls or protocol made meanwhile would time out, and they would report
        # a target busy only with our own burst
        runs_after=frozenset({"port", "reachability", "tls", "protocol"}),
    ))
    registry.add(ProbeSpec(
        name="transfer", function=probe_transfer, sets=frozenset({"large_transfer"}),
        budget_seconds=lambda _options: 20.0, max_connections=2, default=False,
        description="a large upload judged by TCP acknowledgements (opt-in: it sends data)",
        runs_after=AFTER_BURST,
    ))
    return registry


REGISTRY = build_registry()
QUICK = ("port", "reachability", "tls", "protocol", "burst")
