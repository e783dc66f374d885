"""The regimen and the case: oral refusal, the suggestion, checkpoint data, the low-platelet evidence
(logic/regimen/case_fit.py, logic/regimen/suggestion.py).
"""

from __future__ import annotations

from datetime import date

import pytest

from logic.reference import references
from logic.regimen import (
    RegimenRefused,
    build_regimen,
    checkpoint_observations,
    im_platelet_evidence,
    im_platelet_warning,
    preset_ids,
    regimen_for_case,
    schedule,
    suitability,
)
from tests.helpers import make_case, obs

# -- the case: oral refusal, suggestion, checkpoint data ---------------------------------------------

ALL_NORMAL = {"pernicious_anemia": False, "ileal_resection_cm": 0, "crohns_ileal": False, "gastric_surgery": False}


@pytest.mark.parametrize(
    ("change", "cause"),
    [
        ({"pernicious_anemia": True}, "pernicious anaemia"),
        ({"ileal_resection_cm": 25}, "ileal resection over 20 cm"),
        ({"crohns_ileal": True}, "ileal Crohn's disease"),
        ({"gastric_surgery": True}, "gastric surgery"),
    ],
)
def test_oral_maintenance_is_refused_with_a_reason_in_malabsorption(change, cause):
    case = make_case(history=ALL_NORMAL | change)
    fit = suitability("oral_maintenance", case)
    assert fit.status == "refused" and cause in fit.causes and cause in fit.text
    with pytest.raises(RegimenRefused) as err:
        build_regimen("oral_maintenance", case=case)
    assert cause in str(err.value)


def test_ileal_resection_of_exactly_20_cm_does_not_refuse_oral():
    fit = suitability("oral_maintenance", make_case(history=ALL_NORMAL | {"ileal_resection_cm": 20}))
    assert fit.status == "ok"


@pytest.mark.parametrize("unknown", ["pernicious_anemia", "ileal_resection_cm", "crohns_ileal", "gastric_surgery"])
def test_oral_maintenance_is_flagged_not_known_when_absorption_is_unknown(unknown):
    case = make_case(history=ALL_NORMAL | {unknown: None})
    fit = suitability("oral_maintenance", case)
    assert fit.status == "not_known" and len(fit.unknown) == 1
    reg = build_regimen("oral_maintenance", case=case)
    assert any("not known" in n.text.lower() for n in reg.notes)


def test_oral_maintenance_is_allowed_when_absorption_is_known_to_be_normal():
    assert suitability("oral_maintenance", make_case(history=ALL_NORMAL)).status == "ok"


def test_injection_presets_are_never_refused_for_malabsorption():
    case = make_case(history={"pernicious_anemia": True, "gastric_surgery": True, "neurological_symptoms": False,
                              "neurological_signs": False})  # fmt: skip
    assert {suitability(p, case).status for p in preset_ids() if p != "oral_maintenance"} == {"ok"}


@pytest.mark.parametrize(
    ("symptoms", "signs", "status"),
    [(False, False, "ok"), (False, None, "not_known"), (None, False, "not_known"), (None, None, "not_known"),
     (True, None, "refused"), (None, True, "refused"), (False, True, "refused")],
)  # fmt: skip
def test_bnf_schedule_without_neurological_involvement_needs_symptoms_and_signs_known_absent(symptoms, signs, status):
    case = make_case(history={"neurological_symptoms": symptoms, "neurological_signs": signs})
    assert suitability("bnf_hydroxo", case).status == status
    assert suitability("bnf_hydroxo_neuro", case).status == "ok"


@pytest.mark.parametrize("history", [{"neurological_symptoms": True}, {"neurological_signs": True,
                                                                        "neurological_symptoms": None}])
def test_neurological_symptoms_or_signs_suggest_the_bnf_neurological_preset(history):
    s = regimen_for_case(make_case(history=history, treatment_start="2026-11-02"))
    assert s.preset_id == "bnf_hydroxo_neuro"
    assert any("bnf_hydroxocobalamin" in n.refs for n in s.reasons)
    assert not any("not recorded" in n.text for n in s.reasons)


@pytest.mark.parametrize(("symptoms", "signs"), [(False, False), (False, None), (None, None)])
def test_a_uk_reference_set_suggests_the_bnf_schedule_without_neurological_involvement(symptoms, signs):
    for tid in ("nice_ng239", "ruh_bath"):
        s = regimen_for_case(make_case(history={"neurological_symptoms": symptoms, "neurological_signs": signs}), tid)
        assert s.preset_id == "bnf_hydroxo"
        assert "UK reference set" in s.reasons[0].text and "bsh_2014" in s.reasons[0].refs
        assert any("not recorded" in n.text for n in s.reasons) == (signs is None)


def test_the_suggested_schedule_starts_on_the_treatment_start():
    s = regimen_for_case(make_case(treatment_start="2026-11-05"))
    assert s.start == date(2026, 11, 5)
    assert s.schedule().injections[0].date == date(2026, 11, 5)
    assert regimen_for_case(make_case()).schedule() is None


def test_a_permanent_cause_makes_maintenance_lifelong():
    s = regimen_for_case(make_case(history={"pernicious_anemia": True}, treatment_start="2026-11-02"))
    assert s.lifelong is True and s.regimen.phases[-1].for_life


def test_no_permanent_cause_means_maintenance_not_marked_for_life():
    history = ALL_NORMAL | {k: False for k in ("metformin", "acid_suppression", "vegan_or_vegetarian", "nitrous_oxide")}
    s = regimen_for_case(make_case(history=history))
    assert s.lifelong is False and not s.regimen.phases[-1].for_life


def test_unknown_causes_leave_lifelong_maintenance_not_known():
    s = regimen_for_case(make_case())
    assert s.lifelong is None and not s.regimen.phases[-1].for_life
    assert any("Not yet known" in n.text for n in s.reasons)


def test_suggestion_reports_oral_refusal_for_pernicious_anaemia():
    s = regimen_for_case(make_case(history={"pernicious_anemia": True}))
    assert {f.preset_id: f.status for f in s.suitability}["oral_maintenance"] == "refused"


def test_checkpoint_links_the_reticulocyte_values_up_to_its_date():
    case = make_case(
        obs("reticulocytes_pct", 0.4, "%", day="2026-11-01"),
        obs("reticulocytes_pct", 6.5, "%", day="2026-11-08"),
        obs("reticulocytes_pct", 4.0, "%", day="2026-11-20"),
        obs("platelets", 40, "10^9/L", day="2026-11-08"),
        treatment_start="2026-11-02",
    )
    (cp,) = schedule(date(2026, 11, 2), "fda_label_1000").checkpoints
    linked = checkpoint_observations(cp, case)
    assert [(o.date, o.value) for o in linked] == [(date(2026, 11, 1), 0.4), (date(2026, 11, 8), 6.5)]


def test_no_low_platelet_injection_warning_because_no_source_supports_one():
    ev = im_platelet_evidence()
    assert ev.supported is False and ev.refs == ("no_source_im_platelets",)
    assert references()["no_source_im_platelets"]["kind"] == "cobalt-default"
    case = make_case(obs("platelets", 8, "10^9/L"), treatment_start="2026-11-02")
    assert im_platelet_warning(case) is None
    assert regimen_for_case(case).platelet == ev


def test_the_neurological_reason_quotes_the_presets_dose_and_maintenance_spacing():
    s = regimen_for_case(make_case(history={"neurological_symptoms": True}), maintenance_months=0)
    assert s.reasons[1].text == (
        "Neurological involvement recorded (symptoms): the BNF schedule for neurological involvement "
        "(1 mg on alternate days until no further improvement, then every 2 months)."
    )
    assert s.reasons[1].refs == ("bnf_hydroxocobalamin",)
    signs = regimen_for_case(make_case(history={"neurological_signs": True}))
    assert "(signs on examination)" in signs.reasons[1].text


@pytest.mark.parametrize(
    ("history", "start", "texts"),
    [
        ({"pernicious_anemia": True, "neurological_symptoms": False}, "2026-11-05",
         ["Permanent cause: maintenance for life.", "Starts on the case's treatment start, 2026-11-05."]),
        ({"neurological_symptoms": None}, None,
         ["Neurological involvement not recorded (symptoms not recorded, signs on examination not recorded): if "
          "present, the BNF gives a more intensive alternate-day schedule.",
          "Not yet known whether maintenance is for life.", "The case has no treatment start: choose a start date."]),
    ],
)  # fmt: skip
def test_the_suggestion_reasons_read_as_before(history, start, texts):
    reasons = [n.text for n in regimen_for_case(make_case(history=history, treatment_start=start)).reasons]
    assert all(t in reasons for t in texts), reasons


def test_the_bnf_refusal_and_not_known_sentences_cite_the_bnf():
    refused = suitability("bnf_hydroxo", make_case(history={"neurological_symptoms": True}))
    assert refused.text == ("Neurological involvement is recorded (symptoms or signs on examination): the BNF gives "
                            "the schedule for neurological involvement (alternate days until no further "
                            "improvement).")  # fmt: skip
    unknown = suitability("bnf_hydroxo", make_case(history={"neurological_symptoms": None}))
    assert unknown.text == ("This BNF schedule is for anaemia without neurological involvement, and that is not "
                            "recorded: it needs both neurological symptoms and signs on examination recorded as "
                            "absent.")  # fmt: skip
    assert refused.refs == unknown.refs == ("bnf_hydroxocobalamin",)
