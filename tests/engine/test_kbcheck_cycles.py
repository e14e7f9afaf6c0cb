"""The derivation cycle check: found when present, linear on long chains."""

from __future__ import annotations

from engine.kbcheck import _find_cycles


def test_a_cycle_is_reported_with_its_path() -> None:
    """a -> b -> c -> a is reported as that cycle."""
    feeds = {"a": {"b"}, "b": {"c"}, "c": {"a"}}
    assert _find_cycles(feeds) == [["a", "b", "c", "a"]]


def test_a_self_derivation_is_a_cycle() -> None:
    """A fact derived from itself is a cycle of one."""
    assert _find_cycles({"a": {"a"}}) == [["a", "a"]]


def test_a_diamond_is_not_a_cycle() -> None:
    """Two paths to the same fact are fine."""
    assert _find_cycles({"a": {"b", "c"}, "b": {"d"}, "c": {"d"}}) == []


def test_a_chain_of_twenty_thousand_needs_no_recursion() -> None:
    """A 20,000-link chain (deeper than Python's recursion limit) has no cycle."""
    feeds = {f"f{i}": {f"f{i + 1}"} for i in range(20_000)}
    assert _find_cycles(feeds) == []
    feeds["f20000"] = {"f0"}
    (cycle,) = _find_cycles(feeds)
    assert cycle[0] == cycle[-1] == "f0" and len(cycle) == 20_002
