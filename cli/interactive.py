"""The guided questionnaire on a terminal (the only module that imports questionary).

``diagnose`` on a terminal lands here: it asks what the user saw (read by the
error reader) and, optionally, the target (probed with the live progress
display), then asks one question at a time from the engine's
``next_questions``, showing the current top causes as it goes. Every question
offers "I don't know", "why", "back" and "done" (pick them, or type to filter:
``why`` + Enter). Ctrl-C anywhere propagates as KeyboardInterrupt to the error
boundary in ``cli.main`` (exit 130, no traceback): prompts use ``unsafe_ask``.

questionary and prompt_toolkit are imported inside functions, so importing
this module stays cheap and ``--help`` / ``--no-input`` never load them.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cli.environment import Environment
from cli.exitcodes import Exit
from cli.how import percent
from cli.questionnaire import Ask, Command, Questionnaire
from engine.errors import ConndoctorError
from engine.facts import Source
from engine.report import DiagnosisReport
from engine.schema import FactType
from engine.session import Session

COMMANDS = [
    (Command.DONT_KNOW, "I don't know"),
    (Command.WHY, "why is this asked?"),
    (Command.BACK, "back: undo the last answer"),
    (Command.DONE, "done: show the diagnosis now"),
]
TYPED = {"?": Command.DONT_KNOW, "i don't know": Command.DONT_KNOW, "dont know": Command.DONT_KNOW,
         "why": Command.WHY, "back": Command.BACK, "done": Command.DONE}
RANKING_SHOWN = 3


class QuestionaryPrompter:
    """Prompts with questionary; the running ranking on stderr with rich."""

    def __init__(self, env: Environment) -> None:
        from cli.render_rich import make_console

        self.env = env
        self.console = make_console(env, stderr=True)
        self.extra: dict[str, Any] = {}
        if not env.stdout_isatty:  # results piped to a file: prompts go to stderr
            from prompt_toolkit.output import create_output

            self.extra["output"] = create_output(stdout=env.stderr)

    def say(self, text: str) -> None:
        """A line of explanation, kept apart from the results on stdout."""
        self.console.print(text, style="cyan")

    def show_ranking(self, report: DiagnosisReport) -> None:
        """The top causes so far, on one line (dim, on stderr)."""
        if not report.diagnoses:
            self.console.print("No cause has support yet.", style="dim")
            return
        parts = [f"{d.title} {percent(d.confidence)}" for d in report.diagnoses[:RANKING_SHOWN]]
        self.console.print("Now: " + " · ".join(parts), style="dim")

    def text(self, message: str, instruction: str, validate: Any = None) -> str:
        """A free-text prompt (Enter alone gives '')."""
        import questionary

        answer = questionary.text(message, instruction=instruction, validate=validate,
                                  **self.extra).unsafe_ask()
        return str(answer or "").strip()

    def ask(self, question: Ask) -> Any:
        """Ask one question; return the typed value or a Command."""
        if question.type is FactType.LIST:
            return self._checkbox(question)
        if question.type is FactType.NUMBER:
            return self._number(question)
        return self._select(question)

    def _select(self, question: Ask) -> Any:
        import questionary

        choices: list[Any] = [questionary.Choice(label, value=value, shortcut_key=False)
                              for value, label in question.choices]
        choices.append(questionary.Separator())
        choices += [questionary.Choice(label, value=command, shortcut_key=False)
                    for command, label in COMMANDS]
        prompt = questionary.select(question.text, choices=choices, use_search_filter=True,
                                    use_jk_keys=False, instruction="(arrows, or type to filter)",
                                    **self.extra)
        enter_picks_only_a_match(prompt)
        return prompt.unsafe_ask()

    def _checkbox(self, question: Ask) -> Any:
        import questionary

        choices: list[Any] = [questionary.Choice(label, value=value)
                              for value, label in question.choices]
        choices.append(questionary.Separator())
        choices += [questionary.Choice(label, value=command) for command, label in COMMANDS]

        def valid(picked: list[Any]) -> bool | str:
            commands = [item for item in picked if isinstance(item, Command)]
            if len(commands) > 1 or (commands and len(picked) > 1):
                return "tick values, or one of: I don't know, why, back, done"
            return bool(picked) or "tick at least one (space), or 'I don't know'"

        picked = questionary.checkbox(question.text, choices=choices, validate=valid,
                                      instruction="(space to tick, enter to confirm)",
                                      **self.extra).unsafe_ask()
        if len(picked) == 1 and isinstance(picked[0], Command):
            return picked[0]
        return [str(item) for item in picked]

    def _number(self, question: Ask) -> Any:
        unit = f" in {question.unit}" if question.unit else ""

        def valid(text: str) -> bool | str:
            word = text.strip().lower()
            if word in TYPED:
                return True
            try:
                number = float(word)
            except ValueError:
                number = math.nan
            if not math.isfinite(number):  # float() takes 'nan', 'inf' and '1e400'
                return f"a number{unit}, or: ? (I don't know), why, back, done"
            if question.minimum is not None and number < question.minimum:
                return f"at least {question.minimum:g}"
            if question.maximum is not None and number > question.maximum:
                return f"at most {question.maximum:g}"
            return True

        reply = self.text(question.text, f"(a number{unit}; or ?, why, back, done)", valid)
        word = reply.lower()
        if word in TYPED:
            return TYPED[word]
        number = float(word)
        return int(number) if number.is_integer() and "." not in word else number

    def offer_save(self, report: DiagnosisReport) -> None:
        """Offer to save the report as Markdown or JSON (atomically)."""
        import questionary

        from cli.formats import Format
        from cli.output import render, write_atomically

        fmt = questionary.select("Save this report?", choices=[
            questionary.Choice("no", value="no"),
            questionary.Choice("as Markdown", value=Format.MARKDOWN),
            questionary.Choice("as JSON", value=Format.JSON),
        ], **self.extra).unsafe_ask()
        if fmt not in (Format.MARKDOWN, Format.JSON):
            return
        default = "conndoctor-report.md" if fmt is Format.MARKDOWN else "conndoctor-report.json"
        name = self.text("File name:", f"(Enter for {default})") or default
        try:
            write_atomically(Path(name), render(report, fmt), flag="save")
        except ConndoctorError as error:
            self.env.error(str(error))
            return
        self.say(f"Saved to {name}")


def enter_picks_only_a_match(prompt: Any) -> None:
    """Make Enter in a filtered select pick a shown option, or nothing.

    questionary (2.1) shows every choice again when the filter matches none,
    with the pointer on the first, and Enter then silently picked it (``zzzq``
    + Enter answered "while connecting"); a filter matching only the
    separator returned the separator's line as the answer. Here such an Enter
    keeps the prompt and says why beside the filter (a bottom toolbar would
    not show until the terminal reports the cursor position); the next filter
    key clears the note.
    """
    import string

    from prompt_toolkit.formatted_text import StyleAndTextTuples
    from prompt_toolkit.keys import Keys
    from prompt_toolkit.layout.controls import FormattedTextControl
    from questionary.prompts.common import InquirerControl

    app = prompt.application
    controls = list(app.layout.find_all_controls())
    menu = next(c for c in controls if isinstance(c, InquirerControl))
    search_line = next(c for c in controls if isinstance(c, FormattedTextControl)
                       and c.text == menu.get_search_string_tokens)
    filter_tokens: Callable[[], StyleAndTextTuples | None] = menu.get_search_string_tokens
    note = [""]

    def search_tokens() -> StyleAndTextTuples | None:
        tokens = filter_tokens()
        if tokens is not None and note[0]:
            tokens = [*tokens, ("class:search_none", f"  {note[0]}")]
        return tokens

    def choose(event: Any) -> None:
        options = [c for c in menu.filtered_choices if not c.disabled]  # sets found_in_search
        picked = menu.get_pointed_at()
        if menu.search_filter and not (menu.found_in_search and options):
            note[0] = f"no option matches {menu.search_filter!r}: Backspace to change the filter"
        elif picked.disabled:
            note[0] = "that line is not an option: move to one with the arrows"
        else:
            menu.is_answered = True
            event.app.exit(result=picked.value)

    def filter_key(event: Any) -> None:
        note[0] = ""
        menu.add_search_character(event.key_sequence[0].key)

    search_line.text = search_tokens
    # among eager bindings for one key the last added wins: these replace questionary's
    for character in string.printable:
        app.key_bindings.add(character, eager=True)(filter_key)
    app.key_bindings.add(Keys.Backspace, eager=True)(filter_key)
    app.key_bindings.add(Keys.ControlM, eager=True)(choose)


def registered_probes() -> frozenset[str]:
    """The probe names this build can run (the KB may declare more)."""
    from engine.probes.registry import REGISTRY

    return frozenset(REGISTRY.specs)


def run_questionnaire(args: argparse.Namespace, env: Environment) -> int:
    """Ask what the user saw, probe the target if given, then ask until the diagnosis is clear.

    Ctrl-D (end of input) at a prompt ends the session like Ctrl-C: exit 130.
    """
    try:
        return _questionnaire(args, env)
    except EOFError as error:
        raise KeyboardInterrupt from error


def _log_file(seen: str) -> Path | None:
    """The file a one-line answer names, when it is one (``/var/log/nginx/error.log``,
    ``~/app.log.1.gz``); an error message is never a readable file's name."""
    text = seen.strip().strip("'\"")
    if not text or "\n" in text or len(text) > 4096:
        return None
    path = Path(text).expanduser()
    try:
        return path if path.is_file() else None
    except OSError:  # a name too long or otherwise impossible: it was an error message
        return None


def _read_log(session: Session, prompter: QuestionaryPrompter, env: Environment,
              log: Path) -> None:
    """Read the named log as ``--log`` does; say what it gave, or why it could not."""
    from cli.logs import log_records

    try:
        records = log_records(session, str(log), env)
    except ConndoctorError as error:
        prompter.say(f"{error} The questions will tell.")
        return
    session.add_many(records)
    read = ", ".join(f"{r.fact}={r.value}" for r in records)
    prompter.say(f"Read from the log {log}: {read}" if read else
                 f"No connection error in {log}; the questions will tell.")


def _questionnaire(args: argparse.Namespace, env: Environment) -> int:
    from cli.diagnose_cmd import build_session, probe_target
    from cli.inputs import apply_probe_run, error_records
    from cli.output import write_report
    from cli.session_file import probe_and_save, resumed_probes, save_session, undo_history
    from engine.probes.base import Target

    if args.target:  # a bad --target is an error before any question, not after
        Target.parse(args.target)
    session = build_session(args, env, probe=False)
    prompter = QuestionaryPrompter(env)

    def save(_session: Session | None = None) -> None:
        """With --save, write what was said so far (after each step, before the probes)."""
        if args.save:
            save_session(session, args.save, args.target)

    read_text = {Source.ERROR, Source.LOG}
    if not any(r.fact == "error" or r.source in read_text for r in session.store.records):
        seen = prompter.text("What did you see? Paste the error message or log line, "
                             "or give a log file's path:", "(Enter to skip)")
        if seen and (log := _log_file(seen)) is not None:
            _read_log(session, prompter, env, log)
        elif seen:
            records = error_records(session, seen, env.message,
                                    detail="pasted in the questionnaire")
            session.add_many(records)
            read = ", ".join(f"{r.fact}={r.value}" for r in records if r.fact != "error")
            prompter.say(f"Read from it: {read}" if read else
                         "No known error pattern in it; the questions will tell.")
        save()
    if args.target is None and not session.probes and not args.no_probes and not args.resume:

        def valid_target(text: str) -> bool | str:
            try:
                return not text.strip() or bool(Target.parse(text.strip()))
            except ConndoctorError as error:
                return str(error)

        args.target = prompter.text("Host and port to probe (optional):",
                                    "(HOST:PORT or a URL, Enter to skip)", valid_target) or None
    # probes given by --probe-results are not run again; a resumed session runs its missing ones
    if args.target and not args.no_probes and (not session.probes or resumed_probes(session)):
        probe_and_save(session, args, env, save)
    save()

    def run_probe(name: str) -> None:
        apply_probe_run(session, probe_target(argparse.Namespace(
            **{**vars(args), "only": [name], "with_": None}), env))

    probing = bool(args.target) and not args.no_probes
    session.can_probe = probing
    Questionnaire(session, prompter, on_change=save, run_probe=run_probe if probing else None,
                  probe_names=registered_probes() if probing else frozenset(),
                  history=undo_history(session)).run()
    report = session.report(why_not_cause=args.why_not)
    if env.stdout_isatty:
        env.stdout.write("\n")
    write_report(report, args.format, env, args.output)
    if args.output is None:
        prompter.offer_save(report)
    return Exit.DIAGNOSED
