"""The plain-text report: ranked causes, evidence for and against, remedies, how, next steps.

This is what pipes, files and golden tests see, so it is plain ASCII layout
(no tables drawn with box characters) and stable: the same report always
gives the same bytes. On a terminal ``cli.render_rich`` draws the same
content with tables and colour.
"""

from __future__ import annotations

from cli.how import how_lines, percent, ruled_out_by_cause, show, why_not_rows
from cli.readings import not_shown, reading_rows, readings_heading
from engine.report import DiagnosisReport

TOP_REMEDIES = 2
MAX_REMEDIES = 3
BOLD, DIM, RESET = "\033[1m", "\033[2m", "\033[0m"


def render_text(report: DiagnosisReport, *, colour: bool = False) -> str:
    """A plain-text report; ANSI bold and dim only when ``colour``."""

    def bold(text: str) -> str:
        return f"{BOLD}{text}{RESET}" if colour else text

    def dim(text: str) -> str:
        return f"{DIM}{text}{RESET}" if colour else text

    lines: list[str] = []
    if report.probes:
        lines.append(bold("Probes"))
        several = len({probe.vantage for probe in report.probes}) > 1
        for probe in report.probes:
            facts = ", ".join(f"{k}={show(v)}" for k, v in probe.facts.items())
            detail = facts or (probe.reason or "")
            if several:
                detail += dim(f"  [from {probe.vantage}]")
            lines.append(f"  {probe.name:<13} {probe.status:<8} {probe.seconds:6.2f}s  "
                         f"{detail}".rstrip())
        lines.append("")
    if not report.diagnoses:
        lines.append(bold("No cause has support yet."))
    else:
        lines.append(bold("Diagnosis"))
    for rank, diagnosis in enumerate(report.diagnoses, start=1):
        lines.append(f"  {rank}. {bold(diagnosis.title)}  [{diagnosis.cause}]  "
                     f"{percent(diagnosis.confidence)}")
        for item in diagnosis.evidence:
            lines.append(f"       + {item.because} {dim(f'({item.rule}, {item.effect:+.2f})')}")
        for item in diagnosis.against:
            lines.append(f"       - {item.because} {dim(f'({item.rule}, {item.effect:+.2f})')}")
        if rank <= TOP_REMEDIES:
            for remedy in diagnosis.remedies[:MAX_REMEDIES]:
                lines.append(f"       fix: {remedy}")
    if report.diagnoses:
        top = report.diagnoses[0]
        lines += ["", bold(f"How: why {top.cause} ranks first")]
        lines += [f"  {'  ' * line.depth}{line.text}" for line in how_lines(report, top)]
    if report.error_lines:
        lines += ["", bold(readings_heading(report))]
        for row in reading_rows(report):
            pattern = dim(f" ({row.pattern})") if row.pattern else ""
            lines += [f"  {row.where}: {row.text}", f"      -> {row.read_as}{pattern}"]
        more = not_shown(report)
        if more:
            lines.append(f"  {more}")
    if report.ruled_out:
        lines.append("")
        lines.append(bold("Ruled out"))
        for cause, reasons in ruled_out_by_cause(report):
            lines.append(f"  {cause}: {' '.join(reasons)}")
    if report.conflicts:
        lines.append("")
        lines.append(bold("Conflicting facts"))
        for conflict in report.conflicts:
            lines.append(f"  {conflict.fact}: using {show(conflict.used)} "
                         f"({conflict.used_source}) over {show(conflict.other)} "
                         f"({conflict.other_source})")
    if report.why_not is not None:
        lines.append("")
        why = report.why_not
        placing = f"rank {why.rank}" if why.rank else "not ranked"
        lines.append(bold(f"Why not {why.cause}? ({percent(why.confidence)}, {placing})"))
        lines += [f"  {row}" for row in why_not_rows(why)]
    if report.next_questions and not report.done:
        lines.append("")
        lines.append(bold("Would help next"))
        for question in report.next_questions[:3]:
            hint = (f"--fact {question.fact}=..." if question.kind == "question"
                    else f"--target HOST:PORT --only {question.probe}")
            lines.append(f"  {question.question} "
                         f"{dim(f'({hint}, {question.gain_bits:.2f} bits)')}")
    lines.append("")
    return "\n".join(lines)
