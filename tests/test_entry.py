"""Typed entries (logic/case/entry.py): a value with an optional unit, units as printed, the unit systems."""
import pytest

from logic.case.entry import (
    UndetectableError,
    display_unit,
    parse_entry,
    parse_value_and_unit,
    printed_unit,
    shown_number,
    threshold_unit_system,
)
from logic.reference import threshold_set_ids


@pytest.mark.parametrize(("text", "expected"), [
    ("35", (35.0, None, "mg/dL")),
    ("35 umol/L", (35.0, None, "umol/L")),
    ("35µmol/l", (35.0, None, "umol/L")),
    ("35 μmol/L", (35.0, None, "umol/L")),
    ("<0.4 mg/dl", (0.4, "<", "mg/dL")),
    ("1,5 mg/dL", (1.5, None, "mg/dL")),
    ("", None),
])
def test_a_value_takes_an_optional_unit_else_the_fields_unit(text, expected):
    assert parse_value_and_unit(text, "creatinine", "mg/dL") == expected


def test_a_unit_the_test_does_not_take_is_refused_with_the_ones_it_does():
    with pytest.raises(ValueError, match="'mmol/L' is not a unit for this test; use one of: mg/dL, µmol/L"):
        parse_value_and_unit("35 mmol/L", "creatinine", "mg/dL")


@pytest.mark.parametrize("text", ["undetectable", "Undetectable", "not detected", "ND", "below detection limit"])
def test_undetectable_asks_for_the_detection_limit_as_less_than(text):
    with pytest.raises(UndetectableError, match="type the laboratory's detection limit with <, for example <10"):
        parse_entry(text)
    with pytest.raises(UndetectableError):
        parse_value_and_unit(text, "haptoglobin", "g/L")


def test_units_show_the_micro_sign_and_no_unit_for_inr():
    assert [display_unit(u) for u in ("umol/L", "ug/L", "ug/mL FEU", "10^3/uL", "mg/dL", "1", None)] == [
        "µmol/L", "µg/L", "µg/mL FEU", "10^3/µL", "mg/dL", "", ""]


@pytest.mark.parametrize(("value", "shown"), [(35 / 88.4, "0.40"), (1.17, "1.2"), (35, "35"), (1326.1, "1326"),
                                              (0.0, "0")])
def test_numbers_keep_two_significant_digits(value, shown):
    assert shown_number(value) == shown


def test_every_uk_reference_set_implies_si_units_as_uk_laboratories_print_them():
    for set_id in threshold_set_ids():
        assert threshold_unit_system(set_id) == "si"
    assert [printed_unit(a, "si") for a in ("b12", "hemoglobin", "creatinine", "haptoglobin", "folate")] == [
        "ng/L", "g/L", "umol/L", "g/L", "ug/L"]
    assert [printed_unit(a, "conventional") for a in ("hemoglobin", "creatinine", "haptoglobin")] == [
        "g/dL", "mg/dL", "mg/dL"]
