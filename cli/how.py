""""How did you conclude this?": the chain from statements to a cause, as indented lines.

For one diagnosis, each supporting rule is a root; under it, the facts it
matched: a derived fact opens the derivation rule that concluded it (and its
facts, recursively), a base fact shows who said it (``user: --fact``,
``error: econnreset``, ``probe: port 127.0.0.1:80``). All renderers (plain
text, rich, Markdown, the questionnaire) draw the same lines, so the
explanation cannot differ between formats.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine.report import Diagnosis, DiagnosisReport, WhyNot

MAX_DEPTH = 6


@dataclass(frozen=True)
class HowLine:
    """One line of the chain: its depth (0 = a rule on the cause) and its text."""

    depth: int
    text: str


def show(value: object) -> str:
    """A fact value as the command line writes it: true/false, plain numbers, a,b lists."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(str(item) for item in value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def percent(confidence: float) -> str:
    """A confidence as a whole percentage; a cause with some support but under half a
    percent reads "<1%", not "0%", which would say it was ruled out."""
    return "<1%" if 0 < confidence < 0.005 else f"{confidence:.0%}"


def how_lines(report: DiagnosisReport, diagnosis: Diagnosis) -> list[HowLine]:
    """The rules that support ``diagnosis`` and, under each, where its facts came from."""
    derived = {item.fact: item for item in report.derived}
    said = {}
    for source in report.fact_sources:
        if source.used and source.source != "derived":
            said[source.fact] = source
    lines: list[HowLine] = []
    explained: set[str] = set()

    def facts_under(facts: dict[str, Any], depth: int, seen: frozenset[str]) -> None:
        for fact, value in facts.items():
            step = derived.get(fact)
            if step is not None and fact in explained:
                lines.append(HowLine(depth, f"{fact}={show(value)} (see above)"))
                continue
            if step is not None and fact not in seen and depth < MAX_DEPTH:
                explained.add(fact)
                lines.append(HowLine(depth, f"{fact}={show(value)} <- rule {step.rule}: "
                                            f"{step.because}"))
                facts_under(step.facts, depth + 1, seen | {fact})
                continue
            origin = said.get(fact)
            where = ""
            if origin is not None:
                where = f" ({origin.source}: {origin.detail})" if origin.detail else \
                    f" ({origin.source})"
            lines.append(HowLine(depth, f"{fact}={show(value)}{where}"))

    for item in diagnosis.evidence:
        lines.append(HowLine(0, f"rule {item.rule} ({item.effect:+.2f}): {item.because}"))
        facts_under(item.facts, 1, frozenset())
    return lines


def ruled_out_by_cause(report: DiagnosisReport) -> list[tuple[str, list[str]]]:
    """Each excluded cause once, with every reason that excluded it, in report order."""
    grouped: dict[str, list[str]] = {}
    for item in report.ruled_out:
        reasons = grouped.setdefault(item.cause, [])
        if item.because not in reasons:
            reasons.append(item.because)
    return list(grouped.items())


def why_not_rows(why: WhyNot) -> list[str]:
    """One line per rule of a ``--why-not`` cause: status, rule, and what it failed on or awaits."""
    rows = []
    for status in why.rules:
        if status.failed_on:
            detail = "failed on " + ", ".join(
                f"{k} (can no longer be derived)" if v is None else f"{k}={show(v)}"
                for k, v in status.failed_on.items())
        elif status.waiting_for:
            detail = "waits for " + ", ".join(status.waiting_for)
        else:
            detail = status.because
        rows.append(f"{status.status:<8} {status.rule}: {detail}")
    return rows
