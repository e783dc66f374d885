"""Import and export (logic/convert/): every writer's output reads back to the same observations."""

import json

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from logic.case import CaseError, parse_case
from logic.convert import ConvertError, detect_format, read_any, to_csv_long, to_csv_wide, to_fhir_bundle, write_as
from tests.convert_support import CASES, RICH_CASE, WRITERS, observations

# -- round trips ----------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", sorted(WRITERS))
@pytest.mark.parametrize("name", sorted(CASES))
def test_round_trip_gives_the_same_observations(name, fmt):
    doc = CASES[name]
    text = WRITERS[fmt](doc)
    assert detect_format(text) == fmt
    result = read_any(text)
    assert result.problems == ()
    assert result.imported == len(doc["observations"])
    assert observations(result.doc) == observations(doc)


@pytest.mark.parametrize("name", sorted(CASES))
def test_case_document_round_trip_is_the_document_itself(name):
    doc = CASES[name]
    result = read_any(json.dumps(doc))
    assert result.format == "json" and result.problems == ()
    assert result.doc == doc


def test_round_trip_keeps_integers_and_floats_as_written():
    result = read_any(to_csv_long(RICH_CASE))
    values = {(o["analyte"], o["date"]): o["value"] for o in result.doc["observations"]}
    assert values[("mcv", "2026-11-01")] == 118.0 and isinstance(values[("mcv", "2026-11-01")], float)
    assert isinstance(values[("ldh", "2026-11-01")], int)
    back = read_any(json.dumps(to_fhir_bundle(RICH_CASE))).doc["observations"]
    assert {type(o["value"]) for o in back if o["analyte"] == "ldh"} == {int}
    assert [o["value"] for o in back if o["analyte"] == "ferritin"] == [1e-05]


def test_history_and_patient_travel_only_in_the_case_document():
    assert "pernicious" not in to_csv_long(RICH_CASE) and "female" not in to_csv_wide(RICH_CASE)
    result = read_any(json.dumps(to_fhir_bundle(RICH_CASE)))
    assert "history" not in result.doc and "patient" not in result.doc
    assert result.doc["label"] == "Round trip"  # the pseudonymous label travels in Bundle.identifier


def test_writers_refuse_an_invalid_case():
    for writer in (to_csv_long, to_csv_wide, to_fhir_bundle):
        with pytest.raises(CaseError):
            writer({"observations": [{"date": "x", "analyte": "mcv", "value": 1, "unit": "fL"}]})
    with pytest.raises(ConvertError):
        write_as(RICH_CASE, "xml")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(
    st.dates().map(lambda d: d.isoformat()),
    st.sampled_from([("platelets", "10^9/L"), ("b12", "pmol/L"), ("ldh", "U/L"), ("inr", None), ("inr", "1"),
                     ("haptoglobin", "g/L"), ("schistocytes_seen", None)]),
    st.one_of(st.integers(1, 20), st.floats(0.5, 20, allow_nan=False).map(lambda x: round(x, 3))),
    st.sampled_from([None, "<", ">="]),
), max_size=12))
def test_any_valid_case_survives_every_round_trip(rows):
    obs = []
    for day, (analyte, unit), value, comparator in rows:
        o = {"date": day, "analyte": analyte, "value": value}
        if analyte == "schistocytes_seen":
            o["value"] = bool(value)
        else:
            if unit:
                o["unit"] = unit
            if comparator:
                o["comparator"] = comparator
        obs.append(o)
    doc = {"observations": obs}
    try:
        parse_case(doc)
    except CaseError:
        assume(False)  # a value outside what a living patient can have (e.g. an MCV of 2 fL)
    for fmt, writer in WRITERS.items():
        result = read_any(writer(doc))
        assert result.problems == (), fmt
        assert observations(result.doc) == observations(doc), fmt
