"""The collector pauses: always restored, and a command's imports frozen only once."""

from __future__ import annotations

import gc

import engine.gcpause as gcpause
from tests.conftest import run_cli


def test_the_collector_is_on_again_after_a_command() -> None:
    """A command imports with the collector off; afterwards it runs as before."""
    assert gc.isenabled()
    assert run_cli("kb", "list", "--format", "json").code == 0
    assert gc.isenabled()


def test_a_paused_collector_stays_paused_after_the_imports() -> None:
    """Whoever turned the collector off keeps it off: the pause restores, never forces on."""
    gc.disable()
    try:
        with gcpause.imports_without_gc():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_only_the_first_imports_are_frozen() -> None:
    """Freezing again would keep a long-lived process's later garbage from being collected."""
    frozen_before = gc.get_freeze_count()
    with gcpause.imports_without_gc():
        pass
    after_one = gc.get_freeze_count()
    with gcpause.imports_without_gc():
        cycle: list[object] = []
        cycle.append(cycle)
    assert gcpause._frozen_after_imports
    assert gc.get_freeze_count() == after_one >= frozen_before
