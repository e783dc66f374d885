"""Import and export (logic/convert.py): each format good, bad and mixed; round trips; junk never crashes.

Rules pinned here: valid rows import, bad rows are listed with their row and the reason, nothing
is silently dropped (imported + rejected = rows read), and every result is a valid case document.
"""

import csv
import io
import json

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from logic.case import CaseError, parse_case
from logic.convert import (
    MAX_UPLOAD_BYTES,
    ConvertError,
    ImportResult,
    detect_format,
    loinc_map,
    read_any,
    to_csv_long,
    to_csv_wide,
    to_fhir_bundle,
    write_as,
)
from logic.reference import example_cases

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"


def observations(doc: dict) -> list[tuple]:
    """The observations of a case as comparable values: date, analyte, value, unit, comparator."""
    return sorted(
        ((o.date, o.analyte, o.value, o.unit, o.comparator) for o in parse_case(doc).observations),
        key=repr,
    )


def assert_counts_add_up(result: ImportResult, rows: int) -> None:
    assert result.imported + result.rejected == rows
    assert result.rejected == len([p for p in result.problems if p.field != "file"])
    parse_case(result.doc)


#: Every analyte, both units of one analyte, censored values, yes/no findings, two results on a day.
RICH_CASE = {
    "format": "b12-case/1",
    "label": "Round trip",
    "patient": {"age_years": 71, "sex": "female"},
    "history": {"pernicious_anemia": True, "metformin": None},
    "treatment_start": "2026-11-03",
    "observations": [
        {"date": "2026-11-01", "analyte": "b12", "value": 90, "unit": "pg/mL", "comparator": "<"},
        {"date": "2026-11-02", "analyte": "b12", "value": 66.4, "unit": "pmol/L"},
        {"date": "2026-11-01", "analyte": "holotc", "value": 12, "unit": "pmol/L"},
        {"date": "2026-11-01", "analyte": "mma", "value": 850, "unit": "nmol/L"},
        {"date": "2026-11-01", "analyte": "homocysteine", "value": 48.5, "unit": "umol/L"},
        {"date": "2026-11-01", "analyte": "folate", "value": 20.1, "unit": "nmol/L", "comparator": ">"},
        {"date": "2026-11-01", "analyte": "hemoglobin", "value": 71, "unit": "g/L"},
        {"date": "2026-11-01", "analyte": "hematocrit", "value": 0.21, "unit": "L/L"},
        {"date": "2026-11-01", "analyte": "mcv", "value": 118.0, "unit": "fL"},
        {"date": "2026-11-01", "analyte": "platelets", "value": 34, "unit": "10^9/L"},
        {"date": "2026-11-01", "analyte": "platelets", "value": 31, "unit": "10^9/L"},
        {"date": "2026-11-09", "analyte": "platelets", "value": 131, "unit": "10^3/uL"},
        {"date": "2026-11-01", "analyte": "wbc", "value": 2.9, "unit": "10^9/L"},
        {"date": "2026-11-01", "analyte": "neutrophils", "value": 1.05, "unit": "10^9/L"},
        {"date": "2026-11-01", "analyte": "reticulocytes_pct", "value": 0.4, "unit": "%"},
        {"date": "2026-11-09", "analyte": "reticulocytes_abs", "value": 210, "unit": "10^9/L"},
        {"date": "2026-11-01", "analyte": "ldh", "value": 3466, "unit": "U/L"},
        {"date": "2026-11-01", "analyte": "haptoglobin", "value": 0.1, "unit": "g/L", "comparator": "<="},
        {"date": "2026-11-01", "analyte": "bilirubin_total", "value": 41, "unit": "umol/L"},
        {"date": "2026-11-01", "analyte": "bilirubin_indirect", "value": 1.9, "unit": "mg/dL"},
        {"date": "2026-11-01", "analyte": "creatinine", "value": 88, "unit": "umol/L"},
        {"date": "2026-11-01", "analyte": "inr", "value": 1.1, "unit": "1"},
        {"date": "2026-11-02", "analyte": "inr", "value": 1.2},
        {"date": "2026-11-01", "analyte": "adamts13_activity", "value": 62, "unit": "%", "comparator": ">="},
        {"date": "2026-11-01", "analyte": "potassium", "value": 3.4, "unit": "mmol/L"},
        {"date": "2026-11-01", "analyte": "ferritin", "value": 1e-05, "unit": "ug/L"},
        {"date": "2026-11-01", "analyte": "schistocytes_pct", "value": 2.3, "unit": "%"},
        {"date": "2026-11-01", "analyte": "schistocytes_seen", "value": True},
        {"date": "2026-11-01", "analyte": "hypersegmented_neutrophils", "value": False},
    ],
}

WRITERS = {
    "csv_long": to_csv_long,
    "csv_wide": to_csv_wide,
    "fhir": lambda doc: json.dumps(to_fhir_bundle(doc)),
}
CASES = {"rich": RICH_CASE, **example_cases()}


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


# -- detection ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,filename,fmt",
    [
        ('{"observations": []}', None, "json"),
        ('\ufeff  {"resourceType": "Bundle", "type": "collection"}', None, "fhir"),
        ('{"resourceType": "Observation"}', None, "fhir"),
        ("<Bundle xmlns='http://hl7.org/fhir'/>", None, "fhir"),
        ("date,analyte,value,unit\n", None, "csv_long"),
        ("Date;Analyte;Value;Unit\n", None, "csv_long"),
        ("date,platelets (10^9/L)\n", None, "csv_wide"),
        ("date\tplatelets (10^9/L)\n", "labs.tsv", "csv_wide"),
        ("not json at all", "case.json", "json"),
        ("{broken", None, "json"),
        ("", None, "csv_wide"),
    ],
)
def test_format_is_detected_from_the_content(text, filename, fmt):
    assert detect_format(text, filename) == fmt


def test_content_wins_over_the_file_name():
    assert detect_format("date,analyte,value,unit\n", "labs.json") == "csv_long"


# -- CSV long -------------------------------------------------------------------------------------

GOOD_LONG = """date,analyte,value,unit
2026-11-01,platelets,62,10^9/L
2026-11-01,b12,<100,pg/mL
2026-11-01,Haptoglobin,< 8,mg/dl
2026-11-01,schistocytes_seen,yes,
2026-11-02,777-3,70,10*9/L
2026-11-02T08:30,inr,1.1,
"""

BAD_LONG = """date,analyte,value,unit
01/11/2026,platelets,62,10^9/L
2026-11-01,vitamin q,5,mg
2026-11-01,b12,abc,pg/mL
2026-11-01,b12,100,kg
2026-11-01,platelets,-4,10^9/L
2026-11-01,platelets,62,
2026-11-01,hemoglobin,95,g/dL
2026-11-01,schistocytes_seen,few,
2026-11-01,platelets,1,10^9/L,extra
"""


def test_good_long_csv_imports_every_row():
    result = read_any(GOOD_LONG)
    assert result.format == "csv_long" and result.problems == ()
    assert result.imported == 6
    obs = result.doc["observations"]
    assert obs[1] == {"date": "2026-11-01", "analyte": "b12", "value": 100, "unit": "pg/mL", "comparator": "<"}
    assert obs[2]["analyte"] == "haptoglobin" and obs[2]["comparator"] == "<" and obs[2]["unit"] == "mg/dL"
    assert obs[3] == {"date": "2026-11-01", "analyte": "schistocytes_seen", "value": True}
    assert obs[4]["analyte"] == "platelets" and obs[4]["unit"] == "10^9/L"  # LOINC code and UCUM unit read
    assert obs[5] == {"date": "2026-11-02", "analyte": "inr", "value": 1.1}  # date-time keeps its date


def test_bad_long_csv_lists_every_row_with_its_number_and_reason():
    result = read_any(BAD_LONG)
    assert result.imported == 0
    assert_counts_add_up(result, 9)
    where = [p.where for p in result.problems]
    assert where == [
        "row 2 (platelets)",
        "row 3 (2026-11-01)",
        "row 4 (b12, 2026-11-01)",
        "row 5 (b12, 2026-11-01)",
        "row 6 (platelets, 2026-11-01)",
        "row 7 (platelets, 2026-11-01)",
        "row 8 (hemoglobin, 2026-11-01)",
        "row 9 (schistocytes_seen, 2026-11-01)",
        "row 10",
    ]
    messages = [p.message for p in result.problems]
    assert "use YYYY-MM-DD" in messages[0]
    assert "unknown analyte 'vitamin q'" in messages[1]
    assert "'abc' is not a number" in messages[2]
    assert "unit 'kg' is not accepted for b12" in messages[3]
    assert "negative" in messages[4]
    assert "unit is missing" in messages[5]
    assert "outside what a living patient can have" in messages[6]
    assert "must be true or false" in messages[7]
    assert "header names 4 columns" in messages[8]


def test_mixed_long_csv_imports_the_valid_rows_and_lists_the_bad():
    text = GOOD_LONG + "\n".join(BAD_LONG.splitlines()[1:]) + "\n"
    result = read_any(text)
    assert result.imported == 6 and result.rejected == 9
    assert_counts_add_up(result, 15)
    assert result.problems[0].where.startswith("row 8 ")


def test_comparator_column_and_value_prefix_agree_or_the_row_is_listed():
    text = "date,analyte,value,unit,comparator\n2026-11-01,haptoglobin,8,mg/dL,<\n2026-11-01,b12,<100,pg/mL,>\n" \
           "2026-11-01,b12,100,pg/mL,~\n2026-11-01,schistocytes_seen,true,,<\n2026-11-01,b12,≤150,pg/mL,\n"
    result = read_any(text)
    assert result.doc["observations"][0]["comparator"] == "<"
    assert result.doc["observations"][1]["comparator"] == "<="
    assert [p.where for p in result.problems] == ["row 3 (b12, 2026-11-01)", "row 4 (b12, 2026-11-01)",
                                                  "row 5 (schistocytes_seen, 2026-11-01)"]
    assert "says < but the comparator column says >" in result.problems[0].message


def test_semicolon_csv_takes_a_decimal_comma():
    result = read_any("date;analyte;value;unit\n2026-11-01;hemoglobin;7,9;g/dL\n")
    assert result.problems == () and result.doc["observations"][0]["value"] == 7.9


def test_comma_csv_does_not_guess_a_decimal_comma():
    result = read_any('date,analyte,value,unit\n2026-11-01,hemoglobin,"7,9",g/dL\n')
    assert result.imported == 0 and "decimal point" in result.problems[0].message


def test_blank_lines_are_not_rows():
    result = read_any("date,analyte,value,unit\n\n2026-11-01,mcv,101,fL\n,,,\n")
    assert result.imported == 1 and result.rejected == 0 and result.problems == ()


def test_a_filled_unknown_column_is_reported_not_silently_dropped():
    result = read_any("date,analyte,value,unit,flag\n2026-11-01,mcv,101,fL,H\n")
    assert result.imported == 1
    assert [(p.where, p.field) for p in result.problems] == [("row 1", "file")]
    assert "'flag' is not read" in result.problems[0].message


def test_long_csv_without_the_needed_columns_is_refused_with_one_problem():
    result = read_any("date,analyte,result\n2026-11-01,mcv,101\n", fmt="csv_long")
    assert result.imported == 0 and len(result.problems) == 1
    assert "missing value" in result.problems[0].message


def test_nan_and_infinity_are_not_numbers():
    result = read_any("date,analyte,value,unit\n2026-11-01,mcv,nan,fL\n2026-11-01,mcv,inf,fL\n"
                      "2026-11-01,mcv,1_000,fL\n2026-11-01,mcv,1e999,fL\n")
    assert result.imported == 0
    assert_counts_add_up(result, 4)


# -- CSV wide -------------------------------------------------------------------------------------

GOOD_WIDE = """date,platelets (10^9/L),B12 [pg/mL],Haptoglobin (mg/dL),schistocytes_seen,inr,\
Vitamin B12 (serum) (pmol/L)
2026-11-01,62,<100,<8,true,1.1,
2026-11-01,58,,,,,
2026-11-09,131,,,false,,250
"""


def test_good_wide_csv_imports_every_value_cell():
    result = read_any(GOOD_WIDE)
    assert result.format == "csv_wide" and result.problems == ()
    assert result.imported == 9
    obs = result.doc["observations"]
    assert obs[0] == {"date": "2026-11-01", "analyte": "platelets", "value": 62, "unit": "10^9/L"}
    assert obs[1] == {"date": "2026-11-01", "analyte": "b12", "value": 100, "unit": "pg/mL", "comparator": "<"}
    assert {"date": "2026-11-01", "analyte": "platelets", "value": 58, "unit": "10^9/L"} in obs
    assert {"date": "2026-11-09", "analyte": "b12", "value": 250, "unit": "pmol/L"} in obs
    assert {"date": "2026-11-01", "analyte": "inr", "value": 1.1} in obs


def test_bad_wide_csv_lists_each_cell_with_its_row_and_reason():
    text = "date,platelets (10^9/L),foo (mg),b12,mcv (kg)\n2026-11-01,x,3,200,90\nlater,5,,,\n2026-11-02,1,,,,7\n"
    result = read_any(text)
    assert result.imported == 1  # the platelet count of 2026-11-02
    assert_counts_add_up(result, 7)
    problems = [(p.where, p.message.split(";")[0]) for p in result.problems]
    assert problems == [
        ("row 2 (platelets, 2026-11-01)", "value 'x' is not a number"),
        ("row 2 (2026-11-01)", "column 'foo (mg)' is not an analyte"),
        ("row 2 (2026-11-01)", "column 'b12' gives no unit"),
        ("row 2 (2026-11-01)", "column 'mcv (kg)': unit 'kg' is not accepted for mcv"),
        ("row 3 (platelets)", "the row's date 'later' does not parse"),
        ("row 4, column 6 (2026-11-02)", "this cell has no column header"),
    ]


def test_mixed_wide_csv_imports_the_good_cells_of_a_row_with_a_bad_one():
    result = read_any("date,platelets (10^9/L),mcv (fL)\n2026-11-01,62,abc\n")
    assert result.imported == 1 and result.rejected == 1
    assert result.doc["observations"] == [{"date": "2026-11-01", "analyte": "platelets", "value": 62,
                                           "unit": "10^9/L"}]
    assert result.problems[0].where == "row 2 (mcv, 2026-11-01)"


def test_an_empty_column_that_is_not_understood_is_still_reported():
    result = read_any("date,platelets (10^9/L),comments\n2026-11-01,62,\n")
    assert result.imported == 1 and result.rejected == 0
    assert [p.field for p in result.problems] == ["file"] and "holds no values" in result.problems[0].message


def test_text_that_is_no_format_is_refused_naming_the_formats_read():
    result = read_any("hello world\nthis is not a lab file\n")
    assert result.imported == 0 and len(result.problems) == 1
    assert "CSV long" in result.problems[0].message and "FHIR" in result.problems[0].message


def test_wide_export_puts_two_results_of_a_day_on_two_rows():
    rows = list(csv.reader(io.StringIO(to_csv_wide(RICH_CASE))))
    header = rows[0]
    col = header.index("platelets (10^9/L)")
    assert [r[col] for r in rows[1:] if r[0] == "2026-11-01"] == ["34", "31"]
    assert "b12 (pg/mL)" in header and "b12 (pmol/L)" in header and "inr (1)" in header and "inr" in header


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
    assert result.imported == 1
    assert_counts_add_up(result, 12)
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
    assert result.doc["observations"] == [{"date": "2026-11-03", "analyte": "hemoglobin", "value": 8.1,
                                           "unit": "g/dL"}]
    assert_counts_add_up(result, 2)
    assert result.problems[0].where == "entry 0 component 1 (2026-11-03)"


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
    assert result.imported == 1 and "label" not in result.doc
    assert [p.where for p in result.problems] == ["Bundle.identifier"]


def test_fhir_export_is_deterministic():
    assert to_fhir_bundle(RICH_CASE) == to_fhir_bundle(RICH_CASE)


def test_fhir_export_of_a_case_with_no_results_has_no_entries():
    assert to_fhir_bundle({"observations": []}) == {"resourceType": "Bundle", "type": "collection"}


def test_fhir_export_validates_with_the_fhir_library():
    from fhir.resources.R4B.bundle import Bundle

    Bundle.model_validate(to_fhir_bundle(RICH_CASE))


# -- JSON (case document) -------------------------------------------------------------------------


def test_a_case_document_with_a_bad_observation_imports_the_rest():
    doc = {"label": "x", "observations": [
        {"date": "2026-11-01", "analyte": "mcv", "value": 101, "unit": "fL"},
        {"date": "2026-11-01", "analyte": "mcv", "value": 101, "unit": "kg"},
        "junk",
        {"date": "2026-11-01", "analyte": "nonsense", "value": 1},
    ]}
    result = read_any(json.dumps(doc))
    assert result.imported == 1 and result.doc["label"] == "x"
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
    ("[" * 100_000, "nested too deeply"),
])
def test_a_json_file_that_is_no_case_document_is_refused(text, message):
    result = read_any(text, fmt="json")
    assert result.imported == 0 and any(message in p.message for p in result.problems)


def test_a_huge_integer_is_rejected_not_a_crash():
    result = read_any('{"observations": [{"date": "2026-11-01", "analyte": "ldh", "value": ' + "9" * 5000
                      + ', "unit": "U/L"}]}')
    assert result.imported == 0 and result.rejected == 1


# -- importing into an open case ----------------------------------------------------------------

BASE = {"label": "Bed 4", "history": {"metformin": True},
        "observations": [{"date": "2026-11-01", "analyte": "platelets", "value": 62, "unit": "10^9/L"}]}


def test_import_into_a_case_adds_the_observations_and_keeps_the_case():
    result = read_any("date,analyte,value,unit\n2026-11-05,platelets,88,10^9/L\n", base=BASE)
    assert result.doc["label"] == "Bed 4" and result.doc["history"] == {"metformin": True}
    assert result.doc["observations"] == BASE["observations"] + [
        {"date": "2026-11-05", "analyte": "platelets", "value": 88, "unit": "10^9/L"}]
    assert len(BASE["observations"]) == 1  # the caller's case is not changed


def test_a_result_already_in_the_case_is_listed_not_added_twice():
    text = "date,analyte,value,unit\n2026-11-01,platelets,62,10*9/L\n2026-11-05,platelets,88,10^9/L\n"
    result = read_any(text, base=BASE)
    assert result.imported == 1
    assert_counts_add_up(result, 2)
    assert result.problems[0].where == "row 2 (platelets, 2026-11-01)"
    assert "already in the case" in result.problems[0].message


def test_a_case_document_imported_into_a_case_lists_its_own_fields_not_applied():
    other = {"label": "Other", "history": {"metformin": False}, "observations": [
        {"date": "2026-11-07", "analyte": "mcv", "value": 99, "unit": "fL"}]}
    result = read_any(json.dumps(other), base=BASE)
    assert result.imported == 1 and result.doc["label"] == "Bed 4" and result.doc["history"] == {"metformin": True}
    assert sorted(p.where for p in result.problems) == ["history", "label"]


def test_an_invalid_open_case_is_the_caller_error():
    with pytest.raises(ConvertError):
        read_any("date,analyte,value,unit\n", base={"observations": "nope"})


def test_an_unknown_forced_format_is_the_caller_error():
    with pytest.raises(ConvertError):
        read_any("", fmt="xml")


# -- size and encoding ----------------------------------------------------------------------------


def test_a_file_over_the_size_limit_is_refused_with_one_problem():
    text = "date,analyte,value,unit\n" + "2026-11-01,mcv,101,fL\n" * (MAX_UPLOAD_BYTES // 20)
    assert len(text.encode()) > MAX_UPLOAD_BYTES
    result = read_any(text)
    assert result.imported == 0 and len(result.problems) == 1
    assert "the limit is 2 MB" in result.problems[0].message
    assert read_any(text.encode()).problems == result.problems


def test_the_size_limit_is_two_megabytes():
    assert MAX_UPLOAD_BYTES == 2 * 1024 * 1024


def test_a_file_just_under_the_limit_is_read():
    row = "2026-11-01,mcv,101,fL\n"
    text = "date,analyte,value,unit\n" + row * 2000
    assert len(text.encode()) < MAX_UPLOAD_BYTES
    assert read_any(text).imported == 2000


def test_bytes_are_read_as_utf8_and_other_encodings_are_refused():
    assert read_any("date,analyte,value,unit\n2026-11-01,mcv,101,fL\n".encode("utf-8-sig")).imported == 1
    result = read_any("date,analyte,value,unit\n2026-11-01,homocysteine,12,µmol/L\n".encode("latin-1"))
    assert result.imported == 0 and "not UTF-8" in result.problems[0].message


def test_writers_refuse_an_invalid_case():
    for writer in (to_csv_long, to_csv_wide, to_fhir_bundle):
        with pytest.raises(CaseError):
            writer({"observations": [{"date": "x", "analyte": "mcv", "value": 1, "unit": "fL"}]})
    with pytest.raises(ConvertError):
        write_as(RICH_CASE, "xml")


# -- junk never crashes an importer -------------------------------------------------------------

JUNK = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def check_result(result: ImportResult, base: dict | None = None) -> None:
    assert isinstance(result, ImportResult)
    parse_case(result.doc)
    before = len(base["observations"]) if base else 0
    assert result.imported == len(result.doc["observations"]) - before
    for p in result.problems:
        assert "\n" not in str(p) and "\r" not in str(p)
    if not any(p.field in ("file", "document") for p in result.problems):
        item_problems = [p for p in result.problems
                         if p.field.startswith(("rows[", "entry[", "observations["))]
        assert result.rejected == len(item_problems)


@JUNK
@given(st.text(max_size=300), st.sampled_from([None, "x.csv", "x.json"]))
def test_random_text_never_crashes_an_importer(text, filename):
    check_result(read_any(text, filename=filename))


@JUNK
@given(st.binary(max_size=300))
def test_random_bytes_never_crash_an_importer(data):
    check_result(read_any(data))


CELLS = st.one_of(
    st.text(max_size=10),
    st.sampled_from(["2026-11-01", "2026-02-30", "platelets", "B12", "777-3", "62", "<8", ">=1e3", "-3", "1,5",
                     "nan", "inf", "1e999", "10^9/L", "pg/mL", "true", "few", "", " ", "≤3", "schistocytes_seen"]),
)
HEADERS = st.one_of(
    st.text(max_size=8),
    st.sampled_from(["date", "analyte", "value", "unit", "comparator", "platelets (10^9/L)", "b12 [pg/mL]",
                     "schistocytes_seen", "inr", "foo (mg)", "Date", "mcv (kg)", "hemoglobin ()"]),
)


@JUNK
@given(st.lists(HEADERS, max_size=6), st.lists(st.lists(CELLS, max_size=7), max_size=8),
       st.sampled_from([",", ";", "\t"]), st.sampled_from([None, "csv_long", "csv_wide"]))
def test_random_csv_never_crashes_an_importer(header, rows, delimiter, fmt):
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    result = read_any(buf.getvalue(), fmt=fmt)
    check_result(result)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=12,
)
OBS_LIKE = st.dictionaries(
    st.sampled_from(["date", "analyte", "value", "unit", "comparator", "note"]),
    st.one_of(JSON_VALUES, st.sampled_from(["2026-11-01", "platelets", "b12", "10^9/L", "<", 62, 1.5, True])),
)
CASE_LIKE = st.fixed_dictionaries(
    {"observations": st.one_of(st.lists(OBS_LIKE, max_size=6), JSON_VALUES)},
    optional={"label": JSON_VALUES, "history": st.dictionaries(st.sampled_from(["metformin", "symptom_onset"]),
                                                              JSON_VALUES),
              "patient": JSON_VALUES, "treatment_start": JSON_VALUES, "format": JSON_VALUES, "about": JSON_VALUES},
)


@JUNK
@given(st.one_of(JSON_VALUES, CASE_LIKE), st.booleans())
def test_random_json_never_crashes_an_importer(doc, into_base):
    base = BASE if into_base else None
    check_result(read_any(json.dumps(doc), fmt="json", base=base), base)


ALL_CODES = sorted({e["code"] for spec in loinc_map()["analytes"].values() for e in spec["codes"]})
CODINGS = st.fixed_dictionaries(
    {"system": st.sampled_from([LOINC, "urn:cobalt:analyte", "http://example.org", None, 3])},
    optional={"code": st.one_of(st.sampled_from(ALL_CODES + ["9999-9", "platelets", "", " x"]), JSON_VALUES),
              "display": st.text(max_size=5)},
)
QUANTITY = st.fixed_dictionaries({}, optional={
    "value": st.one_of(st.floats(), st.integers(), st.text(max_size=4), st.none()),
    "unit": st.sampled_from(["10^9/L", "K/uL", "g/dL", "", "pg/mL", 5]),
    "code": st.sampled_from(["10*9/L", "{INR}", "pmol/L", "%", "mg/dL", "bad"]),
    "system": st.sampled_from([UCUM, "http://x", None]),
    "comparator": st.sampled_from(["<", "<=", ">", ">=", "ad", "~"]),
})
CONCEPT = st.fixed_dictionaries({}, optional={"coding": st.lists(CODINGS, max_size=2),
                                              "text": st.sampled_from(["present", "absent", "few", "", "Seen"])})
VALUE_FIELDS = {
    "status": st.sampled_from(["final", "amended", "preliminary", "cancelled", "entered-in-error", "bogus", 1]),
    "effectiveDateTime": st.sampled_from(["2026-11-01", "2026-11", "2026", "2026-11-01T08:00:00Z",
                                          "2026-11-01T08:00:00+05:00", "yesterday", 7]),
    "effectivePeriod": st.fixed_dictionaries({}, optional={"start": st.sampled_from(["2026-11-01", "x"])}),
    "valueQuantity": QUANTITY,
    "valueBoolean": st.one_of(st.booleans(), st.text(max_size=3)),
    "valueCodeableConcept": CONCEPT,
    "valueString": st.text(max_size=8),
    "dataAbsentReason": CONCEPT,
    "subject": st.fixed_dictionaries({"reference": st.just("Patient/1")}),
}
COMPONENT = st.fixed_dictionaries({"code": CONCEPT}, optional={
    k: VALUE_FIELDS[k] for k in ("valueQuantity", "valueBoolean", "valueCodeableConcept", "valueString")})
RESOURCE = st.fixed_dictionaries(
    {"resourceType": st.sampled_from(["Observation", "Observation", "Observation", "Patient", "Foo", 1])},
    optional={**VALUE_FIELDS, "code": CONCEPT, "component": st.lists(COMPONENT, max_size=3),
              "hasMember": st.just([{"reference": "Observation/2"}]), "extra": JSON_VALUES},
)
ENTRY = st.one_of(st.fixed_dictionaries({"resource": RESOURCE}, optional={"fullUrl": st.text(max_size=5)}),
                  JSON_VALUES)
FHIR_LIKE = st.fixed_dictionaries(
    {"resourceType": st.sampled_from(["Bundle", "Bundle", "Observation", "Patient", None])},
    optional={"type": st.sampled_from(["collection", "searchset", "bogus", 3]),
              "entry": st.one_of(st.lists(ENTRY, max_size=5), JSON_VALUES),
              "identifier": st.fixed_dictionaries({"system": st.just("urn:cobalt:case-label"),
                                                   "value": st.text(max_size=130)}),
              **VALUE_FIELDS, "code": CONCEPT},
)


@JUNK
@given(FHIR_LIKE, st.booleans())
def test_random_fhir_like_documents_never_crash_an_importer(doc, into_base):
    base = BASE if into_base else None
    check_result(read_any(json.dumps(doc), base=base), base)


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
