"""``conndoctor probe HOST:PORT``: run the probes alone and print their results."""

from __future__ import annotations

import argparse
import asyncio

from cli.environment import Environment
from cli.exitcodes import Exit
from engine.errors import InputError
from engine.probes.base import ProbeOptions, ProbeRun, Target


def run_probe(args: argparse.Namespace, env: Environment) -> int:
    """Probe the target; exit 0 whenever the probes ran, whatever they found."""
    from engine.probes.registry import REGISTRY
    from engine.probes.runner import run_probes

    target = Target.parse(args.target)
    if args.idle_max <= 0:
        raise InputError(f"--idle-max must be positive (got {args.idle_max:g})")
    specs = REGISTRY.select(args.only, args.with_)

    def progress(name: str, status: str) -> None:
        env.message(f"probe {name}: {status}")

    options = ProbeOptions(idle_max_seconds=args.idle_max)
    run = asyncio.run(run_probes(target, specs, options, progress))
    if args.format == "json":
        env.stdout.write(run.model_dump_json(indent=2) + "\n")
    else:
        env.stdout.write(render_probe_text(run))
    return Exit.DIAGNOSED


def render_probe_text(run: ProbeRun) -> str:
    """One line per probe: name, status, time, facts or reason."""
    lines = [f"target {run.target} ({', '.join(run.addresses) or 'unresolved'}) "
             f"from {run.vantage.label()}"]
    for probe in run.probes:
        facts = ", ".join(f"{k}={v}" for k, v in probe.facts.items())
        lines.append(f"  {probe.name:<13} {probe.status:<8} {probe.seconds:6.2f}s  "
                     f"{facts or probe.reason or ''}")
    return "\n".join(lines) + "\n"
