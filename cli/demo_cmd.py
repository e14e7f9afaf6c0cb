"""``conndoctor demo``: reproduce a real fault on loopback and diagnose it end to end.

The fault is the classic behind many "connection reset by peer" reports: a
server rejects an upload after reading only the request head and closes the
socket with the body still unread, so its kernel answers with RST. The demo
makes a real client hit it, shows the client's real error, then diagnoses it
with the error text, what the client knows, and probes of the server.

The client's error is whatever the kernel says: EPIPE (broken pipe) when the
RST arrives while the client is still writing, ECONNRESET when it arrives on
a read; both are this fault, and the demo shows the one it got. Every probe
in the registry runs except the idle test (its shortest useful budget is
longer than the demo should take); nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import argparse
import socket
import time

from cli.environment import Environment
from cli.exitcodes import Exit
from cli.output import write_report
from engine.faults import FaultServer, reject_unread

UPLOAD_BYTES = 8 * 1024 * 1024
CHUNK_BYTES = 256 * 1024
CLIENT_TIMEOUT = 5.0
ATTEMPTS = 3
SKIPPED_PROBES = {"idle"}
NO_ERROR = "no error (the server read everything)"


def provoke_reset(port: int) -> str:
    """Upload a large body to the server; return the client's error as Python prints it."""
    request_head = (
        f"POST /upload HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Content-Type: application/octet-stream\r\nContent-Length: {UPLOAD_BYTES}\r\n\r\n"
    ).encode()
    chunk = b"x" * CHUNK_BYTES
    deadline = time.monotonic() + CLIENT_TIMEOUT
    with socket.create_connection(("127.0.0.1", port), timeout=CLIENT_TIMEOUT) as sock:
        try:
            sock.sendall(request_head)
            time.sleep(0.2)
            for _ in range(UPLOAD_BYTES // CHUNK_BYTES):
                sock.sendall(chunk)
            while time.monotonic() < deadline and sock.recv(65536):
                pass
        except OSError as error:
            return f"{type(error).__name__}: {error}"
    return NO_ERROR


def demo_probe_args(target: str) -> argparse.Namespace:
    """The probe selection of the demo: every registered probe but the slow ones."""
    from engine.probes.registry import REGISTRY

    only = [name for name in REGISTRY.specs if name not in SKIPPED_PROBES]
    return argparse.Namespace(target=target, only=only, with_=None, idle_max=5.0,
                              no_probes=False)


def run_demo(args: argparse.Namespace, env: Environment) -> int:
    """Start the faulty server, show the real error, diagnose it, print the report."""
    from cli.diagnose_cmd import probe_target
    from cli.inputs import apply_probe_run, error_records
    from cli.kbload import load_knowledge
    from engine.facts import FactRecord, Source
    from engine.session import Session

    started = time.monotonic()
    knowledge = load_knowledge(getattr(args, "kb", []))  # a bad --kb fails before any server
    with FaultServer(reject_unread) as server:
        env.message(f"demo: a server on {server.target} rejects uploads without reading them")
        for _ in range(ATTEMPTS):
            error = provoke_reset(server.port)
            if error != NO_ERROR:
                break
        size = UPLOAD_BYTES // 1024 // 1024
        env.message(f"demo: the client uploaded {size} MiB and got: {error}")
        session = Session(knowledge)
        known = [
            FactRecord("side", "client", Source.USER, "demo"),
            FactRecord("large_payload", True, Source.USER, "demo: 8 MiB upload"),
            FactRecord("phase", "sending_request", Source.USER, "demo"),
            FactRecord("frequency", "always", Source.USER, "demo"),
        ]
        if error != NO_ERROR:
            known += error_records(session, error, env.message,
                                   detail="demo: the client's own error")
        session.add_many(known)
        probe_args = demo_probe_args(server.target)
        env.message(f"demo: probing {server.target} ({', '.join(probe_args.only)})")
        apply_probe_run(session, probe_target(probe_args, env))
        report = session.report()
    write_report(report, args.format, env)
    elapsed = time.monotonic() - started
    env.message(f"demo: done in {elapsed:.1f} s, all traffic stayed on 127.0.0.1")
    return Exit.DIAGNOSED
