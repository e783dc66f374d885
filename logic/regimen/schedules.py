"""Dated doses: a regimen and a start date made into a :class:`Schedule`, its projection, and
which planned doses are due or unrecorded once some have been given.

Scheduling rules (contract: ``shared/design/case-format.md``, ``schedule``):

- The first phase starts on the start date. The first dose of each later phase follows the last
  dose of the phase before it by that phase's own spacing (a day-spaced phase: by the first gap of
  its cycle; a month-spaced phase: by its number of calendar months).
- A phase "for N weeks" keeps its doses within N x 7 days of its own first dose (a choice recorded
  as ``cobalt_regimen_choices``): every 3 days for 2 weeks gives doses on days 0, 3, 6, 9 and 12.
- A phase "for N months" after another phase covers the N calendar months after that phase's last
  dose (monthly for 12 months gives 12 doses; every 3 months for 12 months gives 4).
- Calendar months are added from the phase's anchor, never step by step, and clamped to the month's
  length: Jan 31 + 1 month is Feb 28 (or 29), + 2 months is Mar 31.

No clock is read: ``start`` and ``today`` are always passed in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from logic.case import Dose
from logic.case.dates import add_months
from logic.regimen.base import is_parenteral
from logic.regimen.build import build_regimen
from logic.regimen.phases import Phase, Regimen
from logic.results import Route


@dataclass(frozen=True)
class Injection:
    """One planned dose (the contract calls every dose an injection, oral ones included)."""

    date: date
    dose_mcg: int
    route: Route
    phase: str
    product: str = "cyanocobalamin"

    @property
    def parenteral(self) -> bool:
        return is_parenteral(self.route)


@dataclass(frozen=True)
class Checkpoint:
    """A decision on the schedule: on ``date`` (before that dose, or at the end of the phase before,
    as its rule says), what to check and why."""

    id: str
    date: date
    title: str
    text: str
    refs: tuple[str, ...]
    analytes: tuple[str, ...] = ()
    phase: str = ""


@dataclass(frozen=True)
class Schedule:
    """The dated doses of a regimen from ``start``, with its checkpoints."""

    regimen: Regimen
    start: date
    injections: tuple[Injection, ...]
    checkpoints: tuple[Checkpoint, ...] = ()

    @property
    def count(self) -> int:
        return len(self.injections)

    @property
    def total_mcg(self) -> int:
        return sum(i.dose_mcg for i in self.injections)

    @property
    def end(self) -> date | None:
        return self.injections[-1].date if self.injections else None

    @property
    def visits(self) -> int:
        """Distinct dates with an injected (IM or SC) dose: oral doses need no visit."""
        return len({i.date for i in self.injections if i.parenteral})

    def phase_spans(self) -> list[tuple[str, date, date, int]]:
        """(phase, first date, last date, doses) for each phase, in order."""
        spans: list[tuple[str, date, date, int]] = []
        for inj in self.injections:
            if spans and spans[-1][0] == inj.phase:
                name, first, _last, n = spans[-1]
                spans[-1] = (name, first, inj.date, n + 1)
            else:
                spans.append((inj.phase, inj.date, inj.date, 1))
        return spans


def _phase_dates(phase: Phase, start: date, prev_last: date | None) -> list[date]:
    if phase.every_months:
        m = phase.every_months
        anchor = prev_last or start
        k0 = 1 if prev_last else 0
        if phase.count is not None:
            ks = range(k0, k0 + phase.count)
        else:
            months = phase.months or 0
            ks = [k for k in range(k0, months // m + 1) if (k * m <= months if prev_last else k * m < months)]
        return [add_months(anchor, k * m) for k in ks]
    gaps = phase.every_days
    first = prev_last + timedelta(days=gaps[0]) if prev_last else start
    if phase.count is not None:
        limit_n, end, inclusive = phase.count, None, True
    elif phase.weeks is not None:
        limit_n, end, inclusive = None, first + timedelta(days=7 * phase.weeks), False
    else:
        limit_n = None
        end = add_months(prev_last or start, phase.months or 0)
        inclusive = prev_last is not None
    out: list[date] = []
    d = first
    i = 0
    while True:
        if limit_n is not None and len(out) >= limit_n:
            break
        if end is not None and (d > end if inclusive else d >= end):
            break
        out.append(d)
        d = d + timedelta(days=gaps[i % len(gaps)])
        i += 1
    return out


def build_schedule(regimen: Regimen, start: date) -> Schedule:
    """Every dose of ``regimen`` from ``start``, in date order, with the checkpoints placed."""
    injections: list[Injection] = []
    checkpoints: list[Checkpoint] = []
    prev_last: date | None = None
    for phase in regimen.phases:
        dates = _phase_dates(phase, start, prev_last)
        if not dates:
            continue
        if phase.checkpoint:
            c = phase.checkpoint
            when = prev_last if c.at_end_of_previous and prev_last is not None else dates[0]
            checkpoints.append(Checkpoint(c.id, when, c.title, c.text, c.refs, c.analytes, phase.name))
        injections.extend(Injection(d, phase.dose_mcg, phase.route, phase.name, phase.product) for d in dates)
        prev_last = dates[-1]
    return Schedule(regimen, start, tuple(injections), tuple(checkpoints))


def schedule(start: date, preset_id: str | None = None, **knobs: Any) -> Schedule:
    """Shortcut: :func:`build_schedule` of :func:`~logic.regimen.build.build_regimen`."""
    return build_schedule(build_regimen(preset_id, **knobs), start)


# -- projection -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Projection:
    """Counts and key dates of a schedule. ``next_due`` is the first dose on or after ``today``."""

    doses: int
    injections: int
    visits: int
    total_mcg: int
    first: date | None
    last: date | None
    end_of_loading: date | None
    days_to_end_of_loading: int | None
    today: date | None = None
    next_due: Injection | None = None


def _loading_phases(regimen: Regimen) -> set[str]:
    return {p.name for p in regimen.phases if not p.for_life and p.name != "maintenance"}


def next_due(sched: Schedule, today: date) -> Injection | None:
    """The first dose dated ``today`` or later (None when the plan is over)."""
    for inj in sched.injections:
        if inj.date >= today:
            return inj
    return None


def project(sched: Schedule, today: date | None = None) -> Projection:
    """Doses, injections (IM/SC), visits, total dose, end of loading (last dose before
    maintenance; days counted from the start) and, given ``today``, the next dose due."""
    loading = _loading_phases(sched.regimen)
    load_dates = [i.date for i in sched.injections if i.phase in loading]
    end_load = max(load_dates) if load_dates else None
    return Projection(
        doses=sched.count,
        injections=sum(1 for i in sched.injections if i.parenteral),
        visits=sched.visits,
        total_mcg=sched.total_mcg,
        first=sched.injections[0].date if sched.injections else None,
        last=sched.end,
        end_of_loading=end_load,
        days_to_end_of_loading=(end_load - sched.start).days if end_load else None,
        today=today,
        next_due=next_due(sched, today) if today else None,
    )


# -- doses given against the plan -----------------------------------------------------------------


def pending(sched: Schedule, given: Sequence[Dose]) -> tuple[Injection, ...]:
    """The planned doses not yet given, each with its planned dose, route, phase and product.

    The first ``len(given)`` doses of the plan count as given; the rest move so they follow the
    last given dose with the plan's own spacing (a late or missed dose moves everything after
    it), the rule of :func:`logic.recovery.dose_course`."""
    planned = sched.injections
    k = len(given)
    if k == 0:
        return planned
    if k >= len(planned):
        return ()
    shift = given[-1].date - planned[k - 1].date
    return tuple(replace(p, date=p.date + shift) for p in planned[k:])


def due(sched: Schedule, given: Sequence[Dose], today: date) -> Injection | None:
    """The first planned dose not yet given that is dated ``today`` or earlier (never a future dose)."""
    return next((p for p in pending(sched, given) if p.date <= today), None)


def unrecorded(sched: Schedule, given: Sequence[Dose], today: date) -> tuple[Injection, ...]:
    """The planned doses dated before ``today`` that are not recorded as given."""
    return tuple(p for p in pending(sched, given) if p.date < today)


def next_pending(sched: Schedule, given: Sequence[Dose], today: date) -> Injection | None:
    """The first planned dose not yet given that is dated ``today`` or later."""
    return next((p for p in pending(sched, given) if p.date >= today), None)


def dose_entry(inj: Injection) -> dict[str, Any]:
    """The case document's ``doses`` entry recording ``inj`` as given as planned (its real
    route and product)."""
    return {"date": inj.date.isoformat(), "dose_mcg": inj.dose_mcg, "route": str(inj.route), "product": inj.product}
