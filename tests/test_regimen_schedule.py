"""Schedules from a regimen: the label spacing rules for any knob values, calendar months, the
projection (logic/regimen/schedules.py).

Sources: shared/clinical/evidence.md section 2 (FDA label, drugs.com 1000 mcg version, BNF
hydroxocobalamin).
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from hypothesis import example, given, settings
from hypothesis import strategies as st

from logic.regimen import (
    Phase,
    add_months,
    build_schedule,
    custom_regimen,
    project,
    schedule,
)

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
