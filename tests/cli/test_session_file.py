"""--save / --resume: a session is its statements, replayed into a fresh session."""

from __future__ import annotations

import json
from pathlib import Path

from engine.kbmodel import KnowledgeBase
from engine.session import Session
from tests.conftest import run_cli


def test_save_then_resume_gives_the_same_report(tmp_path: Path) -> None:
    """Resuming a saved session reproduces its facts, sources and ranking."""
    session = tmp_path / "s.json"
    first = run_cli("diagnose", "--no-input", "--format", "json", "--save", str(session),
                    "--error", "read: connection reset by peer", "--fact", "after_idle=true",
                    "--dont-know", "frequency")
    assert first.code == 0, first.err
    saved = json.loads(session.read_text())
    assert saved["kind"] == "conndoctor-session"
    assert {"fact": "after_idle", "value": True, "source": "user", "detail": "--fact",
            "vantage": None} in saved["statements"]
    assert saved["dont_know"] == ["frequency"]
    again = run_cli("diagnose", "--no-input", "--format", "json", "--resume", str(session))
    assert again.code == 0, again.err
    before, after = json.loads(first.out), json.loads(again.out)
    assert after["diagnoses"] == before["diagnoses"]
    assert after["fact_sources"] == before["fact_sources"]
    assert after["dont_know"] == ["frequency"]


def test_resume_then_add_a_fact(tmp_path: Path) -> None:
    """Flags given with --resume add to the resumed statements."""
    session = tmp_path / "s.json"
    run_cli("diagnose", "--no-input", "--save", str(session),
            "--error", "read: connection reset by peer")
    result = run_cli("diagnose", "--no-input", "--format", "json", "--resume", str(session),
                     "--fact", "after_idle=true")
    facts = json.loads(result.out)["facts"]
    assert facts["error_kind"] == "reset" and facts["after_idle"] is True


def test_resume_with_a_bad_value_names_file_and_fact(tmp_path: Path) -> None:
    """A statement the KB rejects is one line naming the file and the fact."""
    session = tmp_path / "s.json"
    session.write_text(json.dumps({
        "kind": "conndoctor-session", "schema_version": 1,
        "statements": [{"fact": "phase", "value": "idle", "source": "answer"}],
    }))
    result = run_cli("diagnose", "--no-input", "--resume", str(session))
    assert result.code == 1
    assert f"--resume {session}: " in result.err and "'phase' must be one of" in result.err


def test_resume_with_a_bad_source_lists_the_allowed(tmp_path: Path) -> None:
    """A statement with an unknown source names the allowed sources."""
    session = tmp_path / "s.json"
    session.write_text(json.dumps({
        "kind": "conndoctor-session", "schema_version": 1,
        "statements": [{"fact": "tls", "value": True, "source": "oracle"}],
    }))
    result = run_cli("diagnose", "--no-input", "--resume", str(session))
    assert result.code == 1
    assert "statements[0]: 'source' must be one of [user, answer, probe, log, error]" in result.err
    assert "(got 'oracle')" in result.err


def test_no_input_save_survives_ctrl_c_during_the_probes(tmp_path: Path) -> None:
    """--no-input --save: Ctrl-C while the idle probe runs exits 130 and leaves the flags'
    statements and the finished probes on disk; --resume probes only what is missing."""
    from engine.faults import FaultServer, sink
    from tests.cli.test_interactive_pty import (
        DEFAULT_PROBES,
        IDLE_RUNNING,
        PORT_DONE,
        finish,
        probes_in,
        spawn,
    )

    session = tmp_path / "s.json"
    with FaultServer(sink) as server:
        child = spawn("diagnose", "--no-input", "--save", str(session), "--target", server.target,
                      "--error", "read: connection reset by peer", cwd=tmp_path)
        child.expect(PORT_DONE)
        child.expect(IDLE_RUNNING)
        child.send("\x03")
        child.expect("interrupted")
        assert finish(child) == 130
        data = json.loads(session.read_text())
        assert data["target"] == server.target
        assert {"fact": "error", "value": "read: connection reset by peer", "source": "user",
                "detail": "--error", "vantage": None} in data["statements"]
        finished = probes_in(session)
        assert "port" in finished and "idle" not in finished
        missing = [name for name in DEFAULT_PROBES if name not in finished]
        again = run_cli("diagnose", "--no-input", "--format", "json", "--resume", str(session),
                        "--idle-max", "2")
    assert again.code == 0, again.err
    assert f"probing the rest: {', '.join(missing)}" in again.err
    report = json.loads(again.out)
    assert sorted(p["name"] for p in report["probes"]) == sorted(DEFAULT_PROBES)


def _answered_session(knowledge: KnowledgeBase) -> tuple[Session, list[str]]:
    """A questionnaire that answered, said I don't know, and answered again."""
    from cli.questionnaire import Questionnaire, make_ask
    from cli.session_file import undo_history
    from tests.cli.test_questionnaire import Script, first_value, reset_session

    session = reset_session(knowledge)
    questionnaire = Questionnaire(session, Script([]), history=undo_history(session))
    facts = []
    for step in range(3):
        question = questionnaire.next_question(session.report())
        assert question is not None
        ask = make_ask(session, question)
        facts.append(ask.fact)
        if step == 1:
            questionnaire.dont_know(ask.fact)
        else:
            questionnaire.answer(ask.fact, first_value(ask))
    return session, facts


def test_history_is_saved_and_back_after_resume_undoes_it_newest_first(
        tmp_path: Path, knowledge: KnowledgeBase) -> None:
    """A resumed questionnaire's back undoes answer, I don't know, answer in reverse order,
    and ends with the ranking of a session that heard none of them."""
    from cli.questionnaire import Questionnaire
    from cli.session_file import resume_session, save_session, undo_history
    from tests.cli.test_questionnaire import Script, reset_session

    saved, facts = _answered_session(knowledge)
    file = tmp_path / "s.json"
    save_session(saved, str(file))
    assert json.loads(file.read_text())["history"] == [
        {"kind": "answer", "fact": facts[0]}, {"kind": "dont_know", "fact": facts[1]},
        {"kind": "answer", "fact": facts[2]}]
    session = Session(knowledge)
    resume_session(session, str(file))
    questionnaire = Questionnaire(session, Script([]), history=undo_history(session))
    said = [questionnaire.back() for _ in range(4)]
    assert said == [f"Undone: your answer about {facts[2]}.",
                    f"Undone: your I-dont-know about {facts[1]}.",
                    f"Undone: your answer about {facts[0]}.", "Nothing to undo yet."]
    assert session.report().model_dump() == reset_session(knowledge).report().model_dump()


def test_a_file_without_history_can_undo_its_answers(tmp_path: Path,
                                                     knowledge: KnowledgeBase) -> None:
    """An older session file (no 'history') still lets back undo its answers, newest first."""
    from cli.session_file import resume_session, undo_history

    file = tmp_path / "s.json"
    file.write_text(json.dumps({
        "kind": "conndoctor-session", "schema_version": 1, "dont_know": ["side"],
        "statements": [{"fact": "phase", "value": "connect", "source": "answer"},
                       {"fact": "tls", "value": True, "source": "user"},
                       {"fact": "frequency", "value": "always", "source": "answer"}]}))
    session = Session(knowledge)
    resume_session(session, str(file))
    assert undo_history(session) == [("answer", "phase"), ("answer", "frequency")]


def test_resume_with_a_bad_history_step_names_file_and_index(tmp_path: Path) -> None:
    """A history step that is not {kind, fact} is one line naming the file and the step."""
    session = tmp_path / "s.json"
    session.write_text(json.dumps({
        "kind": "conndoctor-session", "schema_version": 1, "statements": [],
        "history": [{"kind": "guess", "fact": "phase"}],
    }))
    result = run_cli("diagnose", "--no-input", "--resume", str(session))
    assert result.code == 1
    assert result.err.strip().endswith(
        f"--resume {session}: history[0]: expected an object with 'kind' (one of: answer, "
        "dont_know) and 'fact' (got {'kind': 'guess', 'fact': 'phase'})")
