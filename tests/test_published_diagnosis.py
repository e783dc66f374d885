"""Published cases (shared/clinical/published_cases.json): B12 status and CTCAE grade.

Expected values follow the authors' reported admission labs; comments say why.
"""
import pytest

from logic.case import parse_case
from logic.diagnosis import diagnose
from tests.published import by_id, case_document, raw_cases

EXPECTED = {
    # id: (b12_status, thrombocytopenia_grade)
    "B12_PTMA_02": ("deficient", 2),          # B12 <159 pg/mL; platelets 64
    "B12_PTMA_03": ("deficient", 1),          # B12 107; platelets 88
    "B12_PTMA_06": ("deficient", 2),          # B12 50; platelets 62
    "B12_HEMOLYSIS_09": ("deficient", 0),     # B12 159; platelets 210 (no thrombocytopenia)
    "B12_ISOLATED_THROMBOCYTOPENIA_10": ("deficient", 3),  # B12 128; platelets 42
    "TTP_14": ("unknown", 4),                 # no B12 reported; platelets 9
    "TTP_16": ("unknown", 4),                 # no B12 reported; platelets 11
    "MIMIC_DHTR_21": ("unknown", 1),          # no B12 reported; platelets 93
    "ITP_26": ("unknown", 4),                 # platelets 4
    "STEC_HUS_27": ("unknown", None),         # qualitative only: no platelet number
}


def test_every_published_case_has_an_expectation():
    assert {c["id"] for c in raw_cases()} == set(EXPECTED)


@pytest.mark.parametrize(("case_id", "expected"), sorted(EXPECTED.items()))
def test_published_case_b12_status_and_platelet_grade(case_id, expected):
    d = diagnose(parse_case(case_document(by_id(case_id))))
    assert (d.b12.status, d.thrombocytopenia_grade) == expected


def test_pernicious_anaemia_cases_are_lifelong():
    for case_id in ("B12_PTMA_02", "B12_PTMA_03", "B12_PTMA_06", "B12_HEMOLYSIS_09"):
        assert diagnose(parse_case(case_document(by_id(case_id)))).lifelong is True, case_id


def test_sabri_pseudo_tma_shows_haemolysis_and_schistocytes():
    d = diagnose(parse_case(case_document(by_id("B12_PTMA_06"))))
    assert d.hemolysis is True and d.finding("schistocytes").present is True
    assert d.finding("macrocytosis").present is True
