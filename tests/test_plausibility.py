"""Unit slips (logic/case/plausibility.py): unusual in the unit typed, ordinary in another; flagged, never refused."""
import pytest

from logic.case.plausibility import prompt, soft_limits, unit_slip, unit_suspicions
from logic.reference import analytes, references
from tests.helpers import assess_json, make_case, obs


def test_creatinine_35_mg_dl_reads_as_35_umol_l_and_the_prompt_gives_both():
    slip = unit_slip("creatinine", 35, "mg/dL")
    assert slip.suggested == "umol/L" and round(slip.same, 2) == 0.40
    assert prompt(slip) == "Unusual in mg/dL: did you mean 35 µmol/L = 0.40 mg/dL?"


def test_creatinine_0_8_mg_dl_is_ordinary():
    assert unit_slip("creatinine", 0.8, "mg/dL") is None


@pytest.mark.parametrize(("value", "flagged"), [(15, False), (17.6, False), (17.7, True), (35, True)])
def test_creatinine_is_flagged_only_above_15_mg_dl_and_when_ordinary_in_umol_l(value, flagged):
    # above the soft maximum (15 mg/dL) AND at least 0.2 mg/dL read as umol/L (17.68 umol/L)
    assert (unit_slip("creatinine", value, "mg/dL") is not None) is flagged


def test_a_umol_value_typed_as_mg_dl_in_reverse_is_flagged_too():
    slip = unit_slip("creatinine", 0.8, "umol/L")  # 0.009 mg/dL: no one has that
    assert slip.suggested == "mg/dL"


def test_haptoglobin_1_mg_dl_reads_as_1_g_l():
    slip = unit_slip("haptoglobin", 1.0, "mg/dL")
    assert slip.suggested == "g/L" and prompt(slip) == "Unusual in mg/dL: did you mean 1.0 g/L = 100 mg/dL?"


def test_haptoglobin_at_5_mg_dl_or_censored_below_10_is_not_flagged():
    assert unit_slip("haptoglobin", 5, "mg/dL") is None
    assert unit_slip("haptoglobin", 10, "mg/dL", "<") is None
    assert unit_slip("haptoglobin", 0.1, "mg/dL", "<").suggested == "g/L"  # a detection limit of 0.1 mg/dL is not


def test_indirect_bilirubin_20_mg_dl_reads_as_20_umol_l_and_8_does_not():
    assert unit_slip("bilirubin_indirect", 20, "mg/dL").suggested == "umol/L"
    assert unit_slip("bilirubin_indirect", 8, "mg/dL") is None


def test_a_value_refused_by_the_hard_limits_still_gets_its_suggestion():
    assert unit_slip("hemoglobin", 120, "g/dL").suggested == "g/L"  # 120 g/dL is refused; 120 g/L is ordinary


def test_units_of_about_the_same_size_are_never_suggested():
    assert unit_slip("b12", 240, "pmol/L") is None  # 325 ng/L: both readings are ordinary
    assert unit_slip("b12", 2, "pmol/L") is None  # no soft limits for B12: the factor 1.355 cannot tell


def test_soft_limits_have_a_known_source_and_sit_inside_the_hard_limits():
    for name, spec in analytes().items():
        soft = soft_limits(name)
        if soft is None:
            continue
        assert soft.ref in references() and references()[soft.ref]["kind"] == "cobalt-default"
        assert spec["min"] <= soft.min < soft.max <= spec["max"], name


def test_suspicions_name_each_observation():
    case = make_case(obs("creatinine", 35, "mg/dL", day="2026-11-20"), obs("platelets", 62, "10^9/L"),
                     obs("haptoglobin", 1.0, "mg/dL", day="2026-11-20"))
    found = [(s.observation.index, s.slip.analyte) for s in unit_suspicions(case)]
    assert found == [(0, "creatinine"), (2, "haptoglobin")]


def test_assess_alerts_unit_suspect_naming_creatinine_and_the_observation():
    out = assess_json(make_case(obs("creatinine", 35, "mg/dL", day="2026-11-20")))
    (alert,) = [a for a in out["alerts"] if a["id"] == "unit_suspect"]
    assert alert["severity"] == "warning" and alert["refs"] == ["cobalt_soft_limits"]
    assert alert["message"].startswith("Creatinine 35 mg/dL on 2026-11-20 (observation 0) is unusual in mg/dL")


def test_assess_has_no_unit_suspect_alert_at_0_8_mg_dl():
    out = assess_json(make_case(obs("creatinine", 0.8, "mg/dL", day="2026-11-20")))
    assert [a for a in out["alerts"] if a["id"] == "unit_suspect"] == []
