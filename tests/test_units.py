import pytest

from logic.case.units import (
    UnitError,
    allowed_units,
    convert,
    from_canonical,
    listed_unit,
    normalize_unit,
    to_canonical,
)
from logic.reference import analytes

# (analyte, value, unit, canonical value) — factors from the evidence file's conventions
CONVERSIONS = [
    ("b12", 100, "pmol/L", 135.5),
    ("b12", 180, "pg/mL", 180),
    ("b12", 180, "ng/L", 180),
    ("mma", 400, "nmol/L", 0.4),
    ("mma", 0.4, "umol/L", 0.4),
    ("folate", 2.266, "nmol/L", 1.0),
    ("folate", 3, "ug/L", 3),
    ("hemoglobin", 120, "g/L", 12.0),
    ("hematocrit", 0.35, "L/L", 35.0),
    ("haptoglobin", 0.3, "g/L", 30.0),
    ("bilirubin_indirect", 34.2, "umol/L", 2.0),
    ("bilirubin_total", 17.1, "umol/L", 1.0),
    ("creatinine", 176.8, "umol/L", 2.0),
    ("creatinine", 88.4, "umol/L", 1.0),
    ("platelets", 150, "10^3/uL", 150),
    ("reticulocytes_abs", 50, "10^3/uL", 50),
    ("ferritin", 15, "ug/L", 15),
    ("inr", 1.2, "1", 1.2),
]


@pytest.mark.parametrize(("analyte", "value", "unit", "canonical"), CONVERSIONS)
def test_conversion_to_canonical(analyte, value, unit, canonical):
    assert to_canonical(analyte, value, unit) == pytest.approx(canonical, rel=1e-9)


@pytest.mark.parametrize(("analyte", "value", "unit", "canonical"), CONVERSIONS)
def test_conversion_back_from_canonical(analyte, value, unit, canonical):
    assert from_canonical(analyte, canonical, unit) == pytest.approx(value, rel=1e-9)


@pytest.mark.parametrize("analyte", [a for a, s in analytes().items() if not s.get("boolean")])
def test_every_unit_round_trips_through_every_other(analyte):
    for u1 in allowed_units(analyte):
        for u2 in allowed_units(analyte):
            assert convert(analyte, convert(analyte, 123.4, u1, u2), u2, u1) == pytest.approx(123.4)


def test_creatinine_176_umol_is_below_2_mg_dl_and_177_is_not():
    assert to_canonical("creatinine", 176, "umol/L") < 2.0
    assert to_canonical("creatinine", 177, "umol/L") > 2.0


@pytest.mark.parametrize(("raw", "folded"), [
    ("µmol/L", "umol/l"), ("μmol/l", "umol/l"), ("UMOL/L", "umol/l"), ("10*9/L", "10^9/l"), (" 10^9 / L ", "10^9/l"),
])
def test_unit_spellings_fold_together(raw, folded):
    assert normalize_unit(raw) == folded


def test_micro_sign_and_case_are_accepted():
    assert listed_unit("mma", "µmol/l") == "umol/L"
    assert listed_unit("platelets", "10*9/l") == "10^9/L"


def test_inr_accepts_no_unit():
    assert to_canonical("inr", 1.4, None) == 1.4


def test_unit_not_listed_for_the_analyte_is_refused_with_the_allowed_ones():
    with pytest.raises(UnitError, match="pmol/L"):
        to_canonical("b12", 100, "mg/dL")


@pytest.mark.parametrize("text", ["3,115", "1,000", "12,500"])
def test_a_comma_before_three_digits_is_refused_as_ambiguous(text):
    from logic.case.entry import parse_entry

    with pytest.raises(ValueError, match="ambiguous"):
        parse_entry(text)


@pytest.mark.parametrize(("text", "value"), [("1,5", 1.5), ("0,75", 0.75), ("3115", 3115.0), ("<8", 8.0)])
def test_decimal_commas_and_plain_numbers_still_parse(text, value):
    from logic.case.entry import parse_entry

    assert parse_entry(text)[0] == value
