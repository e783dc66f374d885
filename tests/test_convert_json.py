"""Import of the case document (logic/convert/json_doc.py): bad observations listed, bad own fields refuse it."""

import json

import pytest

from logic.convert import read_any
from tests.convert_support import assert_counts_add_up

# -- JSON (case document) -------------------------------------------------------------------------


def test_a_case_document_with_a_bad_observation_adds_nothing_and_lists_each():
    doc = {"label": "x", "observations": [
        {"date": "2026-11-01", "analyte": "mcv", "value": 101, "unit": "fL"},
        {"date": "2026-11-01", "analyte": "mcv", "value": 101, "unit": "kg"},
        "junk",
        {"date": "2026-11-01", "analyte": "nonsense", "value": 1},
    ]}
    result = read_any(json.dumps(doc))
    assert result.imported == 0 and result.withheld == 1
    assert result.doc == {"format": "b12-case/1", "observations": []}  # not even the label: nothing partly applied
    assert_counts_add_up(result, 4)
    assert [p.where for p in result.problems] == ["observation 1 (mcv)", "observation 2", "observation 3"]


def test_a_case_document_with_bad_own_fields_is_refused_whole():
    doc = {"history": {"metformin": "yes"}, "observations": [
        {"date": "2026-11-01", "analyte": "mcv", "value": 101, "unit": "fL"}]}
    result = read_any(json.dumps(doc))
    assert result.imported == 0 and result.rejected == 1
    assert result.problems[0].where == "history.metformin"
    assert result.doc == {"format": "b12-case/1", "observations": []}


@pytest.mark.parametrize("text,message", [
    ("[1, 2]", "must be a JSON object"),
    ("{", "not valid JSON (line 1"),
    ('{"label": "x"}', "is missing"),
    ('{"observations": {}}', "must be a list"),
    ("[" * 100_000, "is nested 100,000 levels deep; the limit is 64 levels"),
])
def test_a_json_file_that_is_no_case_document_is_refused(text, message):
    result = read_any(text, fmt="json")
    assert result.imported == 0 and any(message in p.message for p in result.problems)


def test_a_huge_integer_is_rejected_not_a_crash():
    result = read_any('{"observations": [{"date": "2026-11-01", "analyte": "ldh", "value": ' + "9" * 5000
                      + ', "unit": "U/L"}]}')
    assert result.imported == 0 and result.rejected == 1
