"""The memory of checked KBs: a clean KB's cross-file checks run once per content and code."""

from __future__ import annotations

from pathlib import Path

import pytest

import engine.kbcheck
import engine.kbcheckmemo
from engine.errors import KBError
from engine.loader import load_kb


@pytest.fixture
def check_calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the runs of the cross-file checks (the real ones still run)."""
    calls: list[int] = []
    real = engine.kbcheck.check_kb

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(engine.kbcheck, "check_kb", counted)
    return calls


def _edit(file: Path, old: str, new: str) -> None:
    text = file.read_text()
    assert old in text
    file.write_text(text.replace(old, new))


def test_a_clean_kb_is_checked_once_then_remembered(
    kb_dir: Path, tmp_path: Path, check_calls: list[int]
) -> None:
    """The second warm load of unchanged files skips the checks; an edit brings them back."""
    cache = tmp_path / "cache"
    load_kb([kb_dir], include_builtin=False, cache_dir=cache)
    load_kb([kb_dir], include_builtin=False, cache_dir=cache)
    assert len(check_calls) == 1
    _edit(kb_dir / "causes" / "keepalive-race.yaml", "value: 300", "value: 301")
    load_kb([kb_dir], include_builtin=False, cache_dir=cache)
    assert len(check_calls) == 2


def test_a_broken_reference_is_reported_after_a_remembered_clean_load(
    kb_dir: Path, tmp_path: Path
) -> None:
    """An edit that names an unknown fact fails the load, though the old content passed."""
    cache = tmp_path / "cache"
    load_kb([kb_dir], include_builtin=False, cache_dir=cache)
    load_kb([kb_dir], include_builtin=False, cache_dir=cache)
    _edit(kb_dir / "causes" / "keepalive-race.yaml", "fact: reset_on_reuse", "fact: reset_on_reus")
    with pytest.raises(KBError, match="reset_on_reus"):
        load_kb([kb_dir], include_builtin=False, cache_dir=cache)


def test_a_kb_with_an_error_is_checked_and_reported_every_time(
    kb_dir: Path, tmp_path: Path, check_calls: list[int]
) -> None:
    """Only clean passes are remembered: a failing KB fails on every load, with its message."""
    cache = tmp_path / "cache"
    _edit(kb_dir / "causes" / "keepalive-race.yaml", "fact: reset_on_reuse", "fact: nope")
    for _ in range(2):
        with pytest.raises(KBError, match="nope"):
            load_kb([kb_dir], include_builtin=False, cache_dir=cache)
    assert len(check_calls) == 2
    assert not list(cache.glob("checked-*"))


def test_changed_engine_code_forgets_what_was_checked(
    kb_dir: Path, tmp_path: Path, check_calls: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Editing a module of the checking code (its size or time changes) means checking again."""
    code = tmp_path / "engine"
    code.mkdir()
    module = code / "kbcheck.py"
    module.write_text("# the checks\n")
    monkeypatch.setattr(engine.kbcheckmemo, "_ENGINE_DIR", code)
    cache = tmp_path / "cache"
    load_kb([kb_dir], include_builtin=False, cache_dir=cache)
    load_kb([kb_dir], include_builtin=False, cache_dir=cache)
    module.write_text("# the checks, and one more\n")
    load_kb([kb_dir], include_builtin=False, cache_dir=cache)
    assert len(check_calls) == 2


def test_without_a_cache_every_load_is_checked(kb_dir: Path, check_calls: list[int]) -> None:
    """The library default (no cache directory) checks every load."""
    load_kb([kb_dir], include_builtin=False)
    load_kb([kb_dir], include_builtin=False)
    assert len(check_calls) == 2
