"""Forward chaining: derivations, and retraction equal to a fresh run."""

from __future__ import annotations

import random

from engine.chaining import Reasoner, RuleBase
from engine.kbmodel import KnowledgeBase


def _snapshot(reasoner: Reasoner) -> tuple[dict[str, object], set[str]]:
    return dict(reasoner.facts), set(reasoner.firings)


def test_derived_fact_follows_from_base_facts(knowledge: KnowledgeBase) -> None:
    """A reset after idle derives reset_on_reuse."""
    reasoner = Reasoner(RuleBase.from_kb(knowledge))
    reasoner.assert_facts({"error_kind": "reset", "after_idle": True})
    assert reasoner.facts["reset_on_reuse"] is True
    assert reasoner.derived_by["reset_on_reuse"] == "reset-on-reuse"


def test_retraction_withdraws_what_was_derived(knowledge: KnowledgeBase) -> None:
    """Withdrawing after_idle withdraws reset_on_reuse and the rules that used it."""
    reasoner = Reasoner(RuleBase.from_kb(knowledge))
    reasoner.assert_facts({"error_kind": "reset", "after_idle": True})
    reasoner.retract_facts(["after_idle"])
    assert "reset_on_reuse" not in reasoner.facts
    assert "keepalive-race.reset-on-reuse" not in reasoner.firings


def test_incremental_equals_fresh_run(knowledge: KnowledgeBase) -> None:
    """Random asserts and retractions end where a fresh run on the same facts ends."""
    rules = RuleBase.from_kb(knowledge)
    choices = {
        "error_kind": ["reset", "refused", "timeout", "eof"],
        "after_idle": [True, False],
        "phase": ["connect", "idle_reuse", "sending_request"],
        "idle_seconds": [5, 90, 400],
        "port_state": ["open", "closed", "filtered"],
        "path": [["none"], ["nat"], ["load_balancer"]],
    }
    rng = random.Random(7)
    for _ in range(40):
        reasoner = Reasoner(rules)
        base: dict[str, object] = {}
        for _ in range(12):
            fact = rng.choice(sorted(choices))
            if fact in base and rng.random() < 0.4:
                reasoner.retract_facts([fact])
                del base[fact]
            else:
                base[fact] = rng.choice(choices[fact])
                reasoner.assert_facts({fact: base[fact]})
        fresh = Reasoner(rules)
        fresh.assert_facts(base)
        assert _snapshot(reasoner) == _snapshot(fresh)
