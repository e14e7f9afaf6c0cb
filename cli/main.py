"""Entry point: the argument parser, dispatch, and the one error boundary.

Every exception a user can cause ends here as one line on stderr and a named
exit status: 1 for a failed run (bad input, unreadable KB), 2 for a
malformed command line (argparse's own convention), 130 for Ctrl-C. Anything
else is a bug: one line saying so, and the traceback only with ``--verbose``.
Heavy imports (pydantic models, questionary, rich, the probes) happen inside
the commands, so that ``--help`` and ``diagnose --no-input`` start fast.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

from cli.environment import Environment
from cli.exitcodes import Exit
from cli.formats import FORMAT_NAMES

VERSION = "0.1.0"
PROBE_NAMES = ["port", "reachability", "idle", "tls", "protocol", "burst", "transfer"]
DEFAULT_IDLE_MAX = 30.0

EPILOG = """\
examples:
  conndoctor demo
  conndoctor diagnose --no-input --error "read: connection reset by peer" --fact after_idle=true
  conndoctor diagnose --no-input --target db.internal:5432 --format json
  conndoctor probe 127.0.0.1:8080 --format json > probes.json
  conndoctor diagnose --no-input --probe-results probes.json --fact side=client
  conndoctor kb validate --kb ./my-kb
  source <(conndoctor completion bash)

exit status: 0 diagnosed, 1 failed (bad input or KB), 2 usage error, 130 interrupted
"""


def build_parser() -> argparse.ArgumentParser:
    """The whole command line, with help texts that teach."""
    parser = argparse.ArgumentParser(
        prog="conndoctor",
        description="Diagnose 'connection reset by peer', refused and dying TCP connections.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"conndoctor {VERSION}")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress messages")
    parser.add_argument("-v", "--verbose", action="store_true", help="more detail in messages")
    parser.add_argument("--no-color", "--no-colour", dest="no_colour", action="store_true",
                        help="no colour (also: the NO_COLOR environment variable)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    _add_diagnose(commands)
    _add_probe(commands)
    _add_kb(commands)
    demo = commands.add_parser("demo", help="reproduce a real fault on loopback and diagnose it")
    demo.add_argument("--format", choices=FORMAT_NAMES, default="text")
    _add_kb_dirs(demo)
    completion = commands.add_parser(
        "completion", help="print a shell completion script",
        description="Print a completion script: source <(conndoctor completion bash), or for "
                    "zsh: source <(conndoctor completion zsh)",
    )
    completion.add_argument("shell", choices=["bash", "zsh"])
    _add_kb_dirs(completion)
    _add_common_everywhere(parser)
    return parser


def _add_common_everywhere(parser: argparse.ArgumentParser) -> None:
    """Accept -q/-v after the command too (``conndoctor diagnose ... -q``).

    The sub-commands' copies default to SUPPRESS, so they never overwrite a
    flag given before the command.
    """
    for action in parser._actions:
        if not isinstance(action, argparse._SubParsersAction):
            continue
        for sub in action.choices.values():
            sub.add_argument("-q", "--quiet", action="store_true", default=argparse.SUPPRESS,
                             help="no progress messages")
            sub.add_argument("-v", "--verbose", action="store_true",
                             default=argparse.SUPPRESS, help="more detail in messages")
            sub.add_argument("--no-color", "--no-colour", dest="no_colour", action="store_true",
                             default=argparse.SUPPRESS, help="no colour (also: NO_COLOR)")
            _add_common_everywhere(sub)


def _add_kb_dirs(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--kb", action="append", default=[], metavar="DIR",
        help="extra KB directory (repeatable; also CONNDOCTOR_KB_PATH and entry points)",
    )


def _add_probe_selection(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--only", action="append", choices=PROBE_NAMES, metavar="NAME",
                        help=f"run exactly these probes (repeatable; {', '.join(PROBE_NAMES)})")
    parser.add_argument("--with", dest="with_", action="append", choices=PROBE_NAMES,
                        metavar="NAME", help="add an opt-in probe to the defaults (e.g. transfer)")
    parser.add_argument("--idle-max", type=float, default=DEFAULT_IDLE_MAX, metavar="SECONDS",
                        help="bound of the idle test in seconds (default 30, at most 7200; "
                             "LBs and NATs need 400)")


DIAGNOSE_EXAMPLES = """\
examples:
  conndoctor diagnose                                  # the questionnaire (a terminal)
  conndoctor diagnose --no-input --error "read: connection reset by peer" \\
      --fact after_idle=true --fact idle_seconds=8     # what you know, no questions
  conndoctor diagnose --no-input --target db.internal:5432 --with transfer
  conndoctor diagnose --no-input --log app.log --format json > report.json
  conndoctor diagnose --no-input --error "..." --dont-know after_idle --format json
                                                       # a script walking the dialogue:
                                                       # answer next_questions[0], rerun
"""


def _add_diagnose(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    diagnose = commands.add_parser(
        "diagnose", help="find the cause of a connection failure",
        description="Guided questionnaire on a terminal; with --no-input, uses only the flags.",
        epilog=DIAGNOSE_EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    diagnose.add_argument("--no-input", action="store_true", help="never prompt (scripts, CI)")
    diagnose.add_argument("--target", metavar="HOST:PORT",
                          help="probe this host and port (or a URL: https://host/path)")
    diagnose.add_argument("--no-probes", action="store_true", help="do not probe the target")
    _add_probe_selection(diagnose)
    diagnose.add_argument("--error", metavar="TEXT", action="append", default=[],
                          help="the error message as you saw it (repeatable: read as one paste)")
    diagnose.add_argument("--log", metavar="FILE", action="append", default=[],
                          help="a log or stack trace to read ('-': stdin; repeatable)")
    diagnose.add_argument("--peer-log", metavar="FILE",
                          help="the other end's log: read only for what both ends share")
    diagnose.add_argument("--fact", action="append", default=[], metavar="ID=VALUE",
                          help="a fact you know (repeatable): --fact after_idle=true")
    diagnose.add_argument("--dont-know", action="append", default=[], metavar="ID",
                          help="a question you cannot answer (repeatable)")
    diagnose.add_argument("--facts", metavar="FILE", help="YAML or JSON mapping of id to value")
    diagnose.add_argument("--probe-results", action="append", default=[], metavar="FILE",
                          help="output of 'conndoctor probe --format json' (repeatable)")
    diagnose.add_argument("--why-not", metavar="CAUSE", help="explain why a cause is not ranked")
    diagnose.add_argument("--format", choices=FORMAT_NAMES, default="text",
                          help="text (default; tables and colour on a terminal), json (the "
                               "contract: what scripts read), markdown (for tickets)")
    diagnose.add_argument("--output", metavar="FILE",
                          help="write the report to FILE atomically ('-': stdout)")
    diagnose.add_argument("--save", metavar="FILE",
                          help="save the session (statements, I-don't-knows) to FILE as JSON")
    diagnose.add_argument("--resume", metavar="FILE", help="resume a session saved with --save")
    diagnose.add_argument("--print-schema", action="store_true",
                          help="print the JSON Schema of the report (--format json) and exit")
    _add_kb_dirs(diagnose)


def _add_probe(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    probe = commands.add_parser(
        "probe", help="measure a target with the automated probes",
        description="Run the probes alone; the JSON is what 'diagnose --probe-results' reads.",
    )
    probe.add_argument("target", metavar="HOST:PORT",
                       help="db.internal:5432, [::1]:443, or a URL (https://host/path)")
    _add_probe_selection(probe)
    probe.add_argument("--format", choices=["text", "json"], default="text")


def _add_kb(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    kb = commands.add_parser("kb", help="check, test and list a knowledge base")
    kb_commands = kb.add_subparsers(dest="kb_command", metavar="ACTION", required=True)
    for name, text in (
        ("validate", "check every KB file; report all errors at once"),
        ("lint", "report quality warnings"),
        ("test", "run every example case"),
        ("schema", "print the JSON Schema of KB files"),
        ("list", "list causes, observations, rules and probes"),
    ):
        action = kb_commands.add_parser(name, help=text, description=text)
        _add_kb_dirs(action)
        action.add_argument("--format", choices=["text", "json"], default="text")
        from cli.kb_cmd import add_kb_options

        add_kb_options(name, action)


def main(argv: Sequence[str] | None = None, env: Environment | None = None) -> int:
    """Run one command; return the exit status (the console script exits with it)."""
    env = env or Environment()
    parser = build_parser()
    if not (sys.argv[1:] if argv is None else argv):  # clig.dev: no arguments shows the help
        env.stderr.write(parser.format_help())
        return Exit.USAGE
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    env.quiet, env.verbose = args.quiet, args.verbose
    env.no_colour = env.no_colour or args.no_colour
    from engine.errors import ConndoctorError

    try:
        return int(_dispatch(args, env))
    except KeyboardInterrupt:
        env.error("interrupted")
        return Exit.INTERRUPTED
    except ConndoctorError as error:
        env.error(str(error))
        return Exit.FAILED
    except BrokenPipeError:
        return Exit.FAILED
    except Exception as error:  # a bug: say so in one line, traceback only on request
        if env.verbose:
            import traceback

            traceback.print_exc(file=env.stderr)
        env.error(f"internal error: {type(error).__name__}: {error} "
                  "(a bug; rerun with --verbose for the traceback and report it)")
        return Exit.FAILED


def _dispatch(args: argparse.Namespace, env: Environment) -> int:
    from engine.gcpause import imports_without_gc

    with imports_without_gc():
        run = _command(args.command)
    return run(args, env)


def _command(name: str) -> Callable[[argparse.Namespace, Environment], int]:
    """The function that runs a command, imported only when that command runs."""
    if name == "diagnose":
        from cli.diagnose_cmd import run_diagnose

        return run_diagnose
    if name == "probe":
        from cli.probe_cmd import run_probe

        return run_probe
    if name == "kb":
        from cli.kb_cmd import run_kb

        return run_kb
    if name == "completion":
        from cli.completion import run_completion

        return run_completion
    from cli.demo_cmd import run_demo

    return run_demo


def console_main() -> None:
    """The console script: exit with main's status.

    When the reader of stdout went away (``conndoctor ... | head``), stdout is
    pointed at /dev/null so the interpreter's final flush prints no traceback.
    """
    code = main()
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = code or Exit.FAILED
    sys.exit(code)
