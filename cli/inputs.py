"""Turn command-line inputs into session statements, checking each on the way in.

``--fact ID=VALUE`` splits at the first ``=``; ``--fact error=TEXT`` is the
same as ``--error TEXT``. ``--facts FILE`` is a YAML or JSON mapping. Every
id and value is checked against the KB, and a bad one is a one-line error
naming the id and the allowed values.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from cli.peerview import split_peer_view
from engine.errors import FactError, InputError
from engine.facts import FactRecord, Source, coerce_value, observation_for, parse_value
from engine.report import ProbeSummary
from engine.session import Session

if TYPE_CHECKING:  # the probes load only when probe results are given
    from engine.probes.base import ProbeRun

Say = Callable[[str], None]  # where a note goes (Environment.message): stderr, unless --quiet


def split_fact(text: str) -> tuple[str, str]:
    """``ID=VALUE`` split at the first ``=`` (callers have checked there is one)."""
    fact, _, value = text.partition("=")
    return fact.strip(), value


def bounded_text(text: str, what: str, say: Say) -> str:
    """The text up to the reader's hard bound, and a note when the rest is cut off.

    Before, pasted text was cut at 20,000 characters without a word, and an
    error at the end of a long stack trace went unread.
    """
    from engine.errortext import MAX_TEXT_CHARS

    if len(text) <= MAX_TEXT_CHARS:
        return text
    say(f"{what} is {len(text):,} characters long: read its first "
        f"{MAX_TEXT_CHARS:,}, the rest skipped")
    return text[:MAX_TEXT_CHARS]


def fact_records(session: Session, pairs: list[str], say: Say) -> list[FactRecord]:
    """Parse ``--fact`` flags into user statements (``peer_log`` is read as well)."""
    records = []
    for pair in pairs:
        fact, text = split_fact(pair)
        if fact == "peer_log":  # read, as --fact error= is; empty says nothing, as there
            if text.strip():
                records += peer_log_records(session, text, "--fact", say)
            continue
        observation = observation_for(session.knowledge, fact)
        records.append(FactRecord(fact, parse_value(observation, text), Source.USER, "--fact"))
    return records


def peer_log_records(session: Session, text: str, detail: str, say: Say) -> list[FactRecord]:
    """The peer's log as the user quoted it, and what its error patterns say of both ends
    (``cli.peerview``).

    Before, ``peer_log`` was kept and read by nothing: a peer's ``WORKER
    TIMEOUT`` or ``Too many open files`` changed no ranking. The facts it implies
    that describe only the peer's view are listed in ``error_lines`` as
    ``not_used`` rather than dropped without a word.
    """
    from engine.errortext import reader_for

    text = bounded_text(text, f"{detail}: the peer_log text", say)
    reading = reader_for(session.knowledge).reading(text)
    kept, peer_view = split_peer_view(reading.facts)
    session.error_lines.append({
        "source": "peer_log", "line": None, "text": reading.excerpt(text, 500), "timestamp": None,
        "pattern": reading.best_pattern, "patterns": reading.pattern_ids,
        "fact_patterns": reading.fact_patterns,
        "facts": {fact: value for fact, (value, _) in kept.items()},
        "not_used": {fact: value for fact, (value, _) in peer_view.items()},
    })
    return [FactRecord("peer_log", text, Source.USER, detail)] + [
        FactRecord(fact, value, Source.LOG, f"peer_log {pattern_id}")
        for fact, (value, pattern_id) in kept.items()
    ]


def facts_file_records(session: Session, file: str, say: Say) -> list[FactRecord]:
    """Read a ``--facts`` YAML or JSON mapping of id to value."""
    path = Path(file)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"--facts {file}: cannot read: {error}") from error
    import yaml  # here, not at the top: only --facts needs it (~17 ms of start-up)

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise InputError(f"--facts {file}: not YAML or JSON: {error}".splitlines()[0]) from error
    if not isinstance(data, dict):
        raise InputError(f"--facts {file}: expected a mapping of fact id to value")
    records = []
    for fact, value in data.items():
        observation = observation_for(session.knowledge, str(fact))
        if isinstance(value, dict):
            raise FactError(f"--facts {file}: {fact!r} must be a scalar or a list, not a mapping")
        coerced = coerce_value(observation, value)
        detail = f"--facts {file}"
        if fact in ("error", "peer_log") and isinstance(coerced, str):  # read, as the flags are
            if coerced.strip():  # empty says nothing, as --fact error= does
                records += (error_records(session, coerced, say, detail=detail) if fact == "error"
                            else peer_log_records(session, coerced, detail, say))
        else:
            records.append(FactRecord(str(fact), coerced, Source.USER, detail))
    return records


def error_records(
    session: Session, text: str, say: Say, source: Source = Source.ERROR,
    detail: str = "--error",
) -> list[FactRecord]:
    """Read error text with the KB's patterns; also keep the text itself as ``error``.

    ``detail`` says where the text came in (a flag, the questionnaire, the demo).
    Each implied fact is a statement of ``source`` whose detail is the pattern
    id; the report's ``error_lines`` says which pattern read the text as what.
    """
    from engine.errortext import reader_for

    text = bounded_text(text, f"{detail}: the error text", say)
    records = [FactRecord("error", text, Source.USER, detail)]
    reading = reader_for(session.knowledge).reading(text)
    for fact, (value, pattern_id) in reading.facts.items():
        records.append(FactRecord(fact, value, source, pattern_id))
    session.error_lines.append({
        "source": source.value, "line": None, "text": reading.excerpt(text, 500),
        "timestamp": None, "pattern": reading.best_pattern, "patterns": reading.pattern_ids,
        "fact_patterns": reading.fact_patterns,
        "facts": {fact: value for fact, (value, _) in reading.facts.items()},
    })
    return records


def load_probe_run(file: str) -> ProbeRun:
    """Read one ``probe --format json`` file; a malformed one is a one-line error."""
    from pydantic import ValidationError

    from engine.probes.base import RESULTS_SCHEMA_VERSION, ProbeRun

    try:
        data: Any = json.loads(Path(file).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"--probe-results {file}: cannot read: {error}") from error
    except json.JSONDecodeError as error:
        raise InputError(f"--probe-results {file}: not JSON: {error}") from error
    if not isinstance(data, dict):
        raise InputError(f"--probe-results {file}: expected the JSON object that "
                         "'conndoctor probe --format json' prints")
    version = data.get("schema_version")
    if version != RESULTS_SCHEMA_VERSION:
        raise InputError(f"--probe-results {file}: schema_version {version!r} is not supported "
                         f"(this conndoctor reads {RESULTS_SCHEMA_VERSION})")
    try:
        run = ProbeRun.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top)"
        raise InputError(f"--probe-results {file}: {where}: {first['msg']}") from error
    return run.from_file(file)


_APPLIED: WeakKeyDictionary[Session, ProbeRun] = WeakKeyDictionary()


def _same_target(one: ProbeRun, other: ProbeRun) -> bool:
    """Same HOST:PORT, or the same port on a shared address (a name seen from two places)."""
    if one.target == other.target:
        return True
    port = one.target.rpartition(":")[2]
    return (port == other.target.rpartition(":")[2]
            and bool(set(one.addresses) & set(other.addresses)))


def _check_declared(session: Session, run: ProbeRun) -> None:
    """Each result names a probe the KB declares and sets only facts that probe measures.

    A hand-edited or foreign results file could otherwise pass a fact off as
    measured (a ``port`` result saying ``error_kind``), or a typo'd probe name
    could slip its facts in under a name no report explains.
    """
    declared = session.knowledge.probes
    for index, result in enumerate(run.probes):
        probe = declared.get(result.name)
        if probe is None:
            raise InputError(f"{run.origin}: probes.{index}.name: {result.name!r} is not a probe "
                             f"(known: {', '.join(sorted(declared))})")
        stray = sorted(set(result.facts) - set(probe.sets))
        if stray:
            raise InputError(f"{run.origin}: probes.{index}: the {result.name} probe does not "
                             f"measure {stray[0]!r} (it sets: {', '.join(probe.sets)})")


def check_target_of_results(session: Session, target_text: str) -> None:
    """``--target`` must be what the ``--probe-results`` files measured, said before any
    probe runs (it used to come after a whole probe run, or never with ``--no-probes``).

    Decided without DNS: another port, or an address the files did not reach, is a
    different target; a name with the same port is checked after the live probes,
    against the addresses they resolved.
    """
    import ipaddress

    from engine.probes.base import Target

    earlier = _APPLIED.get(session)
    if earlier is None:
        return
    target = Target.parse(target_text)
    port = earlier.target.rpartition(":")[2]
    try:
        address = str(ipaddress.ip_address(target.host))
    except ValueError:
        address = None
    if str(target.port) != port or (address is not None and str(target) != earlier.target
                                    and address not in earlier.addresses):
        raise InputError(f"--target {target_text}: {earlier.origin} holds results for "
                         f"{earlier.target}; give that target, or results for this one")


def apply_probe_run(session: Session, run: ProbeRun) -> None:
    """Add a probe run's facts with their vantage point, and its summaries.

    Several runs (one per vantage point) may describe the same target; runs
    about different targets in one diagnosis are a one-line error.
    """
    earlier = _APPLIED.get(session)
    if earlier is not None and not _same_target(earlier, run):
        raise InputError(f"{run.origin}: results for {run.target}, but {earlier.origin} are "
                         f"for {earlier.target} (probe the same HOST:PORT from each vantage point)")
    _check_declared(session, run)
    _APPLIED.setdefault(session, run)
    vantage = run.vantage.label()
    records = []
    for result in run.probes:
        session.add_probe_summary(ProbeSummary(  # a probe that is not ok sets no fact
            name=result.name, status=result.status,
            facts=result.facts if result.status == "ok" else {},
            seconds=result.seconds, reason=result.reason, vantage=vantage,
        ))
        if result.status != "ok":
            continue
        for fact, value in result.facts.items():
            records.append(FactRecord(fact, value, Source.PROBE, f"{result.name} {run.target}",
                                      vantage))
    try:
        session.add_many(records)
    except FactError as error:  # a hand-edited results file: name it
        raise FactError(f"{run.origin}: {error}") from None
