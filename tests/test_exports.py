"""CSV and iCalendar exports of a schedule (logic/regimen/exports.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from logic.regimen import preset_ids, regimen_for_case, schedule
from logic.regimen.exports import ExportError, from_csv, from_ics, patient_sheet, patient_sheet_html, to_csv, to_ics
from logic.results import Route
from tests.helpers import make_case, obs

START = date(2026, 11, 2)


@pytest.mark.parametrize("preset_id", preset_ids())
def test_csv_round_trips_every_preset(preset_id):
    sched = schedule(START, preset_id)
    assert from_csv(to_csv(sched)) == sched.injections


@settings(max_examples=40, deadline=None)
@given(start=st.dates(min_value=date(2000, 1, 1), max_value=date(2080, 1, 1)), months=st.integers(0, 36))
def test_csv_round_trips_for_any_start_and_length(start, months):
    sched = schedule(start, maintenance_months=months)
    assert from_csv(to_csv(sched)) == sched.injections


def test_csv_reader_names_every_bad_line():
    text = "date,dose_mcg,route,phase,product\n2026-13-01,1000,IM,daily,cyanocobalamin\n2026-11-02,-5,IV,,b12\n"
    with pytest.raises(ExportError) as err:
        from_csv(text)
    assert [p.split(":")[0] for p in err.value.problems] == ["line 2"] + ["line 3"] * 4


def test_csv_without_the_header_is_rejected():
    with pytest.raises(ExportError, match="header"):
        from_csv("2026-11-02,1000,IM,daily,cyanocobalamin\n")


@pytest.mark.parametrize("preset_id", preset_ids())
def test_ics_parses_back_with_the_same_dates(preset_id):
    sched = schedule(START, preset_id, maintenance_months=6)
    back = from_ics(to_ics(sched, label="Bed 12"))
    assert back == sched.injections


def test_ics_has_one_event_per_injection_each_with_a_reminder():
    sched = schedule(START)
    cal = Calendar.from_ical(to_ics(sched))
    events = list(cal.walk("VEVENT"))
    assert [e.decoded("dtstart") for e in events] == [i.date for i in sched.injections]
    for ev in events:
        (alarm,) = ev.walk("VALARM")
        assert str(alarm["action"]) == "DISPLAY"
        assert alarm.decoded("trigger") == -timedelta(hours=15)
    assert len({str(e["uid"]) for e in events}) == len(events)


def test_ics_groups_daily_oral_doses_into_one_repeating_event():
    sched = schedule(START, "oral_maintenance", maintenance_months=2)
    events = list(Calendar.from_ical(to_ics(sched)).walk("VEVENT"))
    oral = [e for e in events if str(e["x-cobalt-route"]) == "oral"]
    assert len(oral) == 1 and oral[0]["rrule"]["COUNT"] == [sum(i.route == "oral" for i in sched.injections)]
    assert len(events) == 19 + 1


def test_ics_carries_the_case_label_and_nothing_else_about_the_patient():
    case = make_case(obs("platelets", 31, "10^9/L"), label="Bed 12 teaching case", sex="female",
                     patient={"age_years": 47, "sex": "female"}, treatment_start="2026-11-02",
                     history={"pernicious_anemia": True})  # fmt: skip
    text = to_ics(regimen_for_case(case).schedule(), label=case.label)
    assert "Bed 12 teaching case" in text
    lowered = text.lower()
    for leak in ("female", "47", "pernicious", "platelet", "age"):
        assert leak not in lowered.replace("message", ""), leak
    assert "Bed 12" not in to_ics(regimen_for_case(case).schedule())


def test_ics_is_the_same_every_time_for_the_same_plan():
    sched = schedule(START)
    assert to_ics(sched, label="x") == to_ics(sched, label="x")
    stamped = to_ics(sched, stamp=datetime(2026, 10, 30, 12, tzinfo=UTC))
    assert "DTSTAMP:20261030T120000Z" in stamped


def test_ics_label_longer_than_a_case_label_is_rejected():
    with pytest.raises(ExportError):
        to_ics(schedule(START), label="x" * 121)


def test_patient_sheet_lists_each_injection_and_collapses_daily_tablets():
    sched = schedule(START, "oral_maintenance", maintenance_months=1)
    rows = patient_sheet(sched)
    assert len(rows) == 19 + 1
    assert rows[0].date == START and rows[0].weekday == "Mon" and "1000 mcg IM" in rows[0].what
    assert "every day until" in rows[-1].what


@pytest.mark.parametrize(("written", "read"), [("SC", Route.SC), ("deep SC", Route.SC), ("oral", Route.ORAL)])
def test_csv_reads_each_route_of_the_vocabulary_and_the_older_deep_sc(written, read):
    (inj,) = from_csv(f"date,dose_mcg,route,phase,product\n2026-11-02,1000,{written},weekly,hydroxocobalamin\n")
    assert inj.route is read


@pytest.mark.parametrize("route", ["IV", "sc", "subcutaneous"])
def test_csv_refuses_a_route_outside_the_vocabulary_naming_the_allowed_ones(route):
    with pytest.raises(ExportError, match="must be one of IM, SC, oral"):
        from_csv(f"date,dose_mcg,route,phase,product\n2026-11-02,1000,{route},weekly,cyanocobalamin\n")


# -- a plan with no clear indication carries its caveat (issue 10) ----------------------------------

CAVEAT = "B12 deficiency is not established (B12 status unknown): a plan to review."


def test_csv_carries_the_caveat_first_and_still_reads_back_the_doses():
    sched = schedule(date(2026, 11, 2))
    text = to_csv(sched, caveat=CAVEAT)
    assert text.splitlines()[1].startswith("2026-11-02,,,note for the clinician: B12 deficiency is not established")
    assert from_csv(text) == sched.injections


def test_ics_carries_the_caveat_as_a_description_and_a_note_and_reads_back_the_doses():
    sched = schedule(date(2026, 11, 2))
    text = to_ics(sched, caveat=CAVEAT)
    assert "X-WR-CALDESC:Note for the clinician: B12 deficiency is not established" in text.replace("\r\n ", "")
    assert "X-COBALT-KIND:note" in text
    assert from_ics(text) == sched.injections


def test_no_caveat_changes_nothing():
    sched = schedule(date(2026, 11, 2))
    assert to_csv(sched, caveat=None) == to_csv(sched)
    assert "X-WR-CALDESC" not in to_ics(sched)


def test_the_patient_sheet_says_in_plain_words_that_the_need_is_not_confirmed():
    sched = schedule(date(2026, 11, 2))
    assert "not yet confirmed" in patient_sheet_html(sched, unconfirmed=True)
    assert "not yet confirmed" not in patient_sheet_html(sched)
