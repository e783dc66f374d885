"""Shared by the tests of import and export (tests/test_convert_*.py): a rich case, the writers, helpers.

Rules pinned by those tests: valid rows import, bad rows are listed with their row and the reason,
a file with any rejected part adds nothing (its valid rows are withheld), nothing is silently
dropped (imported + rejected + withheld = rows read), and every result is a valid case document.
"""

import json

from logic.case import parse_case
from logic.convert import ImportResult, to_csv_long, to_csv_wide, to_fhir_bundle
from logic.reference import example_cases

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"


def observations(doc: dict) -> list[tuple]:
    """The observations of a case as comparable values: date, analyte, value, unit, comparator."""
    return sorted(
        ((o.date, o.analyte, o.value, o.unit, o.comparator) for o in parse_case(doc).observations),
        key=repr,
    )


def assert_counts_add_up(result: ImportResult, rows: int, base: dict | None = None) -> None:
    assert result.imported + result.rejected + result.withheld == rows
    assert result.rejected == len([p for p in result.problems if p.field != "file"])
    parse_case(result.doc)
    assert_whole_or_nothing(result, base)


def assert_whole_or_nothing(result: ImportResult, base: dict | None = None) -> None:
    """A file with a blocking problem adds nothing: the open case (or a new empty case) comes back as it was."""
    assert set(result.blocking) <= set(result.problems)
    if result.blocking:
        assert result.imported == 0
        before = (base or {}).get("observations") or []
        assert result.doc["observations"] == before
        if base is not None:
            assert result.doc == {**base, "observations": before}
    else:
        assert result.withheld == 0


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


#: An open case that files are imported into.
BASE = {"label": "Bed 4", "history": {"metformin": True},
        "observations": [{"date": "2026-11-01", "analyte": "platelets", "value": 62, "unit": "10^9/L"}]}
