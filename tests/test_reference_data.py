"""Provenance as data: every threshold, unit factor and cited id has a real source entry."""
import json
from pathlib import Path

import pytest

from logic.case import parse_case
from logic.reference import DATA_DIR, analytes, example_cases, references, threshold_set, threshold_set_ids
from tests.helpers import assess_json

ROOT = Path(__file__).resolve().parents[1]


def test_every_threshold_names_at_least_one_known_source():
    refs = references()
    for set_id in threshold_set_ids():
        for key, th in threshold_set(set_id).values.items():
            assert th.refs, f"{set_id}.{key} has no source"
            assert all(r in refs for r in th.refs), f"{set_id}.{key}: {th.refs}"


def test_every_analyte_names_its_conversion_source():
    refs = references()
    for name, spec in analytes().items():
        assert spec["ref"] in refs, name


def test_every_reference_has_a_citation_and_kind():
    for ref_id, ref in references().items():
        assert ref.get("citation") and ref.get("kind"), ref_id


def test_no_summary_site_is_cited_as_a_source():
    blob = json.dumps(references()).lower()
    assert "droracle" not in blob.replace("droracle.ai pages", "")  # named only to say it is not a source


def _refs_in(obj) -> set[str]:
    out: set[str] = set()
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k == "refs" and isinstance(v, list):
                out |= set(v)
            else:
                out |= _refs_in(v)
    elif isinstance(obj, list):
        for v in obj:
            out |= _refs_in(v)
    return out


KITCHEN_SINK = {
    "observations": [
        {"date": "2026-11-01", "analyte": a, "value": v, "unit": u}
        for a, v, u in [("b12", 250, "ng/L"), ("mma", 0.3, "umol/L"), ("homocysteine", 30, "umol/L"),
                        ("folate", 2, "ng/mL"), ("hemoglobin", 6, "g/dL"), ("mcv", 88, "fL"),
                        ("platelets", 20, "10^9/L"), ("wbc", 2, "10^9/L"), ("reticulocytes_pct", 1, "%"),
                        ("ldh", 5000, "U/L"), ("haptoglobin", 5, "mg/dL"), ("bilirubin_indirect", 3, "mg/dL"),
                        ("creatinine", 2.5, "mg/dL"), ("inr", 1.1, "1"), ("ferritin", 5, "ng/mL"),
                        ("potassium", 3.1, "mmol/L"), ("schistocytes_pct", 3, "%")]
    ],
    "history": {"metformin": True, "acid_suppression": True, "nitrous_oxide": True, "methotrexate": True,
                "neurological_symptoms": True, "symptom_onset": "2026-01-01", "ileal_resection_cm": 25,
                "crohns_ileal": True, "vegan_or_vegetarian": True, "gastric_surgery": True},
    "treatment_start": "2026-11-01",
}


@pytest.mark.parametrize("name", ["kitchen_sink", *sorted(example_cases())])
def test_every_reference_the_assessment_cites_exists(name):
    doc = KITCHEN_SINK if name == "kitchen_sink" else example_cases()[name]
    for thresholds in threshold_set_ids():
        cited = _refs_in(assess_json(parse_case(doc), thresholds=thresholds))
        assert cited, "an assessment with no sources"
        assert cited <= set(references()), cited - set(references())


def test_default_threshold_set_is_nice_ng239():
    assert threshold_set_ids()[0] == "nice_ng239"
    assert threshold_set().values["b12_deficient_below"].value == 180


def test_local_set_inherits_what_it_does_not_override():
    assert threshold_set("ruh_bath")["ldh_uln"] == threshold_set()["ldh_uln"]
    assert threshold_set("ruh_bath")["b12_deficient_below"] == 145


def test_data_files_are_valid_json():
    for path in DATA_DIR.rglob("*.json"):
        json.loads(path.read_text())
