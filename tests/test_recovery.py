"""Recovery verdicts, alerts, monitoring tasks and the dose course (logic/recovery/verdicts.py)."""
from datetime import date

import pytest

from logic.case import Dose, parse_case
from logic.recovery import dose_course, monitoring_tasks, response
from logic.regimen import schedule

START = date(2026, 3, 1)


def day(n: int) -> str:
    return date.fromordinal(START.toordinal() + n).isoformat()


def course(*obs, sex="female", doses=None):
    doc = {"treatment_start": START.isoformat(), "patient": {"sex": sex},
           "observations": [{"date": day(d), "analyte": a, "value": v, **({"unit": u} if u else {})}
                            for d, a, v, u in obs]}
    if doses:
        doc["doses"] = doses
    return parse_case(doc)


def ids(resp):
    return {a.id for a in resp.alerts}


# -- Manabe 2025: platelets 105 (d0) -> 64 (d1) -> 48 (d7) -> 219 (d35) -------------------------
MANABE = [(0, "platelets", 105, "10^9/L"), (1, "platelets", 64, "10^9/L"), (7, "platelets", 48, "10^9/L"),
          (35, "platelets", 219, "10^9/L"), (0, "hemoglobin", 6.2, "g/dL"), (7, "hemoglobin", 8.8, "g/dL"),
          (35, "hemoglobin", 13.1, "g/dL")]


def test_manabe_day_7_fall_to_half_is_not_quiet_but_not_called_a_failure():
    # 105 -> 48 by day 7: half the starting count or less under B12 raises the critical alert on any day
    # (issue 20); it asks to reconsider TTP, citing this very course as a week-one dip that recovered
    r = response(course(*MANABE), today=date.fromisoformat(day(7)))
    assert r.day == 7 and r.platelets == "falling"
    alert = next(a for a in r.alerts if a.id == "platelets_collapse")
    assert alert.severity == "critical" and "reconsider TTP" in alert.message and "Manabe" in alert.message
    assert "platelets_not_rising" not in ids(r)


def test_manabe_day_1_fall_to_64_is_still_too_early():
    r = response(course(*MANABE), today=date.fromisoformat(day(1)))
    assert r.platelets == "too_early" and "platelets_collapse" not in ids(r)


@pytest.mark.parametrize(("start", "later", "collapsed"), [
    (60, 30, True), (60, 31, False), (60, 29.9, True), (40, 29.9, True), (20, 25, False), (20, 10, True),
    (100, 50, True), (100, 50.1, False),
])  # fmt: skip
def test_a_collapse_is_below_30_and_lower_than_the_start_or_half_the_start(start, later, collapsed):
    r = response(course((0, "platelets", start, "10^9/L"), (4, "platelets", later, "10^9/L")))
    assert ("platelets_collapse" in ids(r)) == collapsed
    assert (r.platelets == "falling") == collapsed


def test_a_reticulocyte_rise_while_haemoglobin_falls_in_haemolysis_is_not_a_response():
    base = [(0, "platelets", 60, "10^9/L"), (0, "ldh", 1500, "U/L"), (0, "schistocytes_seen", True, None),
            (0, "hemoglobin", 7.0, "g/dL"), (0, "reticulocytes_pct", 1.0, "%"), (7, "reticulocytes_pct", 6.0, "%")]
    falling = response(course(*base, (7, "hemoglobin", 6.5, "g/dL")), today=date.fromisoformat(day(7)))
    assert falling.reticulocytes == "unknown" and "retic_rise_during_haemolysis" in ids(falling)
    assert "retic_response" not in ids(falling)
    rising = response(course(*base, (7, "hemoglobin", 7.4, "g/dL")), today=date.fromisoformat(day(7)))
    assert rising.reticulocytes == "adequate" and "retic_response" in ids(rising)
    ldh_down = response(course(*base, (7, "ldh", 900, "U/L")), today=date.fromisoformat(day(7)))
    assert ldh_down.reticulocytes == "adequate"
    ldh_up = response(course(*base, (7, "ldh", 1500, "U/L")), today=date.fromisoformat(day(7)))
    assert ldh_up.reticulocytes == "unknown"
    unchecked = response(course(*base), today=date.fromisoformat(day(7)))
    assert unchecked.reticulocytes == "unknown" and "measured again" in unchecked.reticulocytes_reason.text


def test_manabe_day_35_recovery_is_recognised():
    r = response(course(*MANABE), today=date.fromisoformat(day(35)))
    assert r.platelets == "normal" and "platelets_normal" in ids(r)


# -- reticulocytes -------------------------------------------------------------------------------
@pytest.mark.parametrize(("d", "verdict"), [(0, "too_early"), (2, "too_early")])
def test_reticulocytes_are_too_early_before_day_3(d, verdict):
    r = response(course((d, "reticulocytes_pct", 0.8, "%")), today=date.fromisoformat(day(d)))
    assert r.reticulocytes == verdict


def test_twice_the_upper_limit_after_day_3_is_adequate():
    r = response(course((0, "reticulocytes_pct", 0.8, "%"), (6, "reticulocytes_pct", 3.0, "%")))
    assert r.reticulocytes == "adequate" and "retic_response" in ids(r)


def test_just_below_twice_normal_is_not_adequate():
    r = response(course((0, "reticulocytes_pct", 0.8, "%"), (6, "reticulocytes_pct", 2.9, "%")))
    assert r.reticulocytes == "too_early"


def test_absolute_reticulocytes_count_too():
    r = response(course((6, "reticulocytes_abs", 150, "10^9/L")))
    assert r.reticulocytes == "adequate"


def test_no_rise_at_day_8_is_delayed_without_the_lag_alert():
    r = response(course((0, "reticulocytes_pct", 0.8, "%"), (8, "reticulocytes_pct", 1.0, "%")))
    assert r.reticulocytes == "delayed" and "retic_response_absent" not in ids(r)


def test_no_reticulocyte_rise_by_day_10_gets_the_lag_alert_after_it():
    r = response(course((0, "reticulocytes_pct", 0.8, "%"), (11, "reticulocytes_pct", 1.0, "%")))
    assert r.reticulocytes == "absent"
    alert = next(a for a in r.alerts if a.id == "retic_response_absent")
    assert "iron" in alert.message and "folate" in alert.message


def test_day_10_is_still_inside_the_label_window():
    r = response(course((0, "reticulocytes_pct", 0.8, "%"), (10, "reticulocytes_pct", 1.0, "%")))
    assert r.reticulocytes == "delayed"


def test_unmeasured_reticulocytes_by_day_5_are_asked_for():
    r = response(course((5, "platelets", 50, "10^9/L")))
    assert r.reticulocytes == "too_early" and "retic_not_measured" in ids(r)


def test_response_not_sustained_while_haematocrit_is_low():
    r = response(course((6, "reticulocytes_pct", 4.0, "%"), (20, "reticulocytes_pct", 1.2, "%"),
                        (20, "hematocrit", 30, "%")))
    assert r.reticulocytes == "adequate" and "retic_not_sustained" in ids(r)


# -- platelets -----------------------------------------------------------------------------------
def test_platelets_rising_in_week_one_are_reported_as_rising():
    r = response(course((0, "platelets", 40, "10^9/L"), (5, "platelets", 60, "10^9/L")))
    assert r.platelets == "rising"


@pytest.mark.parametrize(("values", "verdict"), [((60, 55), "falling"), ((60, 60), "flat"), ((60, 90), "rising")])
def test_after_day_14_the_direction_of_the_last_two_counts_is_judged(values, verdict):
    r = response(course((10, "platelets", values[0], "10^9/L"), (15, "platelets", values[1], "10^9/L")))
    assert r.platelets == verdict
    assert ("platelets_not_rising" in ids(r)) == (verdict != "rising")


def test_platelets_at_day_13_flat_are_not_flagged():
    r = response(course((10, "platelets", 60, "10^9/L"), (13, "platelets", 60, "10^9/L")))
    assert r.platelets == "too_early" and "platelets_not_rising" not in ids(r)


def test_no_platelets_after_start_is_unknown_after_two_weeks():
    r = response(course((0, "platelets", 60, "10^9/L"), (20, "hemoglobin", 10, "g/dL")))
    assert r.platelets == "unknown"


# -- other alerts, tasks ---------------------------------------------------------------------------
def test_potassium_due_in_the_first_48_hours():
    assert "potassium_due" in ids(response(course((1, "platelets", 50, "10^9/L"))))
    assert "potassium_due" not in ids(response(course((1, "potassium", 4.0, "mmol/L"))))


def test_low_potassium_after_start_is_critical():
    r = response(course((1, "potassium", 3.1, "mmol/L")))
    assert next(a for a in r.alerts if a.id == "potassium_low").severity == "critical"


def test_anaemia_after_eight_weeks_flags_unmasked_deficiencies():
    r = response(course((60, "hemoglobin", 10.0, "g/dL")))
    assert "count_not_normal" in ids(r)
    assert "count_not_normal" not in ids(response(course((55, "hemoglobin", 10.0, "g/dL"))))


def test_monitoring_tasks_are_dated_from_the_start_and_marked_done():
    case = course((5, "reticulocytes_pct", 2.0, "%"))
    tasks = monitoring_tasks(case, date.fromisoformat(day(6)))
    k = [t for t in tasks if t.id == "potassium"]
    assert [t.day for t in k] == [0, 1, 2] and all(t.overdue for t in k)
    d5 = next(t for t in tasks if t.id == "retic_hct_daily" and t.day == 5)
    assert d5.done and d5.date == date.fromisoformat(day(5))
    r = response(case, today=date.fromisoformat(day(6)))
    assert r.next_draw.date == date.fromisoformat(day(6))


def test_response_requires_a_treatment_start():
    with pytest.raises(ValueError):
        response(parse_case({"observations": []}))


# -- doses: a missed dose shifts the rest of the plan ----------------------------------------------
def test_a_late_dose_shifts_every_later_planned_dose():
    planned = schedule(START).injections
    given = [Dose(START, 1000), Dose(date.fromisoformat(day(2)), 1000)]  # day-1 dose missed
    c = dose_course(planned, given)
    assert [x.status for x in c[:2]] == ["given", "given"]
    assert c[2].date == date.fromisoformat(day(3)) and c[2].status == "planned"
    assert len(c) == len(planned)
    assert c[-1].date == planned[-1].date + (date.fromisoformat(day(2)) - planned[1].date)


def test_without_recorded_doses_the_plan_stands():
    planned = schedule(START).injections
    assert [x.date for x in dose_course(planned, [])] == [p.date for p in planned]


def test_recorded_doses_are_validated():
    from logic.case import CaseError

    with pytest.raises(CaseError) as info:
        parse_case({"observations": [], "doses": [{"date": "2026-01-01", "dose_mcg": -5, "route": "IV?"}]})
    assert len(info.value.problems) == 2


def test_assess_fills_response_with_today():
    from tests.helpers import assess_json

    out = assess_json(course(*MANABE), today=date.fromisoformat(day(7)))
    assert out["response"]["day"] == 7 and out["response"]["platelets"] == "falling"
    assert {"reticulocytes", "platelets", "alerts"} <= set(out["response"])
