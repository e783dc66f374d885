"""The recovery course after B12 starts: verdicts on reticulocytes and platelets, alerts when
recovery lags, the monitoring plan as dated tasks, and given versus planned doses.

Expected course (``data/recovery.json``, each number with its source): reticulocytes rise from
about day 3 and peak near day 7 (US label: days 3-10) and should stay at least twice normal while
the haematocrit is below 35 % (FDA cyanocobalamin label); the blood count normalises in about
eight weeks. No published platelet recovery rate exists: platelets get no verdict before the end
of the second week (published cases fall in the first week: Manabe 2025), and after that only
the direction of the last two counts is judged. ``day`` counts from ``treatment_start`` (day 0).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from logic import bands
from logic.case import Case, Dose, Observation
from logic.diagnosis import anaemia_grade
from logic.reference import load_json, threshold_set
from logic.results import Alert, Note

TOO_EARLY, ADEQUATE, DELAYED, ABSENT, UNKNOWN = "too_early", "adequate", "delayed", "absent", "unknown"
NORMAL, RISING, FLAT, FALLING = "normal", "rising", "flat", "falling"


@lru_cache(maxsize=1)
def expected() -> dict[str, Any]:
    return load_json("recovery.json")


def _v(section: str, key: str) -> float:
    return float(expected()[section][key]["value"])


def _refs(section: str, key: str) -> tuple[str, ...]:
    return tuple(expected()[section][key]["refs"])


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


def day_of(case: Case, d: date) -> int:
    assert case.treatment_start is not None
    return (d - case.treatment_start).days


def _after_start(case: Case, analyte: str, today: date) -> list[Observation]:
    start = case.treatment_start
    return [o for o in case.series(analyte) if start < o.date <= today]


def _retic_threshold(obs: Observation) -> float:
    key = "reference_upper_pct" if obs.analyte == "reticulocytes_pct" else "reference_upper_abs"
    return _v("reticulocytes", "sustain_multiple") * _v("reticulocytes", key)


def _retic_verdict(case: Case, day: int, today: date) -> tuple[str, Note, list[Alert]]:
    r = "reticulocytes"
    refs = _refs(r, "rise_from_day") + _refs(r, "sustain_multiple") + _refs(r, "reference_upper_pct")
    rise_from, peak, window_end = (_v(r, k) for k in ("rise_from_day", "peak_day", "window_end_day"))
    post = _after_start(case, "reticulocytes_pct", today) + _after_start(case, "reticulocytes_abs", today)
    post.sort(key=lambda o: (o.date, o.index))
    alerts: list[Alert] = []
    if day < rise_from:
        return (
            TOO_EARLY,
            Note(f"Day {day}: reticulocytes are not expected to rise before day {rise_from:g}.", refs),
            alerts,
        )
    good = [o for o in post if day_of(case, o.date) >= rise_from and bands.above(o, _retic_threshold(o) - 1e-9)]
    if good:
        best = max(good, key=lambda o: float(o.canonical) / _retic_threshold(o))
        note = Note(
            f"Reticulocytes {best.display()} on day {day_of(case, best.date)}: at least twice the upper "
            "reference limit, the response the label asks for.",
            refs,
        )
        alerts.append(Alert("retic_response", "info", "Reticulocyte response seen: the marrow is answering B12.", refs))
        latest = post[-1]
        hct = _latest_hct(case, today)
        if (
            latest is not best
            and hct is not None
            and hct < _v(r, "sustain_while_hct_below")
            and bands.below(latest, _retic_threshold(latest))
        ):
            alerts.append(
                Alert(
                    "retic_not_sustained",
                    "warning",
                    f"Reticulocytes have fallen to {latest.display()} while the haematocrit is still below "
                    f"{_v(r, 'sustain_while_hct_below'):g} %: the label asks for the diagnosis or treatment to be "
                    "re-evaluated (repeat iron and folate).",
                    _refs(r, "sustain_multiple") + ("cobalt_lag_differential",),
                )
            )
        return ADEQUATE, note, alerts
    if not post:
        if day >= 5:
            alerts.append(
                Alert(
                    "retic_not_measured",
                    "warning",
                    f"Day {day}: no reticulocyte count since treatment started; the label asks for "
                    "daily counts on days 5-7.",
                    ("fda_cyanocobalamin_label",),
                )
            )
        verdict = TOO_EARLY if day < peak else UNKNOWN
        return verdict, Note("No reticulocyte count since treatment started.", refs), alerts
    latest = post[-1]
    if day <= window_end:
        verdict = DELAYED if day >= peak else TOO_EARLY
        return (
            verdict,
            Note(
                f"Day {day}: reticulocytes {latest.display()}, not yet twice normal; the label's window runs to day "
                f"{window_end:g}.",
                refs,
            ),
            alerts,
        )
    alerts.append(
        Alert(
            "retic_response_absent",
            "warning",
            f"No reticulocyte response by day {day} (latest {latest.display()}). Re-evaluate the diagnosis and the "
            "treatment: check iron and folate (the label), thyroid function and infection, and whether this is B12 "
            "deficiency at all.",
            ("fda_cyanocobalamin_label", "cobalt_lag_differential"),
        )
    )
    return ABSENT, Note(f"No reticulocyte rise to twice normal by day {day}.", refs), alerts


def _age(day: int, case: Case, obs: Observation) -> str:
    """' (latest count, 12 days old)' when the value is not from the day being judged."""
    old = day - day_of(case, obs.date)
    return f" (latest result, {old} days old)" if old > 0 else ""


def _latest_hct(case: Case, today: date) -> float | None:
    hct = [o for o in case.series("hematocrit") if o.date <= today and not o.comparator]
    hb = [o for o in case.series("hemoglobin") if o.date <= today and not o.comparator]
    if hct and (not hb or hct[-1].date >= hb[-1].date):
        return float(hct[-1].canonical)
    if hb:
        return 3 * float(hb[-1].canonical)
    return None


def _platelet_verdict(case: Case, day: int, today: date, lln: float) -> tuple[str, Note, list[Alert]]:
    refs = _refs("platelets", "no_verdict_before_day")
    quiet = _v("platelets", "no_verdict_before_day")
    post = [o for o in _after_start(case, "platelets", today) if not o.comparator]
    base = case.baseline().get("platelets")
    alerts: list[Alert] = []
    if not post:
        verdict = TOO_EARLY if day < quiet else UNKNOWN
        return verdict, Note("No platelet count since treatment started.", refs), alerts
    latest = post[-1]
    if bands.below(latest, lln) is False:
        alerts.append(
            Alert(
                "platelets_normal",
                "info",
                f"Platelets {latest.display()} on day {day_of(case, latest.date)}: back in the reference range.",
                refs + ("ref_ranges_lab",),
            )
        )
        return NORMAL, Note(f"Platelets {latest.display()}: at or above {lln:g} x10^9/L.", refs), alerts
    previous = post[-2] if len(post) > 1 else base
    if previous is None:
        direction = None
    elif float(latest.canonical) > float(previous.canonical):
        direction = RISING
    elif float(latest.canonical) < float(previous.canonical):
        direction = FALLING
    else:
        direction = FLAT
    compare = f" (previous {previous.display()} on {previous.date.isoformat()})" if previous else ""
    if day < quiet:
        if direction == RISING:
            return RISING, Note(f"Platelets {latest.display()}{compare}: rising.", refs), alerts
        return (
            TOO_EARLY,
            Note(
                f"Day {day}: platelets {latest.display()}{compare}. Counts often fall in the first week before they "
                f"rise; no verdict before day {quiet:g}.",
                refs,
            ),
            alerts,
        )
    if direction is None:
        return UNKNOWN, Note(f"Platelets {latest.display()}: only one count, no direction yet.", refs), alerts
    if direction in (FLAT, FALLING):
        alerts.append(
            Alert(
                "platelets_not_rising",
                "warning",
                f"Platelets {latest.display()} on day {day_of(case, latest.date)}{_age(day, case, latest)} are "
                f"{'not rising' if direction == FLAT else 'falling'}"
                f"{compare} after the second week of B12. Reconsider TTP, immune thrombocytopenia, marrow disease and "
                "drugs.",
                refs + ("cobalt_lag_differential",),
            )
        )
    return (
        direction,
        Note(
            f"Platelets {latest.display()}{compare}: {direction}. No published recovery rate exists; "
            "only the direction is judged.",
            refs,
        ),
        alerts,
    )


def _other_alerts(case: Case, day: int, today: date, sex: str | None) -> list[Alert]:
    t = threshold_set()
    out: list[Alert] = []
    k_post = [o for o in case.series("potassium") if case.treatment_start <= o.date <= today]
    if day <= 2 and not k_post:
        out.append(
            Alert(
                "potassium_due",
                "warning",
                f"Day {day} of treatment: no potassium result yet; the label asks for close potassium "
                "monitoring in the first 48 hours.",
                ("fda_cyanocobalamin_label",),
            )
        )
    low_k = [o for o in k_post if bands.below(o, t["potassium_lln"])]
    if low_k:
        out.append(
            Alert(
                "potassium_low",
                "critical",
                f"Potassium {low_k[-1].display()} on day {day_of(case, low_k[-1].date)}: hypokalaemia "
                "during early treatment; replace as needed.",
                ("fda_cyanocobalamin_label",),
            )
        )
    normal_by = _v("blood_count", "normal_by_day")
    hb = [o for o in case.series("hemoglobin") if o.date <= today]
    if day >= normal_by and hb and hb[-1].date > case.treatment_start:
        grade, _text = anaemia_grade(hb[-1], sex, t)
        if grade:
            out.append(
                Alert(
                    "count_not_normal",
                    "warning",
                    f"Haemoglobin {hb[-1].display()} on day {day_of(case, hb[-1].date)}{_age(day, case, hb[-1])}: "
                    "the blood count usually normalises in "
                    "about eight weeks. Look for iron or folate deficiency unmasked by treatment, and "
                    "review adherence and the diagnosis.",
                    _refs("blood_count", "normal_by_day") + ("cobalt_lag_differential",),
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
    retic, retic_note, alerts = _retic_verdict(case, day, today)
    plt, plt_note, plt_alerts = _platelet_verdict(case, day, today, t["platelets_lln"])
    alerts = alerts + plt_alerts + _other_alerts(case, day, today, case.patient.sex)
    alerts.sort(key=lambda a: ("critical", "warning", "info").index(a.severity))
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
