"""``conndoctor kb validate|lint|test|schema|list``: the KB contributor's tools.

Results go to stdout (one line per issue, or JSON with ``--format json``),
the summary to stderr. Exit 0 when the KB is clean, 1 when ``validate``
finds errors, ``lint`` finds warnings or a ``test`` case fails. Imports of
the engine happen inside the functions: building the parser for ``--help``
must not pay for pydantic.
"""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

from cli.environment import Environment
from cli.exitcodes import Exit
from engine.errors import InputError

if TYPE_CHECKING:
    from engine.kbmodel import KnowledgeBase

# The KB file kinds (engine.schema.FILE_MODELS), spelt out so --help needs no pydantic.
KINDS = ["manifest", "observations", "questions", "derivations", "probes", "scenarios",
         "errors", "cause"]


def add_kb_options(action: str, parser: argparse.ArgumentParser) -> None:
    """The options of one ``kb`` action beyond ``--kb`` and ``--format``."""
    parser.add_argument("--no-builtin", action="store_true",
                        help="leave out the built-in KB (check an extra KB on its own)")
    if action == "schema":
        parser.add_argument("--kind", choices=KINDS, help="print the schema of one file kind only")
        parser.add_argument("--write", metavar="DIR",
                            help="write DIR/schema/<kind>.json and DIR/kb-reference.md "
                                 "(the repository's docs/ directory)")


def run_kb(args: argparse.Namespace, env: Environment) -> int:
    """Dispatch one KB action."""
    action = args.kb_command
    if action == "schema":
        return _schema(args, env)
    if action == "validate":
        return _validate(args, env)
    knowledge = _load(args)
    if action == "list":
        from cli.kb_list import render_list

        env.stdout.write(render_list(knowledge, args.format))
        return Exit.DIAGNOSED
    if action == "lint":
        return _lint(knowledge, args, env)
    return _test(knowledge, args, env)


def _load(args: argparse.Namespace) -> KnowledgeBase:
    from cli.kbload import load_knowledge

    return load_knowledge(args.kb, include_builtin=not args.no_builtin)


def _schema(args: argparse.Namespace, env: Environment) -> int:
    if args.write:
        from pathlib import Path

        from engine.kbdocs import write_docs

        directory = Path(args.write)
        if directory.exists() and not directory.is_dir():
            raise InputError(f"--write {directory}: is not a directory; give a directory "
                             "(it gets schema/<kind>.json and kb-reference.md)")
        if not directory.parent.is_dir():
            raise InputError(f"--write {directory}: {directory.parent} does not exist; "
                             "create it, or give a directory in an existing one")
        try:
            written = write_docs(directory)
        except OSError as error:
            raise InputError(f"--write {directory}: cannot write: "
                             f"{error.strerror or error}") from error
        for path in written:
            env.message(f"wrote {path}")
        return Exit.DIAGNOSED
    from engine.kbdocs import schema_documents

    if args.kind:
        env.stdout.write(schema_documents()[f"schema/{args.kind}.json"])
        return Exit.DIAGNOSED
    from engine.schema import json_schemas

    env.stdout.write(json.dumps(json_schemas(), indent=2) + "\n")
    return Exit.DIAGNOSED


def _validate(args: argparse.Namespace, env: Environment) -> int:
    from engine.errors import KBError

    try:
        knowledge = _load(args)
    except KBError as error:
        if args.format == "json":
            body = {"ok": False, "errors": [issue.to_json() for issue in error.issues]}
            env.stdout.write(json.dumps(body, indent=2) + "\n")
        else:
            for issue in error.issues:
                env.stdout.write(f"{issue}\n")
        env.error(f"{len(error.issues)} error(s) in the knowledge base")
        return Exit.FAILED
    counts = {
        "causes": len(knowledge.causes),
        "observations": len(knowledge.observations),
        "rules": len(knowledge.derivations) + len(knowledge.evidence_rules),
        "error_patterns": len(knowledge.patterns),
        "cases": len(knowledge.cases),
    }
    summary = ", ".join(f"{n} {kind.replace('_', ' ')}" for kind, n in counts.items())
    if args.format == "json":
        body = {"ok": True, "counts": counts, "content_version": knowledge.content_version}
        env.stdout.write(json.dumps(body, indent=2) + "\n")
    else:
        env.stdout.write(f"ok: {summary} ({knowledge.content_version})\n")
    return Exit.DIAGNOSED


def _lint(knowledge: KnowledgeBase, args: argparse.Namespace, env: Environment) -> int:
    from engine.lint import lint_kb

    warnings = lint_kb(knowledge)
    if args.format == "json":
        body = {"ok": not warnings, "warnings": [w.to_json() for w in warnings]}
        env.stdout.write(json.dumps(body, indent=2) + "\n")
    else:
        for warning in warnings:
            env.stdout.write(f"{warning}\n")
    env.message(f"{len(warnings)} warning(s)" if warnings else "lint: no warnings")
    return Exit.FAILED if warnings else Exit.DIAGNOSED


def _test(knowledge: KnowledgeBase, args: argparse.Namespace, env: Environment) -> int:
    from engine.cases import run_cases
    from engine.errortext import check_pattern_examples

    outcomes = run_cases(knowledge)
    pattern_failures = check_pattern_examples(knowledge)
    failed = [o for o in outcomes if not o.passed and o.case.kind != "todo"]
    todo = [o for o in outcomes if o.case.kind == "todo"]
    if args.format == "json":
        rows: list[dict[str, Any]] = [
            {"case": o.case.id, "cause": o.cause, "kind": o.case.kind, "passed": o.passed,
             "problems": list(o.problems), "top": o.top,
             "top_confidence": round(o.top_confidence, 4)}
            for o in outcomes
        ]
        body = {"ok": not failed and not pattern_failures,
                "passed": len(outcomes) - len(failed) - len(todo),
                "failed": len(failed), "todo": len(todo), "cases": rows,
                "pattern_examples_failed": [str(f) for f in pattern_failures]}
        env.stdout.write(json.dumps(body, indent=2) + "\n")
    else:
        for outcome in outcomes:
            mark = _mark(outcome.case.kind, outcome.passed)
            detail = "; ".join(outcome.problems)
            if outcome.case.kind == "todo" and outcome.passed:
                detail = "passes now: make it a real case (drop 'kind: todo')"
            env.stdout.write(f"{mark} {outcome.case.id}{': ' + detail if detail else ''}\n")
        for failure in pattern_failures:
            env.stdout.write(f"FAIL pattern {failure}\n")
    passed = len(outcomes) - len(failed) - len(todo)
    summary = f"{passed} passed, {len(failed)} failed, {len(todo)} todo (known misses)"
    if knowledge.patterns:
        summary += (f"; examples of {len(knowledge.patterns)} error patterns: "
                    f"{len(pattern_failures)} failed")
    env.message(summary)
    return Exit.FAILED if failed or pattern_failures else Exit.DIAGNOSED


def _mark(kind: str, passed: bool) -> str:
    """The first column of ``kb test``: ok, FAIL, or todo for a known miss on record."""
    if kind == "todo":
        return "todo"
    return "ok  " if passed else "FAIL"
