"""TTP or B12? (logic/tma/): safety rules, the weighed picture, the French score, the alerts."""
from __future__ import annotations

import dataclasses

import pytest

from logic.cli import serialize
from logic.diagnosis import diagnose
from logic.reference import references, threshold_set
from logic.results import Alert, Leaning
from logic.tma import (
    LEANINGS,
    Adamts13Status,
    TmaResult,
    adamts13_state,
    decided_by,
    french_score,
    groups,
    regimen_caveat,
    tma,
    weights,
)
from logic.tma.balance import place
from logic.tma.plasmic import plasmic
from tests.helpers import case_of
from tests.helpers import obs as _obs

DAY = "2026-03-01"


def obs(analyte, value, unit=None, comparator=None, date=DAY):
    return _obs(analyte, value, unit, comparator, date=date)


def run(*observations, history: dict | None = None, **flags) -> TmaResult:
    case = case_of(*observations, **flags)
    if history:
        from logic.case import parse_case

        doc = {"history": {"active_cancer": False, "transplant": False, **history}, "observations": list(observations)}
        case = parse_case(doc)
    return tma(case, diagnose(case), plasmic(case))


# Building blocks (values in the units the case format accepts).
B12_LOW = obs("b12", 90, "pg/mL")  # deficient (<180 ng/L)
B12_HIGH = obs("b12", 600, "pg/mL")  # deficiency unlikely (>350 ng/L)
HAEMOLYSIS = obs("haptoglobin", 8, "mg/dL", "<")
NO_HAEMOLYSIS = obs("haptoglobin", 120, "mg/dL")
SCHISTO = obs("schistocytes_seen", True)
PLT_B12 = obs("platelets", 70, "10^9/L")  # 42 or more: +1
PLT_MID = obs("platelets", 35, "10^9/L")  # 30-41: fits both
PLT_TTP = obs("platelets", 12, "10^9/L")  # below 20: -2
LDH_B12 = obs("ldh", 8000, "U/L")  # above 3909: +2
LDH_BOTH = obs("ldh", 2600, "U/L")  # 2004-3909: fits both
LDH_TTP = obs("ldh", 1200, "U/L")  # below 2004: -0.5
MACRO = obs("mcv", 117, "fL")
NORMO = obs("mcv", 84, "fL")
# Low marrow response: retics 1 %, Hb 6 g/dL -> Hct estimated 18 % -> RPI 1 x (18/45) / 2.5 = 0.16
LOW_MARROW = (obs("reticulocytes_pct", 1.0, "%"), obs("hemoglobin", 6.0, "g/dL"))
LOW_MARROW_MEASURED = (obs("reticulocytes_pct", 1.0, "%"), obs("hematocrit", 18, "%"))
# Brisk: retics 6.8 % (>= 5 %)
BRISK = obs("reticulocytes_pct", 6.8, "%")
STRONG_B12 = (B12_LOW, HAEMOLYSIS, SCHISTO, PLT_B12, LDH_B12, MACRO, *LOW_MARROW)
# The textbook immune TTP of issue 10 (ADAMTS13 pending)
TEXTBOOK_TTP = (
    obs("platelets", 9, "10^9/L"), obs("hemoglobin", 8.1, "g/dL"), NORMO, obs("ldh", 1240, "U/L"),
    obs("haptoglobin", 10, "mg/dL", "<"), obs("bilirubin_indirect", 3.1, "mg/dL"), obs("creatinine", 0.9, "mg/dL"),
    obs("inr", 1.1), obs("schistocytes_pct", 4, "%"),
)  # fmt: skip


def adamts(value, comparator=None, date=DAY):
    return obs("adamts13_activity", value, "%", comparator, date)


def decider_ids(result):
    return [n.id for n in result.deciding_tests]


def alert_ids(result):
    return [a.id for a in result.alerts]


def weight(result, fid):
    return result.pull(fid).weight


def band(result, fid):
    """A feature's band weight before anything is held back (B12 pulls wait for B12 deficiency)."""
    return result.pull(fid).raw


# -- ADAMTS13 ----------------------------------------------------------------------------


def test_adamts13_below_10_percent_means_ttp_even_with_a_strong_b12_picture():
    result = run(*STRONG_B12, adamts(5))
    assert result.leaning == "ttp"
    assert result.rule == "adamts13_severe"
    assert "ttp_with_b12_deficiency" in alert_ids(result)
    assert "ttp_mimic" not in alert_ids(result)


def test_censored_adamts13_below_5_percent_is_severe():
    assert adamts13_state(case_of(adamts(5, "<"))).status == "severe"


def test_adamts13_of_10_percent_is_not_severe_but_borderline():
    assert adamts13_state(case_of(adamts(10))).status == "borderline"


def test_adamts13_of_20_percent_is_borderline_and_above_20_is_not_deficient():
    assert adamts13_state(case_of(adamts(20))).status == "borderline"
    assert adamts13_state(case_of(adamts(20.5))).status == "not_deficient"


def test_censored_adamts13_that_spans_10_percent_is_not_decisive():
    assert adamts13_state(case_of(adamts(20, "<"))).status == "not_decisive"


def test_any_adamts13_below_10_counts_even_when_a_later_one_is_normal():
    state = adamts13_state(case_of(adamts(4, date="2026-03-01"), adamts(60, date="2026-03-04")))
    assert state.status == "severe"


def test_no_adamts13_result_and_none_sent_is_not_sent_and_listed_as_deciding():
    result = run(B12_HIGH, HAEMOLYSIS, SCHISTO, PLT_B12, LDH_B12)
    assert result.adamts13.status == "not_sent"
    assert "adamts13" in decider_ids(result)


def test_a_sent_adamts13_without_a_result_is_pending_with_its_date():
    result = run(*TEXTBOOK_TTP, history={"adamts13_sent": DAY})
    assert result.adamts13.status == Adamts13Status.PENDING
    assert DAY in result.adamts13.text and "pending" in result.adamts13.text
    test = next(n for n in result.deciding_tests if n.id == "adamts13")
    assert "chase" in test.reason


def test_a_result_after_the_sent_date_ends_pending():
    case_doc = {"history": {"adamts13_sent": "2026-02-27"}, "observations": [adamts(62)]}
    from logic.case import parse_case

    assert adamts13_state(parse_case(case_doc)).status == "not_deficient"


def test_a_result_only_before_the_sent_date_leaves_the_new_sample_pending():
    from logic.case import parse_case

    doc = {"history": {"adamts13_sent": "2026-03-05"}, "observations": [adamts(62, date="2026-01-10")]}
    assert adamts13_state(parse_case(doc)).status == "pending"


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
    assert "cbc" in decider_ids(result) or "blood_film" in decider_ids(result)


def test_thrombocytopenia_with_unknown_haemolysis_is_indeterminate_not_not_tma():
    result = run(B12_LOW, PLT_B12)
    assert result.leaning == "indeterminate"
    assert {"ldh", "haptoglobin", "blood_film"} <= set(decider_ids(result))


def test_severe_thrombocytopenia_with_the_tma_question_unexplored_is_not_quiet():
    result = run(PLT_TTP, NORMO)
    assert result.leaning == "indeterminate"
    assert "tma_unexplored" in alert_ids(result)
    assert "tma_unexplored" not in alert_ids(run(PLT_B12, MACRO))


# -- safety: PLASMIC 6-7 -------------------------------------------------------------------


@pytest.mark.parametrize("extra", [(), (BRISK,), (B12_LOW,), (obs("neutrophils", 6.2, "10^9/L"),)])
def test_textbook_ttp_with_plasmic_7_leans_ttp_with_a_critical_alert(extra):
    case = case_of(*TEXTBOOK_TTP, *extra)
    result = tma(case, diagnose(case), plasmic(case))
    assert plasmic(case).score == 7
    assert result.leaning == "ttp"
    assert any(a.severity == "critical" for a in result.alerts)
    assert "ttp_mimic" not in alert_ids(result)


def test_plasmic_high_leans_ttp_even_with_b12_deficiency_and_macrocytosis_signs():
    # PLASMIC 6: MCV point lost to macrocytosis, all else scoring
    case = case_of(PLT_TTP, HAEMOLYSIS, SCHISTO, MACRO, obs("inr", 1.1), obs("creatinine", 0.9, "mg/dL"), B12_LOW,
                   LDH_B12)  # fmt: skip
    result = tma(case, diagnose(case), plasmic(case))
    assert plasmic(case).risk == "high"
    assert result.leaning == "ttp" and result.rule == "plasmic_high"
    assert "plasmic_b12_conflict" in alert_ids(result)


def test_plasmic_high_gives_way_only_to_adamts13_above_20_percent():
    base = (PLT_TTP, HAEMOLYSIS, SCHISTO, NORMO, obs("inr", 1.1), obs("creatinine", 0.9, "mg/dL"), B12_LOW)
    assert run(*base, adamts(15)).leaning == "ttp"  # borderline: still TTP
    assert run(*base, adamts(21)).leaning != "ttp"


def test_plasmic_high_out_of_scope_without_schistocytes_does_not_decide():
    # schistocytes known absent: PLASMIC applies only with schistocytes
    result = run(PLT_TTP, HAEMOLYSIS, obs("schistocytes_seen", False), MACRO, obs("inr", 1.1),
                 obs("creatinine", 0.9, "mg/dL"), obs("reticulocytes_abs", 20, "10^9/L"), B12_LOW, LDH_B12)  # fmt: skip
    assert result.rule != "plasmic_high"


# -- the weighed picture without ADAMTS13 ------------------------------------------------------


def test_a_strongly_b12_like_picture_leans_b12_pseudo_tma_and_says_adamts13_settles_it():
    result = run(*STRONG_B12)
    assert result.leaning == "b12_pseudo_tma" and result.rule == "balance"
    assert result.strength == "strongly"
    assert any("below 10 % would mean TTP" in n.text for n in result.reasons)
    assert "ttp_mimic" in alert_ids(result)  # still warns and asks for ADAMTS13
    assert "adamts13" in decider_ids(result)


def test_an_ldh_that_fits_both_does_not_veto_a_b12_leaning():
    result = run(B12_LOW, HAEMOLYSIS, SCHISTO, PLT_B12, LDH_BOTH, MACRO, *LOW_MARROW_MEASURED,
                 obs("hypersegmented_neutrophils", True))  # fmt: skip
    assert weight(result, "ldh") == 0
    assert result.leaning == "b12_pseudo_tma"


def test_b12_deficiency_with_a_ttp_like_picture_is_an_overlap_that_leans_ttp():
    result = run(B12_LOW, HAEMOLYSIS, SCHISTO, PLT_TTP, NORMO, BRISK)
    assert result.leaning == "ttp" and result.rule == "overlap"
    assert "ttp_likely" in alert_ids(result)


def test_ttp_like_picture_with_b12_unmeasured_leans_ttp_and_asks_for_b12():
    result = run(HAEMOLYSIS, SCHISTO, PLT_TTP, LDH_TTP)
    assert result.leaning == "ttp" and result.rule == "balance"
    assert "b12" in decider_ids(result)
    assert next(a for a in result.alerts if a.id == "ttp_likely").severity == "critical"


def test_b12_like_picture_without_b12_deficiency_is_not_called_b12():
    result = run(HAEMOLYSIS, SCHISTO, PLT_B12, LDH_B12, MACRO, *LOW_MARROW)
    assert result.leaning == "indeterminate" and result.rule == "b12_like_without_deficiency"
    assert "b12" in decider_ids(result)


def test_a_balance_between_the_cut_offs_is_indeterminate_and_names_them():
    result = run(B12_LOW, HAEMOLYSIS, SCHISTO, PLT_MID, LDH_BOTH)
    assert result.leaning == "indeterminate" and result.rule == "balance"
    assert "+3" in result.reasons[-1].text and "-2" in result.reasons[-1].text


def test_b12_unlikely_with_a_ttp_feature_leans_ttp():
    result = run(B12_HIGH, HAEMOLYSIS, SCHISTO, obs("platelets", 25, "10^9/L"))
    assert result.total <= -2 and result.leaning == "ttp"


# -- reticulocytes: measured counts, estimated indices -----------------------------------------


def test_a_brisk_reticulocytosis_never_counts_for_b12_even_when_the_estimated_index_is_low():
    # 6.8 % with Hb 8.1: the index from an estimated haematocrit is 1.5, but the count is brisk
    result = run(*TEXTBOOK_TTP, BRISK)
    assert weight(result, "reticulocytes") < 0


def test_an_index_from_an_estimated_haematocrit_counts_half_and_says_so():
    est = run(B12_LOW, HAEMOLYSIS, SCHISTO, PLT_MID, *LOW_MARROW).pull("reticulocytes")
    measured = run(B12_LOW, HAEMOLYSIS, SCHISTO, PLT_MID, *LOW_MARROW_MEASURED).pull("reticulocytes")
    assert est.estimated and not measured.estimated
    assert est.weight == measured.weight * weights()["estimated_weight"] > 0
    assert "estimated" in est.text


def test_a_raised_count_with_a_low_index_is_not_counted():
    pull = run(B12_LOW, HAEMOLYSIS, SCHISTO, PLT_MID, obs("reticulocytes_pct", 3.5, "%"),
               obs("hemoglobin", 5.0, "g/dL")).pull("reticulocytes")  # fmt: skip
    assert pull.weight == 0 and "disagree" in pull.text


def test_a_measured_absolute_count_is_preferred_to_the_percentage():
    result = run(B12_LOW, HAEMOLYSIS, SCHISTO, PLT_MID, obs("reticulocytes_abs", 20, "10^9/L"), BRISK)
    pull = result.pull("reticulocytes")
    assert pull.weight > 0 and pull.value == "20 10^9/L" and "absolute count, measured" in pull.text


@pytest.mark.parametrize(("value", "expected"), [(49.9, 2), (50, 0), (149.9, 0), (150, -2)])
def test_absolute_reticulocyte_bands_at_their_boundaries(value, expected):
    result = run(PLT_MID, HAEMOLYSIS, SCHISTO, obs("reticulocytes_abs", value, "10^9/L"))
    assert band(result, "reticulocytes") == expected


# -- band boundaries ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [(19.9, -2), (20, -1), (29.9, -1), (30, 0), (41.9, 0), (42, 1), (101, 1), (101.1, 2), (140, 2)],
)
def test_platelet_bands_at_their_boundaries(value, expected):
    assert band(run(obs("platelets", value, "10^9/L"), HAEMOLYSIS, SCHISTO), "platelets") == expected


def test_platelets_above_any_registry_ttp_weigh_more_and_show_the_figure():
    pull = run(B12_LOW, obs("platelets", 118, "10^9/L"), HAEMOLYSIS, SCHISTO).pull("platelets")
    assert pull.weight == 2 and "2-101" in pull.text and "62" in pull.text


@pytest.mark.parametrize(("value", "expected"), [(2003, -0.5), (2004, 0), (3909, 0), (3910, 2)])
def test_ldh_bands_at_their_boundaries(value, expected):
    assert band(run(PLT_MID, HAEMOLYSIS, SCHISTO, obs("ldh", value, "U/L")), "ldh") == expected


@pytest.mark.parametrize(("value", "expected"), [(89.9, -0.5), (90, 0), (100, 0), (100.1, 1.5)])
def test_mcv_bands_at_their_boundaries(value, expected):
    assert band(run(PLT_MID, HAEMOLYSIS, SCHISTO, obs("mcv", value, "fL")), "mcv") == expected


def test_a_normal_mcv_does_not_count_against_b12_when_iron_deficiency_may_hide_macrocytosis():
    pull = run(PLT_MID, HAEMOLYSIS, SCHISTO, NORMO, obs("ferritin", 8, "ng/mL")).pull("mcv")
    assert pull.weight == 0 and "iron deficiency" in pull.text


@pytest.mark.parametrize(("value", "expected"), [(1.4, 1), (1.5, 0), (5.0, 0), (5.1, -0.5)])
def test_neutrophil_bands_at_their_boundaries(value, expected):
    assert band(run(PLT_MID, HAEMOLYSIS, SCHISTO, obs("neutrophils", value, "10^9/L")), "neutrophils") == expected


def test_a_censored_value_that_spans_bands_is_not_placed():
    spec = weights()["features"]["platelets"]["bands"]
    from logic.case import parse_case

    censored = parse_case({"observations": [obs("platelets", 40, "10^9/L", "<")]}).observations[0]
    assert place(censored, spec, threshold_set()) is None
    below = parse_case({"observations": [obs("platelets", 20, "10^9/L", "<")]}).observations[0]
    assert place(below, spec, threshold_set())["weight"] == -2


def test_marked_b12_deficiency_with_mma_above_0_75_weighs_more():
    plain = run(B12_LOW, PLT_MID, HAEMOLYSIS, SCHISTO).pull("b12").weight
    marked = run(B12_LOW, PLT_MID, HAEMOLYSIS, SCHISTO, obs("mma", 3.0, "umol/L")).pull("b12").weight
    assert marked > plain > 0


# -- ADAMTS13 above 20 % ----------------------------------------------------------------------


def test_normal_adamts13_with_b12_deficiency_leans_b12_pseudo_tma():
    result = run(B12_LOW, HAEMOLYSIS, SCHISTO, PLT_B12, adamts(62))
    assert result.leaning == "b12_pseudo_tma"
    assert decided_by(result) and "20" in decided_by(result)


def test_normal_adamts13_with_b12_deficiency_settles_it_even_with_a_ttp_like_picture():
    result = run(B12_LOW, HAEMOLYSIS, SCHISTO, PLT_TTP, BRISK, NORMO, adamts(62))
    assert result.leaning == "b12_pseudo_tma" and result.rule == "adamts13_normal"
    assert "TTP-like" in result.decisive.text and "does not make it TTP" in result.decisive.text
    assert {"creatinine", "coagulation", "dat", "medicines"} <= set(decider_ids(result))
    assert [n.text.split(" ")[0] for n in result.doubt] == ["Doubt", "Doubt"]


def test_normal_adamts13_with_b12_unlikely_is_other_tma():
    assert run(B12_HIGH, HAEMOLYSIS, SCHISTO, PLT_B12, adamts(73)).leaning == "other_tma"


def test_normal_adamts13_with_unmeasured_b12_and_macrocytosis_is_indeterminate():
    result = run(HAEMOLYSIS, SCHISTO, PLT_B12, MACRO, adamts(73))
    assert result.leaning == "indeterminate"
    assert "b12" in decider_ids(result)


def test_normal_adamts13_with_unmeasured_b12_and_nothing_b12_specific_is_other_tma_that_asks_for_b12():
    result = run(HAEMOLYSIS, SCHISTO, PLT_B12, LDH_B12, adamts(73))
    assert result.leaning == "other_tma"
    assert {"b12", "mma"} <= set(decider_ids(result))


# -- mimics: autoimmune haemolysis (Evans) and DIC ------------------------------------------------


def test_evans_syndrome_leans_neither_ttp_nor_b12():
    result = run(obs("platelets", 4, "10^9/L"), obs("hemoglobin", 6.9, "g/dL"), obs("reticulocytes_pct", 11.5, "%"),
                 obs("haptoglobin", 10, "mg/dL", "<"), obs("schistocytes_seen", False), obs("dat_positive", True),
                 obs("b12", 420, "pg/mL"))  # fmt: skip
    assert result.leaning not in ("ttp", "b12_pseudo_tma")
    assert result.rule == "dat_positive"
    assert "Evans" in result.reasons[-1].text


def test_a_negative_dat_changes_nothing():
    base = (HAEMOLYSIS, SCHISTO, PLT_TTP, LDH_TTP)
    assert run(*base).leaning == run(*base, obs("dat_positive", False)).leaning == "ttp"


def test_low_fibrinogen_points_to_dic_as_another_tma():
    result = run(B12_LOW, HAEMOLYSIS, SCHISTO, PLT_MID, obs("fibrinogen", 0.8, "g/L"))
    assert result.leaning == "other_tma" and result.rule == "dic"


def test_a_long_inr_with_a_strong_d_dimer_points_to_dic_but_either_alone_does_not():
    strong = obs("d_dimer", 8, "mg/L FEU")
    long_inr = obs("inr", 1.8)
    base = (HAEMOLYSIS, SCHISTO, PLT_MID)
    assert run(*base, strong, long_inr).rule == "dic"
    assert run(*base, strong).rule != "dic"
    assert run(*base, long_inr, obs("d_dimer", 1.0, "mg/L FEU")).rule != "dic"


def test_dic_does_not_override_the_plasmic_safety_rule():
    case = case_of(*TEXTBOOK_TTP, obs("fibrinogen", 80, "mg/dL"))
    assert tma(case, diagnose(case), plasmic(case)).leaning == "ttp"


# -- French score ---------------------------------------------------------------------------------


def test_french_score_counts_platelets_and_creatinine_at_or_below_coppos_cut_offs():
    f = french_score(case_of(PLT_TTP, obs("creatinine", 2.2, "mg/dL")))
    assert (f.score, f.likelihood_pct) == (2, (94,))
    # at the boundary Coppo's inclusive cut-offs score (ISTH prints '<'): 94 %, not 2 %
    f = french_score(case_of(obs("platelets", 30, "10^9/L"), obs("creatinine", 200, "umol/L")))
    assert (f.score, f.likelihood_pct) == (2, (94,))
    assert "Coppo" in f.boundary


@pytest.mark.parametrize(
    ("platelets", "creatinine", "unit", "score"),
    [(30.1, 200, "umol/L", 1), (30, 200.1, "umol/L", 1), (30.1, 200.1, "umol/L", 0), (30, 2.26, "mg/dL", 2),
     (30, 2.27, "mg/dL", 1)],
)
def test_french_score_just_past_each_cut_off_loses_its_point(platelets, creatinine, unit, score):
    f = french_score(case_of(obs("platelets", platelets, "10^9/L"), obs("creatinine", creatinine, unit)))
    assert f.score == score


def test_french_score_with_unknowns_gives_a_range_and_its_likelihoods():
    f = french_score(case_of(PLT_TTP))
    assert (f.min_score, f.max_score, f.likelihood_pct) == (1, 2, (70, 94))
    assert "NOT" not in f.caveat and "could not be verified" in f.not_verified


# -- guidance and the regimen caveat -----------------------------------------------------------------


def test_isth_statements_show_only_with_a_ttp_leaning_and_adamts13_awaited():
    ttp = run(HAEMOLYSIS, SCHISTO, PLT_TTP, LDH_TTP)
    assert ttp.guidance and any("corticosteroids" in n.text for n in ttp.guidance)
    platelets = next(n.text for n in ttp.guidance if "Platelet transfusion" in n.text)
    assert "not bleeding" in platelets and "central line" in platelets and "isth_ttp_gps_2020" in str(ttp.guidance)
    assert run(*STRONG_B12).guidance == ()
    assert run(HAEMOLYSIS, SCHISTO, PLT_TTP, LDH_TTP, adamts(3)).guidance == ()


def test_guidance_never_orders():
    for note in run(HAEMOLYSIS, SCHISTO, PLT_TTP, LDH_TTP).guidance:
        assert not note.text.lower().startswith(("give ", "start ", "do ")), note.text
        assert note.refs


def test_a_regimen_has_no_indication_when_b12_is_not_established_or_the_leaning_is_ttp():
    assert regimen_caveat("unknown", Leaning.NOT_TMA) is not None
    assert regimen_caveat("unlikely", Leaning.INDETERMINATE) is not None
    assert regimen_caveat("deficient", Leaning.TTP) is not None
    assert regimen_caveat("deficient", Leaning.B12_PSEUDO_TMA) is None
    assert regimen_caveat("indeterminate", Leaning.INDETERMINATE) is None


# -- alerts -----------------------------------------------------------------------------------------


def test_ttp_mimic_alert_is_critical_when_b12_is_deficient_in_an_undecided_tma_picture():
    result = run(B12_LOW, HAEMOLYSIS, SCHISTO, PLT_MID)
    mimic = next(a for a in result.alerts if a.id == "ttp_mimic")
    assert mimic.severity == "critical"
    for word in ("MMA", "reticulocyte production index", "ADAMTS13", "haematology"):
        assert word in mimic.message


def test_ttp_mimic_alert_cites_frequency_and_plasma_therapy_figures():
    mimic = next(a for a in run(B12_LOW, HAEMOLYSIS, SCHISTO, PLT_MID).alerts if a.id == "ttp_mimic")
    assert "2.5 %" in mimic.message and "34 %" in mimic.message
    assert {"andres_2006", "tran_2018"} <= set(mimic.refs)


def test_b12_does_not_wait_for_the_differential():
    assert "b12_does_not_wait" in alert_ids(run(B12_LOW, HAEMOLYSIS, SCHISTO, PLT_B12))


def test_no_plasmic_conflict_without_b12_deficiency():
    result = run(B12_HIGH, HAEMOLYSIS, SCHISTO, PLT_TTP, NORMO, obs("inr", 1.1), obs("creatinine", 0.9, "mg/dL"))
    assert "plasmic_b12_conflict" not in alert_ids(result)


SCENARIOS = [
    STRONG_B12,
    (*STRONG_B12, adamts(5)),
    (B12_LOW, HAEMOLYSIS, SCHISTO, PLT_TTP, NORMO, obs("inr", 1.1), obs("creatinine", 0.9, "mg/dL")),
    (HAEMOLYSIS, SCHISTO, PLT_TTP, LDH_TTP),
    (B12_HIGH, HAEMOLYSIS, SCHISTO, PLT_B12, adamts(73)),
    (B12_LOW, PLT_B12),
    TEXTBOOK_TTP,
]


@pytest.mark.parametrize("observations", SCENARIOS)
def test_no_text_ever_advises_withholding_plasma_exchange(observations):
    result = run(*observations)
    texts = [a.message for a in result.alerts] + [n.text for n in result.reasons] + [
        n.reason for n in result.deciding_tests
    ] + [n.text for n in result.guidance] + [p.text for p in result.balance]
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


@pytest.mark.parametrize("observations", SCENARIOS)
def test_a_ttp_leaning_always_carries_a_critical_alert(observations):
    result = run(*observations)
    if result.leaning == "ttp":
        assert any(a.severity == "critical" for a in result.alerts)


# -- contract and provenance -------------------------------------------------------------------


def test_json_has_the_contract_keys_and_the_extras():
    out = serialize.tma(run(*STRONG_B12))
    assert {"hemolysis", "leaning", "reasons"} <= set(out)
    assert out["leaning"] in LEANINGS
    assert all(isinstance(r, str) for r in out["reasons"]) and out["reasons"]
    assert {"reasons_detail", "deciding_tests", "balance", "french", "guidance", "no_validated_rule"} <= set(out)
    assert out["no_validated_rule"].startswith("No validated published score")
    for row in out["balance"]:
        assert row["side"] in ("b12_pseudo_tma", "ttp", None)
        assert {"id", "label", "value", "weight", "estimated", "text", "refs"} <= set(row)


def test_tma_haemolysis_is_the_diagnosis_haemolysis():
    case = case_of(B12_LOW, PLT_B12, NO_HAEMOLYSIS)
    d = diagnose(case)
    assert tma(case, d, plasmic(case)).hemolysis is d.hemolysis is False


def test_alerts_are_alert_values_with_known_severities():
    result = run(*TEXTBOOK_TTP)
    assert result.alerts
    for alert in result.alerts:
        assert isinstance(alert, Alert)
        assert alert.severity in ("critical", "warning", "info")


def test_every_reference_named_by_the_tma_package_exists():
    result = run(*STRONG_B12)
    ids = {r for n in result.reasons for r in n.refs}
    ids |= {r for a in result.alerts for r in a.refs}
    ids |= {r for p in result.balance for r in p.refs}
    ids |= {r for n in result.deciding_tests for r in n.refs}
    ids |= {r for n in result.context for r in n.refs} | set(result.no_validated_rule.refs)
    ids |= set(result.french.refs)
    for entry in groups().values():
        if isinstance(entry, dict) and "refs" in entry:
            ids |= set(entry["refs"])
    for feature in weights()["features"].values():
        for band in feature.get("bands", []):
            ids |= {r for r in band["refs"] if not r.startswith("@")}
    assert ids - set(references()) == set()


def test_tma_result_is_frozen_and_deterministic():
    case = case_of(*STRONG_B12)
    d, p = diagnose(case), plasmic(case)
    first = tma(case, d, p)
    assert first == tma(case, d, p)
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.leaning = "ttp"  # type: ignore[misc]
