"""A schedule a clinic can run (logic/regimen/clinic.py; exports and `schedule --no-weekends --clinic`):
blood tests beside the doses, injections off weekends where the spacing allows, "continues for life"."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from logic.__main__ import main
from logic.recovery import expected
from logic.regimen import (
    Phase,
    blood_tests,
    build_schedule,
    custom_regimen,
    for_life,
    off_weekends,
    preset_ids,
    schedule,
    shortest_gaps,
)
from logic.regimen.exports import from_csv, from_ics, to_csv, to_ics

START = date(2026, 11, 2)  # a Monday
SAT, SUN = 5, 6


def _weekly(first: date, doses: int = 6, every=(7,), route="IM"):
    phase = Phase("weekly", "hydroxocobalamin", route, 1000, every_days=every, count=doses)
    return build_schedule(custom_regimen([phase]), first)


# -- the weekend-free option -----------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    preset_id=st.sampled_from(preset_ids()),
    start=st.dates(min_value=date(2020, 1, 1), max_value=date(2040, 12, 31)),
    months=st.integers(1, 24),
)
def test_weekend_free_never_brings_doses_closer_than_the_phase_allows_nor_moves_one_more_than_two_days(
    preset_id, start, months
):
    sched = schedule(start, preset_id, maintenance_months=months)
    plan = off_weekends(sched)
    before, after = sched.injections, plan.schedule.injections
    gaps = shortest_gaps(sched)
    assert len(after) == len(before)
    for planned, placed in zip(before, after, strict=True):
        assert abs((placed.date - planned.date).days) <= 2
        assert (placed.phase, placed.dose_mcg, placed.route) == (planned.phase, planned.dose_mcg, planned.route)
        assert placed.date >= sched.start
        if placed.date != planned.date:
            assert placed.parenteral and placed.date.weekday() < SAT  # only injections move, onto weekdays
    for prev, nxt in zip(after, after[1:], strict=False):
        assert (nxt.date - prev.date).days >= gaps[nxt.phase]
    still = [i.date for i in after if i.parenteral and i.date.weekday() >= SAT]
    assert sorted(m.planned.date for m in plan.kept) == still  # every weekend injection left is explained
    assert len([i for i in after if i.parenteral and i.date.weekday() >= SAT]) <= len(
        [i for i in before if i.parenteral and i.date.weekday() >= SAT]
    )


def test_a_monthly_sunday_dose_moves_to_monday_and_a_saturday_dose_to_friday():
    plan = off_weekends(schedule(START, maintenance_months=12))
    moved = {m.planned.date: m.to for m in plan.moved}
    assert moved[date(2027, 2, 7)] == date(2027, 2, 8)  # Sunday -> Monday
    assert moved[date(2027, 8, 7)] == date(2027, 8, 6)  # Saturday -> Friday


def _days(plan) -> list[str]:
    return [i.date.strftime("%a %d") for i in plan.schedule.injections]


def test_weekly_doses_from_a_saturday_start_all_move_to_monday_and_stay_seven_days_apart():
    # the first dose cannot go before the start (Friday); the rest then cannot go to Friday (6 days apart)
    plan = off_weekends(_weekly(date(2026, 11, 7)))
    assert _days(plan) == ["Mon 09", "Mon 16", "Mon 23", "Mon 30", "Mon 07", "Mon 14"]


def test_doses_after_a_weekend_dose_move_with_it_when_their_spacing_needs_room():
    # every 2 days: Fri, Sun, Tue -> Fri, Mon, Wed (the Tuesday dose moves to keep two days)
    assert _days(off_weekends(_weekly(date(2026, 11, 6), doses=3, every=(2,)))) == ["Fri 06", "Mon 09", "Wed 11"]
    # every 3 days: Thu, Sun, Wed -> Thu, Mon, Thu
    assert _days(off_weekends(_weekly(date(2026, 11, 5), doses=3, every=(3,)))) == ["Thu 05", "Mon 09", "Thu 12"]


def test_daily_doses_across_two_weekends_cannot_all_move_within_two_days():
    plan = off_weekends(_weekly(date(2026, 11, 2), doses=12, every=(1,)))
    assert plan.kept and all(abs(m.days) <= 2 for m in plan.moves)
    assert "daily" not in plan.kept[0].reason and "weekly doses at least 1 day(s) apart" in plan.kept[0].reason


def test_tablets_never_move():
    sched = schedule(START, "oral_maintenance", maintenance_months=2)
    plan = off_weekends(sched)
    oral = [(a, b) for a, b in zip(sched.injections, plan.schedule.injections, strict=True) if not a.parenteral]
    assert oral and all(a == b for a, b in oral)


# -- blood tests and "continues for life" ----------------------------------------------------------


def test_blood_tests_are_the_monitoring_plan_one_appointment_per_day():
    tests = blood_tests(START)
    days = sorted({d for spec in expected()["monitoring"] for d in spec["days"]})
    assert [t.day for t in tests] == days
    assert [t.date for t in tests] == [START + timedelta(days=d) for d in days]
    day7 = next(t for t in tests if t.day == 7)
    assert set(day7.ids) == {"retic_hct_daily", "platelets"}
    assert all(t.plain and t.refs for t in tests)


def test_a_plan_for_life_says_when_the_next_dose_falls_and_one_that_ends_says_nothing():
    phase, after = for_life(schedule(START, maintenance_months=12))
    assert phase.for_life and after == date(2028, 1, 7)
    ends = _weekly(START)
    assert for_life(ends) is None


def test_the_clinic_calendar_parses_back_with_injections_blood_tests_and_the_for_life_note():
    sched = off_weekends(schedule(START, maintenance_months=6)).schedule
    text = to_ics(sched, label="Bed 3", clinic=True)
    events = list(Calendar.from_ical(text).walk("VEVENT"))
    kinds = [str(e.get("x-cobalt-kind", "dose")) for e in events]
    assert kinds.count("dose") == len(sched.injections)
    blood = [e for e in events if str(e.get("x-cobalt-kind")) == "blood-test"]
    assert [e.decoded("dtstart") for e in blood] == [t.date for t in blood_tests(START)]
    assert all(e.walk("VALARM") for e in blood)
    (note,) = [e for e in events if str(e.get("x-cobalt-kind")) == "note"]
    assert "continue for life" in str(note["summary"]) and note.decoded("dtstart") == for_life(sched)[1]
    assert from_ics(text) == sched.injections  # the dose reader skips the others


def test_without_clinic_the_calendar_and_csv_hold_doses_only():
    sched = schedule(START)
    assert "X-COBALT-KIND" not in to_ics(sched) and "continues for life" not in to_csv(sched)


def test_the_clinic_csv_ends_with_the_for_life_note_and_still_reads_back():
    sched = schedule(START, maintenance_months=3)
    text = to_csv(sched, clinic=True)
    assert text.splitlines()[-1] == "2027-04-07,,,continues for life (every month),cyanocobalamin"
    assert from_csv(text) == sched.injections
    assert "continues for life" not in to_csv(_weekly(START), clinic=True)


# -- the command line ------------------------------------------------------------------------------


def _run(argv: list[str]) -> str:
    out = io.StringIO()
    assert main(["schedule", *argv], out=out) == 0
    return out.getvalue()


def test_schedule_no_weekends_moves_doses_and_lists_what_could_not_move():
    plain = json.loads(_run(["--start", "2026-11-02"]))
    doc = json.loads(_run(["--start", "2026-11-02", "--no-weekends"]))
    assert {"date": "2027-02-07", "planned": "2027-02-07"} not in doc["moved"]
    assert {"planned": "2027-02-07", "date": "2027-02-08", "phase": "maintenance"} in doc["moved"]
    assert {m["date"] for m in doc["not_moved"]} >= {"2026-11-07", "2026-11-08"}
    assert doc["count"] == plain["count"] and "moved" not in plain
    assert [i["date"] for i in doc["injections"]] != [i["date"] for i in plain["injections"]]


def test_schedule_clinic_adds_blood_tests_and_the_for_life_note():
    doc = json.loads(_run(["--start", "2026-11-02", "--clinic"]))
    first = {"date": "2026-11-02", "day": 0, "tests": ["potassium"], "what": ["Potassium (first 48 hours)"]}
    assert doc["blood_tests"][0] == first | {"refs": ["fda_cyanocobalamin_label"]}
    assert doc["continues_for_life"] == {"phase": "maintenance", "next_due": "2028-01-07", "spacing": "every month"}
    ics = _run(["--start", "2026-11-02", "--clinic", "--no-weekends", "--format", "ics"])
    assert "X-COBALT-KIND:blood-test" in ics and "X-COBALT-KIND:note" in ics
    assert all(i.date.weekday() < SAT for i in from_ics(ics) if i.phase == "maintenance")


@pytest.mark.parametrize("flag", ["--clinic", "--no-weekends"])
def test_the_default_output_is_unchanged_by_the_new_options_being_available(flag):
    assert flag not in _run(["--start", "2026-11-02"])
