"""The recovery course after B12 starts: verdicts on reticulocytes and platelets, alerts when
recovery lags, the monitoring plan as dated tasks, and given versus planned doses.

Expected course (``data/recovery.json``, each number with its source): reticulocytes rise from
about day 3 and peak near day 7 (US label: days 3-10) and should stay at least twice normal while
the haematocrit is below 35 % (FDA cyanocobalamin label); the blood count normalises in about
eight weeks. No published platelet recovery rate exists: platelets get no verdict before the end
of the second week (published cases fall in the first week: Manabe 2025), and after that only
the direction of the last two counts is judged. ``day`` counts from ``treatment_start`` (day 0).

Never quiet after treatment starts (Cobalt's reading, ``cobalt_course_collapse``):

- a platelet collapse under B12 (:func:`platelet_collapse`: the latest count below 30 and lower
  than at the start, or at or below half the count at the start) is ``falling`` with a critical
  alert on any day, the first fortnight included;
- with haemolysis at the start, a reticulocyte rise is not called a response while the haemolysis
  is not shown to settle (:func:`haemolysis_active`): haemoglobin still below its starting value, or
  LDH not lower than at the start, or neither measured again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from logic.case import Case, Dose, Observation, bands
from logic.diagnosis import anaemia_grade
from logic.diagnosis.picture import rpi_data
from logic.recovery.course import (
    after_start,
    collapse_alert,
    day_of,
    expected,
    haemolysis_active,
    platelet_collapse,
    refs_of,
    value_of,
)
from logic.reference import ThresholdSet, threshold_set
from logic.reference.statements import alert, say, text
from logic.results import Alert, Note, by_severity

_v, _refs, _after_start = value_of, refs_of, after_start
TOO_EARLY, ADEQUATE, DELAYED, ABSENT, UNKNOWN = "too_early", "adequate", "delayed", "absent", "unknown"
NORMAL, RISING, FLAT, FALLING = "normal", "rising", "flat", "falling"


@dataclass(frozen=True)
class Task:
    """A dated monitoring task; ``done`` when a result for one of its analytes is on that date."""

    id: str
    date: date
    day: int
    what: str
    why: str
    refs: tuple[str, ...]
    done: bool
    overdue: bool


@dataclass(frozen=True)
class CourseDose:
    """A dose on the recovery timeline: ``given`` (recorded) or ``planned`` (projected)."""

    date: date
    dose_mcg: float
    phase: str
    status: str


@dataclass(frozen=True)
class Response:
    """The expected response to treatment on a day: reticulocytes, platelets, alerts and tasks."""

    day: int
    reticulocytes: str
    platelets: str
    alerts: tuple[Alert, ...]
    reticulocytes_reason: Note
    platelets_reason: Note
    tasks: tuple[Task, ...] = ()
    today: date | None = None
    series: dict[str, tuple[Observation, ...]] = field(default_factory=dict, compare=False)

    @property
    def next_draw(self) -> Task | None:
        return next((t for t in self.tasks if not t.done and self.today and t.date >= self.today), None)


def _retic_threshold(obs: Observation) -> float:
    key = "reference_upper_pct" if obs.analyte == "reticulocytes_pct" else "reference_upper_abs"
    return _v("reticulocytes", "sustain_multiple") * _v("reticulocytes", key)


_WORDS = {1: "once", 2: "twice", 3: "three times", 4: "four times"}
_NUMBERS = {4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine", 10: "ten", 11: "eleven", 12: "twelve"}


def _times(multiple: float) -> str:
    """2 -> 'twice' (the label's word), 3 -> 'three times', else '2.5 times'."""
    return _WORDS.get(int(multiple), f"{multiple:g} times") if float(multiple).is_integer() else f"{multiple:g} times"


def _monitoring_days(task_id: str) -> list[int]:
    return next(m["days"] for m in expected()["monitoring"] if m["id"] == task_id)


def _retic_verdict(case: Case, day: int, today: date, t: ThresholdSet) -> tuple[str, Note, list[Alert]]:
    r = "reticulocytes"
    refs = _refs(r, "rise_from_day") + _refs(r, "sustain_multiple") + _refs(r, "reference_upper_pct")
    rise_from, peak, window_end = (_v(r, k) for k in ("rise_from_day", "peak_day", "window_end_day"))
    multiple_word = _times(_v(r, "sustain_multiple"))
    post = _after_start(case, "reticulocytes_pct", today) + _after_start(case, "reticulocytes_abs", today)
    post.sort(key=lambda o: (o.date, o.index))
    alerts: list[Alert] = []
    if day < rise_from:
        return TOO_EARLY, say("recovery.retic_too_early", extra_refs=refs, day=day, rise_from=rise_from), alerts
    good = [o for o in post if day_of(case, o.date) >= rise_from and bands.above(o, _retic_threshold(o) - 1e-9)]
    busy = [(o, why) for o in good if (why := haemolysis_active(case, o.date, t)) is not None]
    if good and len(busy) == len(good):
        o, why = busy[-1]
        rule = _refs("haemolysis", "settling_rule")
        note = say("recovery.retic_during_haemolysis", extra_refs=refs + rule, value=o.display(),
                   on_day=day_of(case, o.date), why=why)  # fmt: skip
        alerts.append(alert("alerts.retic_rise_during_haemolysis", lead_refs=rule, value=o.display(),
                            on_day=day_of(case, o.date), why=why))  # fmt: skip
        return UNKNOWN, note, alerts
    good = [o for o in good if all(o is not b for b, _ in busy)]
    if good:
        best = max(good, key=lambda o: float(o.canonical) / _retic_threshold(o))
        note = say(
            "recovery.retic_adequate",
            extra_refs=refs,
            value=best.display(),
            on_day=day_of(case, best.date),
            multiple_word=multiple_word,
        )
        alerts.append(alert("alerts.retic_response", lead_refs=refs))
        latest = post[-1]
        hct = _latest_hct(case, today)
        hct_below = _v(r, "sustain_while_hct_below")
        if latest is not best and hct is not None and hct < hct_below and bands.below(latest, _retic_threshold(latest)):
            alerts.append(
                alert(
                    "alerts.retic_not_sustained",
                    lead_refs=_refs(r, "sustain_multiple"),
                    value=latest.display(),
                    hct_below=hct_below,
                )
            )
        return ADEQUATE, note, alerts
    if not post:
        daily = _monitoring_days("retic_hct_daily")
        if day >= min(daily):
            alerts.append(alert("alerts.retic_not_measured", day=day, first=min(daily), last=max(daily)))
        verdict = TOO_EARLY if day < peak else UNKNOWN
        return verdict, say("recovery.retic_none", extra_refs=refs), alerts
    latest = post[-1]
    if day <= window_end:
        verdict = DELAYED if day >= peak else TOO_EARLY
        note = say(
            "recovery.retic_waiting",
            extra_refs=refs,
            day=day,
            value=latest.display(),
            multiple_word=multiple_word,
            window_end=window_end,
        )
        return verdict, note, alerts
    alerts.append(alert("alerts.retic_response_absent", day=day, value=latest.display()))
    return ABSENT, say("recovery.retic_absent", extra_refs=refs, day=day, multiple_word=multiple_word), alerts


def _age(day: int, case: Case, obs: Observation) -> str:
    """' (latest result, 12 days old)' when the value is not from the day being judged."""
    old = day - day_of(case, obs.date)
    return text("recovery.age", old=old) if old > 0 else ""


def _latest_hct(case: Case, today: date) -> float | None:
    """The latest haematocrit, or one estimated from the latest haemoglobin (data/rpi.json)."""
    hct = [o for o in case.series("hematocrit") if o.date <= today and not o.comparator]
    hb = [o for o in case.series("hemoglobin") if o.date <= today and not o.comparator]
    if hct and (not hb or hct[-1].date >= hb[-1].date):
        return float(hct[-1].canonical)
    if hb:
        return rpi_data()["hematocrit_per_hemoglobin"] * float(hb[-1].canonical)
    return None


def _platelet_verdict(case: Case, day: int, today: date, t: ThresholdSet) -> tuple[str, Note, list[Alert]]:
    refs = _refs("platelets", "no_verdict_before_day")
    quiet = _v("platelets", "no_verdict_before_day")
    post = [o for o in _after_start(case, "platelets", today) if not o.comparator]
    base = case.baseline().get("platelets")
    alerts: list[Alert] = []
    if not post:
        verdict = TOO_EARLY if day < quiet else UNKNOWN
        return verdict, say("recovery.platelets_none", extra_refs=refs), alerts
    latest = post[-1]
    on_day = day_of(case, latest.date)
    if bands.below(latest, t["platelets_lln"]) is False:
        alerts.append(alert("alerts.platelets_normal", lead_refs=refs, value=latest.display(), on_day=on_day))
        return NORMAL, say("recovery.platelets_in_range", t, extra_refs=refs, value=latest.display()), alerts
    collapse = platelet_collapse(case, today)
    if collapse is not None:
        alerts.append(collapse_alert(collapse))
        note = say("recovery.platelets_collapsed", extra_refs=collapse.refs, value=latest.display(), on_day=on_day)
        return FALLING, note, alerts
    previous = post[-2] if len(post) > 1 else base
    if previous is None:
        direction = None
    elif float(latest.canonical) > float(previous.canonical):
        direction = RISING
    elif float(latest.canonical) < float(previous.canonical):
        direction = FALLING
    else:
        direction = FLAT
    compare = text("recovery.previous", value=previous.display(), date=previous.date.isoformat()) if previous else ""
    shown = latest.display()
    if day < quiet:
        if direction == RISING:
            return RISING, say("recovery.platelets_rising_early", extra_refs=refs, value=shown, compare=compare), alerts
        note = say("recovery.platelets_too_early", extra_refs=refs, day=day, value=shown, compare=compare, quiet=quiet)
        return TOO_EARLY, note, alerts
    if direction is None:
        return UNKNOWN, say("recovery.platelets_one_count", extra_refs=refs, value=shown), alerts
    if direction in (FLAT, FALLING):
        alerts.append(
            alert(
                "alerts.platelets_not_rising",
                lead_refs=refs,
                value=shown,
                on_day=on_day,
                age=_age(day, case, latest),
                how="not rising" if direction == FLAT else "falling",
                compare=compare,
            )
        )
    note = say("recovery.platelets_direction", extra_refs=refs, value=shown, compare=compare, direction=direction)
    return direction, note, alerts


def _other_alerts(case: Case, day: int, today: date, sex: str | None, t: ThresholdSet) -> list[Alert]:
    out: list[Alert] = []
    k_post = [o for o in case.series("potassium") if case.treatment_start <= o.date <= today]
    if day <= max(_monitoring_days("potassium")) and not k_post:
        out.append(alert("alerts.potassium_due", day=day))
    low_k = [o for o in k_post if bands.below(o, t["potassium_lln"])]
    if low_k:
        out.append(alert("alerts.potassium_low", value=low_k[-1].display(), on_day=day_of(case, low_k[-1].date)))
    normal_by = _v("blood_count", "normal_by_day")
    hb = [o for o in case.series("hemoglobin") if o.date <= today]
    if day >= normal_by and hb and hb[-1].date > case.treatment_start:
        grade, _text = anaemia_grade(hb[-1], sex, t)
        if grade:
            weeks = int(normal_by // 7)
            out.append(
                alert(
                    "alerts.count_not_normal",
                    lead_refs=_refs("blood_count", "normal_by_day"),
                    value=hb[-1].display(),
                    on_day=day_of(case, hb[-1].date),
                    age=_age(day, case, hb[-1]),
                    weeks_word=_NUMBERS.get(weeks, str(weeks)),
                )
            )
    return out


def monitoring_tasks(case: Case, today: date) -> tuple[Task, ...]:
    """The monitoring plan from ``treatment_start`` as dated tasks."""
    start = case.treatment_start
    assert start is not None
    dates = {(o.analyte, o.date) for o in case.observations}
    out = []
    for spec in expected()["monitoring"]:
        for d in spec["days"]:
            when = start + timedelta(days=d)
            done = any((a, when) in dates for a in spec["analytes"])
            out.append(
                Task(
                    spec["id"],
                    when,
                    d,
                    spec["what"],
                    spec["why"],
                    tuple(spec["refs"]),
                    done,
                    overdue=not done and when < today,
                )
            )
    return tuple(sorted(out, key=lambda t: (t.date, t.id)))


def response(case: Case, today: date | None = None, thresholds: str | None = None) -> Response:
    """Verdicts, alerts and tasks for the course so far (``today`` defaults to the latest result)."""
    if case.treatment_start is None:
        raise ValueError("the case has no treatment_start")
    today = today or case.last_date() or case.treatment_start
    day = day_of(case, today)
    t = threshold_set(thresholds)
    retic, retic_note, alerts = _retic_verdict(case, day, today, t)
    plt, plt_note, plt_alerts = _platelet_verdict(case, day, today, t)
    alerts = by_severity(alerts + plt_alerts + _other_alerts(case, day, today, case.patient.sex, t))
    series = {
        a: tuple(case.series(a)) for a in ("platelets", "reticulocytes_pct", "reticulocytes_abs", "hemoglobin", "ldh")
    }
    return Response(day, retic, plt, tuple(alerts), retic_note, plt_note, monitoring_tasks(case, today), today, series)


def dose_course(planned: Sequence[Any], given: Sequence[Dose]) -> tuple[CourseDose, ...]:
    """Given doses, then the rest of the plan shifted so it follows the last given dose with the
    plan's own spacing (a missed or late dose moves everything after it)."""
    out = [
        CourseDose(d.date, d.dose_mcg, planned[i].phase if i < len(planned) else "extra", "given")
        for i, d in enumerate(given)
    ]
    k = len(given)
    if k == 0:
        return tuple(CourseDose(p.date, p.dose_mcg, p.phase, "planned") for p in planned)
    if k >= len(planned):
        return tuple(out)
    shift = given[-1].date - planned[k - 1].date
    out += [CourseDose(p.date + shift, p.dose_mcg, p.phase, "planned") for p in planned[k:]]
    return tuple(out)
