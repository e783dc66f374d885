"""Where a (possibly censored) value lies against cut-offs (logic/case/bands.py): never a guess."""
import pytest

from logic.case import bands, parse_case


def one(value, comparator=None, analyte="b12", unit="ng/L"):
    o = {"date": "2026-11-01", "analyte": analyte, "value": value, "unit": unit}
    if comparator:
        o["comparator"] = comparator
    return parse_case({"observations": [o]}).observations[0]


@pytest.mark.parametrize(("value", "comparator", "expected"), [
    (179.9, None, True), (180, None, False), (180.1, None, False),
    (180, "<", True), (181, "<", None), (180, "<=", None), (179, "<=", True), (180, ">", False),
], ids=["179.9_is_below_180", "180_is_not_below_180", "180.1_is_not_below_180", "lt_180_is_below",
        "lt_181_spans", "le_180_spans", "le_179_is_below", "gt_180_is_not_below"])  # fmt: skip
def test_below(value, comparator, expected):
    assert bands.below(one(value, comparator), 180) is expected


@pytest.mark.parametrize(("value", "comparator", "expected"), [
    (350.1, None, True), (350, None, False), (350, ">", True), (349, ">", None), (350, ">=", None),
    (351, ">=", True), (100, "<", False),
], ids=["350.1_is_above_350", "350_is_not_above", "gt_350_is_above", "gt_349_spans", "ge_350_spans",
        "ge_351_is_above", "lt_100_is_not_above"])  # fmt: skip
def test_above(value, comparator, expected):
    assert bands.above(one(value, comparator), 350) is expected


def test_missing_observation_is_not_known_not_no():
    assert bands.below(None, 180) is None
    assert bands.above(None, 180) is None
    assert bands.at_or_below(None, 10) is None


def test_at_or_below_includes_the_cut_off():
    assert bands.at_or_below(one(10, analyte="haptoglobin", unit="mg/dL"), 10) is True
    assert bands.at_or_below(one(10.1, analyte="haptoglobin", unit="mg/dL"), 10) is False


@pytest.mark.parametrize(("value", "comparator", "expected"), [
    (150, None, {"low"}), (200, None, {"mid"}), (400, None, {"high"}), (180, None, {"mid"}), (350, None, {"mid"}),
    (200, "<", {"low", "mid"}), (300, ">", {"mid", "high"}), (100, "<", {"low"}), (2000, ">", {"high"}),
])  # fmt: skip
def test_three_bands_lists_every_band_a_value_could_lie_in(value, comparator, expected):
    assert bands.three_bands(one(value, comparator), 180, 350) == expected


def test_a_censored_interval_starts_at_the_analytes_floor():
    iv = bands.Interval.of(one(8, "<", analyte="haptoglobin", unit="mg/dL"))
    assert (iv.lo, iv.lo_closed, iv.hi, iv.hi_closed) == (0.0, True, 8.0, False)
