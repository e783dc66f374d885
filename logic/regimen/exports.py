"""Exports of a schedule a patient can take home: CSV (round-trips) and iCalendar (.ics).

Nothing here identifies the patient beyond an optional case label (pseudonymous by contract).
No clock is read: the iCalendar DTSTAMP is passed in (default: midnight UTC of the start date).

With ``clinic=True`` (the calendar a clinic can run) the .ics also holds the blood-test
appointments of the monitoring plan (:func:`logic.regimen.clinic.blood_tests`) and, where the plan
does not end, a final all-day note that the injections continue for life; the CSV gets that note as
its last row. Both readers skip these (they read doses only).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

from logic.regimen.base import canonical_route, is_parenteral, products, routes
from logic.regimen.clinic import blood_tests, for_life
from logic.regimen.schedules import Injection, Schedule

if TYPE_CHECKING:
    from icalendar import Event

CSV_COLUMNS = ("date", "dose_mcg", "route", "phase", "product")
#: The phase column of the CSV's last row when the plan continues for life (a note, not a dose).
FOR_LIFE_NOTE = "continues for life"
#: The first words of a caveat written into the CSV and the calendar (a plan with no clear indication).
CAVEAT_NOTE = "note for the clinician"
#: X-COBALT-KIND of the .ics events that are not doses.
BLOOD_TEST, NOTE = "blood-test", "note"
PRODID = "-//Cobalt//B12 regimen planner//EN"
#: All-day events start at midnight; a reminder 15 hours before is 09:00 the day before.
REMINDER_BEFORE = timedelta(hours=15)
MAX_LABEL = 120


class ExportError(ValueError):
    """Raised with every problem found while reading an export back."""

    def __init__(self, problems: Sequence[str]):
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


# -- CSV ------------------------------------------------------------------------------------------


def to_csv(schedule: Schedule, clinic: bool = False, caveat: str | None = None) -> str:
    """One row per dose: date, dose_mcg, route, phase, product (header first). With ``clinic``, a
    plan that does not end gets a last row dated when its next dose would fall, with empty dose and
    route and the phase ``continues for life (every month)`` (for example). A ``caveat`` (the plan
    has no clear indication: :func:`logic.tma.regimen_caveat`) is a first row, dated the start, with
    empty dose and route and the phase ``note for the clinician: ...``."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    if caveat:
        w.writerow((schedule.start.isoformat(), "", "", f"{CAVEAT_NOTE}: {caveat}", ""))
    for i in schedule.injections:
        w.writerow((i.date.isoformat(), i.dose_mcg, i.route, i.phase, i.product))
    life = for_life(schedule) if clinic else None
    if life is not None:
        phase, after = life
        w.writerow((after.isoformat(), "", "", f"{FOR_LIFE_NOTE} ({phase.spacing_text})", phase.product))
    return buf.getvalue()


def from_csv(text: str) -> tuple[Injection, ...]:
    """The doses of a :func:`to_csv` file; :class:`ExportError` names every bad line."""
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or tuple(c.strip() for c in rows[0]) != CSV_COLUMNS:
        raise ExportError([f"line 1: the header must be {','.join(CSV_COLUMNS)}"])
    out: list[Injection] = []
    problems: list[str] = []
    for n, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        if len(row) != len(CSV_COLUMNS):
            problems.append(f"line {n}: expected {len(CSV_COLUMNS)} columns, got {len(row)}")
            continue
        raw_date, raw_dose, raw_route, phase, product = (c.strip() for c in row)
        if phase.startswith((FOR_LIFE_NOTE, CAVEAT_NOTE)) and not raw_dose and not raw_route:
            continue  # a note (the plan continues for life; a caveat for the clinician), not a dose
        route = canonical_route(raw_route)  # a Route; "deep SC", as older files spell it, reads as SC
        before = len(problems)
        try:
            d = date.fromisoformat(raw_date)
        except ValueError:
            problems.append(f"line {n}: date {raw_date!r} does not parse; use YYYY-MM-DD")
        try:
            dose = int(raw_dose)
            if dose <= 0:
                raise ValueError
        except ValueError:
            problems.append(f"line {n}: dose_mcg {raw_dose!r} must be a positive whole number")
        if route not in routes():
            problems.append(f"line {n}: route {route!r} must be one of {', '.join(routes())}")
        if product not in products():
            problems.append(f"line {n}: product {product!r} must be one of {', '.join(products())}")
        if not phase:
            problems.append(f"line {n}: phase is empty")
        if len(problems) == before:
            out.append(Injection(d, dose, route, phase, product))
    if problems:
        raise ExportError(problems)
    return tuple(out)


# -- iCalendar ------------------------------------------------------------------------------------


def _summary(inj: Injection, label: str | None) -> str:
    what = "B12 injection" if inj.parenteral else "B12 tablet"
    text = f"{what}: {inj.dose_mcg} mcg {inj.route} ({inj.product})"
    return f"{label}: {text}" if label else text


def _runs(injections: Sequence[Injection]) -> list[list[Injection]]:
    """Injections one by one; consecutive daily oral doses of one dose grouped into a run."""
    runs: list[list[Injection]] = []
    for inj in injections:
        last = runs[-1][-1] if runs else None
        if (
            last is not None
            and not inj.parenteral
            and not last.parenteral
            and (inj.date - last.date).days == 1
            and (inj.dose_mcg, inj.route, inj.phase, inj.product)
            == (last.dose_mcg, last.route, last.phase, last.product)
        ):
            runs[-1].append(inj)
        else:
            runs.append([inj])
    return runs


def to_ics(
    schedule: Schedule,
    label: str | None = None,
    stamp: datetime | None = None,
    remind_before: timedelta = REMINDER_BEFORE,
    clinic: bool = False,
    caveat: str | None = None,
) -> str:
    """An iCalendar file: an all-day VEVENT per injection with a VALARM reminder ``remind_before``
    its start (default 09:00 the day before). A run of daily oral doses is one event repeating
    daily (RRULE COUNT). Custom X-COBALT-* properties carry dose, route, phase and product.
    ``label`` is the case label (pseudonymous); nothing else about the patient is written.
    ``clinic`` adds the blood-test appointments (``X-COBALT-KIND:blood-test``, with a reminder) and,
    for a plan that does not end, a final all-day note that it continues for life
    (``X-COBALT-KIND:note``) on the day the next dose would fall. A ``caveat`` (no clear indication)
    is the calendar's description and an all-day note on the start date."""
    from icalendar import Alarm, Calendar, Event  # here: the JSON and CSV schedules never need it (~20 ms)

    if label is not None and (not isinstance(label, str) or len(label) > MAX_LABEL):
        raise ExportError([f"label must be text of at most {MAX_LABEL} characters"])
    label = label.strip() if label else None
    stamp = stamp or datetime.combine(schedule.start, time(0), tzinfo=UTC)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"B12 plan: {label}" if label else "B12 plan")
    if caveat:
        cal.add("x-wr-caldesc", f"{CAVEAT_NOTE.capitalize()}: {caveat}")
        cal.add_component(
            _all_day(f"{schedule.start.isoformat()}-caveat@cobalt-b12", schedule.start, stamp,
                     CAVEAT_NOTE.capitalize(), caveat, "note")  # fmt: skip
        )
    for n, run in enumerate(_runs(schedule.injections), start=1):
        inj = run[0]
        ev = Event()
        ev.add("uid", f"{schedule.start.isoformat()}-{n}-{inj.date.isoformat()}@cobalt-b12")
        ev.add("dtstamp", stamp)
        ev.add("dtstart", inj.date)
        ev.add("dtend", inj.date + timedelta(days=1))
        ev.add("summary", _summary(inj, label))
        desc = f"Phase: {inj.phase.replace('_', ' ')}. Dose {inj.dose_mcg} mcg {inj.route}, {inj.product}."
        if inj.parenteral:
            desc += " Bring this schedule to the appointment."
        ev.add("description", desc)
        ev.add("transp", "TRANSPARENT")
        if len(run) > 1:
            ev.add("rrule", {"freq": "daily", "count": len(run)})
        ev.add("x-cobalt-dose-mcg", str(inj.dose_mcg))
        ev.add("x-cobalt-route", str(inj.route))
        ev.add("x-cobalt-phase", inj.phase)
        ev.add("x-cobalt-product", inj.product)
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("trigger", -remind_before)
        alarm.add("description", f"Reminder: {_summary(inj, label)}")
        ev.add_component(alarm)
        cal.add_component(ev)
    if clinic:
        for ev in _clinic_events(schedule, label, stamp, remind_before):
            cal.add_component(ev)
    return cal.to_ical().decode("utf-8")


def _all_day(uid: str, day: date, stamp: datetime, summary: str, description: str, kind: str) -> Event:
    from icalendar import Event

    ev = Event()
    ev.add("uid", uid)
    ev.add("dtstamp", stamp)
    ev.add("dtstart", day)
    ev.add("dtend", day + timedelta(days=1))
    ev.add("summary", summary)
    ev.add("description", description)
    ev.add("transp", "TRANSPARENT")
    ev.add("x-cobalt-kind", kind)
    return ev


def _clinic_events(schedule: Schedule, label: str | None, stamp: datetime, remind_before: timedelta) -> list[Event]:
    from icalendar import Alarm

    prefix = f"{label}: " if label else ""
    out = []
    for t in blood_tests(schedule.start):
        summary = f"{prefix}Blood test: " + "; ".join(t.plain)
        ev = _all_day(f"{schedule.start.isoformat()}-blood-{t.day}@cobalt-b12", t.date, stamp, summary,
                      "Tests due: " + "; ".join(t.what) + ".", BLOOD_TEST)  # fmt: skip
        ev.add("x-cobalt-tests", ",".join(t.ids))
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("trigger", -remind_before)
        alarm.add("description", f"Reminder: {summary}")
        ev.add_component(alarm)
        out.append(ev)
    life = for_life(schedule)
    if life is not None:
        phase, after = life
        what = "injections" if phase.parenteral else "tablets"
        out.append(
            _all_day(
                f"{schedule.start.isoformat()}-for-life@cobalt-b12",
                after,
                stamp,
                f"{prefix}B12 {what} continue for life",
                f"The plan does not end: keep having B12 {phase.spacing_text} after the dates shown, "
                "as the clinical team advises.",
                NOTE,
            )  # fmt: skip
        )
    return out


def from_ics(text: str | bytes) -> tuple[Injection, ...]:
    """The doses in a :func:`to_ics` calendar, read with the icalendar library (daily RRULEs
    expanded), in date order; :class:`ExportError` when an event lacks Cobalt's properties."""
    from icalendar import Calendar

    cal = Calendar.from_ical(text)
    out: list[Injection] = []
    problems: list[str] = []
    for n, ev in enumerate(cal.walk("VEVENT"), start=1):
        if "x-cobalt-kind" in ev:
            continue  # a blood test or a note, not a dose
        start = ev.decoded("dtstart")
        if isinstance(start, datetime) or not isinstance(start, date):
            problems.append(f"event {n}: DTSTART must be a date")
            continue
        try:
            dose = int(str(ev["x-cobalt-dose-mcg"]))
            raw_route, phase, product = (str(ev[k]) for k in ("x-cobalt-route", "x-cobalt-phase", "x-cobalt-product"))
            route = canonical_route(raw_route)
        except (KeyError, ValueError):
            problems.append(f"event {n}: missing Cobalt dose, route, phase or product")
            continue
        repeat = 1
        rule = ev.get("rrule")
        if rule is not None:
            if rule.get("FREQ") != ["DAILY"] or "COUNT" not in rule:
                problems.append(f"event {n}: only daily repeats with a COUNT are read")
                continue
            repeat = int(rule["COUNT"][0])
        out.extend(Injection(start + timedelta(days=k), dose, route, phase, product) for k in range(repeat))
    if problems:
        raise ExportError(problems)
    return tuple(sorted(out, key=lambda i: i.date))


@dataclass(frozen=True)
class SheetRow:
    """One line of a printable patient schedule."""

    date: date
    weekday: str
    what: str
    phase: str


def patient_sheet(schedule: Schedule) -> tuple[SheetRow, ...]:
    """Rows for a printable patient schedule (dates, dose, route); a run of daily oral doses is
    one row 'every day until ...'. No identifiers."""
    rows = []
    for run in _runs(schedule.injections):
        inj = run[0]
        what = f"{inj.dose_mcg} mcg {inj.route} ({inj.product})"
        if len(run) > 1:
            what += f", every day until {run[-1].date.isoformat()} ({len(run)} doses)"
        elif not is_parenteral(inj.route):
            what += ", by mouth"
        rows.append(SheetRow(inj.date, inj.date.strftime("%a"), what, inj.phase.replace("_", " ")))
    return tuple(rows)


__all__ = ["CSV_COLUMNS", "ExportError", "SheetRow", "from_csv", "from_ics", "patient_sheet", "to_csv", "to_ics"]


def patient_sheet_html(
    schedule: Schedule, label: str | None = None, today: date | None = None, unconfirmed: bool = False
) -> str:
    """The patient's printable schedule in plain words (:func:`logic.reports.patient_html`): what,
    when, the blood tests and their dates, space for the name and the clinic's contact, what to
    report. No identifiers: ``label`` (pseudonymous) is not printed on the patient's copy."""
    from logic.reports import patient_html

    return patient_html(schedule, today, unconfirmed)
