"""What the lab's diagnosis tests share: the ports, and what a user reads in a report."""

from __future__ import annotations

from typing import Any

from tests.conftest import require_lab_tools
from tests.lab.netlab import Lab, probe_result

PORT = 8080  # the server's, behind the router
FRONT = 9000  # HAProxy's or nginx's, on the router
QUICK_IDLE = "3"  # --idle-max where no idle timer is part of the fault

# A crowd of clients: ``python -c CROWD HOST PORT COUNT [http]`` opens COUNT
# connections (sending a GET on each with ``http``), holds them 1 s, and leaves.
CROWD = """\
import socket, sys, time
crowd = []
for _ in range(int(sys.argv[3])):
    try:
        sock = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=2)
        if sys.argv[4:] == ["http"]:
            sock.sendall(b"GET / HTTP/1.1\\r\\nHost: lab\\r\\n\\r\\n")
        crowd.append(sock)
    except OSError:
        pass
time.sleep(1)
"""


def first(report: dict[str, Any]) -> str:
    """The cause ranked first (what the user reads at the top of the report)."""
    assert report["diagnoses"], report
    cause: str = report["diagnoses"][0]["cause"]
    return cause


def confidence(report: dict[str, Any]) -> float:
    """The first cause's confidence."""
    value: float = report["diagnoses"][0]["confidence"]
    return value


def measured(report: dict[str, Any], name: str) -> dict[str, Any]:
    """The facts one probe of the diagnosis measured."""
    facts: dict[str, Any] = probe_result(report, name)["facts"]
    return facts


def ranking(report: dict[str, Any]) -> list[tuple[str, float]]:
    """Causes and confidences, for assertion messages."""
    return [(d["cause"], d["confidence"]) for d in report["diagnoses"]]


def curl_error(lab: Lab, url: str) -> str:
    """What curl prints when it meets the fault: the line a user pastes."""
    require_lab_tools("curl")
    said = lab.client_says("curl", "-sS", "--connect-timeout", "3", "--max-time", "10", url)
    assert said.startswith("curl: ("), said
    return said
