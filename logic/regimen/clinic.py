"""A schedule a clinic can run: blood-test appointments beside the doses, injections kept off
weekends where the schedule's own spacing allows, and whether the plan continues for life.

- :func:`blood_tests`: the monitoring plan of ``data/recovery.json`` (the tasks of
  :func:`logic.recovery.monitoring_tasks`) dated from the first dose, one appointment per day.
- :func:`off_weekends`: injections moved off Saturdays and Sundays, each by at most two days,
  never closer to the dose before than the shortest gap its phase has in the plan (for a dose
  opening a phase: its gap from the dose before); a weekend dose that cannot move stays, and the
  result says why. Only injected doses move (a tablet needs no visit).
- :func:`for_life`: the last phase of a plan that does not end, and the date the next dose would
  fall after the last one shown.

No clock is read.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, timedelta

from logic.case.dates import add_months
from logic.regimen.phases import Phase
from logic.regimen.schedules import Injection, Schedule

SATURDAY = 5
MAX_SHIFT_DAYS = 2
#: Costs of a placement: one injection left on a weekend outweighs any number of moves, and one
#: more dose moved outweighs moving the others further.
WEEKEND_COST = 100_000
MOVE_COST = 10


@dataclass(frozen=True)
class BloodTest:
    """A blood-test appointment: the monitoring tasks due that day (``day`` counts from the first dose)."""

    date: date
    day: int
    ids: tuple[str, ...]
    what: tuple[str, ...]  # the clinician's words, one per task
    plain: tuple[str, ...]  # the patient's words, one per task
    refs: tuple[str, ...]


def blood_tests(start: date) -> tuple[BloodTest, ...]:
    """The monitoring plan (``data/recovery.json``) from ``start``, one appointment per date."""
    from logic.recovery import expected

    by_day: dict[int, list[dict]] = defaultdict(list)
    for spec in expected()["monitoring"]:
        for d in spec["days"]:
            by_day[d].append(spec)
    out = []
    for d in sorted(by_day):
        specs = by_day[d]
        refs = dict.fromkeys(r for s in specs for r in s["refs"])
        plain = tuple(dict.fromkeys(s["patient"] for s in specs))
        out.append(
            BloodTest(
                start + timedelta(days=d),
                d,
                tuple(s["id"] for s in specs),
                tuple(s["what"] for s in specs),
                plain,
                tuple(refs),
            )  # fmt: skip
        )
    return tuple(out)


@dataclass(frozen=True)
class Move:
    """A dose moved off a weekend (``to`` set), or one that stays on it (``to`` None) and why."""

    planned: Injection
    to: date | None
    reason: str = ""

    @property
    def days(self) -> int:
        return 0 if self.to is None else (self.to - self.planned.date).days


@dataclass(frozen=True)
class WeekdayPlan:
    """The schedule with weekend doses moved, what moved and what could not."""

    schedule: Schedule
    moves: tuple[Move, ...]

    @property
    def moved(self) -> tuple[Move, ...]:
        return tuple(m for m in self.moves if m.to is not None)

    @property
    def kept(self) -> tuple[Move, ...]:
        return tuple(m for m in self.moves if m.to is None)


def shortest_gaps(sched: Schedule) -> dict[str, int]:
    """Phase -> the shortest gap (days) between a dose of that phase and the dose before it, in the plan."""
    out: dict[str, int] = {}
    doses = sched.injections
    for prev, inj in zip(doses, doses[1:], strict=False):
        gap = (inj.date - prev.date).days
        out[inj.phase] = min(gap, out.get(inj.phase, gap))
    return out


def off_weekends(sched: Schedule) -> WeekdayPlan:
    """``sched`` with as few injected doses on a Saturday or Sunday as the plan's spacing allows.

    Every dose stays within two days of its planned date, keeps its order, and stays at least the
    shortest gap its phase has in the plan (:func:`shortest_gaps`) after the dose before it; a dose
    that moves goes to a weekday on or after the first dose. Among the placements that leave the
    fewest injections on a weekend, the one that moves fewest doses, and then moves them least, is
    taken (a Saturday dose goes to Friday rather than Monday when both are free). Tablets never
    move. Solved exactly, dose by dose, over the five possible shifts of each dose (dynamic
    programming).
    """
    doses = sched.injections
    if not doses:
        return WeekdayPlan(sched, ())
    gaps = shortest_gaps(sched)
    shifts = range(-MAX_SHIFT_DAYS, MAX_SHIFT_DAYS + 1)

    def allowed(inj: Injection) -> tuple[int, ...]:
        if not inj.parenteral:
            return (0,)
        moved = [(s, inj.date + timedelta(days=s)) for s in shifts if s != 0]
        return (0,) + tuple(s for s, d in moved if d >= sched.start and d.weekday() < SATURDAY)

    def cost(inj: Injection, s: int) -> int:
        on_weekend = inj.parenteral and (inj.date + timedelta(days=s)).weekday() >= SATURDAY
        return WEEKEND_COST * on_weekend + MOVE_COST * (s != 0) + abs(s)

    best: dict[int, int] = {s: cost(doses[0], s) for s in allowed(doses[0])}
    back: list[dict[int, int]] = [{}]
    for k in range(1, len(doses)):
        inj, prev = doses[k], doses[k - 1]
        need = gaps.get(inj.phase, 0)
        row: dict[int, int] = {}
        link: dict[int, int] = {}
        for s in allowed(inj):
            options = [(c, p) for p, c in best.items() if (inj.date - prev.date).days + s - p >= need]
            if options:
                c, p = min(options)
                row[s], link[s] = c + cost(inj, s), p
        best, back = row, back + [link]
    s = min(best, key=lambda x: (best[x], abs(x)))
    chosen = [s]
    for k in range(len(doses) - 1, 0, -1):
        s = back[k][s]
        chosen.append(s)
    chosen.reverse()
    placed = tuple(replace(inj, date=inj.date + timedelta(days=s)) if s else inj
                   for inj, s in zip(doses, chosen, strict=True))  # fmt: skip
    moves = []
    for inj, s, new in zip(doses, chosen, placed, strict=True):
        if s:
            moves.append(Move(inj, new.date))
        elif inj.parenteral and inj.date.weekday() >= SATURDAY:
            phase, need = inj.phase.replace("_", " "), gaps.get(inj.phase, 0)
            why = f"no weekday within {MAX_SHIFT_DAYS} days keeps the {phase} doses at least {need} day(s) apart"
            moves.append(Move(inj, None, why))
    return WeekdayPlan(replace(sched, injections=placed), tuple(moves))


def for_life(sched: Schedule) -> tuple[Phase, date] | None:
    """(the phase that continues for life, the date its next dose would fall after the last one
    shown), or None when the plan ends."""
    if not sched.regimen.phases or not sched.injections:
        return None
    last_phase = sched.regimen.phases[-1]
    if not last_phase.for_life:
        return None
    last = sched.injections[-1].date
    if last_phase.every_months:
        return last_phase, add_months(last, last_phase.every_months)
    return last_phase, last + timedelta(days=last_phase.every_days[0])


def describe_move(m: Move) -> str:
    """One line, e.g. ``Sat 07 Nov 2026 -> Fri 06 Nov 2026`` or ``Sat 07 Nov 2026 stays on the weekend: ...``."""
    if m.to is None:
        return f"{m.planned.date:%a %d %b %Y} stays on the weekend: {m.reason}"
    return f"{m.planned.date:%a %d %b %Y} -> {m.to:%a %d %b %Y}"
