"""TTP or B12? (logic/tma.py): the leaning rule branch by branch, the comparison, the alerts."""
from __future__ import annotations

import dataclasses

import pytest

from logic import serialize
from logic.diagnosis import diagnose
from logic.plasmic import plasmic
from logic.reference import references
from logic.results import Alert
from logic.tma import LEANINGS, TmaResult, adamts13_state, groups, tma
from tests.helpers import case_of
from tests.helpers import obs as _obs

DAY = "2026-03-01"


def obs(analyte, value, unit=None, comparator=None, date=DAY):
    return _obs(analyte, value, unit, comparator, date=date)




def run(*observations, **history) -> TmaResult:
    case = case_of(*observations, **history)
    return tma(case, diagnose(case), plasmic(case))


# Building blocks (values in the units the case format accepts).
B12_LOW = obs("b12", 90, "pg/mL")           # deficient (<180 ng/L)
B12_HIGH = obs("b12", 600, "pg/mL")         # deficiency unlikely (>350 ng/L)
HAEMOLYSIS = obs("haptoglobin", 8, "mg/dL", "<")
NO_HAEMOLYSIS = obs("haptoglobin", 120, "mg/dL")
SCHISTO = obs("schistocytes_seen", True)
PLT_B12 = obs("platelets", 70, "10^9/L")    # nearer the pseudo-TMA median (73)
PLT_TTP = obs("platelets", 12, "10^9/L")    # nearer the TTP median (12.5)
LDH_B12 = obs("ldh", 8000, "U/L")           # nearer 7310
LDH_TTP = obs("ldh", 1200, "U/L")           # nearer 1460
# Low marrow response: retics 1 %, Hb 6 g/dL -> Hct ~18 % -> RPI 1 x (18/45) / 2.5 = 0.16
LOW_MARROW = (obs("reticulocytes_pct", 1.0, "%"), obs("hemoglobin", 6.0, "g/dL"))
# Brisk response: retics 15 %, Hb 9 g/dL -> Hct ~27 % -> RPI 15 x 0.6 / 2 = 4.5
BRISK_MARROW = (obs("reticulocytes_pct", 15.0, "%"), obs("hemoglobin", 9.0, "g/dL"))
STRONG_B12 = (B12_LOW, HAEMOLYSIS, SCHISTO, PLT_B12, LDH_B12, *LOW_MARROW)


def adamts(value, comparator=None, date=DAY):
    return obs("adamts13_activity", value, "%", comparator, date)


def decider_ids(result):
    return [n.id for n in result.deciding_tests]


def alert_ids(result):
    return [a.id for a in result.alerts]


# -- ADAMTS13 ----------------------------------------------------------------------------

def test_adamts13_below_10_percent_means_ttp_even_with_a_strong_b12_picture():
    result = run(*STRONG_B12, adamts(5))
    assert result.leaning == "ttp"
    assert "ttp_with_b12_deficiency" in alert_ids(result)
    assert "ttp_mimic" not in alert_ids(result)


def test_censored_adamts13_below_5_percent_is_severe():
    assert adamts13_state(case_of(adamts(5, "<"))).status == "severe"


def test_adamts13_of_10_percent_is_not_severe_but_borderline():
    assert adamts13_state(case_of(adamts(10))).status == "borderline"


def test_adamts13_of_20_percent_is_borderline_and_above_20_is_not_deficient():
    assert adamts13_state(case_of(adamts(20))).status == "borderline"
    assert adamts13_state(case_of(adamts(20.5))).status == "not_deficient"


def test_censored_adamts13_that_spans_10_percent_is_unknown():
    assert adamts13_state(case_of(adamts(20, "<"))).status == "unknown"


def test_any_adamts13_below_10_counts_even_when_a_later_one_is_normal():
    state = adamts13_state(case_of(adamts(4, date="2026-03-01"), adamts(60, date="2026-03-04")))
    assert state.status == "severe"


def test_missing_adamts13_is_read_as_pending_and_listed_as_deciding():
    result = run(B12_HIGH, HAEMOLYSIS, SCHISTO, PLT_B12, LDH_B12)
    assert result.adamts13.status == "unknown"
    assert "adamts13" in decider_ids(result)


# -- not a TMA ----------------------------------------------------------------------------

def test_normal_platelets_are_not_tma_even_with_haemolysis():
    result = run(B12_LOW, HAEMOLYSIS, obs("platelets", 210, "10^9/L"), LDH_B12)
    assert result.leaning == "not_tma"
    assert result.alerts == ()


def test_thrombocytopenia_without_haemolysis_or_schistocytes_is_not_tma():
    result = run(B12_LOW, NO_HAEMOLYSIS, obs("schistocytes_seen", False), PLT_B12)
    assert result.leaning == "not_tma"


def test_no_platelet_count_is_indeterminate_and_asks_for_one():
    result = run(B12_LOW, HAEMOLYSIS)
    assert result.leaning == "indeterminate"
    assert "cbc" in decider_ids(result)


def test_thrombocytopenia_with_unknown_haemolysis_is_indeterminate_not_not_tma():
    result = run(B12_LOW, PLT_B12)
    assert result.leaning == "indeterminate"
    assert {"ldh", "haptoglobin", "blood_film"} <= set(decider_ids(result))


# -- ADAMTS13 above 20 % ----------------------------------------------------------------------

def test_normal_adamts13_with_b12_deficiency_leans_b12_pseudo_tma():
    result = run(B12_LOW, HAEMOLYSIS, SCHISTO, PLT_B12, adamts(62))
    assert result.leaning == "b12_pseudo_tma"


def test_normal_adamts13_with_b12_deficiency_but_a_brisk_marrow_is_indeterminate():
    result = run(B12_LOW, HAEMOLYSIS, SCHISTO, PLT_B12, *BRISK_MARROW, adamts(62))
    assert result.row("rpi").points_to == "ttp"
    assert result.leaning == "indeterminate"


def test_normal_adamts13_with_b12_unlikely_is_other_tma():
    result = run(B12_HIGH, HAEMOLYSIS, SCHISTO, PLT_B12, adamts(73))
    assert result.leaning == "other_tma"


def test_normal_adamts13_with_unmeasured_b12_and_macrocytosis_is_indeterminate():
    result = run(HAEMOLYSIS, SCHISTO, PLT_B12, obs("mcv", 112, "fL"), adamts(73))
    assert result.leaning == "indeterminate"
    assert "b12" in decider_ids(result)


def test_normal_adamts13_with_unmeasured_b12_and_nothing_b12_specific_is_other_tma_that_asks_for_b12():
    result = run(HAEMOLYSIS, SCHISTO, PLT_B12, obs("mcv", 88, "fL"), adamts(73))
    assert result.leaning == "other_tma"
    assert "b12" in decider_ids(result)
    assert any("not excluded" in n.text for n in result.reasons)


# -- ADAMTS13 not known ------------------------------------------------------------------------

def test_strongly_b12_like_picture_leans_b12_pseudo_tma_without_adamts13_and_says_adamts13_settles_it():
    result = run(*STRONG_B12)
    assert result.leaning == "b12_pseudo_tma"
    assert any("ADAMTS13 settles it" in n.text for n in result.reasons)
    assert "adamts13" in decider_ids(result)


def test_b12_deficiency_without_a_reticulocyte_count_is_indeterminate_without_adamts13():
    result = run(B12_LOW, HAEMOLYSIS, SCHISTO, PLT_B12, LDH_B12)
    assert result.leaning == "indeterminate"
    assert {"reticulocytes", "adamts13"} <= set(decider_ids(result))


def test_b12_deficiency_with_ttp_like_platelets_is_indeterminate_without_adamts13():
    result = run(B12_LOW, HAEMOLYSIS, SCHISTO, PLT_TTP, LDH_B12, *LOW_MARROW)
    assert result.leaning == "indeterminate"


def test_b12_deficiency_with_ldh_nearer_ttp_is_indeterminate_without_adamts13():
    result = run(B12_LOW, HAEMOLYSIS, SCHISTO, PLT_B12, LDH_TTP, *LOW_MARROW)
    assert result.leaning == "indeterminate"


def test_borderline_adamts13_needs_the_strong_b12_picture_too():
    assert run(*STRONG_B12, adamts(15)).leaning == "b12_pseudo_tma"
    assert run(B12_LOW, HAEMOLYSIS, SCHISTO, PLT_B12, LDH_B12, adamts(15)).leaning == "indeterminate"


def test_ttp_like_picture_with_nothing_pointing_to_b12_leans_ttp():
    result = run(B12_HIGH, HAEMOLYSIS, SCHISTO, PLT_TTP, LDH_TTP)
    assert result.leaning == "ttp"


def test_ttp_like_picture_with_b12_unmeasured_leans_ttp_and_asks_for_b12():
    result = run(HAEMOLYSIS, SCHISTO, PLT_TTP, LDH_TTP)
    assert result.leaning == "ttp"
    assert {"b12", "adamts13"} <= set(decider_ids(result))


def test_b12_unlikely_without_adamts13_or_ttp_features_is_indeterminate_not_other_tma():
    # unknown is not no: without ADAMTS13, TTP is not excluded
    result = run(B12_HIGH, HAEMOLYSIS, SCHISTO, PLT_B12, LDH_B12)
    assert result.leaning == "indeterminate"


def test_indeterminate_b12_with_ttp_features_is_not_read_as_no_b12():
    result = run(obs("b12", 250, "pg/mL"), HAEMOLYSIS, SCHISTO, PLT_TTP, LDH_TTP)
    assert result.leaning == "indeterminate"
    assert "mma" in decider_ids(result)


# -- the comparison -------------------------------------------------------------------------

def test_comparison_carries_the_noel_2013_medians():
    result = run(*STRONG_B12)
    medians = {r.analyte: (r.pseudo_tma_median, r.ttp_median) for r in result.comparison}
    assert medians["ldh"] == (7310, 1460)
    assert medians["platelets"] == (73, 12.5)
    assert medians["reticulocytes_abs"] == (13.1, 265.5)
    assert medians["neutrophils"] == (1.3, 5.1)


def test_ldh_above_the_geometric_mean_of_the_medians_is_nearer_pseudo_tma():
    assert run(obs("ldh", 3300, "U/L")).row("ldh").points_to == "b12_pseudo_tma"
    assert run(obs("ldh", 3200, "U/L")).row("ldh").points_to == "ttp"


def test_platelets_of_31_are_nearer_pseudo_tma_and_30_nearer_ttp():
    assert run(obs("platelets", 31, "10^9/L")).row("platelets").points_to == "b12_pseudo_tma"
    assert run(obs("platelets", 30, "10^9/L")).row("platelets").points_to == "ttp"


def test_low_neutrophils_and_reticulocytes_are_nearer_pseudo_tma():
    result = run(obs("neutrophils", 1.0, "10^9/L"), obs("reticulocytes_abs", 20, "10^9/L"))
    assert result.row("neutrophils").points_to == "b12_pseudo_tma"
    assert result.row("reticulocytes_abs").points_to == "b12_pseudo_tma"
    high = run(obs("neutrophils", 6.0, "10^9/L"), obs("reticulocytes_abs", 250, "10^9/L"))
    assert high.row("neutrophils").points_to == "ttp"
    assert high.row("reticulocytes_abs").points_to == "ttp"


def test_missing_values_point_nowhere():
    result = run(PLT_B12)
    assert result.row("ldh").patient is None
    assert result.row("ldh").points_to is None


def test_ldh_is_also_shown_as_a_multiple_of_the_upper_limit():
    row = run(obs("ldh", 5000, "U/L")).row("ldh_x_uln")
    assert row.patient == 20.0


def test_rpi_below_2_points_to_b12_and_mcv_above_100_too():
    result = run(*LOW_MARROW, obs("mcv", 110, "fL"))
    assert result.row("rpi").points_to == "b12_pseudo_tma"
    assert result.row("mcv").points_to == "b12_pseudo_tma"


def test_normal_mcv_points_nowhere_and_names_what_can_hide_macrocytosis():
    row = run(obs("mcv", 85, "fL"), obs("ferritin", 8, "ng/mL")).row("mcv")
    assert row.points_to is None
    assert "iron deficiency" in row.note


# -- alerts ---------------------------------------------------------------------------------

def test_ttp_mimic_alert_is_critical_when_b12_is_deficient_in_a_tma_picture():
    result = run(B12_LOW, HAEMOLYSIS, SCHISTO, PLT_B12)
    mimic = next(a for a in result.alerts if a.id == "ttp_mimic")
    assert mimic.severity == "critical"
    for word in ("MMA", "reticulocyte production index", "ADAMTS13", "haematology"):
        assert word in mimic.message


def test_ttp_mimic_alert_cites_frequency_and_plasma_therapy_figures():
    mimic = next(a for a in run(B12_LOW, HAEMOLYSIS, SCHISTO, PLT_B12).alerts if a.id == "ttp_mimic")
    assert "2.5 %" in mimic.message and "34 %" in mimic.message
    assert {"andres_2006", "tran_2018"} <= set(mimic.refs)


def test_b12_does_not_wait_for_the_differential():
    assert "b12_does_not_wait" in alert_ids(run(B12_LOW, HAEMOLYSIS, SCHISTO, PLT_B12))


def test_high_plasmic_with_low_b12_is_a_conflict_to_escalate():
    result = run(B12_LOW, HAEMOLYSIS, SCHISTO, PLT_TTP, obs("mcv", 85, "fL"), obs("inr", 1.1),
                 obs("creatinine", 0.9, "mg/dL"))
    conflict = next(a for a in result.alerts if a.id == "plasmic_b12_conflict")
    assert conflict.severity == "critical"
    assert "haematology" in conflict.message
    assert result.leaning == "indeterminate"


def test_no_plasmic_conflict_without_b12_deficiency():
    result = run(B12_HIGH, HAEMOLYSIS, SCHISTO, PLT_TTP, obs("mcv", 85, "fL"), obs("inr", 1.1),
                 obs("creatinine", 0.9, "mg/dL"))
    assert "plasmic_b12_conflict" not in alert_ids(result)


SCENARIOS = [
    STRONG_B12,
    (*STRONG_B12, adamts(5)),
    (B12_LOW, HAEMOLYSIS, SCHISTO, PLT_TTP, obs("mcv", 85, "fL"), obs("inr", 1.1), obs("creatinine", 0.9, "mg/dL")),
    (HAEMOLYSIS, SCHISTO, PLT_TTP, LDH_TTP),
    (B12_HIGH, HAEMOLYSIS, SCHISTO, PLT_B12, adamts(73)),
    (B12_LOW, PLT_B12),
]


@pytest.mark.parametrize("observations", SCENARIOS)
def test_no_text_ever_advises_withholding_plasma_exchange(observations):
    result = run(*observations)
    texts = [a.message for a in result.alerts] + [n.text for n in result.reasons] + \
        [n.reason for n in result.deciding_tests]
    assert texts
    for text in texts:
        low = text.lower()
        for phrase in ("withhold", "do not start plasma", "avoid plasma", "no need for plasma", "not needed"):
            assert phrase not in low, text


@pytest.mark.parametrize("observations", SCENARIOS)
def test_the_unsourced_40_percent_claim_is_never_stated_as_fact(observations):
    result = run(*observations)
    for text in [a.message for a in result.alerts] + [n.text for n in result.reasons]:
        assert "40 %" not in text and "40%" not in text
    claim = next(n for n in result.context if "40 %" in n.text)
    assert "article_unsourced" in claim.refs
    assert "no primary source" in claim.text


# -- contract and provenance -------------------------------------------------------------------

def test_json_has_the_contract_keys_and_the_extras():
    out = serialize.tma(run(*STRONG_B12))
    assert {"hemolysis", "leaning", "reasons"} <= set(out)
    assert out["leaning"] in LEANINGS
    assert all(isinstance(r, str) for r in out["reasons"]) and out["reasons"]
    assert {"reasons_detail", "deciding_tests", "comparison", "no_validated_rule"} <= set(out)
    assert out["no_validated_rule"].startswith("No validated published score")
    for row in out["comparison"]:
        assert row["points_to"] in ("b12_pseudo_tma", "ttp", None)
        assert {"analyte", "label", "unit", "patient", "pseudo_tma_median", "ttp_median", "refs"} <= set(row)


def test_tma_haemolysis_is_the_diagnosis_haemolysis():
    case = case_of(B12_LOW, PLT_B12, NO_HAEMOLYSIS)
    d = diagnose(case)
    assert tma(case, d, plasmic(case)).hemolysis is d.hemolysis is False


def test_alerts_are_alert_values_with_known_severities():
    result = run(B12_LOW, HAEMOLYSIS, SCHISTO, PLT_TTP, obs("mcv", 85, "fL"), obs("inr", 1.1),
                 obs("creatinine", 0.9, "mg/dL"))
    assert result.alerts
    for alert in result.alerts:
        assert isinstance(alert, Alert)
        assert alert.severity in ("critical", "warning", "info")


def test_every_reference_named_by_the_tma_module_exists():
    result = run(*STRONG_B12)
    ids = {r for n in result.reasons for r in n.refs}
    ids |= {r for a in result.alerts for r in a.refs}
    ids |= {r for row in result.comparison for r in row.refs}
    ids |= {r for n in result.deciding_tests for r in n.refs}
    ids |= {r for n in result.context for r in n.refs} | set(result.no_validated_rule.refs)
    for entry in groups().values():
        if isinstance(entry, dict) and "refs" in entry:
            ids |= set(entry["refs"])
    ids |= {r for row in groups()["medians"] for r in row["refs"]}
    assert ids - set(references()) == set()


def test_tma_result_is_frozen_and_deterministic():
    case = case_of(*STRONG_B12)
    d, p = diagnose(case), plasmic(case)
    first = tma(case, d, p)
    assert first == tma(case, d, p)
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.leaning = "ttp"  # type: ignore[misc]
