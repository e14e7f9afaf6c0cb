"""``conndoctor kb validate|lint|test|schema|list``."""

from __future__ import annotations

import argparse
import json

from cli.environment import Environment
from cli.exitcodes import Exit
from cli.kbload import load_knowledge
from engine.errors import KBError


def run_kb(args: argparse.Namespace, env: Environment) -> int:
    """Dispatch one KB action."""
    action = args.kb_command
    if action == "schema":
        from engine.schema import json_schemas

        env.stdout.write(json.dumps(json_schemas(), indent=2) + "\n")
        return Exit.DIAGNOSED
    if action == "validate":
        return _validate(args, env)
    knowledge = load_knowledge(args.kb)
    if action == "list":
        from cli.kb_list import render_list

        env.stdout.write(render_list(knowledge, args.format))
        return Exit.DIAGNOSED
    if action == "lint":
        from engine.lint import lint_kb

        warnings = lint_kb(knowledge)
        if args.format == "json":
            env.stdout.write(json.dumps([str(w) for w in warnings], indent=2) + "\n")
        else:
            for warning in warnings:
                env.stdout.write(f"{warning}\n")
            env.message(f"{len(warnings)} warning(s)")
        return Exit.FAILED if warnings else Exit.DIAGNOSED
    return _test(knowledge, args, env)


def _validate(args: argparse.Namespace, env: Environment) -> int:
    try:
        knowledge = load_knowledge(args.kb)
    except KBError as error:
        if args.format == "json":
            env.stdout.write(json.dumps([str(i) for i in error.issues], indent=2) + "\n")
        else:
            for issue in error.issues:
                env.stdout.write(f"{issue}\n")
        env.error(f"{len(error.issues)} error(s) in the knowledge base")
        return Exit.FAILED
    summary = (f"ok: {len(knowledge.causes)} causes, {len(knowledge.observations)} observations, "
               f"{len(knowledge.derivations) + len(knowledge.evidence_rules)} rules, "
               f"{len(knowledge.patterns)} error patterns, {len(knowledge.cases)} cases "
               f"({knowledge.content_version})")
    if args.format == "json":
        env.stdout.write(json.dumps({"ok": True, "summary": summary}) + "\n")
    else:
        env.stdout.write(summary + "\n")
    return Exit.DIAGNOSED


def _test(knowledge: object, args: argparse.Namespace, env: Environment) -> int:
    from engine.cases import run_cases
    from engine.kbmodel import KnowledgeBase

    assert isinstance(knowledge, KnowledgeBase)
    outcomes = run_cases(knowledge)
    failed = [o for o in outcomes if not o.passed and o.case.kind != "todo"]
    if args.format == "json":
        env.stdout.write(json.dumps([
            {"case": o.case.id, "cause": o.cause, "passed": o.passed,
             "problems": list(o.problems), "top": o.top} for o in outcomes
        ], indent=2) + "\n")
    else:
        for outcome in outcomes:
            mark = "ok  " if outcome.passed else ("todo" if outcome.case.kind == "todo" else "FAIL")
            detail = "; ".join(outcome.problems)
            env.stdout.write(f"{mark} {outcome.case.id}{': ' + detail if detail else ''}\n")
        env.stdout.write(f"{len(outcomes) - len(failed)} passed, {len(failed)} failed\n")
    return Exit.FAILED if failed else Exit.DIAGNOSED
