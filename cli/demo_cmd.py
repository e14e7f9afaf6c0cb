"""``conndoctor demo``: reproduce a real fault on loopback and diagnose it end to end.

The fault is the classic behind many "connection reset by peer" reports: a
server rejects an upload after reading only the request head and closes the
socket with the body still unread, so its kernel answers with RST. The demo
makes a real client hit it, shows the client's real error, then diagnoses it
with the error text, what the client knows, and probes of the server.
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import time

from cli.environment import Environment
from cli.exitcodes import Exit
from cli.output import write_report
from engine.faults import FaultServer, reject_unread

UPLOAD_BYTES = 8 * 1024 * 1024
CLIENT_TIMEOUT = 5.0


def provoke_reset(port: int) -> str:
    """Upload a large body to the server; return the client's error as Python prints it."""
    request_head = (
        f"POST /upload HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Content-Type: application/octet-stream\r\nContent-Length: {UPLOAD_BYTES}\r\n\r\n"
    ).encode()
    body = b"x" * UPLOAD_BYTES
    with socket.create_connection(("127.0.0.1", port), timeout=CLIENT_TIMEOUT) as sock:
        try:
            sock.sendall(request_head)
            time.sleep(0.2)
            sock.sendall(body)
            sock.recv(65536)
            sock.recv(65536)
        except OSError as error:
            return f"{type(error).__name__}: {error}"
    return "no error (the server read everything)"


def run_demo(args: argparse.Namespace, env: Environment) -> int:
    """Start the faulty server, show the real error, diagnose it, print the report."""
    from cli.inputs import apply_probe_run, error_records
    from cli.kbload import load_knowledge
    from engine.facts import FactRecord, Source
    from engine.probes.base import ProbeOptions, Target
    from engine.probes.registry import REGISTRY
    from engine.probes.runner import run_probes
    from engine.session import Session

    with FaultServer(reject_unread) as server:
        env.message(f"demo: a server on {server.target} rejects uploads without reading them")
        error = provoke_reset(server.port)
        size = UPLOAD_BYTES // 1024 // 1024
        env.message(f"demo: the client uploaded {size} MiB and got: {error}")
        knowledge = load_knowledge([])
        session = Session(knowledge)
        known = [
            FactRecord("side", "client", Source.USER, "demo"),
            FactRecord("large_payload", True, Source.USER, "demo: 8 MiB upload"),
            FactRecord("phase", "sending_request", Source.USER, "demo"),
            FactRecord("frequency", "always", Source.USER, "demo"),
        ]
        session.add_many(known + error_records(session, error))
        specs = REGISTRY.select(None, ["transfer"] if "transfer" in REGISTRY.specs else None)
        specs = [spec for spec in specs if spec.name != "idle"]
        env.message(f"demo: probing {server.target} ({', '.join(s.name for s in specs)})")
        run = asyncio.run(run_probes(Target.parse(server.target), specs,
                                     ProbeOptions(idle_max_seconds=5.0)))
        apply_probe_run(session, run)
        report = session.report()
    write_report(report, args.format, env)
    return Exit.DIAGNOSED
