"""Facts: the documented precedence, recency within a source, and clear bad-value errors."""

from __future__ import annotations

import itertools

import pytest

from engine.errors import FactError
from engine.facts import PRECEDENCE, FactRecord, FactStore, Source, parse_value
from engine.kbmodel import KnowledgeBase

ORDER = [Source.USER, Source.ANSWER, Source.PROBE, Source.LOG, Source.ERROR]


def test_precedence_is_user_answer_probe_log_error(knowledge: KnowledgeBase) -> None:
    """Whatever the order statements arrive in, the higher source's value is used."""
    assert sorted(ORDER, key=lambda s: -PRECEDENCE[s]) == ORDER
    values = ["reset", "refused", "timeout", "eof", "broken_pipe"]
    for order in itertools.permutations(range(5)):
        store = FactStore(knowledge)
        for index in order:
            store.add(FactRecord("error_kind", values[index], ORDER[index]))
        assert store.values()["error_kind"] == "reset"


def test_the_latest_statement_of_one_source_wins(knowledge: KnowledgeBase) -> None:
    """A changed answer replaces the earlier answer of the same source."""
    store = FactStore(knowledge)
    store.add(FactRecord("after_idle", True, Source.ANSWER))
    store.add(FactRecord("after_idle", False, Source.ANSWER))
    assert store.values() == {"after_idle": False}


def test_bad_values_name_the_fact_and_the_allowed_values(knowledge: KnowledgeBase) -> None:
    """An enum value outside the list is one line with the id and every allowed value."""
    store = FactStore(knowledge)
    with pytest.raises(FactError, match=r"'error_kind' must be one of \[reset, refused"):
        store.add(FactRecord("error_kind", "exploded", Source.USER))
    with pytest.raises(FactError, match=r"unknown fact 'after_idel'.*after_idle"):
        store.add(FactRecord("after_idel", True, Source.USER))
    with pytest.raises(FactError, match="derived by the KB's rules"):
        store.add(FactRecord("reset_on_reuse", True, Source.USER))
    assert store.records == []


def test_command_line_values_are_typed(knowledge: KnowledgeBase) -> None:
    """true/false are bools, plain numbers are numbers, lists split at commas."""
    observations = knowledge.observations
    assert parse_value(observations["after_idle"], "true") is True
    assert parse_value(observations["idle_seconds"], "65") == 65
    assert parse_value(observations["idle_seconds"], "0.5") == 0.5
    assert parse_value(observations["path"], "nat, vpn") == ["nat", "vpn"]
    with pytest.raises(FactError, match="'after_idle' must be true or false"):
        parse_value(observations["after_idle"], "maybe")


@pytest.mark.parametrize(("fact", "value", "says"), [
    ("idle_seconds", float("nan"), "'idle_seconds' must be a finite number (got nan)"),
    ("idle_seconds", float("inf"), "'idle_seconds' must be a finite number (got inf)"),
    ("connect_ms", float("-inf"), "'connect_ms' must be a finite number (got -inf)"),
    ("path", [], "'path' must list at least one of [load_balancer, reverse_proxy, nat"),
])
def test_values_no_rule_could_read_are_refused(knowledge: KnowledgeBase, fact: str,
                                               value: object, says: str) -> None:
    """nan compares false with every threshold and an empty path says nothing (``none``
    does): both were taken silently from ``--fact idle_seconds=nan``, ``1e400`` or ``path=``."""
    store = FactStore(knowledge)
    with pytest.raises(FactError) as raised:
        store.add(FactRecord(fact, value, Source.USER))
    assert says in str(raised.value)
    assert store.records == []
