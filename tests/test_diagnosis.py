from datetime import date

import pytest

from logic.diagnosis import diagnose, thrombocytopenia_grade
from logic.reference import threshold_set
from tests.helpers import make_case, obs


def status(*observations, **kw):
    return diagnose(make_case(*observations, **kw)).b12.status


# -- serum B12 bands (NICE NG239) ------------------------------------------------------
@pytest.mark.parametrize(("value", "unit", "expected"), [
    (179.9, "ng/L", "deficient"),
    (180, "ng/L", "indeterminate"),
    (350, "ng/L", "indeterminate"),
    (350.1, "ng/L", "unlikely"),
    (150, "pg/mL", "deficient"),
    (132, "pmol/L", "deficient"),        # 178.9 ng/L
    (133, "pmol/L", "indeterminate"),    # 180.2 ng/L (NICE pairs 180 ng/L with 133 pmol/L)
    (258, "pmol/L", "indeterminate"),    # 349.6 ng/L
    (259, "pmol/L", "unlikely"),         # 350.9 ng/L
], ids=lambda v: str(v).replace("/", "_per_") if not isinstance(v, str) or "/" in v else v)
def test_serum_b12_band_on_and_around_each_cut_off(value, unit, expected):
    assert status(obs("b12", value, unit)) == expected


def test_b12_of_180_is_indeterminate():
    assert status(obs("b12", 180, "ng/L")) == "indeterminate"


def test_censored_b12_below_the_deficiency_cut_off_is_deficient():
    assert status(obs("b12", 159, "pg/mL", comparator="<")) == "deficient"
    assert status(obs("b12", 180, "pg/mL", comparator="<")) == "deficient"


def test_censored_b12_that_spans_bands_is_indeterminate_not_a_guess():
    d = diagnose(make_case(obs("b12", 200, "pg/mL", comparator="<")))
    assert d.b12.status == "indeterminate"
    assert "spans" in d.b12.reasons[0].text


def test_censored_b12_above_the_upper_cut_off_is_unlikely():
    assert status(obs("b12", 2000, "ng/L", comparator=">")) == "unlikely"


def test_no_b12_result_is_unknown():
    assert status(obs("platelets", 40, "10^9/L")) == "unknown"


@pytest.mark.parametrize(("value", "expected"), [
    (24.9, "deficient"), (25, "indeterminate"), (70, "indeterminate"), (70.1, "unlikely"),
], ids=["holotc_24.9_is_deficient", "holotc_25_is_indeterminate", "holotc_70_is_indeterminate",
        "holotc_70.1_is_unlikely"])
def test_holotc_bands(value, expected):
    assert status(obs("holotc", value, "pmol/L")) == expected


def test_holotc_deficient_outranks_an_indeterminate_serum_b12():
    d = diagnose(make_case(obs("b12", 250, "ng/L"), obs("holotc", 20, "pmol/L")))
    assert d.b12.status == "deficient"
    assert any("disagree" in r.text for r in d.b12.reasons)


# -- settling an indeterminate result -------------------------------------------------
def test_raised_mma_settles_indeterminate_as_deficient():
    d = diagnose(make_case(obs("b12", 205, "pg/mL"), obs("mma", 3600, "nmol/L")))
    assert (d.b12.status, d.b12.settled_by) == ("deficient", "mma")


def test_mma_just_above_its_limit_settles_and_at_the_limit_does_not():
    assert status(obs("b12", 250, "ng/L"), obs("mma", 0.41, "umol/L")) == "deficient"
    assert status(obs("b12", 250, "ng/L"), obs("mma", 0.40, "umol/L")) == "unlikely"


def test_normal_mma_settles_indeterminate_as_unlikely():
    d = diagnose(make_case(obs("b12", 250, "ng/L"), obs("mma", 200, "nmol/L")))
    assert (d.b12.status, d.b12.settled_by) == ("unlikely", "mma")


def test_normal_mma_with_raised_homocysteine_stays_indeterminate():
    assert status(obs("b12", 250, "ng/L"), obs("mma", 200, "nmol/L"), obs("homocysteine", 30, "umol/L")) == \
        "indeterminate"


def test_raised_homocysteine_with_normal_folate_settles_as_deficient():
    d = diagnose(make_case(obs("b12", 250, "ng/L"), obs("homocysteine", 14.1, "umol/L"), obs("folate", 8, "ng/mL")))
    assert (d.b12.status, d.b12.settled_by) == ("deficient", "homocysteine")


def test_homocysteine_at_its_limit_does_not_settle():
    assert status(obs("b12", 250, "ng/L"), obs("homocysteine", 14, "umol/L"), obs("folate", 8, "ng/mL")) == \
        "indeterminate"


def test_raised_homocysteine_with_unknown_folate_stays_indeterminate():
    d = diagnose(make_case(obs("b12", 250, "ng/L"), obs("homocysteine", 30, "umol/L")))
    assert d.b12.status == "indeterminate"
    assert any("folate" in r.text for r in d.b12.reasons)


def test_raised_homocysteine_with_low_folate_stays_indeterminate():
    assert status(obs("b12", 250, "ng/L"), obs("homocysteine", 30, "umol/L"), obs("folate", 2, "ng/mL")) == \
        "indeterminate"


def test_normal_b12_with_raised_mma_is_a_possible_functional_deficiency():
    d = diagnose(make_case(obs("b12", 500, "ng/L"), obs("mma", 1.2, "umol/L")))
    assert d.b12.status == "indeterminate"
    assert any("functional" in r.text for r in d.b12.reasons)


def test_normal_b12_alone_says_a_normal_level_does_not_exclude_functional_deficiency():
    d = diagnose(make_case(obs("b12", 500, "ng/L")))
    assert d.b12.status == "unlikely"
    assert any("does not exclude" in r.text for r in d.b12.reasons)


def test_mma_settled_with_raised_creatinine_carries_the_renal_caveat():
    d = diagnose(make_case(obs("b12", 250, "ng/L"), obs("mma", 0.6, "umol/L"), obs("creatinine", 2.5, "mg/dL")))
    assert any("renal" in r.text for r in d.b12.reasons)


def test_local_threshold_set_changes_the_band():
    case = make_case(obs("b12", 160, "ng/L"))
    assert diagnose(case).b12.status == "deficient"
    assert diagnose(case, "ruh_bath").b12.status == "indeterminate"
    assert diagnose(make_case(obs("b12", 181, "ng/L")), "ruh_bath").b12.status == "unlikely"


# -- CTCAE v5 thrombocytopenia -----------------------------------------------------------
@pytest.mark.parametrize(("platelets", "grade"), [
    (150, 0), (149.9, 1), (75, 1), (74.9, 2), (50, 2), (49.9, 3), (25, 3), (24.9, 4), (0, 4), (300, 0),
])
def test_ctcae_v5_platelet_grade_boundaries(platelets, grade):
    assert diagnose(make_case(obs("platelets", platelets, "10^9/L"))).thrombocytopenia_grade == grade


def test_no_platelet_count_has_no_grade():
    assert diagnose(make_case(obs("b12", 100, "ng/L"))).thrombocytopenia_grade is None


def test_censored_platelets_inside_one_grade_get_that_grade():
    t = threshold_set()
    assert diagnose(make_case(obs("platelets", 20, "10^9/L", comparator="<"))).thrombocytopenia_grade == 4
    assert thrombocytopenia_grade(make_case(obs("platelets", 60, "10^9/L", comparator="<")).observations[0],
                                  t["platelets_lln"]) is None


# -- anaemia, pancytopenia ------------------------------------------------------------------
@pytest.mark.parametrize(("hb", "sex", "grade"), [
    (13.0, "male", 0), (12.9, "male", 1), (12.0, "female", 0), (11.9, "female", 1),
    (10.0, "female", 1), (9.9, "female", 2), (8.0, "male", 2), (7.9, "male", 3),
])
def test_anaemia_grade_uses_who_limits_by_sex(hb, sex, grade):
    assert diagnose(make_case(obs("hemoglobin", hb, "g/dL"), sex=sex)).anaemia_grade == grade


def test_anaemia_between_the_sexes_limits_is_not_known_without_sex():
    assert diagnose(make_case(obs("hemoglobin", 12.5, "g/dL"))).anaemia_grade is None
    assert diagnose(make_case(obs("hemoglobin", 11.0, "g/dL"))).anaemia_grade == 1


def test_pancytopenia_needs_all_three_lineages():
    low3 = [obs("hemoglobin", 7, "g/dL"), obs("platelets", 60, "10^9/L"), obs("wbc", 2.6, "10^9/L")]
    assert diagnose(make_case(*low3, sex="male")).finding("pancytopenia").present is True
    normal_wbc = low3[:2] + [obs("wbc", 6, "10^9/L")]
    assert diagnose(make_case(*normal_wbc, sex="male")).finding("pancytopenia").present is False
    assert diagnose(make_case(*low3[:2], sex="male")).finding("pancytopenia").present is None


def test_low_neutrophils_count_as_the_white_lineage():
    d = diagnose(make_case(obs("hemoglobin", 7, "g/dL"), obs("platelets", 60, "10^9/L"),
                           obs("neutrophils", 1.0, "10^9/L"), sex="female"))
    assert d.finding("pancytopenia").present is True


def test_isolated_thrombocytopenia_is_named():
    d = diagnose(make_case(obs("hemoglobin", 14, "g/dL"), obs("platelets", 42, "10^9/L"), obs("wbc", 6, "10^9/L"),
                           sex="male"))
    assert d.finding("isolated_thrombocytopenia").present is True


# -- haemolysis, schistocytes, RPI, macrocytosis -----------------------------------------------
def test_undetectable_haptoglobin_is_haemolysis():
    assert diagnose(make_case(obs("haptoglobin", 8, "mg/dL", comparator="<"))).hemolysis is True


def test_normal_haptoglobin_is_no_haemolysis():
    assert diagnose(make_case(obs("haptoglobin", 100, "mg/dL"), obs("ldh", 900, "U/L"))).hemolysis is False


def test_raised_ldh_alone_is_not_enough_to_call_haemolysis():
    assert diagnose(make_case(obs("ldh", 3000, "U/L"))).hemolysis is None


def test_raised_ldh_with_indirect_bilirubin_over_2_is_haemolysis():
    assert diagnose(make_case(obs("ldh", 3000, "U/L"), obs("bilirubin_indirect", 2.1, "mg/dL"))).hemolysis is True
    assert diagnose(make_case(obs("ldh", 3000, "U/L"), obs("bilirubin_indirect", 2.0, "mg/dL"))).hemolysis is None


def test_normal_ldh_without_haptoglobin_is_no_haemolysis():
    assert diagnose(make_case(obs("ldh", 200, "U/L"))).hemolysis is False


def test_schistocytes_over_1_percent_are_suspicious_and_1_percent_is_not():
    assert diagnose(make_case(obs("schistocytes_pct", 1.1, "%"))).finding("schistocytes").present is True
    assert diagnose(make_case(obs("schistocytes_pct", 1.0, "%"))).finding("schistocytes").present is False


def test_reticulocyte_production_index_with_maturation_correction():
    # retic 1 %, Hct 24 % -> 1 x 24/45 / 2.5 = 0.213
    d = diagnose(make_case(obs("reticulocytes_pct", 1, "%"), obs("hematocrit", 24, "%")))
    assert d.reticulocyte_production_index == pytest.approx(1 * 24 / 45 / 2.5)
    assert d.finding("rpi").present is True


def test_rpi_uses_estimated_haematocrit_from_haemoglobin_and_says_so():
    d = diagnose(make_case(obs("reticulocytes_pct", 10, "%"), obs("hemoglobin", 13.5, "g/dL")))
    assert d.reticulocyte_production_index == pytest.approx(10 * 40.5 / 45 / 1.0)
    assert "estimated" in d.finding("rpi").detail and d.finding("rpi").present is False


def test_macrocytosis_above_100_fl_only():
    assert diagnose(make_case(obs("mcv", 100.1, "fL"))).finding("macrocytosis").present is True
    assert diagnose(make_case(obs("mcv", 100, "fL"))).finding("macrocytosis").present is False


def test_normal_mcv_with_low_ferritin_explains_the_masking():
    d = diagnose(make_case(obs("b12", 30, "pg/mL"), obs("mcv", 87.1, "fL"), obs("ferritin", 8, "ng/mL")))
    assert "iron deficiency" in d.finding("macrocytosis").detail
    assert any(a.id == "iron_deficiency" for a in d.alerts)


# -- causes and lifelong -----------------------------------------------------------------------
def test_pernicious_anaemia_means_lifelong():
    assert diagnose(make_case(history={"pernicious_anemia": True})).lifelong is True


@pytest.mark.parametrize(("cm", "lifelong"), [(21, True), (20, False), (0, False)],
                         ids=["resection_of_21_cm_is_lifelong", "resection_of_20_cm_is_not", "no_resection_is_not"])
def test_ileal_resection_over_20_cm_means_lifelong(cm, lifelong):
    d = diagnose(make_case(history={"pernicious_anemia": False, "gastric_surgery": False, "ileal_resection_cm": cm}))
    assert d.lifelong is lifelong


def test_unknown_permanent_causes_give_not_enough_data_not_no():
    d = diagnose(make_case(history={"pernicious_anemia": False}))
    assert d.lifelong is None
    assert "not enough data" in d.lifelong_reasons[0].text.lower()


def test_gastric_surgery_means_lifelong():
    assert diagnose(make_case(history={"gastric_surgery": True})).lifelong is True


def test_vegan_diet_is_a_reversible_cause():
    d = diagnose(make_case(history={"vegan_or_vegetarian": True, "pernicious_anemia": False,
                                    "gastric_surgery": False, "ileal_resection_cm": 0}))
    assert d.lifelong is False
    assert any(c.id == "vegan_or_vegetarian" and c.present for c in d.causes)


# -- route --------------------------------------------------------------------------------------
def test_route_advice_never_iv_and_oral_refused_in_pernicious_anaemia():
    d = diagnose(make_case(history={"pernicious_anemia": True}))
    texts = " ".join(n.text for n in d.route)
    assert "Never intravenous" in texts and "not reliable" in texts


def test_oral_maintenance_offered_only_with_normal_absorption_known():
    known = diagnose(make_case(history={"pernicious_anemia": False, "gastric_surgery": False,
                                        "ileal_resection_cm": 0, "crohns_ileal": False}))
    assert any("1-2 mg daily" in n.text for n in known.route)
    unknown = diagnose(make_case(history={}))
    assert any("once absorption is known" in n.text for n in unknown.route)


def test_neurological_symptoms_point_to_the_bnf_neurological_schedule():
    d = diagnose(make_case(history={"neurological_symptoms": True}))
    assert any("alternate days until no further improvement" in n.text for n in d.route)


# -- alerts ---------------------------------------------------------------------------------------
def alert_ids(case, today=None):
    return {a.id for a in diagnose(case, today=today).alerts}


def test_delay_alert_fires_after_three_calendar_months_and_not_on_the_day():
    on_day = make_case(history={"symptom_onset": "2026-08-01"}, treatment_start="2026-11-01")
    after = make_case(history={"symptom_onset": "2026-08-01"}, treatment_start="2026-11-02")
    assert "delay_over_3_months" not in alert_ids(on_day)
    assert "delay_over_3_months" in alert_ids(after)


def test_delay_alert_uses_today_when_treatment_has_not_started():
    case = make_case(history={"symptom_onset": "2026-01-10"})
    assert "delay_over_3_months" in alert_ids(case, today=date(2026, 5, 1))
    assert "delay_over_3_months" not in alert_ids(case, today=date(2026, 3, 1))


def test_low_folate_warns_never_folate_alone():
    ids = alert_ids(make_case(obs("b12", 100, "ng/L"), obs("folate", 2.9, "ng/mL")))
    assert "folate_deficiency" in ids and "no_folate_alone" not in ids
    assert "folate_deficiency" not in alert_ids(make_case(obs("b12", 100, "ng/L"), obs("folate", 3.0, "ng/mL")))


def test_methotrexate_or_sulfasalazine_prompts_folate():
    assert "folate_antagonist_drugs" in alert_ids(make_case(history={"methotrexate": True}))
    assert "folate_antagonist_drugs" in alert_ids(make_case(history={"sulfasalazine": True}))


def test_potassium_alert_is_critical_in_severe_anaemia():
    d = diagnose(make_case(obs("b12", 100, "ng/L"), obs("hemoglobin", 6, "g/dL")))
    k = next(a for a in d.alerts if a.id == "potassium_first_48h")
    assert k.severity == "critical"
    mild = diagnose(make_case(obs("b12", 100, "ng/L"), obs("hemoglobin", 11, "g/dL"), sex="female"))
    assert next(a for a in mild.alerts if a.id == "potassium_first_48h").severity == "warning"


def test_history_alerts_for_metformin_acid_suppression_and_nitrous_oxide():
    ids = alert_ids(make_case(history={"metformin": True, "acid_suppression": True, "nitrous_oxide": True}))
    assert {"metformin", "acid_suppression", "nitrous_oxide"} <= ids


def test_b12_drawn_on_the_day_treatment_started_is_flagged():
    case = make_case(obs("b12", 400, "ng/L", day="2026-11-02"), treatment_start="2026-11-02")
    assert "b12_after_injection" in alert_ids(case)


def test_censored_platelets_that_span_the_lower_limit_are_not_called_low():
    d = diagnose(make_case(obs("platelets", 200, "10^9/L", comparator="<")))
    assert d.finding("thrombocytopenia").present is None


def test_unsourced_misdiagnosis_note_only_with_a_tma_picture():
    assert "unsourced_misdiagnosis_rate" not in alert_ids(make_case(obs("platelets", 40, "10^9/L")))


def test_unsourced_misdiagnosis_claim_is_not_repeated_as_fact():
    d = diagnose(make_case(obs("platelets", 40, "10^9/L"), obs("haptoglobin", 8, "mg/dL", comparator="<")))
    a = next(a for a in d.alerts if a.id == "unsourced_misdiagnosis_rate")
    assert "no primary source" in a.message and "article_unsourced" in a.refs


def test_alerts_come_most_severe_first():
    d = diagnose(make_case(obs("b12", 100, "ng/L"), obs("hemoglobin", 6, "g/dL"), history={"metformin": True}))
    order = [a.severity for a in d.alerts]
    assert order == sorted(order, key=("critical", "warning", "info").index)


# -- next tests -----------------------------------------------------------------------------------
def next_ids(*observations, **kw):
    return [n.id for n in diagnose(make_case(*observations, **kw)).next_tests]


def test_indeterminate_b12_asks_for_mma_homocysteine_and_folate():
    ids = next_ids(obs("b12", 250, "ng/L"))
    assert {"mma", "homocysteine", "folate", "cbc"} <= set(ids)


def test_deficient_b12_does_not_ask_for_mma():
    assert "mma" not in next_ids(obs("b12", 100, "ng/L"))


def test_no_b12_asks_for_b12_first():
    assert next_ids(obs("platelets", 40, "10^9/L"))[0] == "b12"


def test_tma_picture_asks_for_adamts13():
    ids = next_ids(obs("b12", 100, "ng/L"), obs("platelets", 40, "10^9/L"),
                   obs("haptoglobin", 8, "mg/dL", comparator="<"))
    assert "adamts13" in ids


def test_unknown_pernicious_anaemia_asks_for_intrinsic_factor_antibodies():
    assert "intrinsic_factor_antibodies" in next_ids(obs("b12", 100, "ng/L"))
    assert "intrinsic_factor_antibodies" not in next_ids(obs("b12", 100, "ng/L"), history={"pernicious_anemia": True})


# -- issue 10: less noise ------------------------------------------------------------------------

def test_a_full_blood_count_is_not_asked_for_when_hb_platelets_and_mcv_are_there():
    case = make_case(obs("b12", 150, "ng/L"), obs("hemoglobin", 9, "g/dL"), obs("platelets", 90, "10^9/L"),
                     obs("mcv", 110, "fL"))
    ids = [n.id for n in diagnose(case).next_tests]
    assert "cbc" not in ids and "differential" in ids


def test_a_white_count_is_enough_to_drop_the_differential():
    case = make_case(obs("hemoglobin", 9, "g/dL"), obs("platelets", 90, "10^9/L"), obs("mcv", 110, "fL"),
                     obs("wbc", 3.0, "10^9/L"))
    assert not {"cbc", "differential"} & {n.id for n in diagnose(case).next_tests}


def test_a_missing_mcv_still_asks_for_the_full_blood_count():
    case = make_case(obs("hemoglobin", 9, "g/dL"), obs("platelets", 90, "10^9/L"))
    assert "cbc" in {n.id for n in diagnose(case).next_tests}


def test_b12_measured_only_after_treatment_started_is_said_and_not_used():
    case = make_case(obs("b12", 900, "ng/L", date="2026-11-05"), treatment_start="2026-11-02")
    d = diagnose(case)
    assert d.b12.status == "unknown"
    assert "b12_only_after_treatment" in alert_ids(case)
    assert "b12_after_injection" not in alert_ids(case)


def test_b12_drawn_before_treatment_raises_no_after_injection_alert():
    case = make_case(obs("b12", 150, "ng/L", date="2026-11-01"), treatment_start="2026-11-02")
    assert not {"b12_after_injection", "b12_only_after_treatment"} & set(alert_ids(case))
