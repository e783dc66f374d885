"""The optional observation ``source`` (docs/case-format-additions.md): read, checked, written back."""

from __future__ import annotations

import json

import pytest

from logic.case import CaseError, parse_case
from logic.convert import read_any, write_as

SOURCE = {"server": "https://fhir.ward.example/fhir", "resource": "Observation/abc-1",
          "fetched_at": "2026-11-25T09:14:03+00:00"}  # fmt: skip


def _doc(source) -> dict:
    return {"observations": [{"date": "2026-11-01", "analyte": "platelets", "value": 31, "unit": "10^9/L",
                              "source": source}]}  # fmt: skip


def test_a_source_is_read_and_written_back_unchanged():
    case = parse_case(_doc(SOURCE))
    assert case.observations[0].source.resource == "Observation/abc-1"
    assert case.to_dict()["observations"][0]["source"] == SOURCE


def test_a_source_survives_the_convert_command_and_an_import_into_a_case():
    text = json.dumps(_doc(SOURCE))
    assert json.loads(write_as(read_any(text).doc, "json"))["observations"][0]["source"] == SOURCE
    added = read_any(text, base={"observations": []})
    assert added.imported == 1 and added.doc["observations"][0]["source"] == SOURCE


def test_an_observation_without_a_source_means_what_it_meant_before():
    doc = _doc(None)
    del doc["observations"][0]["source"]
    assert "source" not in parse_case(doc).to_dict()["observations"][0]


@pytest.mark.parametrize(
    ("source", "words"),
    [
        ("fhir", "must be an object"),
        ({**SOURCE, "patient": "MRN-1"}, "source takes only"),
        ({k: v for k, v in SOURCE.items() if k != "fetched_at"}, "source needs"),
        ({**SOURCE, "server": "fhir.ward.example"}, "http(s) address"),
        ({**SOURCE, "fetched_at": "yesterday"}, "ISO date-time"),
        ({**SOURCE, "resource": ""}, "1 to 500 characters"),
        ({**SOURCE, "resource": "x" * 501}, "1 to 500 characters"),
    ],
)
def test_a_malformed_source_is_refused_with_the_observation_named(source, words):
    with pytest.raises(CaseError) as err:
        parse_case(_doc(source))
    (problem,) = err.value.problems
    assert problem.where.startswith("observation 0 (platelets") and words in problem.message


def test_a_resource_of_500_characters_is_accepted():
    assert parse_case(_doc({**SOURCE, "resource": "x" * 500})).observations[0].source is not None
