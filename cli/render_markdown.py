"""The report as Markdown, for tickets and chat."""

from __future__ import annotations

from engine.report import DiagnosisReport


def render_markdown(report: DiagnosisReport) -> str:
    """Markdown with a ranked table, evidence and remedies per cause."""
    lines = ["# conndoctor diagnosis", ""]
    if report.diagnoses:
        lines += ["| rank | cause | confidence |", "| --- | --- | --- |"]
        for rank, diagnosis in enumerate(report.diagnoses, start=1):
            lines.append(f"| {rank} | {diagnosis.title} (`{diagnosis.cause}`) | "
                         f"{diagnosis.confidence:.0%} |")
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
    if report.ruled_out:
        lines += ["## Ruled out", ""]
        lines += [f"- `{item.cause}`: {item.because}" for item in report.ruled_out]
        lines.append("")
    if report.facts:
        lines += ["## Facts", "", "| fact | value |", "| --- | --- |"]
        lines += [f"| `{fact}` | {value} |" for fact, value in report.facts.items()
                  if fact != "error"]
        lines.append("")
    return "\n".join(lines)
