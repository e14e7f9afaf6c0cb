"""``conndoctor diagnose``: gather facts (flags, files, probes), rank, report.

On a terminal without ``--no-input`` it hands over to the questionnaire;
with ``--no-input`` it never prompts. ``probe_target`` belongs to the
probes (their live progress display).
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from cli.environment import Environment
from cli.exitcodes import Exit
from cli.output import write_report
from engine.errors import InputError
from engine.facts import FactRecord, Source
from engine.session import Session

if TYPE_CHECKING:  # the probes load only when something is probed
    from engine.probes.base import ProbeRun

NEEDS_INPUT = (
    "stdin is not a terminal, so conndoctor cannot ask questions; give what you know with "
    "--error TEXT, --log FILE, --fact ID=VALUE, --facts FILE, --probe-results FILE or "
    "--target HOST:PORT, and add --no-input"
)


GIVEN_BUT_NO_TTY = (
    "stdin is not a terminal, so conndoctor cannot ask questions; add --no-input to "
    "diagnose from the flags given"
)


def run_diagnose(args: argparse.Namespace, env: Environment) -> int:
    """Build a session from the flags, run probes if asked, print the report."""
    if args.print_schema:
        import json

        from engine.report import DiagnosisReport

        schema = json.dumps(DiagnosisReport.model_json_schema(), indent=2) + "\n"
        if args.output and args.output != "-":
            from pathlib import Path

            from cli.output import write_atomically

            write_atomically(Path(args.output), schema)
            env.message(f"schema written to {args.output}")
        else:
            env.stdout.write(schema)
        return Exit.DIAGNOSED
    for pair in args.fact:
        if "=" not in pair:
            env.error(f"--fact {pair!r} needs ID=VALUE (e.g. --fact after_idle=true)")
            return Exit.USAGE
    if args.save == "-":
        env.error("--save -: give a file name (the report goes to stdout; --output - too)")
        return Exit.USAGE
    from cli.main import DEFAULT_IDLE_MAX

    if not (args.target or args.resume) and (args.only or args.with_
                                            or args.idle_max != DEFAULT_IDLE_MAX):
        env.message("--only, --with and --idle-max choose and bound the probes of --target; "
                    "without a target nothing is probed")
    if not args.no_input:
        if not env.stdin_isatty:
            given = any((args.error, args.log, args.fact, args.facts, args.probe_results,
                         args.target, args.resume, args.peer_log))
            env.error(GIVEN_BUT_NO_TTY if given else NEEDS_INPUT)
            return Exit.FAILED
        from cli.interactive import run_questionnaire

        return run_questionnaire(args, env)
    session = build_session(args, env)
    report = session.report(why_not_cause=args.why_not)
    if args.save:
        from cli.session_file import save_session

        save_session(session, args.save, args.target)
    write_report(report, args.format, env, args.output)
    return Exit.DIAGNOSED


def build_session(args: argparse.Namespace, env: Environment, *, probe: bool = True) -> Session:
    """A session holding every statement the flags supply (and a resumed session's).

    With ``probe`` (the default), probes run when ``--target`` is given and
    ``--no-probes`` is not; the questionnaire passes False to probe later.
    """
    from cli.inputs import (
        apply_probe_run,
        check_target_of_results,
        error_records,
        fact_records,
        facts_file_records,
        load_probe_run,
    )
    from cli.kbload import load_knowledge

    knowledge = load_knowledge(args.kb)
    env.detail(f"kb: {knowledge.content_version}: {len(knowledge.causes)} causes, "
               f"{len(knowledge.observations)} observations, {len(knowledge.questions)} questions")
    session = Session(knowledge)
    session.can_probe = bool(args.target) and not args.no_probes
    if args.resume:
        from cli.session_file import resume_session

        saved = resume_session(session, args.resume)
        if args.target is None and isinstance(saved.get("target"), str):
            args.target = saved["target"]
    records: list[FactRecord] = []
    if args.facts:
        records += facts_file_records(session, args.facts, env.message)
    # several texts (--error twice, or --fact error=...) are read as one paste
    error_texts = list(args.error)
    plain = []
    for pair in args.fact:
        fact, _, value = pair.partition("=")
        if fact.strip() == "error":
            error_texts.append(value)
        else:
            plain.append(pair)
    records += fact_records(session, plain, env.message)
    if any(error_texts):
        records += error_records(session, "\n".join(text for text in error_texts if text),
                                 env.message)
    if args.log or args.peer_log:
        from cli.logs import log_records

        if [*args.log, args.peer_log].count("-") > 1:
            raise InputError("'-' (stdin) is given more than once among --log and --peer-log: "
                             "stdin can be read once; give the other log as a file")
        for log in args.log:
            records += log_records(session, log, env)
        if args.peer_log:
            records += log_records(session, args.peer_log, env, peer=True)
    session.add_many(records)
    given = {r.fact: r.detail for r in records if r.source is Source.USER}
    for fact in args.dont_know:
        if fact in given:
            raise InputError(f"--dont-know {fact}: {fact} is given ({given[fact]}); "
                             "drop one of the two")
        session.mark_dont_know(fact)
    for file in args.probe_results:
        apply_probe_run(session, load_probe_run(file))
    if args.target and args.probe_results:
        check_target_of_results(session, args.target)
    if probe and args.target and not args.no_probes:  # --save: written before, and on Ctrl-C
        from cli.session_file import probe_and_save

        probe_and_save(session, args, env)
    return session


def probe_target(args: argparse.Namespace, env: Environment) -> ProbeRun:
    """Run the selected probes against ``--target`` with live progress on stderr."""
    from cli.probe_cmd import execute

    return execute(args, env, args.target)
