"""``conndoctor diagnose``: gather facts (flags, files, probes), rank, report."""

from __future__ import annotations

import argparse

from cli.environment import Environment
from cli.exitcodes import Exit
from cli.output import write_report
from engine.facts import FactRecord
from engine.probes.base import ProbeRun
from engine.session import Session

NEEDS_INPUT = (
    "stdin is not a terminal, so conndoctor cannot ask questions; give what you know with "
    "--error TEXT, --log FILE, --fact ID=VALUE, --facts FILE, --probe-results FILE or "
    "--target HOST:PORT, and add --no-input"
)


def run_diagnose(args: argparse.Namespace, env: Environment) -> int:
    """Build a session from the flags, run probes if asked, print the report."""
    for pair in args.fact:
        if "=" not in pair:
            env.error(f"--fact {pair!r} needs ID=VALUE (e.g. --fact after_idle=true)")
            return Exit.USAGE
    if not args.no_input:
        if not env.stdin_isatty:
            env.error(NEEDS_INPUT)
            return Exit.FAILED
        from cli.interactive import run_questionnaire

        return run_questionnaire(args, env)
    session = build_session(args, env)
    report = session.report(why_not_cause=args.why_not)
    write_report(report, args.format, env, args.output)
    return Exit.DIAGNOSED


def build_session(args: argparse.Namespace, env: Environment) -> Session:
    """A session holding every statement the flags supply (probes included)."""
    from cli.inputs import (
        apply_probe_run,
        error_records,
        fact_records,
        facts_file_records,
        load_probe_run,
    )
    from cli.kbload import load_knowledge

    knowledge = load_knowledge(args.kb)
    session = Session(knowledge)
    records: list[FactRecord] = []
    if args.facts:
        records += facts_file_records(session, args.facts)
    error_text = args.error
    plain = []
    for pair in args.fact:
        fact, _, value = pair.partition("=")
        if fact.strip() == "error":
            error_text = value
        else:
            plain.append(pair)
    records += fact_records(session, plain)
    if error_text:
        records += error_records(session, error_text)
    if args.log:
        from cli.logs import log_records

        records += log_records(session, args.log, env)
    session.add_many(records)
    for fact in args.dont_know:
        session.mark_dont_know(fact)
    for file in args.probe_results:
        apply_probe_run(session, load_probe_run(file))
    if args.target and not args.no_probes:
        run = probe_target(args, env)
        apply_probe_run(session, run)
    return session


def probe_target(args: argparse.Namespace, env: Environment) -> ProbeRun:
    """Run the selected probes against ``--target`` with live progress on stderr."""
    from cli.probe_cmd import execute

    return execute(args, env, args.target)
