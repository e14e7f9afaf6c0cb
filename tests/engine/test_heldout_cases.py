"""Held-out real incidents (issue 4): every set is valid, and the ranking keeps its level on them.

The floors are regression guards set from the scores the sets got on first
contact (README, "Held-out incidents"); the first-contact scores themselves
are what measures generalisation.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.cases import session_for_case
from engine.kbmodel import KnowledgeBase
from tests.heldout_cases import HeldoutCaseError, heldout_case_files, heldout_incidents

TOP3_FLOOR = 0.45
# Sets whose first contact was below TOP3_FLOOR: round 14 (37.5 %) states two or
# three facts per incident, and most of them fire no rule until questions are asked;
# round 19 (cloud platforms and proxies, 33.3 %) likewise; round 22 (the eight causes
# earlier rounds found least of, 37.5 %) too.
TOP3_FLOOR_OF = {"heldout_cases_14.yaml": 0.375, "heldout_cases_19.yaml": 0.333,
                 "heldout_cases_22.yaml": 0.375}
# 52.0 % over 348 incidents (rounds 12-15 scored 41.5 % and 35.5 % first); rounds
# 16-19 scored 36.4 % first on first contact (24 of 66), rounds 20-21 66.7 % (24 of
# 36), rounds 22-23 30.0 % (12 of 40); all 490 score 54.3 % now.
TOP1_FLOOR_ALL = 0.53


@pytest.fixture(scope="module")
def rankings(knowledge: KnowledgeBase) -> dict[Path, list[tuple[str, list[str]]]]:
    """Each set's incidents as (confirmed cause, ranking from all their facts), ranked once."""
    ranked: dict[Path, list[tuple[str, list[str]]]] = {}
    for file in heldout_case_files():
        ranked[file] = []
        for incident in heldout_incidents(knowledge, file):
            report = session_for_case(knowledge, incident.case).report()
            ranked[file].append((str(incident.case.expect.top),
                                 [d.cause for d in report.diagnoses]))
    return ranked


def test_there_are_heldout_incident_sets() -> None:
    """The held-out incident sets are shipped with the tests."""
    assert heldout_case_files()


@pytest.mark.parametrize("file", heldout_case_files(), ids=lambda f: f.name)
def test_confirmed_cause_ranks_in_the_top_three(
    rankings: dict[Path, list[tuple[str, list[str]]]], file: Path
) -> None:
    """Given every fact an incident states, its confirmed cause is among the first three."""
    ranked = rankings[file]
    within = sum(expected in ranking[:3] for expected, ranking in ranked)
    floor = TOP3_FLOOR_OF.get(file.name, TOP3_FLOOR)
    assert within / len(ranked) >= floor, f"{file.name}: {within}/{len(ranked)} in top 3"


def test_confirmed_cause_ranks_first_over_all_sets(
    rankings: dict[Path, list[tuple[str, list[str]]]],
) -> None:
    """Over all held-out incidents, the confirmed cause ranks first as often as on first contact."""
    ranked = [item for items in rankings.values() for item in items]
    first = sum(ranking[:1] == [expected] for expected, ranking in ranked)
    assert first / len(ranked) >= TOP1_FLOOR_ALL, f"{first}/{len(ranked)} first"


def test_a_bad_value_is_named_with_the_allowed_ones(knowledge: KnowledgeBase,
                                                    tmp_path: Path) -> None:
    """A held-out case with a value the KB does not allow fails naming file, case and values."""
    bad = tmp_path / "heldout_cases_x.yaml"
    bad.write_text("cases:\n  - {id: r9-01, source: s, description: d, evidence: e,\n"
                   "     facts: {frequency: sometimes}, expect_top: keepalive-race}\n")
    with pytest.raises(HeldoutCaseError) as caught:
        heldout_incidents(knowledge, bad)
    message = str(caught.value)
    assert "heldout_cases_x.yaml: case r9-01" in message
    assert "[always, intermittent, once]" in message and "'sometimes'" in message


def test_an_unknown_cause_is_named_with_the_known_ones(knowledge: KnowledgeBase,
                                                       tmp_path: Path) -> None:
    """A held-out case whose expected cause the KB does not know fails listing the causes."""
    bad = tmp_path / "heldout_cases_y.yaml"
    bad.write_text("cases:\n  - {id: r9-02, source: s, description: d, evidence: e,\n"
                   "     facts: {}, expect_top: dns-failure}\n")
    with pytest.raises(HeldoutCaseError, match=r"'dns-failure' is not a cause .*keepalive-race"):
        heldout_incidents(knowledge, bad)
