"""Figure builders (logic/figures/): what each draws, from the data it is given."""
from datetime import date

from logic import figures
from logic.case import parse_case
from logic.reference import threshold_set
from logic.regimen import build_regimen, build_schedule


def test_b12_band_figure_marks_the_sets_cut_offs_and_the_value():
    text = figures.b12_band_svg(150, threshold_set("nice_ng239"))
    assert "180" in text and "350" in text
    assert "Patient 150 ng/L" in text
    lab = figures.b12_band_svg(150, threshold_set("ruh_bath"))
    assert "145" in lab


def test_b12_band_svg_escapes_a_censored_value_and_keeps_a_high_value_on_the_scale():
    text = figures.b12_band_svg(2000, threshold_set("nice_ng239"), "<")
    assert "Patient &lt;2000 ng/L" in text and "<2000" not in text
    assert 'text-anchor="end"' in text  # a high value's label runs back towards the middle
    assert "Patient" not in figures.b12_band_svg(None, threshold_set("nice_ng239"))


def test_balance_figure_draws_one_bar_per_feature_with_signed_weights_and_hatches_estimates():
    rows = [("Platelets 9 10^9/L", -2.0, False), ("Reticulocytes 1 %", 1.0, True), ("Creatinine 0.9", 0.0, False)]
    fig = figures.balance_figure(rows, -1.0, -2, 3, None)
    bar = fig.data[0]
    assert list(bar.x) == [-2.0, 1.0, 0.0]
    assert list(bar.y) == ["Platelets 9 10^9/L", "Reticulocytes 1 % (estimated)", "Creatinine 0.9"]
    assert list(bar.marker.pattern.shape) == ["", "/", ""]
    assert bar.marker.color[0] != bar.marker.color[1]  # TTP and B12 sides differ
    assert "Sum -1" in fig.layout.title.text and "leans TTP at -2" in fig.layout.title.text


def test_balance_figure_says_what_decided_when_the_sum_did_not():
    fig = figures.balance_figure([("LDH 8000 U/L", 2.0, False)], 2.0, -2, 3, "ADAMTS13 below 10 %")
    assert "decided by ADAMTS13 below 10 %" in fig.layout.title.text


def test_regimen_figure_has_a_trace_for_the_doses():
    sched = build_schedule(build_regimen(), date(2026, 11, 2))
    fig = figures.regimen_figure([("plan", sched, None)])
    xs = [x for trace in fig.data for x in (trace.x or ())]
    assert len(fig.data) >= 1 and len(xs) >= len(sched.injections)


def test_recovery_figure_draws_the_ctcae_grade_lines_from_data():
    case = parse_case({"treatment_start": "2026-11-02", "observations": [
        {"date": "2026-11-01", "analyte": "platelets", "value": 40, "unit": "10^9/L"},
        {"date": "2026-11-09", "analyte": "platelets", "value": 60, "unit": "10^9/L"}]})  # fmt: skip
    fig = figures.recovery_figure(case.treatment_start, (), {"platelets": tuple(case.series("platelets"))},
                                  date(2026, 11, 9), 150, (3, 10), 3.0)  # fmt: skip
    labels = {a.text for a in fig.layout.annotations}
    assert {"G2 below 75", "G3 below 50", "G4 below 25", "lower limit"} <= labels
