"""The printout recogniser's rules, one at a time: what it reads, what it refuses and why (issue 23).

Nothing is guessed: a name that stands for two analytes with no unit to decide, a unit that fits no
analyte, two numbers, a day/month order not known, words not understood, are each listed with why.
"""

from __future__ import annotations

import json
from datetime import date

import pytest

from logic.case import parse_case
from logic.case.limits import MAX_ROWS
from logic.convert import MAX_LINE_CHARS, MAX_UPLOAD_BYTES, UNREAD_KINDS, ConvertError, read_printout
from logic.convert.printout_data import _fold_unit, _tables

DAY = date(2026, 12, 6)


def one(line: str, system: str | None = "si", **kwargs):
    """The results of one line (analyte, comparator, value, unit) and the kinds of what was not read."""
    reading = read_printout(line, unit_system=system, day=kwargs.pop("day", DAY), **kwargs)
    return [(r.analyte, r.comparator, r.value, r.unit) for r in reading.results], [u.kind for u in reading.unread]


def reason(line: str, system: str | None = "si") -> str:
    reading = read_printout(line, unit_system=system, day=DAY)
    assert len(reading.unread) == 1 and not reading.results, reading
    return reading.unread[0].reason


# -- one result a line ---------------------------------------------------------------------------------


@pytest.mark.parametrize("line,expected", [
    ("Haemoglobin 68 g/L (130-170) L", ("hemoglobin", None, 68, "g/L")),
    ("PLT 38 x10^9/L", ("platelets", None, 38, "10^9/L")),
    ("B12 <50 ng/L", ("b12", "<", 50, "ng/L")),
    ("Retic 1.1 %", ("reticulocytes_pct", None, 1.1, "%")),
    ("Retic 85 x10^9/L", ("reticulocytes_abs", None, 85, "10^9/L")),
    ("Platelets 38 x10*9/l", ("platelets", None, 38, "10^9/L")),
    ("Platelets 38 x 10^9/L", ("platelets", None, 38, "10^9/L")),
    ("Platelets 38 ×10⁹/L", ("platelets", None, 38, "10^9/L")),
    ("Platelets 38 x 109/L", ("platelets", None, 38, "10^9/L")),
    ("Platelet count 38 10^3/uL", ("platelets", None, 38, "10^3/uL")),
    ("WBC 2.9 K/uL", ("wbc", None, 2.9, "10^3/uL")),
    ("Hemoglobin 6.8 g/dl", ("hemoglobin", None, 6.8, "g/dL")),
    ("Creatinine 78 umol/L", ("creatinine", None, 78, "umol/L")),
    ("Creatinine 78 µmol/L", ("creatinine", None, 78, "umol/L")),
    ("Active B12 20 pmol/L", ("holotc", None, 20, "pmol/L")),
    ("Vitamin B12 107 pmol/L", ("b12", None, 107, "pmol/L")),
    ("Hb: 68g/L", ("hemoglobin", None, 68, "g/L")),
    ("Retic 1.1%", ("reticulocytes_pct", None, 1.1, "%")),
    ("Neutrophils 0.0010^9/L", ("neutrophils", None, 0.0, "10^9/L")),
    ("Haptoglobin < 0.1 g/L", ("haptoglobin", "<", 0.1, "g/L")),
    ("ADAMTS13 activity ≤5 %", ("adamts13_activity", "<=", 5, "%")),
    ("Bilirubin, total 45 umol/L", ("bilirubin_total", None, 45, "umol/L")),
    ("Unconjugated bilirubin 38 µmol/L", ("bilirubin_indirect", None, 38, "umol/L")),
    ("HGB,Blood 9.9 L g/dL 14.0 - 17.0 [570]", ("hemoglobin", None, 9.9, "g/dL")),
    ("Haematocrit (PCV) 0.372 Ratio (0.36 to 0.46)", ("hematocrit", None, 0.372, "L/L")),
    ("INR 1.1 Ratio", ("inr", None, 1.1, "1")),
    ("D-dimer 0.4 mg/L FEU", ("d_dimer", None, 0.4, "mg/L FEU")),
    ("WBC 2,9 x10^9/L", ("wbc", None, 2.9, "10^9/L")),
    ("- Hb 68 g/L", ("hemoglobin", None, 68, "g/L")),
    ("Bloods: Hb 68 g/L", ("hemoglobin", None, 68, "g/L")),
    ("LDH 2100 IU/L", ("ldh", None, 2100, "U/L")),
])  # fmt: skip
def test_printout_line_is_read_as_printed(line, expected):
    assert one(line) == ([expected], [])


@pytest.mark.parametrize("line,flag,rng", [
    ("Haemoglobin 68 g/L (130-170) L", "L", "130-170"),
    ("Red cell folate 300 ug/L", None, None),
    ("Mean Cell Volume ^112.0 fL (80.0 to 99.0)", "^", "80.0 to 99.0"),
    ("Neutrophils x10*9/L 0.9--- 2.0 - 7.5", "---", "2.0 - 7.5"),
    ("Platelets 38 x10^9/L [150-400] LL", "LL", "150-400"),
    ("WBC x10*9/L 0.92+++ <0.21", "+++", "<0.21"),
    ("Neutrophils 1.3 10^9/L Ref: >=1.5 [570]", None, ">=1.5"),
])  # fmt: skip
def test_printout_flags_and_reference_ranges_are_kept_as_printed_never_used(line, flag, rng):
    reading = read_printout(line, unit_system="si", day=DAY)
    if flag is None and rng is None:
        assert reading.results == ()
        return
    (result,) = reading.results
    assert (result.flag, result.reference_range) == (flag, rng)


# -- a value without a unit ----------------------------------------------------------------------------


@pytest.mark.parametrize("system,unit,value", [("si", "umol/L", 78), ("conventional", "mg/dL", 0.9)])
def test_printout_value_without_a_unit_takes_the_unit_of_the_case_unit_system_and_says_so(system, unit, value):
    reading = read_printout(f"Creatinine {value}", unit_system=system, day=DAY)
    (result,) = reading.results
    assert (result.unit, result.unit_source, result.printed_unit) == (unit, "unit_system", None)
    assert result.notes and "no unit printed" in result.notes[0]


def test_printout_uk_reference_set_reads_a_unitless_b12_in_ng_per_litre():
    reading = read_printout("B12 80", thresholds="nice_ng239", day=DAY)
    assert [(r.unit, r.unit_source) for r in reading.results] == [("ng/L", "unit_system")]
    assert reading.unit_system == "si"


def test_printout_value_without_a_unit_is_refused_when_no_unit_system_is_given():
    assert "no unit system" in reason("Creatinine 78", system=None)


@pytest.mark.parametrize("line,system", [("Hb 6.8", "si"), ("Hb 68", "conventional"), ("Creatinine 78", "conventional"),
                                         ("Creatinine 0.9", "si")])  # fmt: skip
def test_printout_unitless_value_unusual_in_the_case_unit_but_ordinary_in_another_is_not_guessed(line, system):
    assert "which is it?" in reason(line, system)


def test_printout_unitless_value_ordinary_in_the_case_unit_is_read_both_sides():
    assert one("Hb 68", "si")[0] == [("hemoglobin", None, 68, "g/L")]
    assert one("Hb 6.8", "conventional")[0] == [("hemoglobin", None, 6.8, "g/dL")]


def test_printout_inr_and_mcv_need_no_unit_and_no_note():
    reading = read_printout("Collected: 2026-12-06\nINR 1.1\nMCV 118", unit_system="si")
    assert [(r.unit, r.notes) for r in reading.results] == [("1", ()), ("fL", ())]


def test_printout_printed_unit_unusual_for_the_value_is_read_with_a_question():
    reading = read_printout("Creatinine 35 mg/dL", unit_system="conventional", day=DAY)
    (result,) = reading.results
    assert result.unit == "mg/dL" and any("µmol/L" in n for n in result.notes)


# -- never guessed -------------------------------------------------------------------------------------


@pytest.mark.parametrize("line,kind", [
    ("Retic 1.1", "ambiguous"),  # % or absolute?
    ("Schistocytes 2", "ambiguous"),  # % or a grade?
    ("Platelets 01 38 x10E3/uL", "ambiguous"),  # two numbers
    ("Hb 6.8 g/dL 68 g/L", "ambiguous"),  # two numbers, two units
    ("LDH 1,234 U/L", "ambiguous"),  # thousands separator or decimal comma?
    ("Haemoglobin 8.5 mmol/L", "unit"),  # a unit no analyte of the name takes
    ("Neutrophils 66 %", "unit"),
    ("D-dimer 0.4 mg/L", "unit"),  # FEU not said: DDU would be half as large
    ("ADAMTS13 activity 40 IU/dL", "unit"),
    ("Platelets 38 x10^9/mL", "unit"),  # a unit not recognised
    ("Platelets 38 clumped", "not_understood"),
    ("Previous Hb 90 g/L", "not_understood"),
    ("? Hb 90 g/L", "not_understood"),
    ("Hb 90 g/L (post transfusion)", "not_understood"),
    ("Mean Cell Haemoglobin Conc. 333 g/L", "other_test"),
    ("Mean cell haemoglobin 32 pg", "other_test"),
    ("HbA1c 48 mmol/mol", "other_test"),
    ("Bilirubin, direct 0.4 mg/dL", "other_test"),
    ("Neutrophils % 66", "other_test"),
    ("Platelets", "no_value"),
    ("Platelets 9999 x10^9/L", "invalid"),  # beyond what a living patient can have
    ("Hypersegmented neutrophils 5", "not_understood"),
])  # fmt: skip
def test_printout_line_that_reads_two_ways_or_not_at_all_is_listed_with_why(line, kind):
    assert one(line) == ([], [kind])


def test_printout_unit_that_fits_no_analyte_names_the_units_it_would_take():
    text = reason("Haemoglobin 8.5 mmol/L")
    assert "'mmol/L'" in text and "g/dL" in text and "g/L" in text


def test_printout_longer_name_of_another_test_is_never_read_as_its_neighbour():
    for line in ("Mean Cell Haemoglobin 37 pg", "Glycated haemoglobin 48 mmol/mol", "Red cell folate 300 ug/L",
                 "Direct bilirubin 12 umol/L", "Platelet fragments seen", "ADAMTS13 antibody 40 U/mL"):
        assert one(line)[0] == [], line


# -- several results on a line -----------------------------------------------------------------------


def test_printout_several_results_on_one_line_are_each_read_with_their_own_unit():
    results, kinds = one("Hb 68 g/L, MCV 118 fL; Plt 38 | WCC 2.9 x10^9/L")
    assert results == [("hemoglobin", None, 68, "g/L"), ("mcv", None, 118, "fL"), ("platelets", None, 38, "10^9/L"),
                       ("wbc", None, 2.9, "10^9/L")] and kinds == []  # fmt: skip


def test_printout_one_unread_result_on_a_line_does_not_stop_the_others():
    results, kinds = one("Hb 68 g/L, Retic 1.1, Plt 38")
    assert [r[0] for r in results] == ["hemoglobin", "platelets"] and kinds == ["ambiguous"]


def test_printout_tab_separated_rows_with_two_results():
    expected = [("hemoglobin", None, 68, "g/L"), ("platelets", None, 38, "10^9/L")]
    assert one("Hb\t68\tg/L\tPlt\t38\tx10^9/L")[0] == expected


# -- film comments ----------------------------------------------------------------------------------


@pytest.mark.parametrize("line,expected", [
    ("Schistocytes seen", [("schistocytes_seen", True)]),
    ("fragments ++", [("schistocytes_seen", True)]),
    ("Blood film: occasional schistocytes", [("schistocytes_seen", True)]),
    ("SCHISTOCYTES 1+ H Ref: None [570]", [("schistocytes_seen", True)]),
    ("hypersegmented neutrophils", [("hypersegmented_neutrophils", True)]),
    ("No schistocytes seen", [("schistocytes_seen", False)]),
    ("Red cell fragments: none", [("schistocytes_seen", False)]),
    ("Hypersegmented neutrophils not seen", [("hypersegmented_neutrophils", False)]),
    ("Film: schistocytes ++ and hypersegmented neutrophils", [("schistocytes_seen", True),
                                                               ("hypersegmented_neutrophils", True)]),
    ("No schistocytes seen, hypersegmented neutrophils present", [("schistocytes_seen", False),
                                                                  ("hypersegmented_neutrophils", True)]),
    ("Schistocytes 2.5 %", [("schistocytes_pct", 2.5)]),
    ("DAT positive", [("dat_positive", True)]),
    ("Direct antiglobulin test: negative", [("dat_positive", False)]),
    ("DAT not detected", [("dat_positive", False)]),
    ("DAT +", [("dat_positive", True)]),
    ("SCHISTOCYTES 1+ H", [("schistocytes_seen", True)]),
])  # fmt: skip
def test_printout_film_comments_become_the_yes_no_findings(line, expected):
    reading = read_printout(line, unit_system="si", day=DAY)
    assert [(r.analyte, r.value) for r in reading.results] == expected and reading.unread == ()


@pytest.mark.parametrize("line,kind", [
    ("No schistocytes or hypersegmented neutrophils seen", "ambiguous"),  # which one is not seen?
    ("no occasional schistocytes", "ambiguous"),  # reads both ways
    ("schistocytes cannot be excluded", "not_understood"),
    ("? schistocytes", "not_understood"),
    ("Schistocytes -", "not_understood"),  # a low flag, or none?
    ("DAT -", "not_understood"),
    ("DAT", "no_value"),
    ("DAT positive negative", "ambiguous"),
])  # fmt: skip
def test_printout_film_comment_that_reads_two_ways_is_not_read(line, kind):
    reading = read_printout(line, unit_system="si", day=DAY)
    assert reading.results == () and {u.kind for u in reading.unread} == {kind}


# -- dates -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("line,system,day", [
    ("Collected: 2026-12-06", None, date(2026, 12, 6)),
    ("Collected: 06/12/2026 08:30", "si", date(2026, 12, 6)),
    ("Collected: 06/12/2026 08:30", "conventional", date(2026, 6, 12)),
    ("Collected: 16/08/2026", None, date(2026, 8, 16)),  # only one reading is a date
    ("Collected: 08/16/2026", None, date(2026, 8, 16)),
    ("Collected: 06/06/2026", None, date(2026, 6, 6)),  # both readings are the same day
    ("Sample date 06-Dec-2026", None, date(2026, 12, 6)),
    ("6 December 2026", None, date(2026, 12, 6)),
    ("Specimen Collection Date: Aug 16, 2023@04:33", None, date(2023, 8, 16)),
    ("06.12.26", "si", date(2026, 12, 6)),
])  # fmt: skip
def test_printout_date_line_sets_the_draw_date(line, system, day):
    reading = read_printout(f"{line}\nHb 68 g/L", unit_system=system or "si", day=DAY) if system else \
        read_printout(f"{line}\nMCV 100 fL", day=DAY)  # fmt: skip
    assert [r.date for r in reading.results] == [day] and reading.results[0].date_source == "printout"
    assert reading.results[0].date_line == 1


def test_printout_date_that_reads_as_two_days_is_refused_without_a_unit_system():
    reading = read_printout("Collected: 06/12/2026\nMCV 100 fL", day=DAY)
    assert reading.results == () and [u.kind for u in reading.unread] == ["date", "undated"]
    assert "6 December 2026" in reading.unread[0].reason or "06 December 2026" in reading.unread[0].reason


@pytest.mark.parametrize("line,kind", [
    ("Collected: 31/02/2026", "date"),  # not a day
    ("Episode 06/12/2026", "identifier"),
    ("Booking ref 06/12/2026", "date"),  # words not understood before it
    ("Collected: 06/12/2026 Taken: 07/12/2026", "date"),  # two draw dates
])  # fmt: skip
def test_printout_unclear_date_line_leaves_the_results_after_it_undated(line, kind):
    reading = read_printout(f"{line}\nMCV 100 fL", unit_system="si", day=DAY)
    assert reading.results == () and reading.unread[0].kind == kind and reading.unread[-1].kind == "undated"


def test_printout_report_and_print_dates_are_listed_and_not_used():
    reading = read_printout("Reported: 07/12/2026\nPrinted 08/12/2026\nMCV 100 fL", unit_system="si", day=DAY)
    assert [u.kind for u in reading.unread] == ["other_date", "other_date"]
    assert reading.results[0].date == DAY and reading.results[0].date_source == "given"


def test_printout_date_line_after_today_is_refused():
    reading = read_printout("Collected: 2026-12-07\nMCV 100 fL", today=DAY, day=DAY)
    assert reading.results == () and "after today" in reading.unread[0].reason
    assert read_printout("Collected: 2026-12-06\nMCV 100 fL", today=DAY).results[0].date == DAY


def test_printout_each_date_line_dates_the_results_after_it():
    text = "MCV 100 fL\nCollected: 2026-11-01\nMCV 110 fL\nHb 68 g/L\nCollected: 2026-11-08\nMCV 105 fL"
    reading = read_printout(text, unit_system="si", day=DAY)
    assert [(r.value, r.date, r.date_source) for r in reading.results] == [
        (100, DAY, "given"), (110, date(2026, 11, 1), "printout"), (68, date(2026, 11, 1), "printout"),
        (105, date(2026, 11, 8), "printout")]  # fmt: skip


def test_printout_date_and_results_on_one_line():
    reading = read_printout("Bloods (06/12/2026): Hb 68 g/L, Plt 38", unit_system="si")
    assert [(r.analyte, r.date) for r in reading.results] == [("hemoglobin", DAY), ("platelets", DAY)]


def test_printout_results_without_any_date_are_not_read_when_no_date_is_given():
    reading = read_printout("MCV 100 fL")
    assert reading.results == () and reading.unread[0].kind == "undated"


# -- identifiers, limits, arguments --------------------------------------------------------------------


@pytest.mark.parametrize("line", ["Name: Jane Example", "DOB: 01/02/1960", "NHS number 943 476 5919",
                                  "MRN 123456 Hb 68 g/L", "Address: 1 Example Street"])  # fmt: skip
def test_printout_identifier_line_is_never_read_and_never_shown(line):
    reading = read_printout(line, unit_system="si", day=DAY)
    (unread,) = reading.unread
    assert reading.results == () and unread.withheld and unread.text == "" and unread.kind == "identifier"
    shown = str(unread) + unread.reason
    assert not any(part in shown for part in ("Jane", "1960", "943", "123456", "Street"))


def test_printout_date_of_birth_on_a_withheld_line_never_dates_the_results():
    reading = read_printout("DOB: 01/02/1960\nMCV 100 fL", unit_system="si", day=DAY)
    assert [(r.date, r.date_source) for r in reading.results] == [(DAY, "given")]


def test_printout_column_heading_test_name_is_not_taken_for_an_identifier():
    reading = read_printout("Test name  Result  units", unit_system="si", day=DAY)
    assert [u.kind for u in reading.unread] == ["not_understood"]


def test_printout_line_of_the_length_limit_is_read_and_one_longer_is_listed():
    line = "Hb 68 g/L" + " " * (MAX_LINE_CHARS - 9 - 3) + "Plt 38"[:3]
    assert len(line) == MAX_LINE_CHARS
    edge = read_printout("MCV 100 fL" + " " * (MAX_LINE_CHARS - 10), unit_system="si", day=DAY)
    longer = read_printout("MCV 100 fL" + " " * (MAX_LINE_CHARS - 10) + "x", unit_system="si", day=DAY)
    assert [r.value for r in edge.results] == [100]
    assert longer.results == () and [u.kind for u in longer.unread] == ["too_long"]


def test_printout_text_too_large_or_not_utf8_or_with_too_many_lines_is_refused_whole():
    for data in (b"MCV 100 fL\n" + b"\xff", "x" * (MAX_UPLOAD_BYTES + 1), "MCV 100 fL\n" * (MAX_ROWS + 1)):
        reading = read_printout(data, unit_system="si", day=DAY)
        assert reading.problems and reading.results == () and not reading.ok
    assert read_printout("MCV 100 fL\n" * 3, unit_system="si", day=DAY).ok


def test_printout_wrong_arguments_are_the_callers_mistake():
    for kwargs in ({"unit_system": "SI"}, {"thresholds": "no_such_set"}, {"day": "2026-12-06"}):
        with pytest.raises(ConvertError):
            read_printout("MCV 100 fL", **kwargs)
    with pytest.raises(ConvertError):
        read_printout(42)


def test_printout_unread_kinds_are_declared():
    text = "Retic 1.1\nHaemoglobin 8.5 mmol/L\nRBC 4.5\nPlatelets\nDOB 01/02/1960\nx" + "y" * 600 + "\nhello"
    reading = read_printout(text, unit_system="si", day=DAY)
    assert {u.kind for u in reading.unread} <= set(UNREAD_KINDS)
    assert {u.kind for u in reading.unread} == {"ambiguous", "unit", "other_test", "no_value", "identifier", "too_long",
                                                "not_understood"}  # fmt: skip


# -- the case document -----------------------------------------------------------------------------


def test_printout_doc_is_a_valid_case_document_of_the_results_only():
    reading = read_printout("Collected: 2026-12-06\nHb 68 g/L\nB12 <50 ng/L\nfragments ++", unit_system="si")
    doc = reading.doc()
    assert doc == {"format": "b12-case/1", "observations": [
        {"date": "2026-12-06", "analyte": "hemoglobin", "value": 68, "unit": "g/L"},
        {"date": "2026-12-06", "analyte": "b12", "value": 50, "unit": "ng/L", "comparator": "<"},
        {"date": "2026-12-06", "analyte": "schistocytes_seen", "value": True}]}  # fmt: skip
    parse_case(doc)
    json.dumps(doc, allow_nan=False)


def test_printout_merge_into_an_open_case_adds_only_what_is_new():
    base = {"observations": [{"date": "2026-12-06", "analyte": "hemoglobin", "value": 68, "unit": "g/L"}]}
    reading = read_printout("Collected: 2026-12-06\nHb 68 g/L\nPlt 38 x10^9/L", unit_system="si")
    doc, present = reading.merge_into(base)
    assert [o["analyte"] for o in doc["observations"]] == ["hemoglobin", "platelets"]
    assert [r.analyte for r in present] == ["hemoglobin"] and base["observations"][0]["value"] == 68
    with pytest.raises(ConvertError):
        reading.merge_into({"observations": [{"date": "bad"}]})


# -- the data --------------------------------------------------------------------------------------


def test_printout_data_cites_known_sources_and_every_name_maps_to_a_known_analyte():
    from logic.reference import analytes, load_json, references

    data = load_json("printout.json")
    assert set(data["refs"]) <= set(references())
    assert all(set(t.get("refs", ())) <= set(references()) for t in data["tests"])
    assert all(set(t.analytes) <= set(analytes()) for t in _tables().tests.values() if t)


def test_printout_unit_folding_reads_the_spellings_of_the_issue():
    spellings = {"x10^9/L": "10^9/L", "x10*9/l": "10^9/L", "10^3/uL": "10^3/uL", "K/uL": "10^3/uL",
                 "g/dl": "g/dL", "umol/L": "umol/L", "µmol/L": "umol/L", "pmol/L": "pmol/L"}  # fmt: skip
    for printed, listed in spellings.items():
        assert _tables().units[_fold_unit(printed)] == listed, printed
