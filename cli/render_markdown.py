"""The report as Markdown, for tickets and chat (what the questionnaire offers to save)."""

from __future__ import annotations

from cli.how import how_lines, percent, ruled_out_by_cause, show, why_not_rows
from cli.readings import not_shown, reading_rows, readings_heading
from engine.report import DiagnosisReport


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(report: DiagnosisReport) -> str:
    """Markdown with a ranked table, evidence, remedies, the how chain and the facts."""
    lines = ["# conndoctor diagnosis", ""]
    if report.diagnoses:
        lines += ["| rank | cause | confidence |", "| --- | --- | --- |"]
        for rank, diagnosis in enumerate(report.diagnoses, start=1):
            lines.append(f"| {rank} | {_cell(diagnosis.title)} (`{diagnosis.cause}`) | "
                         f"{percent(diagnosis.confidence)} |")
        lines.append("")
    else:
        lines += ["No cause has support yet.", ""]
    for diagnosis in report.diagnoses:
        lines += [f"## {diagnosis.title}", "", diagnosis.summary, "", "Evidence:", ""]
        lines += [f"- {item.because} (`{item.rule}`, {item.effect:+.2f})"
                  for item in diagnosis.evidence]
        lines += [f"- against: {item.because} (`{item.rule}`, {item.effect:+.2f})"
                  for item in diagnosis.against]
        if diagnosis.remedies:
            lines += ["", "Remedies:", ""]
            lines += [f"{index}. {remedy}" for index, remedy in
                      enumerate(diagnosis.remedies, start=1)]
        lines.append("")
    if report.diagnoses:
        top = report.diagnoses[0]
        lines += [f"## How: why `{top.cause}` ranks first", ""]
        lines += [f"{'  ' * line.depth}- {line.text}" for line in how_lines(report, top)]
        lines.append("")
    if report.error_lines:
        lines += [f"## {readings_heading(report)}", "", "| where | text | read as | pattern |",
                  "| --- | --- | --- | --- |"]
        lines += [f"| {row.where} | {_cell(row.text)} | {_cell(row.read_as)} | "
                  f"{f'`{row.pattern}`' if row.pattern else ''} |" for row in reading_rows(report)]
        more = not_shown(report)
        lines += ["", more, ""] if more else [""]
    if report.ruled_out:
        lines += ["## Ruled out", ""]
        lines += [f"- `{cause}`: {' '.join(reasons)}"
                  for cause, reasons in ruled_out_by_cause(report)]
        lines.append("")
    if report.probes:
        lines += ["## Probes", "", "| probe | status | seconds | result |",
                  "| --- | --- | --- | --- |"]
        for probe in report.probes:
            result = ", ".join(f"{k}={show(v)}" for k, v in probe.facts.items())
            lines.append(f"| {probe.name} | {probe.status} | {probe.seconds:.2f} | "
                         f"{_cell(result or probe.reason or '')} |")
        lines.append("")
    if report.facts:
        lines += ["## Facts", "", "| fact | value |", "| --- | --- |"]
        lines += [f"| `{fact}` | {_cell(show(value))} |" for fact, value in report.facts.items()
                  if fact != "error"]
        lines.append("")
    if report.conflicts:
        lines += ["## Conflicting facts", ""]
        lines += [f"- `{c.fact}`: using {_cell(show(c.used))} ({c.used_source}) over "
                  f"{_cell(show(c.other))} ({c.other_source})" for c in report.conflicts]
        lines.append("")
    if report.why_not is not None:
        why = report.why_not
        placing = f"rank {why.rank}" if why.rank else "not ranked"
        lines += [f"## Why not `{why.cause}`? ({percent(why.confidence)}, {placing})", ""]
        lines += [f"- {_cell(row)}" for row in why_not_rows(why)]
        lines.append("")
    if report.next_questions and not report.done:
        lines += ["## Would help next", ""]
        lines += [f"- {question.question} (`{question.fact}`)"
                  for question in report.next_questions[:3]]
        lines.append("")
    return "\n".join(lines)
