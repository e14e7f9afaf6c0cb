"""Catastrophic backtracking is found, bounded in time, and not confused with a busy machine."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from engine import backtracking
from engine.backtracking import attacks, find_slow
from engine.errortext import FLAGS
from engine.kbmodel import KnowledgeBase

CATASTROPHIC = [r"(a+)+$", r"(\w+\s?)*$", r"(.*a){12}", r"connect: (a|aa)+$", r"(\d+)+\b",
                r"(?x) ( a + ) + $", r"(?>(a+)+!)"]
# Nested or alternating repeats that split a text only one way, or never give back.
LINEAR = [r"(?:\d{1,3}\.){3}\d{1,3}", r"\w+(?: \w+)*$", r"(?:[^a\n]*a){12}", r"(?:\w++\s?)*$",
          r"(?>\w+\s?)*$", r"(?:U[A-Z]{1,4},)*UC", r"connection reset by peer",
          r"\((?:\w{1,30}\.){1,3}(?:TransportError|ConnectionError)\) timeout\b"]


def _workers(monkeypatch: pytest.MonkeyPatch, stop: int = 0) -> list[subprocess.Popen[bytes]]:
    """Record every worker started; SIGSTOP the first ``stop`` of them (a starved machine)."""
    started: list[subprocess.Popen[bytes]] = []
    real = subprocess.Popen

    def popen(*args: Any, **kwargs: Any) -> subprocess.Popen[bytes]:
        worker = real(*args, **kwargs)
        if len(started) < stop:
            os.kill(worker.pid, signal.SIGSTOP)
        started.append(worker)
        return worker

    monkeypatch.setattr(backtracking.subprocess, "Popen", popen)
    return started


@pytest.mark.parametrize("regex", CATASTROPHIC)
def test_a_regex_that_backtracks_catastrophically_is_found(regex: str) -> None:
    """The finding names the hostile line's shape, its CPU time, the fix and the regex."""
    finding = find_slow([("p", regex)], FLAGS)["p"]
    message = finding.message("p", regex)
    assert message.startswith("p: regex backtracks catastrophically: a search of ")
    assert " characters) took " in message and " ms of CPU" in message
    assert "make the repeats unambiguous" in message
    assert message.endswith(f"(got {regex!r})")
    assert "\n" not in message.replace("'\\n'", "")


def test_regexes_that_split_a_line_one_way_are_not_findings() -> None:
    """Unambiguous, bounded, possessive and atomic repeats pass."""
    assert find_slow([(regex, regex) for regex in LINEAR], FLAGS) == {}


def test_a_regex_without_nested_repeats_starts_no_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Most regexes are cleared by reading them: no worker, no timing."""
    workers = _workers(monkeypatch)
    assert attacks(r"connection (?:reset|refused)(?: by peer)?", FLAGS) == []
    assert find_slow([("p", r"\bECONNRESET\b"), ("q", r"read: (\w+) reset")], FLAGS) == {}
    assert workers == []


def test_the_built_in_kb_has_no_finding_and_is_checked_in_well_under_a_second(
    knowledge: KnowledgeBase,
) -> None:
    """All 2,000+ patterns: a few parsed, the candidates timed, ~0.05 s of CPU in all."""
    patterns = [(p.id, p.regex) for p in knowledge.patterns.values()]
    before = time.process_time() + resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime
    assert find_slow(patterns, FLAGS) == {}
    after = time.process_time() + resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime
    assert after - before < 0.5


def test_a_search_that_never_ends_is_stopped_and_its_worker_killed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """At 40 characters (a+)+$ would take days: it is stopped after SEARCH_TIMEOUT."""
    monkeypatch.setattr(backtracking, "SIZES", (10, 40))
    monkeypatch.setattr(backtracking, "SEARCH_TIMEOUT", 0.3)
    workers = _workers(monkeypatch)
    start = time.monotonic()
    finding = find_slow([("p", r"(a+)+$")], FLAGS)["p"]
    assert time.monotonic() - start < 5
    assert "'a' × 40 + '!' (41 characters) was stopped after " in finding.message("p", "")
    assert "(10 characters: " in finding.message("p", "")
    assert [w.returncode for w in workers] == [-signal.SIGKILL]


def test_a_worker_that_gets_no_cpu_is_started_again_not_taken_for_backtracking(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A stopped (starved) worker is killed and a new one gets the same work."""
    monkeypatch.setattr(backtracking, "STARTUP_TIMEOUT", 0.3)
    workers = _workers(monkeypatch, stop=1)
    found = find_slow([("slow", r"(a+)+$"), ("fine", r"(?:\d{1,3}\.){3}\d{1,3}")], FLAGS)
    assert list(found) == ["slow"]
    assert found["slow"].unchecked is None
    assert [w.returncode for w in workers] == [-signal.SIGKILL, 0]


def test_a_machine_too_busy_to_time_anything_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    """After RETRIES restarts with no CPU, the patterns are reported as not checked."""
    monkeypatch.setattr(backtracking, "STARTUP_TIMEOUT", 0.05)
    workers = _workers(monkeypatch, stop=99)
    found = find_slow([("p", r"(?:\d{1,3}\.){3}\d{1,3}")], FLAGS)
    assert found["p"].message("p", "x").startswith(
        "p: regex not checked for catastrophic backtracking: the machine was too busy")
    assert len(workers) == backtracking.RETRIES + 1
    assert all(w.returncode == -signal.SIGKILL for w in workers)


def test_the_whole_check_is_bounded_however_many_regexes_never_end(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Past TOTAL_SECONDS the patterns left are reported as not checked, not timed."""
    monkeypatch.setattr(backtracking, "SIZES", (10, 40))
    monkeypatch.setattr(backtracking, "SEARCH_TIMEOUT", 0.3)
    monkeypatch.setattr(backtracking, "TOTAL_SECONDS", 0.5)
    patterns = [(f"p{i}", rf"(a+)+{i}?$") for i in range(6)]
    start = time.monotonic()
    found = find_slow(patterns, FLAGS)
    assert time.monotonic() - start < 3
    assert sorted(found) == [f"p{i}" for i in range(6)]
    assert found["p0"].unchecked is None
    assert "the check's 0.5 s were spent on slower patterns" in found["p5"].message("p5", "")


def test_two_patterns_with_the_same_regex_are_both_reported() -> None:
    """The worker skips a pattern once it is slow, never another pattern's same regex."""
    found = find_slow([("first", r"(a+)+$"), ("copy", r"(a+)+$")], FLAGS)
    assert sorted(found) == ["copy", "first"]
    assert found["copy"].unchecked is None


def test_a_worker_that_fails_leaves_its_patterns_reported_as_not_checked(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
) -> None:
    """No silent pass and no traceback when the timing process cannot run."""
    monkeypatch.setattr(backtracking, "WORKER", tmp_path / "missing.py")
    found = find_slow([("p", r"(?:\d{1,3}\.){3}\d{1,3}")], FLAGS)
    assert found["p"].message("p", "x") == (
        "p: regex not checked for catastrophic backtracking: the regex timing process "
        "failed (exit 2) (got 'x')")
