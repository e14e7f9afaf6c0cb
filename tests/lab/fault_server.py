"""Serve one engine.faults behaviour on HOST:PORT until killed (run inside a namespace).

Usage: python tests/lab/fault_server.py BEHAVIOUR HOST PORT [SECONDS]
Prints "ready" once listening; SIGTERM stops it cleanly.
"""

from __future__ import annotations

import signal
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from engine.faults import BEHAVIOURS, FaultServer


def main() -> None:
    """Start the server, say ready, wait for SIGTERM."""
    behaviour, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    seconds = float(sys.argv[4]) if len(sys.argv) > 4 else 1.0
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    with FaultServer(BEHAVIOURS[behaviour], host=host, port=port, seconds=seconds):
        print("ready", flush=True)
        done.wait(600)


if __name__ == "__main__":
    main()
