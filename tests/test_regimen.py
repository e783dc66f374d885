"""Regimen presets, schedules, projection and the store estimate (logic/regimen.py).

Sources: shared/clinical/evidence.md section 2 (FDA label, drugs.com 1000 mcg version, BNF
hydroxocobalamin, oral 1-2 mg, section 2f retention and loss figures).
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from logic.reference import load_json, references
from logic.regimen import (
    Phase,
    RegimenError,
    RegimenRefused,
    StoreParams,
    add_months,
    build_regimen,
    build_schedule,
    checkpoint_observations,
    custom_regimen,
    default_preset_id,
    estimate_stores,
    im_platelet_evidence,
    im_platelet_warning,
    knob_problems,
    loss_choices,
    parse_knobs,
    preset,
    preset_ids,
    project,
    regimen_for_case,
    retained_fraction,
    schedule,
    suitability,
    summary,
)
from tests.helpers import make_case, obs

START = date(2026, 11, 2)  # a Monday

starts = st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31))
label_knobs = st.fixed_dictionaries(
    {
        "dose_mcg": st.integers(100, 1000),
        "daily_doses": st.sampled_from([6, 7]),
        "alternate_doses": st.integers(1, 14),
        "interval_days": st.sampled_from([3, 4]),
        "interval_weeks": st.sampled_from([2, 3]),
        "maintenance_months": st.integers(0, 120),
    }
)
label_presets = st.sampled_from(["fda_label_1000", "fda_label_100"])


def phase_dates(sched, name):
    return [i.date for i in sched.injections if i.phase == name]


def month_index(d: date) -> int:
    return d.year * 12 + d.month - 1


# -- properties of the default protocol, for any knob values -------------------------------------

# Last interval dose on 31 Jan 2027 (start + 35 days with the defaults): maintenance must fall on
# 28 Feb, 31 Mar, 30 Apr...
JAN31_ANCHOR = {"dose_mcg": 1000, "daily_doses": 7, "alternate_doses": 7, "interval_days": 3,
                "interval_weeks": 2, "maintenance_months": 14}  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(start=starts, knobs=label_knobs, preset_id=label_presets)
@example(start=date(2026, 12, 27), knobs=JAN31_ANCHOR, preset_id="fda_label_1000")
def test_every_knob_setting_keeps_the_label_spacing_rules(start, knobs, preset_id):
    sched = schedule(start, preset_id, **knobs)
    daily, alt, interval, maint = (phase_dates(sched, n) for n in ("daily", "alternate", "interval", "maintenance"))
    # daily doses are one day apart, starting on the start date
    assert daily[0] == start
    assert len(daily) == knobs["daily_doses"]
    assert all((b - a).days == 1 for a, b in zip(daily, daily[1:], strict=False))
    # alternate doses are two days apart, the first two days after the last daily dose
    assert len(alt) == knobs["alternate_doses"]
    assert (alt[0] - daily[-1]).days == 2
    assert all((b - a).days == 2 for a, b in zip(alt, alt[1:], strict=False))
    # interval doses are 3 or 4 days apart as chosen, the first one spacing after the last alternate dose
    step = knobs["interval_days"]
    assert (interval[0] - alt[-1]).days == step
    assert all((b - a).days == step for a, b in zip(interval, interval[1:], strict=False))
    # the interval phase ends within its weeks, and one more dose would not fit
    window = 7 * knobs["interval_weeks"]
    assert (interval[-1] - interval[0]).days < window
    assert (interval[-1] - interval[0]).days + step >= window
    # maintenance: once a calendar month, in successive months, from one month after the interval phase
    assert len(maint) == knobs["maintenance_months"]
    anchor = interval[-1]
    for k, d in enumerate(maint, start=1):
        assert month_index(d) == month_index(anchor) + k
        assert d.day == min(anchor.day, calendar.monthrange(d.year, d.month)[1])
    # dates never go backwards (and no two doses share a day)
    dates = [i.date for i in sched.injections]
    assert all(b > a for a, b in zip(dates, dates[1:], strict=False))
    # phases come in the contract's order
    order = [name for name, *_ in sched.phase_spans()]
    assert order == ["daily", "alternate", "interval", "maintenance"][: len(order)]
    assert order[:3] == ["daily", "alternate", "interval"]
    # totals add up
    assert sched.count == len(sched.injections) == len(daily) + len(alt) + len(interval) + len(maint)
    assert sched.total_mcg == sum(i.dose_mcg for i in sched.injections) == sched.count * knobs["dose_mcg"]
    assert all(i.dose_mcg == knobs["dose_mcg"] and i.route == "IM" for i in sched.injections)


def test_the_jan31_example_lands_maintenance_on_month_ends():
    sched = schedule(date(2026, 12, 27), "fda_label_1000", **JAN31_ANCHOR)
    maint = phase_dates(sched, "maintenance")
    assert phase_dates(sched, "interval")[-1] == date(2027, 1, 31)
    assert maint[:4] == [date(2027, 2, 28), date(2027, 3, 31), date(2027, 4, 30), date(2027, 5, 31)]


@given(d=starts, n=st.integers(0, 600))
def test_adding_calendar_months_moves_the_month_and_clamps_the_day(d, n):
    out = add_months(d, n)
    assert month_index(out) == month_index(d) + n
    assert out.day == min(d.day, calendar.monthrange(out.year, out.month)[1])


def test_monthly_doses_from_january_31_fall_on_each_month_end_without_drifting():
    phase = Phase("maintenance", "cyanocobalamin", "IM", 1000, every_months=1, count=5)
    sched = build_schedule(custom_regimen([phase]), date(2028, 1, 31))
    assert [i.date for i in sched.injections] == [
        date(2028, 1, 31), date(2028, 2, 29), date(2028, 3, 31), date(2028, 4, 30), date(2028, 5, 31)
    ]  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(start=starts, every=st.sampled_from([2, 3]), months=st.integers(0, 120))
def test_bnf_maintenance_is_every_two_or_three_calendar_months(start, every, months):
    sched = schedule(start, "bnf_hydroxo", maintenance_every_months=every, maintenance_months=months)
    loading = phase_dates(sched, "three_times_weekly")
    maint = phase_dates(sched, "maintenance")
    assert len(maint) == months // every
    for k, d in enumerate(maint, start=1):
        assert month_index(d) == month_index(loading[-1]) + k * every
    assert sched.total_mcg == 1000 * sched.count


@settings(max_examples=60, deadline=None)
@given(start=starts, weeks=st.integers(1, 26), months=st.integers(0, 60))
def test_neurological_alternate_phase_stays_within_the_chosen_weeks(start, weeks, months):
    sched = schedule(start, "bnf_hydroxo_neuro", alternate_weeks=weeks, maintenance_months=months)
    alt = phase_dates(sched, "alternate")
    assert alt[0] == start
    assert all((b - a).days == 2 for a, b in zip(alt, alt[1:], strict=False))
    assert (alt[-1] - alt[0]).days < 7 * weeks <= (alt[-1] - alt[0]).days + 2
    maint = phase_dates(sched, "maintenance")
    assert len(maint) == months // 2
    assert all(month_index(d) == month_index(alt[-1]) + 2 * k for k, d in enumerate(maint, start=1))


def test_maintenance_months_of_zero_leaves_the_maintenance_phase_out():
    sched = schedule(START, maintenance_months=0)
    assert "maintenance" not in {i.phase for i in sched.injections}
    assert sched.count == 7 + 7 + 5


# -- each preset pinned against its source ---------------------------------------------------------

# (preset, knobs, [(phase, dose_mcg, route, product, spacing, doses)], refs the preset must cite)
# spacing: days between doses (a tuple for a weekly pattern) or "Nm" for calendar months.
CN, OH = "cyanocobalamin", "hydroxocobalamin"
PRESET_TABLE = [
    # FDA label: "100 mcg daily for six or seven days ... alternate days for seven doses, then every
    # three to four days for another two to three weeks ... 100 mcg monthly for life."
    ("fda_label_100", {},
     [("daily", 100, "IM", CN, 1, 7), ("alternate", 100, "IM", CN, 2, 7),
      ("interval", 100, "IM", CN, 3, 5), ("maintenance", 100, "IM", CN, "1m", 12)],
     {"fda_cyanocobalamin_label"}),
    ("fda_label_100", {"daily_doses": 6, "interval_days": 4, "interval_weeks": 3},
     [("daily", 100, "IM", CN, 1, 6), ("alternate", 100, "IM", CN, 2, 7),
      ("interval", 100, "IM", CN, 4, 6), ("maintenance", 100, "IM", CN, "1m", 12)],
     {"fda_cyanocobalamin_label"}),
    # drugs.com: "1000 mcg intramuscularly once a day for 7 days ... every other day for 7 days, then
    # once every 3 to 4 days for another 2 to 3 weeks ... monthly injections of 100 to 1000 mcg"
    ("fda_label_1000", {},
     [("daily", 1000, "IM", CN, 1, 7), ("alternate", 1000, "IM", CN, 2, 7),
      ("interval", 1000, "IM", CN, 3, 5), ("maintenance", 1000, "IM", CN, "1m", 12)],
     {"drugs_com_cyanocobalamin"}),
    ("fda_label_1000", {"interval_days": 3, "interval_weeks": 3, "maintenance_months": 24},
     [("daily", 1000, "IM", CN, 1, 7), ("alternate", 1000, "IM", CN, 2, 7),
      ("interval", 1000, "IM", CN, 3, 7), ("maintenance", 1000, "IM", CN, "1m", 24)],
     {"drugs_com_cyanocobalamin"}),
    # BNF: "initially 1 mg 3 times a week for 2 weeks then 1 mg every 3 months" (amended: every 2-3 months)
    ("bnf_hydroxo", {},
     [("three_times_weekly", 1000, "IM", OH, (2, 2, 3), 6), ("maintenance", 1000, "IM", OH, "3m", 4)],
     {"bnf_hydroxocobalamin", "pas_bnf_amendment"}),
    ("bnf_hydroxo", {"maintenance_every_months": 2},
     [("three_times_weekly", 1000, "IM", OH, (2, 2, 3), 6), ("maintenance", 1000, "IM", OH, "2m", 6)],
     {"bnf_hydroxocobalamin"}),
    # BNF, neurological involvement: "1 mg on alternate days until no further improvement, then 1 mg every 2 months"
    ("bnf_hydroxo_neuro", {},
     [("alternate", 1000, "IM", OH, 2, 11), ("maintenance", 1000, "IM", OH, "2m", 6)],
     {"bnf_hydroxocobalamin"}),
    # Oral maintenance 1-2 mg daily after the label loading (East of Scotland formulary; Cochrane 2018)
    ("oral_maintenance", {"oral_dose_mcg": 2000, "maintenance_months": 1},
     [("daily", 1000, "IM", CN, 1, 7), ("alternate", 1000, "IM", CN, 2, 7),
      ("interval", 1000, "IM", CN, 3, 5), ("maintenance", 2000, "oral", CN, 1, 31)],
     {"scotland_formulary", "cochrane_oral_2018"}),
]  # fmt: skip


@pytest.mark.parametrize(("preset_id", "knobs", "phases", "refs"), PRESET_TABLE)
def test_each_preset_matches_its_source(preset_id, knobs, phases, refs):
    sched = schedule(START, preset_id, **knobs)
    spans = sched.phase_spans()
    assert [s[0] for s in spans] == [p[0] for p in phases]
    for (name, dose, route, product, spacing, n), (_, _first, _last, count) in zip(phases, spans, strict=True):
        doses = [i for i in sched.injections if i.phase == name]
        assert count == n, name
        assert {(i.dose_mcg, i.route, i.product) for i in doses} == {(dose, route, product)}, name
        gaps = [(b.date - a.date).days for a, b in zip(doses, doses[1:], strict=False)]
        if isinstance(spacing, str):
            months = int(spacing[:-1])
            assert all(
                month_index(b.date) - month_index(a.date) == months for a, b in zip(doses, doses[1:], strict=False)
            )
        elif isinstance(spacing, tuple):
            assert gaps == [spacing[k % len(spacing)] for k in range(len(gaps))], name
        else:
            assert set(gaps) <= {spacing}, name
    assert refs <= set(sched.regimen.all_refs)


def test_bnf_three_times_a_week_gives_three_doses_in_each_of_two_weeks():
    sched = schedule(START, "bnf_hydroxo")
    weeks = [(i.date - START).days // 7 for i in sched.injections if i.phase == "three_times_weekly"]
    assert weeks == [0, 0, 0, 1, 1, 1]
    assert [i.date.strftime("%a") for i in sched.injections[:3]] == ["Mon", "Wed", "Fri"]


def test_the_label_reticulocyte_checkpoint_sits_on_the_first_alternate_day_dose():
    sched = schedule(START, "fda_label_100")
    (cp,) = sched.checkpoints
    assert cp.id == "reticulocyte_response"
    assert cp.date == phase_dates(sched, "alternate")[0] == date(2026, 11, 10)
    assert "reticulocyte" in cp.text.lower() and "fda_cyanocobalamin_label" in cp.refs
    assert "reticulocytes_pct" in cp.analytes


def test_the_neurological_preset_marks_its_duration_as_the_clinicians_choice():
    reg = build_regimen("bnf_hydroxo_neuro", alternate_weeks=6)
    assert preset("bnf_hydroxo_neuro").knob("alternate_weeks").clinician_choice
    assert any("clinician's choice" in n.text for n in reg.notes)
    (cp,) = build_schedule(reg, START).checkpoints
    assert cp.id == "no_further_improvement" and "bnf_hydroxocobalamin" in cp.refs


def test_default_preset_is_the_1000_mcg_label_schedule():
    assert default_preset_id() == "fda_label_1000" == preset_ids()[0]
    assert schedule(START).regimen.id == "fda_label_1000"
    assert {"fda_label_100", "bnf_hydroxo", "bnf_hydroxo_neuro", "oral_maintenance"} <= set(preset_ids())


def test_every_preset_phase_knob_and_model_parameter_cites_a_known_source():
    refs = set(references())
    data = load_json("regimens.json")

    def walk(obj, path="regimens.json"):
        if isinstance(obj, dict):
            for k, v in obj.items():
                if k == "refs":
                    assert v, f"{path} has an empty refs list"
                    assert set(v) <= refs, f"{path}: {set(v) - refs}"
                else:
                    walk(v, f"{path}.{k}")
        elif isinstance(obj, list):
            for i, v in enumerate(obj):
                walk(v, f"{path}[{i}]")

    walk(data)
    for pid, p in data["presets"].items():
        assert p["refs"], pid
        assert all(k.get("refs") for k in p["knobs"].values()), pid
        assert all(ph.get("refs") for ph in p["phases"]), pid


# -- knobs ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("knobs", "fragment"),
    [
        ({"daily_doses": 5}, "6 or 7"),
        ({"interval_days": 5}, "3 or 4"),
        ({"interval_weeks": 4}, "2 or 3"),
        ({"dose_mcg": 99}, "100 to 1000"),
        ({"dose_mcg": 1001}, "100 to 1000"),
        ({"dose_mcg": 500.5}, "whole number"),
        ({"maintenance_months": -1}, "0 to 360"),
        ({"oral_dose_mcg": 1000}, "does not take"),
    ],
)
def test_knob_values_outside_the_evidence_are_rejected_with_the_allowed_range(knobs, fragment):
    problems = knob_problems("fda_label_1000", knobs)
    assert len(problems) == 1 and fragment in problems[0]
    with pytest.raises(RegimenError):
        build_regimen("fda_label_1000", **knobs)


def test_knob_problems_are_all_reported_at_once():
    _knobs, problems = parse_knobs("fda_label_1000", {"daily_doses": "5", "interval_days": "x", "dose_mcg": None})
    assert len(problems) == 2


def test_a_dose_between_the_two_label_versions_is_noted_as_unsourced():
    reg = build_regimen("fda_label_1000", dose_mcg=500)
    assert any("neither source" in n.text for n in reg.notes)
    assert not any("neither source" in n.text for n in build_regimen("fda_label_1000").notes)


# -- custom regimens --------------------------------------------------------------------------------


def test_a_custom_regimen_is_built_phase_by_phase_and_round_trips():
    reg = custom_regimen(
        [
            Phase(
                "weekly", "hydroxocobalamin", "deep SC", 1000, every_days=(7,), count=4, refs=("bnf_hydroxocobalamin",)
            ),
            Phase("maintenance", "hydroxocobalamin", "IM", 1000, every_months=2, months=6, for_life=True),
        ],
        name="Teaching plan",
    )
    sched = build_schedule(reg, START)
    assert [i.date for i in sched.injections] == [
        START, START + timedelta(7), START + timedelta(14), START + timedelta(21),
        date(2027, 1, 23), date(2027, 3, 23), date(2027, 5, 23),
    ]  # fmt: skip
    assert type(reg).from_dict(reg.to_dict()) == reg


def test_intravenous_route_is_refused_because_the_dose_is_lost_in_urine():
    with pytest.raises(RegimenError, match="urine"):
        Phase("daily", "cyanocobalamin", "IV", 1000, every_days=(1,), count=7)


def test_a_phase_description_with_every_mistake_lists_them_all():
    with pytest.raises(RegimenError) as err:
        Phase.from_dict({"name": "", "product": "b12", "route": "nasal", "dose_mcg": 0, "every_days": [1],
                         "count": 3, "weeks": 2})  # fmt: skip
    assert len(err.value.problems) == 5


def test_a_lifelong_phase_must_be_the_last():
    life = Phase("maintenance", "cyanocobalamin", "IM", 1000, every_months=1, months=12, for_life=True)
    then = Phase("daily", "cyanocobalamin", "IM", 1000, every_days=(1,), count=3)
    with pytest.raises(RegimenError, match="last phase"):
        custom_regimen([life, then])


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
    case = make_case(history={"pernicious_anemia": True, "gastric_surgery": True, "neurological_symptoms": False})
    assert {suitability(p, case).status for p in preset_ids() if p != "oral_maintenance"} == {"ok"}


@pytest.mark.parametrize(("neuro", "status"), [(False, "ok"), (None, "not_known"), (True, "refused")])
def test_bnf_schedule_without_neurological_involvement_needs_neurology_known_absent(neuro, status):
    fit = suitability("bnf_hydroxo", make_case(history={"neurological_symptoms": neuro}))
    assert fit.status == status
    assert suitability("bnf_hydroxo_neuro", make_case(history={"neurological_symptoms": neuro})).status == "ok"


def test_neurological_symptoms_suggest_the_bnf_neurological_preset():
    s = regimen_for_case(make_case(history={"neurological_symptoms": True}, treatment_start="2026-11-02"))
    assert s.preset_id == "bnf_hydroxo_neuro"
    assert any("bnf_hydroxocobalamin" in n.refs for n in s.reasons)


@pytest.mark.parametrize("neuro", [False, None])
def test_without_recorded_neurological_symptoms_the_default_preset_is_suggested(neuro):
    s = regimen_for_case(make_case(history={"neurological_symptoms": neuro}))
    assert s.preset_id == default_preset_id()
    assert any("not recorded" in n.text for n in s.reasons) == (neuro is None)


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
    (cp,) = regimen_for_case(case).schedule().checkpoints
    linked = checkpoint_observations(cp, case)
    assert [(o.date, o.value) for o in linked] == [(date(2026, 11, 1), 0.4), (date(2026, 11, 8), 6.5)]


def test_no_low_platelet_injection_warning_because_no_source_supports_one():
    ev = im_platelet_evidence()
    assert ev.supported is False and ev.refs == ("no_source_im_platelets",)
    assert references()["no_source_im_platelets"]["kind"] == "cobalt-default"
    case = make_case(obs("platelets", 8, "10^9/L"), treatment_start="2026-11-02")
    assert im_platelet_warning(case) is None
    assert regimen_for_case(case).platelet == ev


# -- projection ---------------------------------------------------------------------------------------


def test_projection_counts_injections_visits_dose_and_end_of_loading():
    p = project(schedule(START), today=date(2026, 11, 21))
    assert (p.doses, p.injections, p.visits, p.total_mcg) == (31, 31, 31, 31000)
    assert p.end_of_loading == date(2026, 12, 7) and p.days_to_end_of_loading == 35
    assert p.next_due.date == date(2026, 11, 22) and p.next_due.phase == "alternate"


def test_a_dose_due_today_is_the_next_due():
    assert project(schedule(START), today=START).next_due.date == START


def test_nothing_is_due_after_the_last_dose():
    sched = schedule(START, maintenance_months=0)
    assert project(sched, today=sched.end + timedelta(days=1)).next_due is None


def test_oral_doses_need_no_clinic_visit():
    p = project(schedule(START, "oral_maintenance", maintenance_months=3))
    assert p.visits == p.injections == 19
    assert p.doses > p.injections


# -- store estimate -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("product", "curve", "dose", "retained"),
    [
        # Swiss cyanocobalamin label: renal loss 5 % at 25 ug, 47 % at 100 ug, 85 % at 1000 ug
        ("cyanocobalamin", "swiss_cbl_8h", 25, 0.95),
        ("cyanocobalamin", "swiss_cbl_8h", 100, 0.53),
        ("cyanocobalamin", "swiss_cbl_8h", 1000, 0.15),
        # Blood 1961: 72-h loss CN 60 % / 69 %, OH 16 % / 27 % at 500 / 1000 ug
        ("cyanocobalamin", "blood_1961_72h", 500, 0.40),
        ("cyanocobalamin", "blood_1961_72h", 1000, 0.31),
        ("hydroxocobalamin", "blood_1961_72h", 500, 0.84),
        ("hydroxocobalamin", "blood_1961_72h", 1000, 0.73),
        # Scand 1964: about 20 % CN and 75 % OH retained after about 1 mg
        ("cyanocobalamin", "scand_1964_24h", 1000, 0.20),
        ("hydroxocobalamin", "scand_1964_24h", 1000, 0.75),
    ],
)
def test_retained_fraction_reproduces_the_published_figures(product, curve, dose, retained):
    assert retained_fraction(product, dose, curve) == (pytest.approx(retained), False)


def test_retention_between_measured_doses_is_interpolated_and_outside_them_clamped():
    assert retained_fraction("cyanocobalamin", 550, "swiss_cbl_8h")[0] == pytest.approx(0.34)
    assert retained_fraction("cyanocobalamin", 2000, "swiss_cbl_8h") == (pytest.approx(0.15), True)


def test_both_published_daily_losses_are_selectable():
    choices = loss_choices()
    assert choices["sadagopan_2022"].value == 0.0013 and choices["sadagopan_2022"].refs == ("sadagopan_2022",)
    assert choices["swiss_ohcbl_fachinfo"].value == 0.00051
    sched = schedule(START)
    fast = estimate_stores(sched, StoreParams(daily_loss="sadagopan_2022")).at_months(12)
    slow = estimate_stores(sched, StoreParams(daily_loss="swiss_ohcbl_fachinfo")).at_months(12)
    assert slow > fast


def test_store_estimate_follows_its_one_compartment_formula():
    one = build_schedule(custom_regimen([Phase("once", "cyanocobalamin", "IM", 1000, every_days=(1,), count=1)]), START)
    est = estimate_stores(one, StoreParams(initial_store_mcg=2000), until=START + timedelta(days=2))
    k = 0.0013
    assert est.store_mcg[0] == pytest.approx(2000 * (1 - k) + 150)
    assert est.store_mcg[2] == pytest.approx((2000 * (1 - k) + 150) * (1 - k) ** 2)


def test_hydroxocobalamin_builds_larger_stores_than_cyanocobalamin_for_the_same_plan():
    def plan(product):
        return build_schedule(custom_regimen([Phase("x", product, "IM", 1000, every_days=(2,), count=10)]), START)

    assert estimate_stores(plan("hydroxocobalamin")).at_months(3) > estimate_stores(plan("cyanocobalamin")).at_months(3)


def test_store_estimate_is_labelled_and_every_parameter_has_a_source():
    est = estimate_stores(schedule(START))
    assert "estimate" in est.label.lower()
    assert {m for m, _ in est.milestones} == {1, 3, 12} and all(v is not None for _, v in est.milestones)
    assert all(p.refs and set(p.refs) <= set(references()) for p in est.params)
    assert {p.key for p in est.params} >= {"initial_store_mcg", "daily_loss_fraction", "oral_absorbed_fraction"}


@pytest.mark.parametrize("bad", [500, 6000, "2 mg"])
def test_initial_store_outside_1_to_5_mg_is_rejected(bad):
    with pytest.raises(RegimenError, match="initial_store_mcg"):
        estimate_stores(schedule(START), StoreParams(initial_store_mcg=bad))


def test_oral_doses_add_nothing_without_a_sourced_absorbed_fraction_and_say_so():
    sched = schedule(START, "oral_maintenance", maintenance_months=12)
    default = estimate_stores(sched)
    assert any("no primary source" in a.text for a in default.assumptions)
    entered = estimate_stores(sched, StoreParams(oral_absorbed_fraction=0.01))
    assert entered.at_months(12) > default.at_months(12)


def test_a_ten_year_schedule_gives_a_weekly_series_and_all_milestones():
    sched = schedule(START, maintenance_months=120)
    est = estimate_stores(sched, step_days=7)
    assert est.dates[0] == START and (est.dates[1] - est.dates[0]).days == 7
    assert est.dates[-1] <= sched.end and len(est.dates) == (sched.end - START).days // 7 + 1
    assert min(est.store_mcg) > 0


def test_comparison_row_has_the_fields_the_compare_table_shows():
    row = summary(schedule(START))
    assert row["injections"] == 31 and row["visits"] == 31 and row["total_mcg"] == 31000
    assert row["days_to_end_of_loading"] == 35
    assert all(isinstance(row[f"store_{m}m_mcg"], int) for m in (1, 3, 12))
