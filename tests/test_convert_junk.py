"""Junk never crashes an importer (logic/convert/): random text, bytes, CSV, JSON and FHIR-like documents.

Every result is a valid case document, the counts add up and a file with a blocking problem adds
nothing, whatever the input.
"""

import csv
import io
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from logic.case import parse_case
from logic.convert import ImportResult, loinc_map, read_any
from tests.convert_support import BASE, LOINC, UCUM, assert_whole_or_nothing

# -- junk never crashes an importer -------------------------------------------------------------

JUNK = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def check_result(result: ImportResult, base: dict | None = None) -> None:
    assert isinstance(result, ImportResult)
    parse_case(result.doc)
    before = len(base["observations"]) if base else 0
    assert result.imported == len(result.doc["observations"]) - before
    for p in result.problems:
        assert "\n" not in str(p) and "\r" not in str(p)
    assert_whole_or_nothing(result, base)  # never partly applied
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
