"""``conndoctor probe HOST:PORT``: run the probes alone and print their results."""

from __future__ import annotations

import argparse
import asyncio
import math

from cli.environment import Environment
from cli.exitcodes import Exit
from engine.errors import InputError
from engine.probes.base import ProbeOptions, ProbeRun, Target

IDLE_MAX_CAP = 7200.0  # 2 h: firewalls' default idle timers (Cisco ASA, Palo Alto) are 1 h


def probe_options(args: argparse.Namespace) -> ProbeOptions:
    """The probe options the flags ask for; a bad bound is a one-line error.

    ``nan`` is refused by name: it compares false with every bound, so it
    would pass a plain range check and silently become a 1 s budget.
    """
    if not (math.isfinite(args.idle_max) and 0 < args.idle_max <= IDLE_MAX_CAP):
        raise InputError(f"--idle-max must be a positive number of seconds, at most "
                         f"{IDLE_MAX_CAP:g} (got {args.idle_max:g})")
    return ProbeOptions(idle_max_seconds=args.idle_max)


def execute(args: argparse.Namespace, env: Environment, target_text: str) -> ProbeRun:
    """Run the selected probes against the target with live progress on stderr."""
    from cli.progress import ProbeProgress
    from engine.probes.registry import REGISTRY
    from engine.probes.runner import run_probes

    target = Target.parse(target_text)
    options = probe_options(args)
    specs = REGISTRY.select(args.only, args.with_)
    with ProbeProgress(env, str(target)) as progress:
        return asyncio.run(run_probes(target, specs, options, progress))


def run_probe(args: argparse.Namespace, env: Environment) -> int:
    """Probe the target; exit 0 whenever the probes ran, whatever they found."""
    run = execute(args, env, args.target)
    if args.format == "json":
        env.stdout.write(run.model_dump_json(indent=2) + "\n")
    else:
        env.stdout.write(render_probe_text(run))
    return Exit.DIAGNOSED


def render_probe_text(run: ProbeRun) -> str:
    """One line per probe (name, status, time, facts or reason), then its key evidence."""
    lines = [f"target {run.target} ({', '.join(run.addresses) or 'unresolved'}) "
             f"from {run.vantage.label()}, started {run.started_at}, {run.seconds:.2f} s"]
    for probe in run.probes:
        facts = ", ".join(f"{k}={_value(v)}" for k, v in probe.facts.items())
        text = facts or probe.reason or ""
        if facts and probe.reason:
            text += f"  ({probe.reason})"
        lines.append(f"  {probe.name:<13} {probe.status:<8} {probe.seconds:6.2f}s  {text}")
        for note in _notes(probe.name, probe.evidence):
            lines.append(f"  {'':<13} {'':<8} {'':>7}  - {note}")
    return "\n".join(lines) + "\n"


def _value(value: object) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def _notes(name: str, evidence: dict[str, object]) -> list[str]:
    """The evidence a person reads first, per probe."""
    notes = []
    covered = evidence.get("range_covered_s")
    if name == "idle" and isinstance(covered, list) and len(covered) == 2:
        notes.append(f"idle durations covered: {covered[0]:g} to {covered[1]:g} s")
        after = evidence.get("after_request")
        if isinstance(after, dict):
            notes.append(f"{after.get('scheme')} keep-alive after a request: "
                         f"{after.get('kind')} after {after.get('close_seconds')} s")
    for key in ("because", "not_measured", "note", "detail", "plaintext_request_gets",
                "banner"):
        value = evidence.get(key)
        if value:
            notes.append(f"{key.replace('_', ' ')}: {value}")
    if name == "tls" and evidence.get("version"):
        notes.append(f"{evidence['version']} {evidence.get('cipher')}")
    return notes
