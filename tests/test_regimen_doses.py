"""Doses given against the plan: which planned doses are pending, due or unrecorded, and the dose
recorded as given keeps its planned route (logic/regimen/schedules.py; the Recovery page)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from logic.case import parse_case
from logic.recovery import dose_course
from logic.regimen import dose_entry, due, next_pending, pending, schedule, unrecorded
from logic.results import Route
from tests.helpers import make_case
from ui.session import SESSION_KEY, ChosenPlan, OpenCase

ROOT = Path(__file__).resolve().parents[1]
START = date(2026, 11, 2)
ORAL = schedule(START, "oral_maintenance", maintenance_months=3)
LOADING = 7 + 7 + 5  # IM doses before the oral maintenance of the oral preset
FIRST_ORAL = date(2026, 12, 8)  # the day after the last interval dose (7 Dec)


def given_as_planned(sched, n, late_days=0):
    """The first ``n`` planned doses recorded as given, the last one ``late_days`` late."""
    doses = [{"date": i.date.isoformat(), "dose_mcg": i.dose_mcg, "route": str(i.route)} for i in sched.injections[:n]]
    if n and late_days:
        doses[-1]["date"] = (sched.injections[n - 1].date + timedelta(days=late_days)).isoformat()
    return make_case(treatment_start=START.isoformat(), doses=doses).doses


def test_with_nothing_given_every_planned_dose_is_pending():
    assert pending(ORAL, ()) == ORAL.injections


def test_with_every_dose_given_nothing_is_pending_or_due():
    given = given_as_planned(ORAL, ORAL.count)
    assert pending(ORAL, given) == () and due(ORAL, given, date(2030, 1, 1)) is None
    assert unrecorded(ORAL, given, date(2030, 1, 1)) == () and next_pending(ORAL, given, START) is None


def test_the_due_dose_of_an_oral_plan_after_loading_is_oral():
    given = given_as_planned(ORAL, LOADING)
    dose = due(ORAL, given, FIRST_ORAL + timedelta(days=1))
    assert (dose.date, dose.route, dose.dose_mcg, dose.phase) == (FIRST_ORAL, Route.ORAL, 1000, "maintenance")
    assert dose_entry(dose) == {"date": "2026-12-08", "dose_mcg": 1000, "route": "oral", "product": "cyanocobalamin"}


def test_a_dose_dated_today_is_due_but_not_yet_unrecorded():
    given = given_as_planned(ORAL, LOADING)
    assert due(ORAL, given, FIRST_ORAL).date == FIRST_ORAL
    assert unrecorded(ORAL, given, FIRST_ORAL) == ()
    assert next_pending(ORAL, given, FIRST_ORAL).date == FIRST_ORAL


def test_a_dose_dated_tomorrow_is_not_due():
    given = given_as_planned(ORAL, LOADING)
    assert due(ORAL, given, FIRST_ORAL - timedelta(days=1)) is None
    assert next_pending(ORAL, given, FIRST_ORAL - timedelta(days=1)).date == FIRST_ORAL


def test_every_planned_dose_before_today_not_given_is_unrecorded_with_its_route():
    given = given_as_planned(ORAL, LOADING - 2)  # the last two interval doses (4 and 7 Dec) not recorded
    late = unrecorded(ORAL, given, FIRST_ORAL + timedelta(days=2))
    assert [(i.date, i.route) for i in late] == [
        (date(2026, 12, 4), Route.IM), (date(2026, 12, 7), Route.IM),
        (date(2026, 12, 8), Route.ORAL), (date(2026, 12, 9), Route.ORAL),
    ]  # fmt: skip


@pytest.mark.parametrize(("n", "late_days"), [(0, 0), (1, 0), (7, 3), (LOADING, 0), (LOADING, 5), (LOADING + 4, 1)])
def test_a_late_dose_moves_the_rest_of_the_plan_as_the_recovery_course_does(n, late_days):
    given = given_as_planned(ORAL, n, late_days)
    rest = pending(ORAL, given)
    course = [d for d in dose_course(ORAL.injections, given) if d.status == "planned"]
    assert [(i.date, i.phase, i.dose_mcg) for i in rest] == [(d.date, d.phase, d.dose_mcg) for d in course]
    assert [i.route for i in rest] == [i.route for i in ORAL.injections[n:]]
    if n and late_days:
        assert rest[0].date == ORAL.injections[n].date + timedelta(days=late_days)


def test_the_recorded_dose_entry_is_a_valid_case_document_dose():
    dose = due(ORAL, given_as_planned(ORAL, LOADING), FIRST_ORAL)
    doc = {"observations": [], "treatment_start": START.isoformat(), "doses": [dose_entry(dose)]}
    (parsed,) = parse_case(doc).doses
    assert (parsed.date, parsed.route, parsed.product) == (FIRST_ORAL, "oral", "cyanocobalamin")


# -- the Recovery page records the planned route ---------------------------------------------------


def test_recovery_page_records_an_oral_plans_due_dose_as_oral(monkeypatch):
    # the clinic day after the first oral dose (a dose recorded as given cannot be dated after today)
    monkeypatch.setattr("ui.session.today", lambda: FIRST_ORAL + timedelta(days=1))
    doses = [{"date": i.date.isoformat(), "dose_mcg": i.dose_mcg, "route": "IM"} for i in ORAL.injections[:LOADING]]
    doc = {
        "label": "oral plan",
        "history": {"pernicious_anemia": False, "ileal_resection_cm": 0, "crohns_ileal": False,
                    "gastric_surgery": False},
        "treatment_start": START.isoformat(),
        "observations": [{"date": "2026-11-01", "analyte": "platelets", "value": 60, "unit": "10^9/L"}],
        "doses": doses,
        "regimen": {"preset": "oral_maintenance", "knobs": {"maintenance_months": 3}},  # the chosen plan
    }  # fmt: skip
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state[SESSION_KEY] = OpenCase(doc=doc)
    assert at.session_state[SESSION_KEY].plan == ChosenPlan("oral_maintenance", {"maintenance_months": 3})
    at.run()
    at.switch_page("app_pages/recovery.py").run()
    at.date_input(key="rec_as_of").set_value(FIRST_ORAL + timedelta(days=1)).run()
    assert [e.message for e in at.exception] == []
    assert at.button(key="rec_give_next").label == "Record the 2026-12-08 dose as given"
    at.button(key="rec_give_next").click().run()
    recorded = at.session_state[SESSION_KEY].doc["doses"][-1]
    assert recorded == {"date": "2026-12-08", "dose_mcg": 1000, "route": "oral", "product": "cyanocobalamin"}
    assert [e.message for e in at.exception] == []
