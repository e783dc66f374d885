"""The typed assessment (logic/assess.py) and its JSON (logic/cli/serialize.py)."""
import dataclasses
from datetime import date

import pytest

from logic.assess import Assessment, assess, merged_alerts
from logic.case import parse_case
from logic.cli.serialize import assessment
from logic.reference import example_cases
from logic.results import Severity

CONTRACT = {"b12_status", "thrombocytopenia_grade", "plasmic", "tma", "lifelong", "alerts", "next_tests"}


def test_assess_returns_a_frozen_typed_value():
    a = assess(parse_case(example_cases()["pseudo_tma_composite"]))
    assert isinstance(a, Assessment)
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.today = date(2026, 1, 1)  # type: ignore[misc]


def test_alerts_are_merged_most_urgent_first():
    a = assess(parse_case(example_cases()["ttp_after_sleeve"]))
    ranks = [Severity(x.severity).rank for x in a.alerts]
    assert ranks == sorted(ranks) and a.alerts[0].id == "ttp_emergency"


def test_a_ttp_leaning_drops_the_note_about_overdiagnosed_ttp():
    a = assess(parse_case(example_cases()["ttp_after_sleeve"]))
    assert "unsourced_misdiagnosis_rate" in {x.id for x in a.diagnosis.alerts}
    assert "unsourced_misdiagnosis_rate" not in {x.id for x in merged_alerts(a.diagnosis, a.tma)}


def test_today_defaults_to_the_latest_observation():
    case = parse_case(example_cases()["manabe_course"])
    assert assess(case).today == case.last_date()


def test_response_only_with_a_treatment_start():
    assert assess(parse_case(example_cases()["pseudo_tma_composite"])).response is None
    assert assess(parse_case(example_cases()["manabe_course"])).response is not None


@pytest.mark.parametrize("case_id", sorted(example_cases()))
def test_the_json_has_the_contract_keys_first(case_id):
    case = parse_case(example_cases()[case_id])
    out = assessment(assess(case))
    assert list(out)[: len(CONTRACT)] == ["b12_status", "thrombocytopenia_grade", "plasmic", "tma", "lifelong",
                                          "alerts", "next_tests"]  # fmt: skip
    assert ("response" in out) is (case.treatment_start is not None)
