"""Printouts in the forms of three published laboratory reports (tests/printouts/README.md), read whole.

Each fixture is read as a clinician would paste it; every result is pinned (analyte, value, comparator,
unit, date) and every line not read is listed with its kind, so a change in what is read, or in what is
left out, fails here. The issue's acceptance printouts (a UK B12 pseudo-TMA picture of fifteen results,
a US TTP picture) are read through to the leaning.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from logic.assess import assess
from logic.case import parse_case
from logic.cli.serialize import assessment
from logic.convert import read_printout

FIXTURES = Path(__file__).resolve().parent / "printouts"
NOV1, DEC6 = date(2026, 11, 1), date(2026, 12, 6)


def read(name: str, **kwargs):
    return read_printout((FIXTURES / name).read_text(encoding="utf-8"), **kwargs)


def rows(reading) -> list[tuple]:
    return [(r.analyte, r.comparator, r.value, r.unit, r.date) for r in reading.results]


def unread(reading) -> list[tuple[int, str]]:
    return [(u.line, u.kind) for u in reading.unread]


UK_PSEUDO_TMA = [
    ("hemoglobin", None, 55, "g/L", NOV1), ("wbc", None, 2.9, "10^9/L", NOV1), ("platelets", None, 73, "10^9/L", NOV1),
    ("mcv", None, 112.0, "fL", NOV1), ("neutrophils", None, 1.3, "10^9/L", NOV1),
    ("reticulocytes_pct", None, 0.8, "%", NOV1), ("schistocytes_seen", None, True, None, NOV1),
    ("hypersegmented_neutrophils", None, True, None, NOV1), ("ldh", None, 7310, "U/L", NOV1),
    ("haptoglobin", "<", 0.1, "g/L", NOV1), ("bilirubin_total", None, 41, "umol/L", NOV1),
    ("creatinine", None, 80, "umol/L", NOV1), ("inr", None, 1.1, "1", NOV1), ("b12", None, 80, "ng/L", NOV1),
    ("folate", None, 6.2, "ug/L", NOV1),
]  # fmt: skip
US_TTP = [
    ("wbc", None, 11.2, "10^3/uL", NOV1), ("hemoglobin", None, 6.2, "g/dL", NOV1),
    ("hematocrit", None, 18.6, "%", NOV1), ("mcv", None, 88, "fL", NOV1), ("platelets", None, 9, "10^3/uL", NOV1),
    ("reticulocytes_pct", None, 4.5, "%", NOV1),
    ("neutrophils", None, 8.4, "10^3/uL", NOV1), ("schistocytes_seen", None, True, None, NOV1),
    ("ldh", None, 1342, "U/L", NOV1), ("bilirubin_total", None, 8.2, "mg/dL", NOV1),
    ("creatinine", None, 4.1, "mg/dL", NOV1), ("haptoglobin", "<", 30, "mg/dL", NOV1),
    ("b12", None, 452, "pg/mL", NOV1),
    ("folate", None, 11.2, "ng/mL", NOV1), ("inr", None, 1.1, "1", NOV1), ("adamts13_activity", "<", 5, "%", NOV1),
]  # fmt: skip


# -- UK: NHS ITK3 pathology form -------------------------------------------------------------------


def test_printout_uk_nhs_form_reads_the_fifteen_results_of_the_pseudo_tma_picture():
    reading = read("nhs_itk3_uk_pseudo_tma.txt", unit_system="si")
    assert rows(reading) == UK_PSEUDO_TMA
    assert len(reading.results) == 15 and reading.ok
    assert [d.day for d in reading.dates] == [NOV1] and all(r.date_source == "printout" for r in reading.results)


def test_printout_uk_nhs_form_lists_every_line_it_does_not_read_with_its_kind():
    reading = read("nhs_itk3_uk_pseudo_tma.txt", unit_system="si")
    other = [6, 8, 9, 11, 12, 13, 14, 15, 16]  # RBC, MCH, MCHC, lymphocytes ... RDW: tests Cobalt does not use
    headings = [2, 19, 24, 26]  # Full Blood Count, Haemolysis screen, Coagulation, Haematinics
    expected = [(n, "other_test") for n in other] + [(n, "not_understood") for n in headings]
    assert sorted(unread(reading)) == sorted(expected)


def test_printout_uk_nhs_form_keeps_flags_ranges_and_the_conversion_of_each_result():
    by = {r.analyte: r for r in read("nhs_itk3_uk_pseudo_tma.txt", unit_system="si").results}
    assert (by["ldh"].flag, by["ldh"].reference_range) == ("^", "135 to 225")
    assert by["hemoglobin"].conversion == "= 5.5 g/dL" and by["hemoglobin"].canonical_value == pytest.approx(5.5)
    assert by["haptoglobin"].conversion == "= <10 mg/dL" and by["haptoglobin"].canonical_unit == "mg/dL"
    assert by["hemoglobin"].line == 3 and by["hemoglobin"].line_text == "Haemoglobin 55 g/L (130 to 170)"
    assert by["schistocytes_seen"].segment == "occasional schistocytes"


def test_printout_uk_pseudo_tma_leans_to_b12_pseudo_tma():
    result = assessment(assess(parse_case(read("nhs_itk3_uk_pseudo_tma.txt", unit_system="si").doc())))
    assert result["tma"]["leaning"] == "b12_pseudo_tma" and result["b12_status"] == "deficient"


@pytest.mark.parametrize("system,day", [("si", date(2026, 11, 1)), ("conventional", date(2026, 1, 11))])
def test_printout_uk_collection_date_follows_the_day_month_order_of_the_unit_system(system, day):
    reading = read("nhs_itk3_uk_pseudo_tma.txt", unit_system=system)
    assert reading.dates[0].day == day and reading.results[0].date == day


def test_printout_uk_date_without_a_unit_system_is_refused_and_no_result_is_dated():
    reading = read("nhs_itk3_uk_pseudo_tma.txt")
    assert reading.results == () and (1, "date") in unread(reading)
    assert {u.kind for u in reading.unread if u.line > 2} <= {"undated", "other_test", "not_understood"}


# -- US: VistA interim report --------------------------------------------------------------------


def test_printout_us_vista_form_reads_the_ttp_picture():
    reading = read("vista_us_ttp.txt", unit_system="conventional")
    assert rows(reading) == US_TTP


def test_printout_us_vista_form_uses_the_collection_date_not_the_report_or_print_dates():
    reading = read("vista_us_ttp.txt", unit_system="conventional", day=date(2026, 11, 30))
    assert [(d.line, d.day) for d in reading.dates] == [(12, NOV1), (31, NOV1)]
    assert [u.line for u in reading.unread if u.kind == "other_date"] == [3, 9, 28]
    assert {r.date_source for r in reading.results} == {"printout"}


def test_printout_us_vista_form_withholds_the_provider_lines():
    reading = read("vista_us_ttp.txt", unit_system="conventional")
    withheld = [u for u in reading.unread if u.kind == "identifier"]
    assert [u.line for u in withheld] == [10, 29] and all(u.withheld and u.text == "" for u in withheld)
    assert not any("CLINICIAN" in str(u) or "CLINICIAN" in u.text for u in reading.unread)


def test_printout_us_vista_form_reads_flags_site_codes_and_ref_ranges():
    by = {r.analyte: r for r in read("vista_us_ttp.txt", unit_system="conventional").results}
    assert (by["platelets"].flag, by["platelets"].printed_unit, by["platelets"].reference_range) == ("L*", "K/cmm",
                                                                                                   "150 - 400")
    assert (by["folate"].reference_range, by["adamts13_activity"].flag) == (">=5.9", "L*")
    assert by["schistocytes_seen"].notes == ("graded: read as seen",)
    assert by["ldh"].printed_unit == "IU/L" and by["ldh"].unit == "U/L"


def test_printout_us_ttp_leans_to_ttp():
    result = assessment(assess(parse_case(read("vista_us_ttp.txt", unit_system="conventional").doc())))
    assert result["tma"]["leaning"] == "ttp"


# -- HL7 FHIR example: an Australian-style CBC -----------------------------------------------------


def test_printout_hl7_form_reads_units_before_values_and_glued_flags():
    reading = read("hl7_fhir_au_cbc.txt", unit_system="si", day=DEC6)
    assert rows(reading) == [
        ("hemoglobin", None, 76, "g/L", DEC6), ("hematocrit", None, 0.23, "L/L", DEC6), ("mcv", None, 105, "fL", DEC6),
        ("platelets", None, 88, "10^9/L", DEC6), ("wbc", None, 2.6, "10^9/L", DEC6),
        ("neutrophils", None, 1.3, "10^9/L", DEC6),
    ]  # fmt: skip
    by = {r.analyte: r for r in reading.results}
    assert (by["neutrophils"].flag, by["mcv"].flag, by["hemoglobin"].flag) == ("--", "+", "-")
    assert by["hematocrit"].unit_source == "unit_system" and by["hematocrit"].printed_unit is None


def test_printout_hl7_form_never_reads_a_percentage_differential_as_an_absolute_count():
    reading = read("hl7_fhir_au_cbc.txt", unit_system="si", day=DEC6)
    assert [r.value for r in reading.results if r.analyte == "neutrophils"] == [1.3]
    assert (11, "other_test") in unread(reading)


def test_printout_hl7_form_has_no_draw_date_so_the_given_date_is_used_and_said():
    reading = read("hl7_fhir_au_cbc.txt", unit_system="si", day=DEC6)
    assert reading.dated_by_caller and reading.dates == ()
    assert all(r.date_source == "given" and any("the date given" in n for n in r.notes) for r in reading.results)
    assert [u.line for u in reading.unread if u.kind == "identifier"] == [1, 22]  # the MRN line, the signer


def test_printout_hl7_form_without_a_date_reads_nothing_and_says_why():
    reading = read("hl7_fhir_au_cbc.txt", unit_system="si")
    assert reading.results == () and not reading.ok
    assert {u.kind for u in reading.unread if u.line in (4, 7, 9)} == {"undated"}


# -- a tab-separated table and a letter --------------------------------------------------------------


def test_printout_tab_separated_table_is_read_cell_by_cell():
    reading = read("tab_table_us.txt", unit_system="conventional")
    assert [(a, c, v, u) for a, c, v, u, _ in rows(reading)] == [
        ("hemoglobin", None, 6.8, "g/dL"), ("platelets", None, 38, "10^3/uL"), ("wbc", None, 2.9, "10^3/uL"),
        ("mcv", None, 118, "fL"), ("reticulocytes_pct", None, 1.1, "%"), ("ldh", None, 2100, "U/L"),
        ("haptoglobin", "<", 10, "mg/dL"), ("bilirubin_total", None, 2.6, "mg/dL"), ("creatinine", None, 0.9, "mg/dL"),
        ("b12", "<", 50, "pg/mL"),
    ]  # fmt: skip
    assert {r.date for r in reading.results} == {DEC6}  # 12/06/2026 month first
    assert unread(reading) == [(2, "not_understood")]  # the header row


def test_printout_letter_reads_several_results_on_one_line():
    reading = read("letter_uk.txt", unit_system="si")
    assert [(r.line, r.analyte) for r in reading.results] == [
        (1, "hemoglobin"), (1, "mcv"), (1, "platelets"), (1, "wbc"), (1, "neutrophils"), (1, "reticulocytes_pct"),
        (1, "ldh"), (1, "bilirubin_total"), (1, "haptoglobin"), (1, "creatinine"), (1, "inr"), (1, "b12"),
        (1, "folate"), (2, "schistocytes_seen"), (2, "hypersegmented_neutrophils"),
    ]  # fmt: skip
    assert reading.unread == () and {r.date for r in reading.results} == {DEC6}
    by = {r.analyte: r for r in reading.results}
    assert by["platelets"].unit_source == "unit_system" and by["platelets"].segment == "Plt 38"
    assert by["creatinine"].notes == ("no unit printed: read in µmol/L, the unit of the case's unit system",)
    assert by["hemoglobin"].unit_source == "printed"


def test_printout_letter_leans_like_the_uk_printout():
    result = assessment(assess(parse_case(read("letter_uk.txt", unit_system="si").doc())))
    assert result["tma"]["leaning"] == "b12_pseudo_tma"


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.glob("*.txt")))
def test_printout_every_fixture_gives_a_valid_case_document_in_either_unit_system(name):
    for system in ("si", "conventional", None):
        reading = read(name, unit_system=system, day=DEC6)
        parse_case(reading.doc())
        assert len(reading.doc()["observations"]) == len(reading.results)
