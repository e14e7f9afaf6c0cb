"""A three-namespace lab: client -- router -- server, made and torn down by the tests.

Namespaces are named ``cdp-`` plus a random suffix; veth pairs are created
directly inside them, so nothing is added to the host's own namespace. The
router forwards between 10.77.1.0/24 (client) and 10.77.2.0/24 (server) and
is where the faults go (iptables DROP, REJECT with tcp-reset, conntrack with
a short timeout, length-based drops, DNAT) and where HAProxy or nginx run
(``Lab.start``, see ``middleboxes.py``). Servers run in the server namespace
and clients in the client one, with ``ip netns exec``; every process is ended
by PID, and ``close`` removes everything even after a failure.
"""

from __future__ import annotations

import contextlib
import json
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
CLIENT_IP, ROUTER_CLIENT_IP = "10.77.1.2", "10.77.1.1"
SERVER_IP, ROUTER_SERVER_IP = "10.77.2.2", "10.77.2.1"


def sh(*argv: str, check: bool = True, timeout: float = 20) -> subprocess.CompletedProcess[str]:
    """Run one command (no shell), capturing its output."""
    return subprocess.run(list(argv), check=check, capture_output=True, text=True, timeout=timeout)


@dataclass
class Lab:
    """The namespaces, the servers started in them, and how to probe from the client."""

    suffix: str = field(default_factory=lambda: secrets.token_hex(3))
    servers: list[subprocess.Popen[str]] = field(default_factory=list)
    outputs: contextlib.ExitStack = field(default_factory=contextlib.ExitStack)

    @property
    def client(self) -> str:
        return f"cdp-c-{self.suffix}"

    @property
    def router(self) -> str:
        return f"cdp-r-{self.suffix}"

    @property
    def server(self) -> str:
        return f"cdp-s-{self.suffix}"

    def up(self) -> Lab:
        """Create the namespaces, links, addresses and routes."""
        for ns in (self.client, self.router, self.server):
            sh("ip", "netns", "add", ns)
            self.run(ns, "ip", "link", "set", "lo", "up")
        sh("ip", "link", "add", "c0", "netns", self.client, "type", "veth",
           "peer", "name", "rc", "netns", self.router)
        sh("ip", "link", "add", "s0", "netns", self.server, "type", "veth",
           "peer", "name", "rs", "netns", self.router)
        for ns, dev, address in ((self.client, "c0", CLIENT_IP), (self.router, "rc",
                                 ROUTER_CLIENT_IP), (self.router, "rs", ROUTER_SERVER_IP),
                                 (self.server, "s0", SERVER_IP)):
            self.run(ns, "ip", "addr", "add", f"{address}/24", "dev", dev)
            self.run(ns, "ip", "link", "set", dev, "up")
        self.run(self.client, "ip", "route", "add", "default", "via", ROUTER_CLIENT_IP)
        self.run(self.server, "ip", "route", "add", "default", "via", ROUTER_SERVER_IP)
        self.run(self.router, "sysctl", "-qw", "net.ipv4.ip_forward=1")
        return self

    def run(self, ns: str, *argv: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """A command inside one namespace."""
        return sh("ip", "netns", "exec", ns, *argv, check=check)

    def forget_idle_flows_after(self, seconds: int) -> None:
        """Make the router's conntrack forget established flows idle for ``seconds``.

        ``tcp_loose=0`` keeps it from re-adopting a forgotten flow mid-stream, so
        the next packet of that flow is INVALID (what the test's rule then does).
        """
        self.run(self.router, "sysctl", "-qw", "net.netfilter.nf_conntrack_tcp_loose=0")
        self.run(self.router, "sysctl", "-qw",
                 f"net.netfilter.nf_conntrack_tcp_timeout_established={seconds}")

    def lose_every_nth_packet(self, port: int, every: int) -> None:
        """The router drops every ``every``-th packet to and from ``port``, from the first.

        iptables' ``statistic`` match (this kernel has no netem): one counter per
        direction, so the first SYN and the first SYN-ACK are both lost.
        """
        for direction in ("--dport", "--sport"):
            self.run(self.router, "iptables", "-A", "FORWARD", "-p", "tcp", direction, str(port),
                     "-m", "statistic", "--mode", "nth", "--every", str(every), "--packet", "0",
                     "-j", "DROP")

    def limit_new_connections(self, port: int, per_second: int, burst: int,
                              *verdict: str) -> None:
        """The router's hashlimit: new connections to ``port`` past the rate get ``verdict``."""
        self.run(self.router, "iptables", "-A", "FORWARD", "-p", "tcp", "--syn", "--dport",
                 str(port), "-m", "hashlimit", "--hashlimit-name", "lab", "--hashlimit-mode",
                 "srcip", "--hashlimit-above", f"{per_second}/second", "--hashlimit-burst",
                 str(burst), "-j", *verdict)

    def serve(self, behaviour: str, port: int, seconds: float = 1.0,
              host: str = SERVER_IP) -> None:
        """Start an engine.faults server in the server namespace; wait until it listens."""
        process = subprocess.Popen(
            ["ip", "netns", "exec", self.server, sys.executable,
             str(REPO / "tests" / "lab" / "fault_server.py"), behaviour, host, str(port),
             str(seconds)],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.servers.append(process)
        assert process.stdout is not None
        line = process.stdout.readline()
        if line.strip() != "ready":
            raise RuntimeError(f"fault server {behaviour} did not start")

    def start(self, ns: str, *argv: str, listens_on: int | None = None) -> subprocess.Popen[str]:
        """Start a daemon (haproxy, nginx, ...) in a namespace, kept to be ended by PID.

        With ``listens_on``, wait (at most 10 s) until something listens on that
        TCP port in the namespace. Its output goes to a file (a pipe nobody reads
        could fill and block it), shown in the error if it never listens.
        """
        # lives as long as the daemon; the ExitStack closes it in close()
        output = self.outputs.enter_context(tempfile.TemporaryFile("w+"))  # noqa: SIM115
        process = subprocess.Popen(["ip", "netns", "exec", ns, *argv], stdout=output,
                                   stderr=subprocess.STDOUT, text=True)
        self.servers.append(process)
        deadline = time.monotonic() + 10
        while listens_on is not None and time.monotonic() < deadline and process.poll() is None:
            if self.run(ns, "ss", "-Hltn", f"sport = :{listens_on}").stdout.strip():
                return process
            time.sleep(0.05)
        if listens_on is None:
            return process
        output.seek(0)
        raise RuntimeError(f"{argv[0]} did not listen on port {listens_on}: "
                           f"{output.read()[-500:]}")

    def talk(self, ns: str, *argv: str) -> subprocess.Popen[str]:
        """A program in a namespace to converse with (stdin, stdout), ended by PID with the lab."""
        process = subprocess.Popen(["ip", "netns", "exec", ns, *argv], stdin=subprocess.PIPE,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.servers.append(process)
        return process

    def client_says(self, *argv: str, timeout: float = 30) -> str:
        """Run a real client (curl, ...) in the client namespace; what it printed on stderr."""
        result = self.run_in(self.client, *argv, timeout=timeout)
        return result.stderr.strip()

    def run_in(self, ns: str, *argv: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
        """A command in a namespace whose failure is the point (exit status not checked)."""
        return sh("ip", "netns", "exec", ns, *argv, check=False, timeout=timeout)

    def diagnose(self, host: str, port: int, *flags: str,
                 timeout: float = 120) -> dict[str, Any]:
        """``diagnose --no-input --target HOST:PORT --format json`` from the client; parsed."""
        result = self.run_cli("diagnose", "--no-input", "--format", "json", "--target",
                              f"{host}:{port}", *flags, timeout=timeout)
        data: dict[str, Any] = json.loads(result.stdout)
        return data

    def probe(self, port: int, *flags: str, host: str = SERVER_IP,
              timeout: float = 120) -> dict[str, Any]:
        """Run ``conndoctor probe`` in the client namespace; its JSON, parsed."""
        result = self.run_cli("probe", f"{host}:{port}", "--format", "json", *flags,
                              timeout=timeout)
        data: dict[str, Any] = json.loads(result.stdout)
        return data

    def name_in_client(self, name: str, *addresses: str) -> None:
        """Make ``name`` resolve to ``addresses`` (in that order) for the client only.

        ``ip netns exec`` mounts ``/etc/netns/NS/hosts`` over ``/etc/hosts`` for
        what it runs, so the name is real to the client's resolver and nowhere
        else; ``close`` removes the file with the namespaces.
        """
        folder = Path("/etc/netns") / self.client
        folder.mkdir(parents=True, exist_ok=True)
        self.outputs.callback(shutil.rmtree, folder, ignore_errors=True)
        lines = ["127.0.0.1 localhost"] + [f"{address} {name}" for address in addresses]
        (folder / "hosts").write_text("\n".join(lines) + "\n", encoding="utf-8")

    def run_cli(self, *argv: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        """Any conndoctor command, run in the client namespace."""
        code = "import sys; from cli.main import main; sys.exit(main())"
        return subprocess.run(
            ["ip", "netns", "exec", self.client, sys.executable, "-c", code, "-q", *argv],
            check=True, capture_output=True, text=True, timeout=timeout, cwd=REPO)

    def close(self) -> None:
        """End the servers by PID and delete the namespaces (their links go with them)."""
        for process in self.servers:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
            for stream in (process.stdin, process.stdout):
                if stream is not None:
                    stream.close()
        self.outputs.close()
        for ns in (self.client, self.router, self.server):
            with contextlib.suppress(subprocess.SubprocessError):
                sh("ip", "netns", "del", ns, check=False)


def probe_result(run: dict[str, Any], name: str) -> dict[str, Any]:
    """One probe's entry of a probe run."""
    result: dict[str, Any] = next(p for p in run["probes"] if p["name"] == name)
    return result
