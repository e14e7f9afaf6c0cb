"""The text report on a terminal: the same content as ``render_text``, drawn with rich.

Imported only when stdout is a terminal (rich costs start-up time that pipes
and ``--format json`` should not pay). Colour follows the Environment: off
with NO_COLOR or TERM=dumb, tables stay. Markup is off everywhere: KB text
and user text are printed as they are, never interpreted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cli.environment import Environment
from cli.how import how_lines, percent, ruled_out_by_cause, show, why_not_rows
from cli.readings import not_shown, reading_rows, readings_heading
from engine.report import DiagnosisReport

if TYPE_CHECKING:
    from rich.console import Console

TOP_REMEDIES = 2
MAX_REMEDIES = 3


def make_console(env: Environment, *, stderr: bool = False) -> Console:
    """A rich console on the Environment's stream, coloured only when allowed."""
    from rich.console import Console

    colour = env.colour
    return Console(file=env.stderr if stderr else env.stdout, no_color=not colour,
                   color_system="auto" if colour else None, highlight=False, markup=False,
                   emoji=False, force_terminal=colour or None)


def _line(console: Console, indent: int, text: str, style: str = "",
          note: str | None = None) -> None:
    """One line indented by ``indent`` that wraps under itself, with an optional dim note."""
    from rich.padding import Padding
    from rich.text import Text

    line = Text(text, style=style)
    if note:
        line.append(f"  {note}", style="dim")
    console.print(Padding(line, (0, 0, 0, indent), expand=False))


def confidence_bar(confidence: float, width: int = 10) -> str:
    """A bar of ``width`` cells filled in proportion to the confidence."""
    filled = round(confidence * width)
    return "█" * filled + "·" * (width - filled)


def ranking_table(report: DiagnosisReport, limit: int | None = None) -> object:
    """The ranked causes as a rich table (rank, cause, confidence with a bar)."""
    from rich.table import Table

    table = Table(title=None, show_edge=False, pad_edge=False, box=None, header_style="bold")
    table.add_column("#", justify="right")
    table.add_column("cause")
    table.add_column("confidence", justify="right")
    table.add_column("")
    for rank, diagnosis in enumerate(report.diagnoses[:limit], start=1):
        style = "bold green" if rank == 1 else ""
        table.add_row(str(rank), f"{diagnosis.title} [{diagnosis.cause}]",
                      f"{percent(diagnosis.confidence)}", confidence_bar(diagnosis.confidence),
                      style=style)
    return table


def print_rich(report: DiagnosisReport, env: Environment) -> None:
    """Print the whole report on the Environment's stdout with tables and colour."""
    from rich.table import Table

    console = make_console(env)
    if report.probes:
        several = len({probe.vantage for probe in report.probes}) > 1
        probes = Table(box=None, show_edge=False, pad_edge=False, header_style="bold")
        columns = ["probe", "status", "seconds", "result"] + (["from"] if several else [])
        for column in columns:
            probes.add_column(column, justify="right" if column == "seconds" else "left")
        for probe in report.probes:
            colour = "green" if probe.status == "ok" else "yellow"
            result = ", ".join(f"{k}={show(v)}" for k, v in probe.facts.items())
            cells = [probe.name, probe.status, f"{probe.seconds:.2f}", result or probe.reason or ""]
            probes.add_row(*cells, *([probe.vantage or ""] if several else []), style=colour)
        console.print("Probes", style="bold")
        console.print(probes)
        console.print()
    if not report.diagnoses:
        console.print("No cause has support yet.", style="bold")
    else:
        console.print("Diagnosis", style="bold")
        console.print(ranking_table(report))
    for rank, diagnosis in enumerate(report.diagnoses, start=1):
        console.print()
        console.print(f"{rank}. {diagnosis.title}", style="bold")
        for item in diagnosis.evidence:
            _line(console, 2, f"+ {item.because}", "green", f"({item.rule}, {item.effect:+.2f})")
        for item in diagnosis.against:
            _line(console, 2, f"- {item.because}", "red", f"({item.rule}, {item.effect:+.2f})")
        if rank <= TOP_REMEDIES:
            for remedy in diagnosis.remedies[:MAX_REMEDIES]:
                _line(console, 2, f"fix: {remedy}", "cyan")
    if report.diagnoses:
        top = report.diagnoses[0]
        console.print()
        console.print(f"How: why {top.cause} ranks first", style="bold")
        for line in how_lines(report, top):
            _line(console, 2 + 2 * line.depth, line.text, "dim" if line.depth else "")
    if report.error_lines:
        console.print()
        console.print(readings_heading(report), style="bold")
        for row in reading_rows(report):
            _line(console, 2, f"{row.where}: {row.text}")
            _line(console, 6, f"-> {row.read_as}", "", f"({row.pattern})" if row.pattern else "")
        more = not_shown(report)
        if more:
            _line(console, 2, more, "dim")
    if report.ruled_out:
        console.print()
        console.print("Ruled out", style="bold")
        for cause, reasons in ruled_out_by_cause(report):
            _line(console, 2, f"{cause}: {' '.join(reasons)}", "dim")
    _print_tail(report, console)


def _print_tail(report: DiagnosisReport, console: Console) -> None:
    if report.conflicts:
        console.print()
        console.print("Conflicting facts", style="bold yellow")
        for conflict in report.conflicts:
            console.print(f"  {conflict.fact}: using {show(conflict.used)} "
                          f"({conflict.used_source}) over {show(conflict.other)} "
                          f"({conflict.other_source})")
    if report.why_not is not None:
        why = report.why_not
        placing = f"rank {why.rank}" if why.rank else "not ranked"
        console.print()
        console.print(f"Why not {why.cause}? ({percent(why.confidence)}, {placing})", style="bold")
        for row in why_not_rows(why):
            _line(console, 2, row)
    if report.next_questions and not report.done:
        console.print()
        console.print("Would help next", style="bold")
        for question in report.next_questions[:3]:
            _line(console, 2, question.question, "",
                  f"({question.fact}, {question.gain_bits:.2f} bits)")
