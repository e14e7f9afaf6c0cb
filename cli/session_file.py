"""``--save FILE`` / ``--resume FILE``: a diagnosis session as a replayable JSON file.

A session is what was said, not what was concluded: every statement (fact,
value, source, detail, vantage) in the order it was made, the facts the user
said "I don't know" to, the probe summaries and the error lines read. Resuming
replays the statements into a fresh session over the KB loaded now, so the
ranking is recomputed by today's rules (and a statement the KB no longer
accepts is a one-line error naming the file and the fact).

The file also keeps the questionnaire's steps in order (``history``: each
answer and "I don't know"), so ``back`` after ``--resume`` undoes them newest
first. A file without it (written before it existed) can undo its answers,
in the order they were stated.

The file is written atomically after every step of the questionnaire and
before the probes start; on Ctrl-C during the probes it is written again with
the probes that finished, and ``--resume`` then runs only the missing ones.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

from cli.environment import Environment
from engine.errors import ConndoctorError, InputError
from engine.facts import FactRecord, Source
from engine.report import ProbeSummary
from engine.session import Session

SESSION_KIND = "conndoctor-session"
SESSION_VERSION = 1
REPLAYABLE = {source.value: source for source in Source if source is not Source.DERIVED}
STEPS = ("answer", "dont_know")

Step = tuple[str, str]
_HISTORY: WeakKeyDictionary[Session, list[Step]] = WeakKeyDictionary()
_RESUMED_PROBES: WeakKeyDictionary[Session, frozenset[str]] = WeakKeyDictionary()


def undo_history(session: Session) -> list[Step]:
    """The questionnaire's steps, ``(kind, fact)`` oldest first: what ``back`` undoes.

    The list lives with the session so that a resumed session's steps, the
    ones asked now and the file saved after each of them are one history.
    """
    return _HISTORY.setdefault(session, [])


def resumed_probes(session: Session) -> frozenset[str]:
    """The probes a resumed session file already had a result of (empty if not resumed)."""
    return _RESUMED_PROBES.get(session, frozenset())


def session_data(session: Session, target: str | None = None) -> dict[str, Any]:
    """What a session file holds (plain JSON types only)."""
    return {
        "kind": SESSION_KIND,
        "schema_version": SESSION_VERSION,
        "kb_version": session.knowledge.content_version,
        "target": target,
        "statements": [
            {"fact": r.fact, "value": r.value, "source": r.source.value,
             "detail": r.detail, "vantage": r.vantage}
            for r in session.store.records
        ],
        "dont_know": list(session.dont_know),
        "probes": [summary.model_dump() for summary in session.probes],
        "error_lines": list(session.error_lines),
        "history": [{"kind": kind, "fact": fact} for kind, fact in undo_history(session)],
    }


def save_session(session: Session, file: str, target: str | None = None) -> None:
    """Write the session to ``file`` atomically (a one-line error if it cannot)."""
    from cli.output import write_atomically

    text = json.dumps(session_data(session, target), indent=2) + "\n"
    write_atomically(Path(file), text, flag="--save")


def load_session_file(file: str) -> dict[str, Any]:
    """Read and shape-check a session file; a bad one is a one-line error naming it."""
    try:
        data: Any = json.loads(Path(file).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise InputError(f"--resume {file}: cannot read: {reason}") from error
    except json.JSONDecodeError as error:
        raise InputError(f"--resume {file}: not JSON: {error}") from error
    if not isinstance(data, dict) or data.get("kind") != SESSION_KIND:
        raise InputError(f"--resume {file}: not a conndoctor session file "
                         f"(expected \"kind\": \"{SESSION_KIND}\"; write one with --save)")
    if data.get("schema_version") != SESSION_VERSION:
        raise InputError(f"--resume {file}: schema_version must be {SESSION_VERSION} "
                         f"(got {data.get('schema_version')!r})")
    for key in ("statements", "dont_know", "probes", "error_lines", "history"):
        if not isinstance(data.get(key, []), list):
            raise InputError(f"--resume {file}: {key!r} must be a list")
    return data


def statement_records(file: str, data: dict[str, Any]) -> list[FactRecord]:
    """The statements of a session file as records, each checked for shape."""
    records = []
    for index, item in enumerate(data.get("statements", [])):
        where = f"--resume {file}: statements[{index}]"
        if not isinstance(item, dict) or not isinstance(item.get("fact"), str):
            raise InputError(f"{where}: expected an object with 'fact', 'value' and 'source'")
        source = REPLAYABLE.get(str(item.get("source")))
        if source is None:
            raise InputError(f"{where}: 'source' must be one of [{', '.join(REPLAYABLE)}] "
                             f"(got {item.get('source')!r})")
        detail, vantage = item.get("detail"), item.get("vantage")
        records.append(FactRecord(item["fact"], item.get("value"), source,
                                  str(detail) if detail is not None else None,
                                  str(vantage) if vantage is not None else None))
    return records


def resume_session(session: Session, file: str) -> dict[str, Any]:
    """Replay a saved session into ``session``; return the file's data (for the target)."""
    from pydantic import ValidationError

    data = load_session_file(file)
    records = statement_records(file, data)
    try:
        for record in records:
            session.add(record)
        for fact in data.get("dont_know", []):
            session.mark_dont_know(str(fact))
    except ConndoctorError as error:
        raise InputError(f"--resume {file}: {error}") from error
    for index, item in enumerate(data.get("probes", [])):
        try:
            session.add_probe_summary(ProbeSummary.model_validate(item))
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "(top)"
            raise InputError(f"--resume {file}: probes[{index}].{where}: {first['msg']}") from None
    session.error_lines.extend(e for e in data.get("error_lines", []) if isinstance(e, dict))
    _RESUMED_PROBES[session] = frozenset(summary.name for summary in session.probes)
    undo_history(session)[:] = resumed_steps(session, file, data)
    return data


def resumed_steps(session: Session, file: str, data: dict[str, Any]) -> list[Step]:
    """The saved questionnaire steps that still stand in the replayed session.

    Without a ``history`` (an older file) the answers are the steps, in the
    order they were stated: only the questionnaire states answers, while an
    "I don't know" may have come from ``--dont-know``.
    """
    if "history" not in data:
        return [("answer", r.fact) for r in session.store.records if r.source is Source.ANSWER]
    answered = {r.fact for r in session.store.records if r.source is Source.ANSWER}
    steps: list[Step] = []
    for index, item in enumerate(data["history"]):
        if not (isinstance(item, dict) and item.get("kind") in STEPS
                and isinstance(item.get("fact"), str)):
            raise InputError(f"--resume {file}: history[{index}]: expected an object with "
                             f"'kind' (one of: {', '.join(STEPS)}) and 'fact' (got {item!r})")
        step = (str(item["kind"]), str(item["fact"]))
        if step[1] in (answered if step[0] == "answer" else session.dont_know):
            steps.append(step)
    return steps


def probe_and_save(session: Session, args: argparse.Namespace, env: Environment,
                   save: Callable[[], None] | None = None) -> None:
    """Run the selected probes this session has no result of, saving around them.

    ``save`` (by default: write ``--save FILE``, if given) runs before the
    probes start, so what the person gave is on disk if the probes are
    interrupted, and again on Ctrl-C with the probes that had finished (then
    the interrupt goes on: exit 130). A resumed session runs only the probes
    its file lacks, and says so.
    """
    from cli.inputs import apply_probe_run
    from cli.probe_cmd import execute
    from cli.progress import ProbesInterrupted
    from engine.probes.registry import REGISTRY

    def save_file() -> None:
        if args.save:
            save_session(session, args.save, args.target)

    save = save or save_file
    done = resumed_probes(session)
    names = [spec.name for spec in REGISTRY.select(args.only, args.with_)
             if spec.name not in done]
    if done:
        had = [name for name in REGISTRY.specs if name in done]
        env.message(f"resumed with the probes {', '.join(had)}; "
                    + (f"probing the rest: {', '.join(names)}" if names else "none left to run"))
    if not names:
        return
    save()
    selected = argparse.Namespace(**{**vars(args), "only": names, "with_": None}) if done else args
    try:
        run = execute(selected, env, args.target)
    except ProbesInterrupted as stop:
        apply_probe_run(session, stop.run)
        save()
        raise
    apply_probe_run(session, run)
    save()
