"""The guided questionnaire driven through a real pseudo-terminal (pexpect + questionary).

These tests type keys into ``python -m cli diagnose`` as a person would. They
do not assume which question the KB asks first: each answer looks at the kind
of prompt on screen (select, number, checkbox) and answers it, and the
assertions read what the user sees and the saved session file.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sys
from pathlib import Path

import pexpect
import pytest

from engine.faults import FaultServer, sink
from tests.conftest import REPO, diagnose_report

SELECT, NUMBER, CHECKBOX = "type to filter", "(a number", "space to tick"
PROMPT = re.compile(r"type to filter|\(a number|space to tick")
# printed once before every question: syncs the test with the program, as prompts redraw
RANKING = re.compile(r"Now: |No cause has support yet\.")
UP, ENTER, CTRL_C = "\x1b[A", "\r", "\x03"
# the live probe table: a probe that finished, the idle probe holding its connections
PORT_DONE, IDLE_RUNNING = re.compile(r"port\s+ok"), re.compile(r"idle\s+running")
DEFAULT_PROBES = ["port", "reachability", "idle", "tls", "protocol", "burst"]
# in a checkbox the commands are the last four choices; the pointer wraps upwards
CHECKBOX_UPS = {"I don't know": 4, "why": 3, "back": 2, "done": 1}
NUMBER_WORDS = {"I don't know": "?", "why": "why", "back": "back", "done": "done"}
SELECT_WORDS = {"I don't know": "know", "why": "why is", "back": "back:", "done": "done:"}


def default_sigint() -> None:
    """In the child: Ctrl-C interrupts, as in a user's terminal. A test run started in the
    background of a non-interactive shell (``make test &``) inherits SIGINT ignored, and a
    program that finds it ignored rightly leaves it so: the Ctrl-C tests would then wait."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def spawn(*args: str, cwd: Path) -> pexpect.spawn:
    """``python -m cli`` in a pseudo-terminal, no colour, no cursor-position queries."""
    env = dict(os.environ, PROMPT_TOOLKIT_NO_CPR="1", TERM="xterm", NO_COLOR="1",
               PYTHONPATH=str(REPO))
    return pexpect.spawn(sys.executable, ["-m", "cli", *args], cwd=str(cwd), env=env,
                         encoding="utf-8", dimensions=(50, 160), timeout=20,
                         preexec_fn=default_sigint)


def wait_prompt(child: pexpect.spawn) -> str:
    """Wait for the next question; return its kind (select, number, checkbox)."""
    child.expect(RANKING)
    child.expect(PROMPT)
    return str(child.after)


def answer(child: pexpect.spawn) -> None:
    """Answer the question on screen with its first value (or 5 for a number)."""
    kind = wait_prompt(child)
    if kind == SELECT:
        child.send(ENTER)
    elif kind == NUMBER:
        child.send("5" + ENTER)
    else:
        child.send(" " + ENTER)


def command(child: pexpect.spawn, word: str, kind: str | None = None) -> None:
    """Say I don't know / why / back / done to the question on screen."""
    kind = kind or wait_prompt(child)
    if kind == SELECT:
        child.send(SELECT_WORDS[word])
        child.expect(re.escape(SELECT_WORDS[word]))
        child.send(ENTER)
    elif kind == NUMBER:
        child.send(NUMBER_WORDS[word] + ENTER)
    else:
        child.send(UP * CHECKBOX_UPS[word] + " " + ENTER)


def start(child: pexpect.spawn, error: str = "read: connection reset by peer") -> str:
    """Answer the two opening questions (what was seen, no target); return what was shown."""
    child.expect("What did you see")
    child.sendline(error)
    child.expect("Host and port to probe")
    shown = str(child.before)
    child.send(ENTER)
    return shown


def finish(child: pexpect.spawn) -> int:
    """Wait for the end of the program; return its exit status."""
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus is not None
    return int(child.exitstatus)


def answers_in(session_file: Path) -> list[str]:
    """The facts answered in a saved session, in order."""
    data = json.loads(session_file.read_text())
    return [s["fact"] for s in data["statements"] if s["source"] == "answer"]


def test_answer_why_back_dont_know_done_then_save_report(tmp_path: Path) -> None:
    """A full session: why, an answer, back, I don't know, more answers, done, report saved."""
    session = tmp_path / "session.json"
    child = spawn("diagnose", "--save", str(session), cwd=tmp_path)
    assert "Read from it: error_kind=reset" in start(child)
    command(child, "why")
    child.expect("Why: ")
    child.expect("It separates: ")
    answer(child)
    kind = wait_prompt(child)  # the second question is on screen: undo the first answer
    (first,) = answers_in(session)
    command(child, "back", kind)
    child.expect(f"Undone: your answer about {first}")
    command(child, "I don't know")  # the first question, asked again
    answered = 0
    while child.expect([RANKING, "Save this report"]) == 0 and answered < 2:
        child.expect(PROMPT)
        child.send(ENTER if child.after == SELECT else ("5" + ENTER if child.after == NUMBER
                                                        else " " + ENTER))
        answered += 1
    if child.after != "Save this report":  # still asking: say done
        child.expect(PROMPT)
        command(child, "done", str(child.after))
        child.expect("Save this report")
    child.send(UP + ENTER)  # from "no", up wraps round to the last choice, "as JSON"
    child.expect("File name")
    child.sendline(str(tmp_path / "report.json"))
    child.expect("Saved to")
    assert finish(child) == 0
    saved = json.loads((tmp_path / "report.json").read_text())
    data = json.loads(session.read_text())
    assert saved["schema_version"] == 1
    assert first in data["dont_know"] and first not in answers_in(session)
    assert len(answers_in(session)) == answered == saved["questions_asked"]
    assert saved["facts"]["error_kind"] == "reset"
    assert first not in saved["facts"]


def test_ctrl_c_exits_130_without_traceback(tmp_path: Path) -> None:
    """Ctrl-C at a question ends the program with 130 and one line, no traceback."""
    child = spawn("diagnose", cwd=tmp_path)
    start(child)
    answer(child)
    wait_prompt(child)
    child.send(CTRL_C)
    child.expect("interrupted")
    output = child.before or ""
    assert finish(child) == 130
    assert "Traceback" not in output and "Traceback" not in (child.before or "")


def test_ctrl_c_at_the_first_prompt_exits_130(tmp_path: Path) -> None:
    """Ctrl-C before anything was answered also exits 130."""
    child = spawn("diagnose", cwd=tmp_path)
    child.expect("What did you see")
    child.send(CTRL_C)
    child.expect("interrupted")
    assert finish(child) == 130


def test_ctrl_d_at_a_text_prompt_exits_130(tmp_path: Path) -> None:
    """Ctrl-D (end of input) at a text prompt ends like Ctrl-C: 130, no 'internal error'."""
    child = spawn("diagnose", cwd=tmp_path)
    child.expect("What did you see")
    child.send("\x04")
    child.expect("interrupted")
    assert "internal error" not in str(child.before)
    assert finish(child) == 130


def test_target_typed_in_is_probed(tmp_path: Path) -> None:
    """A HOST:PORT typed at the prompt is checked, probed, and its facts reach the report."""
    from engine.faults import unused_port

    child = spawn("diagnose", "--only", "port", "--output", str(tmp_path / "r.json"),
                  "--format", "json", cwd=tmp_path)
    child.expect("What did you see")
    child.sendline("connect: connection refused")
    child.expect("Host and port to probe")
    child.send(f"no-port{ENTER}")  # refused by the validator: the prompt stays
    child.send("\b" * 7 + f"127.0.0.1:{unused_port()}{ENTER}")
    if child.expect([RANKING, pexpect.EOF]) == 0:  # the engine may be done at once
        child.expect(PROMPT)
        command(child, "done", str(child.after))
    assert finish(child) == 0
    report = json.loads((tmp_path / "r.json").read_text())
    assert [p["name"] for p in report["probes"]] == ["port"]
    assert report["facts"]["port_state"] == "closed"


def test_a_log_files_path_at_the_first_prompt_is_read_as_the_log(tmp_path: Path) -> None:
    """Most people have a log, not a line: its path (here a rotated .gz) is read as --log
    reads it, and the facts come from the log, not from the path taken as an error text."""
    import gzip

    log = tmp_path / "app.log.1.gz"
    log.write_bytes(gzip.compress(b"".join(
        b"2026-11-21T10:00:0%dZ read tcp 10.0.0.1:5555->10.0.0.2:80: "
        b"read: connection reset by peer\n" % i for i in range(3))))
    child = spawn("diagnose", "--output", str(tmp_path / "r.json"), "--format", "json",
                  cwd=tmp_path)
    child.expect("What did you see")
    child.sendline(f"'{log}'")  # as a file manager's drag and drop pastes it, quoted
    child.expect("Host and port to probe")
    assert f"Read from the log {log}: error_kind=reset" in str(child.before)
    child.send(ENTER)
    command(child, "done")
    assert finish(child) == 0
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["facts"]["error_kind"] == "reset" and report["facts"]["error_count"] == 3
    assert {s["source"] for s in report["fact_sources"] if s["fact"] == "error_kind"} == {"log"}


def test_resume_replays_answers_and_skips_the_opening(tmp_path: Path) -> None:
    """--resume restores the saved answers: the opening questions are not asked again."""
    session = tmp_path / "session.json"
    child = spawn("diagnose", "--save", str(session), cwd=tmp_path)
    start(child)
    answer(child)
    wait_prompt(child)
    child.send(CTRL_C)
    assert finish(child) == 130
    answered = answers_in(session)
    assert len(answered) == 1
    resumed = spawn("diagnose", "--resume", str(session), "--save", str(session), cwd=tmp_path)
    kind = wait_prompt(resumed)
    assert "What did you see" not in (resumed.before or "")
    command(resumed, "done", kind)
    resumed.expect("Save this report")
    resumed.send(ENTER)
    assert finish(resumed) == 0
    assert answers_in(session) == answered


@pytest.mark.parametrize("flag", ["--no-input"])
def test_no_input_on_a_terminal_never_prompts(tmp_path: Path, flag: str) -> None:
    """Even on a terminal, --no-input prints the report without asking anything."""
    child = spawn("diagnose", flag, "--error", "connection refused", cwd=tmp_path)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert "What did you see" not in (child.before or "")


PROMPTS_SCRIPT = """
from cli.environment import Environment
from cli.interactive import QuestionaryPrompter
from cli.questionnaire import Ask
from engine.schema import FactType
prompter = QuestionaryPrompter(Environment())
path = Ask("path", "What sits between?", "why", FactType.LIST,
           [("load_balancer", "load balancer"), ("nat", "NAT")])
idle = Ask("idle_seconds", "How long idle?", "why", FactType.NUMBER, unit="seconds", minimum=0)
print("RESULT", repr(prompter.ask(path)))
print("RESULT", repr(prompter.ask(path)))
print("RESULT", repr(prompter.ask(idle)))
print("RESULT", repr(prompter.ask(idle)))
"""


def test_checkbox_and_number_prompts_take_values_and_commands(tmp_path: Path) -> None:
    """A list question takes ticked values or a command; a number question checks its input."""
    env = dict(os.environ, PROMPT_TOOLKIT_NO_CPR="1", TERM="xterm", NO_COLOR="1",
               PYTHONPATH=str(REPO))
    child = pexpect.spawn(sys.executable, ["-c", PROMPTS_SCRIPT], cwd=str(tmp_path), env=env,
                          encoding="utf-8", dimensions=(50, 160), timeout=20)
    child.expect("space to tick")
    child.send(" \x1b[B " + ENTER)  # tick the first, move down, tick the second
    child.expect(r"RESULT \['load_balancer', 'nat'\]")
    child.expect("space to tick")
    child.send(UP * CHECKBOX_UPS["I don't know"] + " " + ENTER)
    child.expect(r"RESULT <Command.DONT_KNOW")
    child.expect(re.escape("(a number in seconds"))
    # "soon", -3, nan and 1e400 (inf) are refused (the prompt stays), 12.5 is taken
    child.send("soon" + ENTER + "\b" * 4 + "-3" + ENTER + "\b" * 2 + "nan" + ENTER + "\b" * 3
               + "1e400" + ENTER + "\b" * 5 + "12.5" + ENTER)
    child.expect(r"RESULT (\S+)")
    assert child.match.group(1) == "12.5"
    child.expect(re.escape("(a number in seconds"))
    child.send("why" + ENTER)
    child.expect(r"RESULT <Command.WHY")
    assert finish(child) == 0


SELECT_SCRIPT = """
from cli.environment import Environment
from cli.interactive import QuestionaryPrompter
from cli.questionnaire import Ask
from engine.schema import FactType
prompter = QuestionaryPrompter(Environment())
phase = Ask("phase", "When does it fail?", "why", FactType.ENUM,
            [("connect", "while connecting"), ("idle_reuse", "on reuse after idle")])
print("RESULT", repr(prompter.ask(phase)))
print("RESULT", repr(prompter.ask(phase)))
"""


def test_enter_on_a_filter_that_matches_nothing_picks_nothing(tmp_path: Path) -> None:
    """A filter matching no option (or only the separator) + Enter keeps the prompt and says
    so; after Backspace, a filter that matches picks its option."""
    env = dict(os.environ, PROMPT_TOOLKIT_NO_CPR="1", TERM="xterm", NO_COLOR="1",
               PYTHONPATH=str(REPO))
    child = pexpect.spawn(sys.executable, ["-c", SELECT_SCRIPT], cwd=str(tmp_path), env=env,
                          encoding="utf-8", dimensions=(50, 160), timeout=20)
    child.expect(SELECT)
    child.send("zzzq")
    child.expect("zzzq")
    child.send(ENTER)
    assert child.expect(["no option matches 'zzzq'", "RESULT"]) == 0
    child.send("\b" * 4 + "reuse")
    child.expect("reuse")
    child.send(ENTER)
    child.expect(r"RESULT (\S+)\r")
    assert child.match.group(1) == "'idle_reuse'"
    child.expect(SELECT)
    child.send("---")  # matches only the separator line
    child.expect("---")
    child.send(ENTER)
    assert child.expect(["no option matches '---'", "RESULT"]) == 0
    child.send("\b" * 3 + "back:" + ENTER)
    child.expect(r"RESULT <Command.BACK")
    assert finish(child) == 0


def test_a_filter_matching_nothing_records_no_answer(tmp_path: Path) -> None:
    """The tester's case: at the phase question `zzzq` + Enter answers nothing (the session
    file holds no answer) and the same question stays on screen until a real choice."""
    session = tmp_path / "session.json"
    child = spawn("diagnose", "--save", str(session), "--output", str(tmp_path / "r.json"),
                  "--format", "json", cwd=tmp_path)
    start(child)
    assert wait_prompt(child) == SELECT
    child.send("zzzq")
    child.expect("zzzq")
    child.send(ENTER)
    assert child.expect(["no option matches 'zzzq'", RANKING]) == 0
    assert answers_in(session) == []
    child.send("\b" * 4)
    command(child, "done", SELECT)
    assert finish(child) == 0
    report = json.loads((tmp_path / "r.json").read_text())
    assert answers_in(session) == [] and report["questions_asked"] == 0
    assert "phase" not in report["facts"]


def probes_in(session_file: Path) -> list[str]:
    """The names of the probes a saved session holds."""
    return [p["name"] for p in json.loads(session_file.read_text())["probes"]]


def test_ctrl_c_during_the_probes_saves_what_was_given_then_resume_runs_the_rest(
        tmp_path: Path) -> None:
    """The tester's case: --save, an error pasted, a target given, Ctrl-C while the idle probe
    runs: exit 130 with one 'interrupted' line, and the file holds the error, the target and
    the probes that finished; --resume runs only the missing probes and says so."""
    session = tmp_path / "isess7.json"
    with FaultServer(sink) as server:  # keeps idle connections open: the idle probe runs long
        child = spawn("diagnose", "--save", str(session), cwd=tmp_path)
        child.expect("What did you see")
        child.sendline("read: connection reset by peer")
        child.expect("Host and port to probe")
        child.sendline(server.target)
        child.expect(PORT_DONE)
        child.expect(IDLE_RUNNING)
        child.send(CTRL_C)
        child.expect("interrupted")
        assert finish(child) == 130
        assert "Traceback" not in str(child.before)
        data = json.loads(session.read_text())
        assert data["target"] == server.target
        assert {"fact": "error", "value": "read: connection reset by peer", "source": "user",
                "detail": "pasted in the questionnaire", "vantage": None} in data["statements"]
        assert any(s["fact"] == "error_kind" and s["value"] == "reset"
                   for s in data["statements"])
        finished = probes_in(session)
        assert "port" in finished and "idle" not in finished
        assert any(s["fact"] == "port_state" and s["value"] == "open" and s["source"] == "probe"
                   for s in data["statements"])
        missing = [name for name in DEFAULT_PROBES if name not in finished]

        resumed = spawn("diagnose", "--resume", str(session), "--save", str(session),
                        "--idle-max", "2", "--output", str(tmp_path / "r.json"),
                        "--format", "json", cwd=tmp_path)
        resumed.expect(f"probing the rest: {', '.join(missing)}")
        if resumed.expect([RANKING, pexpect.EOF]) == 0:
            resumed.expect(PROMPT)
            command(resumed, "done", str(resumed.after))
        assert finish(resumed) == 0
    report = json.loads((tmp_path / "r.json").read_text())
    assert sorted(p["name"] for p in report["probes"]) == sorted(DEFAULT_PROBES)
    assert sorted(probes_in(session)) == sorted(DEFAULT_PROBES)
    assert report["facts"]["error_kind"] == "reset" and report["facts"]["port_state"] == "open"


def test_ctrl_c_at_the_target_prompt_keeps_the_pasted_error(tmp_path: Path) -> None:
    """--save writes the pasted error at once: a Ctrl-C at the next prompt does not lose it."""
    session = tmp_path / "s.json"
    child = spawn("diagnose", "--save", str(session), cwd=tmp_path)
    child.expect("What did you see")
    child.sendline("read: connection reset by peer")
    child.expect("Host and port to probe")
    child.send(CTRL_C)
    child.expect("interrupted")
    assert finish(child) == 130
    facts = {s["fact"]: s["value"] for s in json.loads(session.read_text())["statements"]}
    assert facts == {"error": "read: connection reset by peer", "error_kind": "reset"}


def test_back_after_resume_undoes_the_resumed_answers_newest_first(tmp_path: Path) -> None:
    """Two answers, Ctrl-C, --resume: back undoes the second, then the first, then has nothing
    left; the report is then a fresh run's, and the saved session holds no answer."""
    session = tmp_path / "session.json"
    child = spawn("diagnose", "--save", str(session), cwd=tmp_path)
    start(child)
    answer(child)
    answer(child)
    wait_prompt(child)
    child.send(CTRL_C)
    assert finish(child) == 130
    first, second = answers_in(session)
    resumed = spawn("diagnose", "--resume", str(session), "--save", str(session),
                    "--output", str(tmp_path / "r.json"), "--format", "json", cwd=tmp_path)
    command(resumed, "back")
    resumed.expect(f"Undone: your answer about {second}")
    assert answers_in(session) == [first]
    command(resumed, "back")
    resumed.expect(f"Undone: your answer about {first}")
    command(resumed, "back")
    resumed.expect("Nothing to undo yet.")
    command(resumed, "done")
    assert finish(resumed) == 0
    assert answers_in(session) == []
    report = json.loads((tmp_path / "r.json").read_text())
    fresh = diagnose_report("--error", "read: connection reset by peer")
    assert report["diagnoses"] == fresh["diagnoses"]
    assert report["next_questions"] == fresh["next_questions"]
    assert report["questions_asked"] == 0
