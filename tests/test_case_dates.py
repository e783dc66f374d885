"""Dates that can be true, the added history flags, the chosen regimen and the unit system (logic/case/rules.py)."""
from datetime import date

import pytest

from logic.case import ADDED_FLAGS, CaseError, parse_case
from tests.helpers import obs

TODAY = date(2026, 11, 25)


def problems_of(doc, today=TODAY) -> list[str]:
    with pytest.raises(CaseError) as info:
        parse_case(doc, today=today)
    return [str(p) for p in info.value.problems]


def test_a_result_dated_today_is_accepted_and_one_dated_tomorrow_is_refused_naming_it():
    parse_case({"observations": [obs("platelets", 62, "10^9/L", day="2026-11-25")]}, today=TODAY)
    found = problems_of({"observations": [obs("platelets", 62, "10^9/L", day="2026-11-26")]})
    assert found == ["observation 0 (platelets, 2026-11-26): a result dated 2026-11-26 is after today (2026-11-25); "
                     "check the year"]


def test_a_result_dated_2027_is_refused_with_its_index_analyte_and_date():
    doc = {"observations": [obs("b12", 150, "ng/L"), obs("creatinine", 70, "umol/L", day="2027-03-01")]}
    (found,) = problems_of(doc)
    assert found.startswith("observation 1 (creatinine, 2027-03-01)") and "after today" in found


def test_without_today_a_future_result_is_not_judged():
    assert parse_case({"observations": [obs("platelets", 62, "10^9/L", day="2027-03-01")]}).observations


@pytest.mark.parametrize(("doc", "where"), [
    ({"treatment_start": "2026-11-26", "observations": []}, "treatment_start"),
    ({"history": {"symptom_onset": "2026-11-26"}, "observations": []}, "history.symptom_onset"),
    ({"history": {"adamts13_sent": "2026-11-26"}, "observations": []}, "history.adamts13_sent"),
    ({"doses": [{"date": "2026-11-26", "dose_mcg": 1000, "route": "IM"}], "observations": []}, "dose 0 (2026-11-26)"),
])
def test_a_treatment_start_symptom_onset_sample_or_dose_after_today_is_refused(doc, where):
    (found,) = problems_of(doc)
    assert found.startswith(where + ":") and "after today (2026-11-25)" in found
    bumped = {**doc}
    parse_case(bumped, today=date(2026, 11, 26))  # the same dates on the next day are fine


def test_a_symptom_onset_after_the_treatment_start_is_refused_even_without_today():
    doc = {"treatment_start": "2026-11-02", "history": {"symptom_onset": "2026-11-03"}, "observations": []}
    (found,) = problems_of(doc, today=None)
    assert found == ("history.symptom_onset: 2026-11-03 is after the treatment start (2026-11-02); symptoms begin "
                     "before treatment: check both dates")


def test_a_symptom_onset_on_the_treatment_start_is_accepted():
    parse_case({"treatment_start": "2026-11-02", "history": {"symptom_onset": "2026-11-02"}, "observations": []})


@pytest.mark.parametrize("flag", ADDED_FLAGS)
def test_added_history_flags_are_tri_state_and_written_only_when_known(flag):
    for value in (True, False):
        case = parse_case({"history": {flag: value}, "observations": []})
        assert case.history.flag(flag) is value and case.to_dict()["history"][flag] is value
    unknown = parse_case({"history": {flag: None}, "observations": []})
    assert unknown.history.flag(flag) is None and flag not in unknown.to_dict()["history"]
    assert problems_of({"history": {flag: "yes"}, "observations": []}) == [
        f"history.{flag}: must be true, false or null (not known), got 'yes'"]


def test_the_chosen_regimen_round_trips_and_is_checked_for_shape():
    doc = {"regimen": {"preset": "bnf_hydroxo_no_neuro", "knobs": {"maintenance_months": 3}, "start": "2026-11-02"},
           "observations": []}
    case = parse_case(doc)
    assert case.regimen.preset == "bnf_hydroxo_no_neuro" and case.regimen.knob_dict() == {"maintenance_months": 3}
    assert case.regimen.start == date(2026, 11, 2)
    assert case.to_dict()["regimen"] == doc["regimen"]
    assert problems_of({"regimen": {"preset": 3, "knobs": {"dose_mcg": "x"}}, "observations": []}) == [
        "regimen: preset must be a preset id (text), got 3", "regimen: knob 'dose_mcg' must be a whole number"]
    assert problems_of({"regimen": "label", "observations": []}) == ["regimen: must be an object, got str"]


def test_the_unit_system_is_si_or_conventional():
    assert parse_case({"unit_system": "si", "observations": []}).to_dict()["unit_system"] == "si"
    assert parse_case({"unit_system": "conventional", "observations": []}).unit_system == "conventional"
    assert problems_of({"unit_system": "imperial", "observations": []}) == [
        "unit_system: must be one of si, conventional or null, got 'imperial'"]
    assert "unit_system" not in parse_case({"observations": []}).to_dict()
