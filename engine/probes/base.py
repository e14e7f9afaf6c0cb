"""What every probe shares: the target, options, results and the registry.

A probe is one small async function ``(target, options) -> ProbeResult``
behind an explicit registry entry that declares its contract: the facts it
may set, its time budget and its connection budget. The runner enforces the
budget; a probe that crashes or overruns becomes a result with status
``error`` or ``timeout`` and sets no fact. ``status`` describes the probe run,
never the target: a closed port is ``ok`` with ``port_state: closed``.
"""

from __future__ import annotations

import contextvars
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from engine.errors import InputError

Status = Literal["ok", "skipped", "error", "timeout"]
RESULTS_SCHEMA_VERSION = 1


class ProbeResult(BaseModel):
    """One probe's outcome (an entry of the probe results JSON)."""

    model_config = ConfigDict(extra="forbid")

    name: str
    status: Status
    reason: str | None = None
    seconds: float = 0.0
    facts: dict[str, Any] = Field(default_factory=dict)
    evidence: dict[str, Any] = Field(default_factory=dict)


class Vantage(BaseModel):
    """Where the probes ran from."""

    model_config = ConfigDict(extra="forbid")

    host: str
    source_address: str | None = None

    def label(self) -> str:
        """A short name for reports: ``host (source address)``."""
        return f"{self.host} ({self.source_address})" if self.source_address else self.host


class ProbeRun(BaseModel):
    """The probe results JSON: what ``probe --format json`` prints and ``--probe-results`` reads."""

    model_config = ConfigDict(extra="forbid")

    schema_version: int = RESULTS_SCHEMA_VERSION
    target: str
    addresses: list[str] = Field(default_factory=list)
    vantage: Vantage
    started_at: str
    seconds: float = 0.0
    probes: list[ProbeResult]
    _origin: str = PrivateAttr(default="the live probes")

    @property
    def origin(self) -> str:
        """Where these results came from, for messages (a file, or the live run)."""
        return self._origin

    def from_file(self, file: str) -> ProbeRun:
        """Remember the file these results were read from."""
        self._origin = f"--probe-results {file}"
        return self


# The ports of the schemes people paste as URLs (IANA service names).
DEFAULT_PORTS = {
    "http": 80, "https": 443, "ws": 80, "wss": 443, "ftp": 21, "ssh": 22, "smtp": 25,
    "smtps": 465, "imap": 143, "imaps": 993, "ldap": 389, "ldaps": 636, "mysql": 3306,
    "postgres": 5432, "postgresql": 5432, "redis": 6379, "rediss": 6379, "mongodb": 27017,
    "amqp": 5672, "amqps": 5671, "mqtt": 1883, "mqtts": 8883, "nats": 4222, "grpc": 443,
}


@dataclass(frozen=True)
class Target:
    """A ``HOST:PORT`` to probe; IPv6 literals go in brackets (``[::1]:443``)."""

    host: str
    port: int

    @classmethod
    def parse(cls, text: str) -> Target:
        """Parse ``HOST:PORT`` or a URL; raise InputError with the expected form otherwise.

        An IPv6 address must be in brackets: in ``2001:db8::1:443`` the last
        group may be the port or part of the address, and a guess would probe
        the wrong host. A URL (what people copy from a browser, a client's
        config or the error itself) gives its host and its port, or its
        scheme's default port.
        """
        if "://" in text:
            return cls._from_url(text)
        host, sep, port_text = text.rpartition(":")
        if not sep or not host or not port_text.isdigit():
            raise InputError(f"target {text!r} is not HOST:PORT (e.g. db.internal:5432, [::1]:443)")
        port = int(port_text)
        if not 0 < port < 65536:
            raise InputError(f"target {text!r}: port must be 1-65535 (got {port})")
        bracketed = host.startswith("[") and host.endswith("]")
        if bracketed:
            host = host[1:-1]
        if not host or any(c in host for c in "[]") or any(c.isspace() for c in host):
            raise InputError(f"target {text!r}: {host!r} is not a host name or address "
                             f"(e.g. db.internal:5432, 10.0.0.5:80, [::1]:443)")
        if ":" in host and not bracketed:
            raise InputError(f"target {text!r}: an IPv6 address goes in brackets, "
                             f"e.g. [{host}]:{port} (or [{text}]:PORT if {port} is part of it)")
        return cls(host, port)

    @classmethod
    def _from_url(cls, text: str) -> Target:
        """``https://api.example.com/v1`` -> api.example.com:443."""
        try:
            parts = urlsplit(text.strip())
        except ValueError as error:  # "Invalid IPv6 URL": an unclosed bracket
            raise InputError(f"target {text!r}: {error} (e.g. https://[::1]:8443/)") from None
        scheme = parts.scheme.lower()
        try:
            port = parts.port
        except ValueError as error:  # a port that is not a number, or out of range
            raise InputError(f"target {text!r}: {error}") from None
        if port is None:
            port = DEFAULT_PORTS.get(scheme)
        if port is None:
            raise InputError(f"target {text!r}: no port, and {scheme!r} has no default here "
                             f"(known: {', '.join(sorted(DEFAULT_PORTS))}); give HOST:PORT")
        if not parts.hostname:
            raise InputError(f"target {text!r}: no host in the URL")
        return cls.parse(f"[{parts.hostname}]:{port}" if ":" in parts.hostname
                         else f"{parts.hostname}:{port}")

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"


@dataclass(frozen=True)
class ProbeOptions:
    """Knobs shared by all probes."""

    idle_max_seconds: float = 30.0
    burst_size: int = 50
    connect_tries: int = 5
    capture: bool = True
    transfer_bytes: int = 4 * 1024 * 1024


BURST_HARD_CAP = 500


@dataclass(frozen=True)
class ProbeEvent:
    """A progress report: a probe started, ended, or says how long it still needs.

    ``status`` is ``started``, ``running`` (with ``detail`` and, for long
    probes such as ``idle``, ``seconds_left``) or the final status, whose
    event carries the ``result``: what finished is not lost if the run is
    interrupted (Ctrl-C) before the others end.
    """

    name: str
    status: str
    detail: str = ""
    seconds_left: float | None = None
    result: ProbeResult | None = None


ProgressCallback = Callable[[ProbeEvent], None]
_REPORTER: contextvars.ContextVar[Callable[[str, float | None], None] | None] = (
    contextvars.ContextVar("probe_reporter", default=None)
)


def report_progress(detail: str, seconds_left: float | None = None) -> None:
    """Called by a running probe to say what it is doing (the runner routes it)."""
    reporter = _REPORTER.get()
    if reporter is not None:
        reporter(detail, seconds_left)


def set_reporter(reporter: Callable[[str, float | None], None] | None) -> None:
    """Install the reporter for the current task (the runner does this per probe)."""
    _REPORTER.set(reporter)


ProbeFunction = Callable[[Target, ProbeOptions], Awaitable[ProbeResult]]


@dataclass(frozen=True)
class ProbeSpec:
    """A registry entry: the function and its declared contract."""

    name: str
    function: ProbeFunction
    sets: frozenset[str]
    budget_seconds: Callable[[ProbeOptions], float]
    max_connections: int
    default: bool = True
    description: str = ""
    # probes (of those selected) that must finish before this one starts: a
    # probe that loads the target would otherwise disturb what they measure
    runs_after: frozenset[str] = frozenset()


@dataclass
class Registry:
    """The explicit list of probes, in the order they are shown."""

    specs: dict[str, ProbeSpec] = field(default_factory=dict)

    def add(self, spec: ProbeSpec) -> None:
        """Register one probe (names are unique)."""
        if spec.name in self.specs:
            raise ValueError(f"probe {spec.name!r} registered twice")
        self.specs[spec.name] = spec

    def select(self, only: list[str] | None, with_: list[str] | None) -> list[ProbeSpec]:
        """The probes to run: ``only`` exactly, else the defaults plus ``with_``."""
        for name in (only or []) + (with_ or []):
            if name not in self.specs:
                allowed = ", ".join(self.specs)
                raise InputError(f"unknown probe {name!r} (allowed: {allowed})")
        if only:
            return [self.specs[name] for name in self.specs if name in only]
        chosen = set(with_ or [])
        return [s for s in self.specs.values() if s.default or s.name in chosen]
