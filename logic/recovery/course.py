"""Reading the course after B12 starts: never quiet (Cobalt's reading, ``cobalt_course_collapse``).

- :func:`platelet_collapse`: the latest platelet count under B12 below 30 x10^9/L and lower than
  at the start, or at or below half the count at the start (``data/recovery.json``, platelets);
- :func:`haemolysis_active`: with haemolysis at the start, whether it is shown to settle by a day.

Used by the recovery verdicts (``logic.recovery``) and the TTP-or-B12 leaning (``logic.tma``).
``day`` counts from ``treatment_start`` (day 0); no clock is read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from logic.case import Case, Observation, bands
from logic.diagnosis import blood_picture
from logic.reference import ThresholdSet, load_json, threshold_set
from logic.reference.statements import alert, text
from logic.results import Alert


@lru_cache(maxsize=1)
def expected() -> dict[str, Any]:
    """``data/recovery.json``: the expected course, each number with its sources."""
    return load_json("recovery.json")


def value_of(section: str, key: str) -> float:
    return float(expected()[section][key]["value"])


def refs_of(section: str, key: str) -> tuple[str, ...]:
    return tuple(expected()[section][key]["refs"])


def day_of(case: Case, d: date) -> int:
    assert case.treatment_start is not None
    return (d - case.treatment_start).days


def after_start(case: Case, analyte: str, today: date) -> list[Observation]:
    start = case.treatment_start
    return [o for o in case.series(analyte) if start < o.date <= today]


def haemolysis_active(case: Case, on: date, t: ThresholdSet | None = None) -> str | None:
    """Why haemolysis is not shown to settle by ``on`` (in words), or None when it is, or when there
    was no haemolysis at the start. Settling: the latest haemoglobin after the start (up to ``on``) is
    not below its starting value, or, with no such haemoglobin, the latest LDH is lower than at the
    start. Still active: haemoglobin below its starting value, LDH not lower, or nothing measured
    again (unknown is not reassuring)."""
    t = t or threshold_set(None)
    if blood_picture(case, t).hemolysis is not True:
        return None
    base = case.baseline()
    start = case.treatment_start

    def since(analyte: str) -> Observation | None:
        later = [o for o in case.series(analyte) if start < o.date <= on and not o.comparator]
        return later[-1] if later else None

    hb0, hb, ldh0, ldh = base.get("hemoglobin"), since("hemoglobin"), base.get("ldh"), since("ldh")
    if hb is not None and hb0 is not None and not hb0.comparator:
        if float(hb.canonical) < float(hb0.canonical):
            return text("recovery.haemolysis_hb_falling", start=hb0.display(), now=hb.display())
        if ldh is None or ldh0 is None or float(ldh.canonical) < float(ldh0.canonical):
            return None
    if ldh is not None and ldh0 is not None and not ldh0.comparator:
        if float(ldh.canonical) < float(ldh0.canonical):
            return None
        return text("recovery.haemolysis_ldh_not_falling", start=ldh0.display(), now=ldh.display())
    return text("recovery.haemolysis_not_rechecked")


@dataclass(frozen=True)
class Collapse:
    """Platelets under B12 that collapsed: to below the severe level and lower than at the start
    (``severe``), or to half the starting count or less (``halved``)."""

    latest: Observation
    start: Observation | None
    day: int
    severe: bool
    halved: bool
    refs: tuple[str, ...]


def platelet_collapse(case: Case, today: date | None = None) -> Collapse | None:
    """The latest platelet count after ``treatment_start`` (up to ``today``) when it has collapsed;
    None without a treatment start, without a later count, or when it has not. A censored count
    counts only when it lies wholly past a cut-off."""
    if case.treatment_start is None:
        return None
    today = today or case.last_date() or case.treatment_start
    post = after_start(case, "platelets", today)
    if not post:
        return None
    latest, start = post[-1], case.baseline().get("platelets")
    below = value_of("platelets", "collapse_below")
    lower = start is None or bands.below(latest, float(start.canonical)) is True
    severe = bands.below(latest, below) is True and lower
    halved = start is not None and bands.at_or_below(latest, value_of("platelets", "collapse_fraction") *
                                                     float(start.canonical)) is True  # fmt: skip
    if not (severe or halved):
        return None
    refs = tuple(dict.fromkeys(refs_of("platelets", "collapse_below") + refs_of("platelets", "collapse_fraction")))
    return Collapse(latest, start, day_of(case, latest.date), severe, halved, refs)


def collapse_alert(c: Collapse) -> Alert:
    """The critical alert for a collapse: not B12's usual course; reconsider TTP now."""
    how = text("recovery.collapse_severe", below=value_of("platelets", "collapse_below")) if c.severe else ""
    if c.halved:
        half = text("recovery.collapse_halved", start=c.start.display() if c.start else "")
        how = f"{how}; {half}" if how else half
    since = text("recovery.previous", value=c.start.display(), date=c.start.date.isoformat()) if c.start else ""
    return alert("alerts.platelets_collapse", lead_refs=c.refs, value=c.latest.display(), on_day=c.day,
                 compare=since, how=how)  # fmt: skip
