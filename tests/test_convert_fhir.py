"""Import and export of FHIR R4 Bundles (logic/convert/fhir.py): LOINC codes, UCUM units, no patient data."""

import json

import pytest

from logic.convert import read_any, to_fhir_bundle
from tests.convert_support import LOINC, RICH_CASE, UCUM, assert_counts_add_up

# -- FHIR -----------------------------------------------------------------------------------------


def fhir_obs(code, value=None, system=LOINC, when="2026-11-01", status="final", **extra):
    resource = {"resourceType": "Observation", "status": status,
                "code": {"coding": [{"system": system, "code": code}]}}
    if when is not None:
        resource["effectiveDateTime"] = when
    if value is not None:
        resource["valueQuantity"] = value
    resource.update(extra)
    return resource


def bundle(*resources, **extra):
    return json.dumps({"resourceType": "Bundle", "type": "searchset",
                       "entry": [{"resource": r} if isinstance(r, dict) else r for r in resources], **extra})


def q(value, code=None, unit=None, comparator=None):
    out = {"value": value}
    if code is not None:
        out.update({"system": UCUM, "code": code})
    if unit is not None:
        out["unit"] = unit
    if comparator is not None:
        out["comparator"] = comparator
    return out


def test_good_fhir_bundle_imports_every_observation():
    text = bundle(
        fhir_obs("777-3", q(62, "10*9/L")),
        fhir_obs("26515-7", q(70, "10*3/uL"), when="2026-11-02T08:30:00+01:00"),
        fhir_obs("14685-2", q(66.4, "pmol/L")),
        fhir_obs("2132-9", q(100, "pg/mL", comparator="<")),
        fhir_obs("6301-6", q(1.2, "{INR}")),
        fhir_obs("800-3", valueCodeableConcept={"coding": [{"system": "http://snomed.info/sct", "code": "52101004"}]}),
        fhir_obs("765-8", valueBoolean=False),
        fhir_obs("4542-7", q(8, unit="mg/dL", comparator="<")),
    )
    result = read_any(text)
    assert result.format == "fhir" and result.problems == ()
    assert result.imported == 8
    obs = result.doc["observations"]
    assert obs[0] == {"date": "2026-11-01", "analyte": "platelets", "value": 62, "unit": "10^9/L"}
    assert obs[1] == {"date": "2026-11-02", "analyte": "platelets", "value": 70, "unit": "10^3/uL"}
    assert obs[3]["comparator"] == "<"
    assert obs[4]["unit"] == "1"
    assert obs[5] == {"date": "2026-11-01", "analyte": "schistocytes_seen", "value": True}
    assert obs[6]["value"] is False


def test_unknown_loinc_codes_and_other_resources_are_listed_with_the_reason():
    text = bundle(
        fhir_obs("777-3", q(62, "10*9/L")),
        fhir_obs("2345-7", q(5.4, "mmol/L")),
        {"resourceType": "Patient", "name": [{"family": "Never-read"}]},
        fhir_obs("777-3", q(62, "10*9/L"), status="entered-in-error"),
        fhir_obs("777-3", q(62, unit="K/uL")),
        fhir_obs("777-3", q(62, "10*9/L"), when="2026-11"),
        fhir_obs("777-3", dataAbsentReason={"text": "clotted"}),
        fhir_obs("777-3", q(62, "10*9/L", comparator="ad")),
        fhir_obs("800-3", valueCodeableConcept={"text": "few"}),
        fhir_obs("777-3", q(62, "10*9/L"), unknownField=1),
        fhir_obs("platelets", q(62, "10*9/L"), system="http://example.org/local"),
        "not an entry",
    )
    result = read_any(text)
    assert result.imported == 0 and result.withheld == 1  # one valid entry, not added alone
    assert_counts_add_up(result, 12)
    skipped = {"entry 2", "entry 3"}  # a Patient resource, a result entered in error: listed, not blocking
    assert {p.where.split(" (")[0] for p in result.problems} - {p.where.split(" (")[0] for p in result.blocking} \
        == skipped
    by_entry = {p.where.split(" (")[0]: p.message for p in result.problems}
    assert "unknown LOINC code 2345-7" in by_entry["entry 1"]
    assert "'Patient' resource is not imported (patient details are never imported)" in by_entry["entry 2"]
    assert "Never-read" not in json.dumps(result.doc)
    assert "status 'entered-in-error'" in by_entry["entry 3"]
    assert "unit 'K/uL' is not accepted for platelets" in by_entry["entry 4"]
    assert "not a whole day" in by_entry["entry 5"]
    assert "dataAbsentReason 'clotted'" in by_entry["entry 6"]
    assert "comparator 'ad'" in by_entry["entry 7"]
    assert "'few' is not read as seen or not seen" in by_entry["entry 8"]
    assert "not a valid FHIR Observation" in by_entry["entry 9"]
    assert "no LOINC code" in by_entry["entry 10"]
    assert "must be an object" in by_entry["entry 11"]


def test_a_panel_with_components_imports_each_component():
    panel = {"resourceType": "Observation", "status": "final", "code": {"text": "CBC"},
             "effectiveDateTime": "2026-11-03",
             "component": [{"code": {"coding": [{"system": LOINC, "code": "718-7"}]}, "valueQuantity": q(8.1, "g/dL")},
                           {"code": {"coding": [{"system": LOINC, "code": "1234-5"}]}, "valueQuantity": q(1)}]}
    result = read_any(bundle(panel))
    assert result.doc["observations"] == [] and result.withheld == 1  # a component is rejected: nothing added
    assert_counts_add_up(result, 2)
    assert result.problems[0].where == "entry 0 component 1 (2026-11-03)"
    panel["component"].pop()
    result = read_any(bundle(panel))
    assert result.doc["observations"] == [{"date": "2026-11-03", "analyte": "hemoglobin", "value": 8.1,
                                           "unit": "g/dL"}]
    assert_counts_add_up(result, 1)


def test_a_lone_observation_is_read_as_a_bundle_of_one():
    result = read_any(json.dumps(fhir_obs("718-7", q(8.1, "g/dL"))))
    assert result.imported == 1 and result.problems == ()


@pytest.mark.parametrize(
    "text,message",
    [
        ("<Bundle xmlns='http://hl7.org/fhir'/>", "FHIR XML is not read"),
        ('{"resourceType": "Patient"}', "'Patient' resource is not read"),
        ('{"resourceType": "Bundle"}', "not a valid FHIR R4 Bundle"),
        ('{"resourceType": "Bundle", "type": "bogus"}', "is not a FHIR Bundle type"),
        ('{"resourceType": "Bundle", "type": "collection", "entry": 3}', "Bundle.entry must be a list"),
        ('{"resourceType": "Bundle", "type": ', "not valid JSON"),
    ],
)
def test_a_file_that_is_no_fhir_bundle_is_refused_with_one_problem(text, message):
    result = read_any(text, fmt="fhir")
    assert result.imported == 0 and len(result.problems) == 1
    assert message in result.problems[0].message


def test_fhir_export_is_a_collection_of_lab_observations_without_patient_identifiers():
    b = to_fhir_bundle(RICH_CASE)
    assert b["resourceType"] == "Bundle" and b["type"] == "collection"
    assert b["identifier"] == {"system": "urn:cobalt:case-label", "value": "Round trip"}
    resources = [e["resource"] for e in b["entry"]]
    assert len(resources) == len(RICH_CASE["observations"])
    assert all(r["resourceType"] == "Observation" and r["status"] == "final" for r in resources)
    assert all(r["category"][0]["coding"][0]["code"] == "laboratory" for r in resources)
    assert not any("subject" in r or "performer" in r for r in resources)
    assert "71" not in {str(r.get("valueQuantity", {}).get("value")) for r in resources if "age" in json.dumps(r)}
    text = json.dumps(b)
    assert "female" not in text and "pernicious" not in text and "age_years" not in text
    assert len({e["fullUrl"] for e in b["entry"]}) == len(b["entry"])


def test_fhir_export_codes_values_units_and_comparators():
    resources = [e["resource"] for e in to_fhir_bundle(RICH_CASE)["entry"]]
    first = resources[0]
    assert first["code"]["coding"][0] == {"system": LOINC, "code": "2132-9",
                                          "display": "Cobalamin (Vitamin B12) [Mass/volume] in Serum or Plasma"}
    assert first["valueQuantity"] == {"value": 90, "comparator": "<", "unit": "pg/mL", "system": UCUM,
                                      "code": "pg/mL"}
    assert resources[1]["code"]["coding"][0]["code"] == "14685-2"  # pmol/L: the molar code
    platelets = resources[9]
    assert platelets["valueQuantity"]["code"] == "10*9/L" and platelets["effectiveDateTime"] == "2026-11-01"
    schisto_pct = next(r for r in resources if r["code"]["text"] == "Schistocytes on film")
    assert [c["system"] for c in schisto_pct["code"]["coding"]] == ["urn:cobalt:analyte"]  # no LOINC code used
    seen = next(r for r in resources if r["code"]["coding"][0]["code"] == "800-3")
    assert seen["valueCodeableConcept"]["coding"][0] == {"system": "http://snomed.info/sct", "code": "52101004",
                                                        "display": "Present"}
    inr_no_unit = [r for r in resources if r["code"]["coding"][0]["code"] == "6301-6"][1]
    assert inr_no_unit["valueQuantity"] == {"value": 1.2}


def test_a_bundle_label_too_long_for_a_case_is_listed_not_dropped():
    text = bundle(fhir_obs("718-7", q(8.1, "g/dL")), identifier={"system": "urn:cobalt:case-label", "value": "x" * 121})
    result = read_any(text)
    assert result.imported == 0 and result.withheld == 1 and "label" not in result.doc
    assert [p.where for p in result.problems] == ["Bundle.identifier"] and result.blocking == result.problems


def test_fhir_export_is_deterministic():
    assert to_fhir_bundle(RICH_CASE) == to_fhir_bundle(RICH_CASE)


def test_fhir_export_of_a_case_with_no_results_has_no_entries():
    assert to_fhir_bundle({"observations": []}) == {"resourceType": "Bundle", "type": "collection"}


def test_fhir_export_validates_with_the_fhir_library():
    from fhir.resources.R4B.bundle import Bundle

    Bundle.model_validate(to_fhir_bundle(RICH_CASE))
