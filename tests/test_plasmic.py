"""PLASMIC (logic/tma/plasmic.py): every cut-off on both sides, unknowns, the range logic, scope."""
from __future__ import annotations

import dataclasses

import pytest

from logic.case import parse_case
from logic.cli import serialize
from logic.reference import references
from logic.tma.plasmic import CONTRACT_CRITERIA, PlasmicResult, band_of, plasmic, plasmic_data, risk_band
from tests.helpers import case_of
from tests.helpers import obs as _obs

DAY = "2026-03-01"


def obs(analyte, value, unit=None, comparator=None, date=DAY):
    return _obs(analyte, value, unit, comparator, date=date)




def met(case, cid):
    return plasmic(case).criterion(cid).met


def hemolysis_part(case, pid):
    return next(p for p in plasmic(case).criterion("hemolysis").parts if p.id == pid).met


# A full TTP-like set: every criterion known and scoring (7 points).
FULL = (
    obs("platelets", 12, "10^9/L"),
    obs("haptoglobin", 8, "mg/dL", "<"),
    obs("mcv", 85, "fL"),
    obs("inr", 1.1, "1"),
    obs("creatinine", 1.0, "mg/dL"),
)


# -- platelets ------------------------------------------------------------------------

def test_platelets_below_30_score():
    assert met(case_of(obs("platelets", 29.9, "10^9/L")), "platelets_lt_30") is True


def test_platelets_of_30_do_not_score():
    assert met(case_of(obs("platelets", 30, "10^9/L")), "platelets_lt_30") is False


def test_platelets_in_10_3_per_ul_are_the_same_number():
    assert met(case_of(obs("platelets", 29, "10^3/uL")), "platelets_lt_30") is True


def test_censored_platelets_below_30_score_and_spanning_ones_are_unknown():
    assert met(case_of(obs("platelets", 20, "10^9/L", "<")), "platelets_lt_30") is True
    assert met(case_of(obs("platelets", 50, "10^9/L", "<")), "platelets_lt_30") is None


# -- MCV, INR, creatinine ---------------------------------------------------------------

def test_mcv_of_89_9_scores():
    assert met(case_of(obs("mcv", 89.9, "fL")), "mcv_lt_90") is True


def test_mcv_of_90_does_not_score():
    assert met(case_of(obs("mcv", 90, "fL")), "mcv_lt_90") is False


def test_inr_of_1_49_scores():
    assert met(case_of(obs("inr", 1.49, "1")), "inr_lt_1_5") is True


def test_inr_of_1_5_does_not_score():
    assert met(case_of(obs("inr", 1.5)), "inr_lt_1_5") is False


def test_creatinine_of_1_99_mg_dl_scores():
    assert met(case_of(obs("creatinine", 1.99, "mg/dL")), "creatinine_lt_2") is True


def test_creatinine_of_2_0_mg_dl_does_not_score():
    assert met(case_of(obs("creatinine", 2.0, "mg/dL")), "creatinine_lt_2") is False


def test_creatinine_of_176_umol_l_scores():
    assert met(case_of(obs("creatinine", 176, "umol/L")), "creatinine_lt_2") is True


def test_creatinine_of_177_umol_l_does_not_score():
    assert met(case_of(obs("creatinine", 177, "umol/L")), "creatinine_lt_2") is False


def test_creatinine_of_176_8_umol_l_is_exactly_2_and_does_not_score():
    assert met(case_of(obs("creatinine", 176.8, "µmol/L")), "creatinine_lt_2") is False


# -- haemolysis -----------------------------------------------------------------------

def test_reticulocytes_of_2_5_percent_are_not_haemolysis():
    assert hemolysis_part(case_of(obs("reticulocytes_pct", 2.5, "%")), "reticulocytes_gt_2_5") is False


def test_reticulocytes_of_2_51_percent_are_haemolysis():
    case = case_of(obs("reticulocytes_pct", 2.51, "%"))
    assert hemolysis_part(case, "reticulocytes_gt_2_5") is True
    assert met(case, "hemolysis") is True


def test_haptoglobin_below_8_counts_as_undetectable():
    case = case_of(obs("haptoglobin", 8, "mg/dL", "<"))
    assert hemolysis_part(case, "haptoglobin_undetectable") is True
    assert met(case, "hemolysis") is True


def test_haptoglobin_of_10_counts_as_undetectable():
    assert hemolysis_part(case_of(obs("haptoglobin", 10, "mg/dL")), "haptoglobin_undetectable") is True


def test_haptoglobin_of_0_1_g_l_counts_as_undetectable():
    assert hemolysis_part(case_of(obs("haptoglobin", 0.1, "g/L")), "haptoglobin_undetectable") is True


def test_haptoglobin_of_25_is_low_but_detectable():
    assert hemolysis_part(case_of(obs("haptoglobin", 25, "mg/dL")), "haptoglobin_undetectable") is False


def test_haptoglobin_below_30_is_unknown_not_undetectable():
    case = case_of(obs("haptoglobin", 30, "mg/dL", "<"))
    assert hemolysis_part(case, "haptoglobin_undetectable") is None
    assert met(case, "hemolysis") is None


def test_indirect_bilirubin_of_2_0_is_not_haemolysis_and_2_01_is():
    assert hemolysis_part(case_of(obs("bilirubin_indirect", 2.0, "mg/dL")), "indirect_bilirubin_gt_2") is False
    assert hemolysis_part(case_of(obs("bilirubin_indirect", 2.01, "mg/dL")), "indirect_bilirubin_gt_2") is True


def test_indirect_bilirubin_in_umol_l_is_converted():
    # 35 umol/L = 2.05 mg/dL; 34 umol/L = 1.99 mg/dL
    assert hemolysis_part(case_of(obs("bilirubin_indirect", 35, "umol/L")), "indirect_bilirubin_gt_2") is True
    assert hemolysis_part(case_of(obs("bilirubin_indirect", 34, "umol/L")), "indirect_bilirubin_gt_2") is False


def test_total_bilirubin_at_or_below_2_shows_indirect_is_not_above_2():
    result = plasmic(case_of(obs("bilirubin_total", 1.5, "mg/dL")))
    part = next(p for p in result.criterion("hemolysis").parts if p.id == "indirect_bilirubin_gt_2")
    assert part.met is False
    assert part.source == "bilirubin_total"


def test_total_bilirubin_above_2_leaves_indirect_unknown():
    assert hemolysis_part(case_of(obs("bilirubin_total", 8.2, "mg/dL")), "indirect_bilirubin_gt_2") is None


def test_haemolysis_is_true_when_any_marker_is_true_even_with_others_unknown():
    assert met(case_of(obs("bilirubin_indirect", 3.3, "mg/dL")), "hemolysis") is True


def test_haemolysis_is_false_only_when_all_three_markers_are_known_false():
    all_known = case_of(obs("reticulocytes_pct", 1.0, "%"), obs("haptoglobin", 100, "mg/dL"),
                        obs("bilirubin_indirect", 0.5, "mg/dL"))
    two_known = case_of(obs("reticulocytes_pct", 1.0, "%"), obs("haptoglobin", 100, "mg/dL"))
    assert met(all_known, "hemolysis") is False
    assert met(two_known, "hemolysis") is None


# -- history ----------------------------------------------------------------------------

@pytest.mark.parametrize("flag, expected", [(False, True), (True, False), (None, None)])
def test_no_active_cancer_scores_only_when_cancer_is_recorded_absent(flag, expected):
    assert met(case_of(active_cancer=flag), "no_active_cancer") is expected


@pytest.mark.parametrize("flag, expected", [(False, True), (True, False), (None, None)])
def test_no_transplant_scores_only_when_transplant_is_recorded_absent(flag, expected):
    assert met(case_of(transplant=flag), "no_transplant") is expected


# -- unknowns, range and bands ------------------------------------------------------------

def test_all_seven_known_gives_a_score_equal_to_min_and_max():
    result = plasmic(case_of(*FULL))
    assert (result.score, result.min_score, result.max_score, result.risk) == (7, 7, 7, "high")


def test_unknown_criteria_widen_the_range_and_withhold_the_score():
    result = plasmic(case_of(*FULL[:-1]))  # creatinine missing
    assert (result.score, result.min_score, result.max_score) == (None, 6, 7)
    assert result.criterion("creatinine_lt_2").met is None


def test_an_empty_case_could_score_anything():
    result = plasmic(parse_case({"observations": []}))
    assert (result.score, result.min_score, result.max_score, result.risk) == (None, 0, 7, None)


def test_unknown_history_is_not_scored_as_no():
    result = plasmic(case_of(*FULL, active_cancer=None, transplant=None))
    assert (result.min_score, result.max_score) == (5, 7)


def test_range_6_to_7_is_high():
    assert risk_band(6, 7) == "high"


def test_range_4_to_6_has_no_risk_band():
    assert risk_band(4, 6) is None


def test_range_4_to_5_has_no_risk_band():
    assert risk_band(4, 5) is None


def test_range_0_to_4_is_low_and_5_is_intermediate():
    assert risk_band(0, 4) == "low"
    assert risk_band(5, 5) == "intermediate"


def test_bands_cover_0_to_7_exactly():
    assert [band_of(s) for s in range(8)] == ["low"] * 5 + ["intermediate"] + ["high"] * 2
    with pytest.raises(ValueError):
        band_of(8)


def test_a_case_scoring_4_to_6_has_no_risk_band():
    # platelets 40 (no), haemolysis, no cancer, no transplant, MCV 85: 4 known; INR and creatinine unknown
    case = case_of(obs("platelets", 40, "10^9/L"), obs("haptoglobin", 5, "mg/dL"), obs("mcv", 85, "fL"))
    result = plasmic(case)
    assert (result.min_score, result.max_score, result.risk, result.score) == (4, 6, None, None)
    assert result.possible_bands == ("low", "intermediate", "high")


def test_a_case_scoring_6_to_7_is_high_although_creatinine_is_unknown():
    result = plasmic(case_of(*FULL[:-1]))
    assert (result.min_score, result.max_score, result.risk) == (6, 7, "high")
    assert "cannot change the band" in result.band_meaning


def test_a_case_scoring_3_to_5_has_no_risk_and_says_what_decides_it():
    # platelets 40 (no), haemolysis yes, no cancer, no transplant, MCV 95 (no); INR, creatinine unknown
    case = case_of(obs("platelets", 40, "10^9/L"), obs("haptoglobin", 5, "mg/dL"), obs("mcv", 95, "fL"),
                   active_cancer=False, transplant=False)
    result = plasmic(case)
    assert (result.min_score, result.max_score, result.risk) == (3, 5, None)
    assert "INR" in result.band_meaning
    assert result.possible_bands == ("low", "intermediate")


def test_high_band_meaning_carries_the_li_2018_validation_figures():
    meaning = plasmic(case_of(*FULL)).band_meaning
    for figure in ("72 %", "98 %", "90 %", "92 %"):
        assert figure in meaning


# -- the earliest-value rule ---------------------------------------------------------------

def test_plasmic_uses_the_earliest_platelet_count():
    case = case_of(obs("platelets", 45, "10^9/L", date="2026-03-03"), obs("platelets", 25, "10^9/L", date="2026-03-01"))
    crit = plasmic(case).criterion("platelets_lt_30")
    assert crit.met is True
    assert (crit.value, crit.date) == ("25 10^9/L", "2026-03-01")


def test_plasmic_ignores_a_later_value_that_would_score():
    case = case_of(obs("mcv", 95, "fL", date="2026-03-01"), obs("mcv", 85, "fL", date="2026-03-05"))
    assert met(case, "mcv_lt_90") is False


def test_each_criterion_records_the_value_as_entered():
    detail = {d["id"]: d for d in serialize.plasmic(plasmic(case_of(*FULL)))["criteria_detail"]}
    assert detail["hemolysis"]["value"] == "Haptoglobin <8 mg/dL"
    assert detail["hemolysis"]["date"] == DAY
    assert detail["creatinine_lt_2"]["value"] == "1 mg/dL"
    assert detail["no_active_cancer"]["value"] == "no"
    assert detail["inr_lt_1_5"]["cutoff"] == "< 1.5"


# -- scope -------------------------------------------------------------------------------

def test_in_scope_with_platelets_below_150_and_schistocytes_seen():
    result = plasmic(case_of(obs("platelets", 100, "10^9/L"), obs("schistocytes_seen", True)))
    assert result.in_scope is True
    assert "applies" in result.scope_note


def test_platelets_of_150_are_out_of_scope():
    result = plasmic(case_of(obs("platelets", 150, "10^9/L"), obs("schistocytes_seen", True)))
    assert result.in_scope is False
    assert "Outside" in result.scope_note


def test_schistocytes_of_1_percent_or_less_are_out_of_scope_and_above_are_in():
    assert plasmic(case_of(obs("platelets", 100, "10^9/L"), obs("schistocytes_pct", 1.0, "%"))).in_scope is False
    assert plasmic(case_of(obs("platelets", 100, "10^9/L"), obs("schistocytes_pct", 2.3, "%"))).in_scope is True


def test_scope_without_a_film_is_unknown_and_says_so():
    result = plasmic(case_of(obs("platelets", 100, "10^9/L")))
    assert result.in_scope is None
    assert "not confirmed" in result.scope_note and "blood film" in result.scope_note


# -- contract, provenance, purity ------------------------------------------------------------

def test_json_has_exactly_the_contract_criteria_and_the_contract_keys():
    out = serialize.plasmic(plasmic(case_of(*FULL)))
    assert {"score", "min", "max", "risk", "criteria"} <= set(out)
    assert tuple(out["criteria"]) == CONTRACT_CRITERIA
    assert [d["id"] for d in out["criteria_detail"]] == list(CONTRACT_CRITERIA)
    assert {"in_scope", "scope_note", "band_meaning", "refs"} <= set(out)


def test_every_reference_named_by_plasmic_exists():
    known = references()
    data = plasmic_data()
    ids = set(data["refs"]) | set(data["validation"]["refs"]) | set(data["scope"]["refs"])
    for spec in data["criteria"]:
        ids |= set(spec["refs"])
        for part in spec.get("parts", []):
            ids |= set(part["refs"])
    for band in data["bands"]:
        ids |= set(band["refs"])
    ids |= set(plasmic(case_of(*FULL)).refs)
    assert ids - set(known) == set()


def test_band_wording_never_advises_withholding_plasma_exchange():
    for band in plasmic_data()["bands"]:
        text = band["meaning"].lower()
        assert "withhold" not in text and "not needed" not in text and "avoid" not in text


def test_plasmic_result_is_frozen_and_deterministic():
    case = case_of(*FULL)
    first = plasmic(case)
    assert isinstance(first, PlasmicResult)
    assert first == plasmic(case)
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.score = 0  # type: ignore[misc]
