import json
import math
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logic.case import CaseError, parse_case
from logic.reference import example_cases
from tests.helpers import make_case, obs

CONTRACT_EXAMPLE = {
    "format": "b12-case/1", "label": "Bed 12 teaching case", "patient": {"age_years": 62, "sex": "male"},
    "history": {"pernicious_anemia": True, "ileal_resection_cm": None, "crohns_ileal": False, "metformin": True,
                "acid_suppression": None, "vegan_or_vegetarian": False, "nitrous_oxide": False,
                "gastric_surgery": False, "sulfasalazine": False, "methotrexate": False, "active_cancer": False,
                "transplant": False, "neurological_symptoms": None, "symptom_onset": "2026-08-01"},
    "treatment_start": "2026-11-02",
    "observations": [
        {"date": "2026-11-01", "analyte": "b12", "value": 107, "unit": "pg/mL"},
        {"date": "2026-11-01", "analyte": "haptoglobin", "value": 8, "unit": "mg/dL", "comparator": "<"},
        {"date": "2026-11-01", "analyte": "schistocytes_seen", "value": True},
        {"date": "2026-11-09", "analyte": "platelets", "value": 131, "unit": "10^9/L"},
    ],
}


def problems_of(doc) -> list[str]:
    with pytest.raises(CaseError) as info:
        parse_case(doc)
    return [str(p) for p in info.value.problems]


def test_contract_example_parses_and_round_trips_exactly():
    case = parse_case(CONTRACT_EXAMPLE)
    assert case.to_dict() == CONTRACT_EXAMPLE
    assert parse_case(case.to_dict()) == case


def test_history_is_tri_state_and_unknown_stays_none():
    h = parse_case(CONTRACT_EXAMPLE).history
    assert h.pernicious_anemia is True and h.crohns_ileal is False and h.acid_suppression is None
    assert h.neurological_symptoms is None and h.ileal_resection_cm is None
    assert h.symptom_onset == date(2026, 8, 1)


def test_only_observations_is_required():
    case = parse_case({"observations": []})
    assert case.format == "b12-case/1" and case.history.pernicious_anemia is None


def test_missing_observations_is_a_problem():
    assert problems_of({}) == ["observations: is missing; give a list (it may be empty)"]


def test_censored_value_keeps_its_comparator():
    case = parse_case(CONTRACT_EXAMPLE)
    hapto = case.baseline()["haptoglobin"]
    assert hapto.comparator == "<" and hapto.canonical == 8 and hapto.display() == "<8 mg/dL"


def test_baseline_is_last_value_on_or_before_treatment_start():
    case = make_case(obs("platelets", 50, "10^9/L", day="2026-11-01"), obs("platelets", 40, "10^9/L", day="2026-11-02"),
                     obs("platelets", 90, "10^9/L", day="2026-11-09"), treatment_start="2026-11-02")
    assert case.baseline()["platelets"].value == 40
    assert case.earliest()["platelets"].value == 50


def test_without_treatment_start_baseline_is_the_latest_value():
    case = make_case(obs("platelets", 50, "10^9/L", day="2026-11-01"), obs("platelets", 90, "10^9/L", day="2026-11-09"))
    assert case.baseline()["platelets"].value == 90


def test_values_after_treatment_start_are_not_baseline():
    case = make_case(obs("platelets", 90, "10^9/L", day="2026-11-09"), treatment_start="2026-11-02")
    assert "platelets" not in case.baseline()


@pytest.mark.parametrize(("bad", "fragment"), [
    (obs("vitamin_z", 1, "U/L"), "unknown analyte 'vitamin_z'"),
    (obs("b12", 100, "mg/dL"), "unit 'mg/dL' is not accepted for b12"),
    (obs("b12", -5, "ng/L"), "value -5 is negative"),
    (obs("b12", math.inf, "ng/L"), "must be a finite number"),
    (obs("b12", math.nan, "ng/L"), "must be a finite number"),
    (obs("b12", 10**400, "ng/L"), "must be a finite number"),
    (obs("hemoglobin", 120, "g/dL"), "outside what a living patient can have"),
    (obs("platelets", 150, None), "unit is missing"),
    (obs("b12", "150", "ng/L"), "must be a number, got str"),
    (obs("b12", True, "ng/L"), "must be a number, got bool"),
    (obs("schistocytes_seen", 1), "value must be true or false"),
    (obs("b12", 100, "ng/L", comparator="~"), "comparator '~'"),
    ({"date": "2026-02-30", "analyte": "b12", "value": 100, "unit": "ng/L"}, "does not parse"),
    ({"date": 20261101, "analyte": "b12", "value": 100, "unit": "ng/L"}, "date must be a text"),
])
def test_each_invalid_observation_is_named_with_index_analyte_and_reason(bad, fragment):
    msgs = problems_of({"observations": [obs("b12", 150, "ng/L"), bad]})
    assert len(msgs) >= 1
    assert all(m.startswith("observation 1") for m in msgs)
    assert any(fragment in m for m in msgs), msgs


def test_problem_names_the_date_when_it_parses():
    msgs = problems_of({"observations": [obs("hemoglobin", 120, "g/dL", day="2026-11-03")]})
    assert msgs[0].startswith("observation 0 (hemoglobin, 2026-11-03)")


def test_every_problem_is_reported_at_once_and_nothing_is_applied():
    doc = {"observations": [obs("b12", -1, "ng/L"), obs("nope", 1), obs("mcv", 500, "fL")],
           "history": {"metformin": "yes"}, "treatment_start": "soon", "patient": {"sex": "x", "age_years": 400}}
    msgs = problems_of(doc)
    assert len(msgs) == 7
    for where in ("observation 0", "observation 1", "observation 2", "history.metformin", "treatment_start",
                  "patient.sex", "patient.age_years"):
        assert any(m.startswith(where) for m in msgs), where


@pytest.mark.parametrize("doc", [[], "text", 3, None])
def test_a_document_that_is_not_an_object_is_refused(doc):
    assert problems_of(doc)[0].startswith("document: must be a JSON object")


def test_wrong_format_is_refused():
    assert any("format" in m for m in problems_of({"format": "b12-case/9", "observations": []}))


def test_ileal_resection_must_be_a_plausible_length():
    assert any("longer than a small intestine" in m for m in problems_of(
        {"observations": [], "history": {"ileal_resection_cm": 900}}))
    assert parse_case({"observations": [], "history": {"ileal_resection_cm": 0}}).history.ileal_resection_cm == 0


def test_unknown_top_level_keys_survive_a_round_trip():
    doc = {"observations": [], "about": {"source": "x"}}
    assert parse_case(doc).to_dict()["about"] == {"source": "x"}


@pytest.mark.parametrize("name", sorted(example_cases()))
def test_every_example_case_is_valid(name):
    case = parse_case(example_cases()[name])
    assert case.observations


json_values = st.recursive(
    st.none() | st.booleans() | st.floats(allow_nan=True) | st.integers() | st.text(max_size=12),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=20,
)
obs_like = st.fixed_dictionaries({
    "date": st.one_of(st.just("2026-11-01"), st.text(max_size=12), st.integers()),
    "analyte": st.one_of(st.sampled_from(["b12", "platelets", "schistocytes_seen", "inr", "mma"]), st.text(max_size=8)),
    "value": json_values,
}, optional={"unit": st.one_of(st.sampled_from(["ng/L", "pmol/L", "10^9/L", "%", ""]), json_values),
             "comparator": st.one_of(st.sampled_from(["<", ">=", "="]), json_values)})


@settings(max_examples=300, deadline=None)
@given(st.one_of(json_values, st.fixed_dictionaries({"observations": st.lists(obs_like, max_size=5)},
                                                    optional={"history": json_values, "patient": json_values,
                                                              "treatment_start": json_values, "label": json_values})))
def test_validation_never_raises_anything_but_its_own_error(doc):
    try:
        case = parse_case(doc)
    except CaseError as exc:
        assert exc.problems and all(p.where and p.message for p in exc.problems)
    else:
        assert parse_case(json.loads(json.dumps(case.to_dict()))) == case
