"""An ESTIMATE of body B12 stores under a schedule (a one-compartment model, not a measurement).

Every parameter (stores at the start, daily loss, retention of each dose by product and dose,
oral absorption) comes from ``data/regimens.json`` ``store_model`` with its sources; the
estimate lists what it assumes and what it leaves out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from logic.case.dates import add_months
from logic.reference.statements import say
from logic.regimen.base import MILESTONE_MONTHS, RegimenError, data, is_int, products
from logic.regimen.schedules import Schedule, project
from logic.results import Note


@dataclass(frozen=True)
class Param:
    """One parameter of the store estimate: its value, unit and sources."""

    key: str
    label: str
    value: float | None
    unit: str
    refs: tuple[str, ...]
    choice: str | None = None


def _model() -> dict[str, Any]:
    return data()["store_model"]


def loss_choices() -> dict[str, Param]:
    """The published daily-loss figures (0.13 %/day vs 0.051 %/day), by id."""
    spec = _model()["daily_loss"]
    return {
        cid: Param("daily_loss_fraction", c["label"], c["value"], "fraction of stores per day", tuple(c["refs"]), cid)
        for cid, c in spec["choices"].items()
    }


def retention_curves(product: str) -> dict[str, tuple[str, tuple[tuple[float, float], ...], tuple[str, ...]]]:
    """Curve id -> (label, ((dose_mcg, retained fraction), ...), refs) for ``product``."""
    spec = _model()["retention"][product]["curves"]
    return {cid: (c["label"], tuple((float(d), float(f)) for d, f in c["points"]), tuple(c["refs"]))
            for cid, c in spec.items()}  # fmt: skip


@dataclass(frozen=True)
class StoreParams:
    """Parameters of the store estimate; ``None`` fields take the data file's defaults."""

    initial_store_mcg: float | None = None
    daily_loss: str | None = None
    cyanocobalamin_curve: str | None = None
    hydroxocobalamin_curve: str | None = None
    oral_absorbed_fraction: float | None = None

    def problems(self) -> list[str]:
        out = []
        init = _model()["initial_store_mcg"]
        v = self.initial_store_mcg
        if v is not None and (
            isinstance(v, bool) or not isinstance(v, (int, float)) or not init["min"] <= v <= init["max"]
        ):
            mg = f"{init['min'] / 1000:g}-{init['max'] / 1000:g} mg"
            out.append(f"initial_store_mcg: must be {init['min']}-{init['max']} mcg (body stores {mg}), got {v!r}")
        if self.daily_loss is not None and self.daily_loss not in loss_choices():
            out.append(f"daily_loss: must be one of {', '.join(loss_choices())}, got {self.daily_loss!r}")
        for product in products():
            cid = getattr(self, f"{product}_curve")
            if cid is not None and cid not in retention_curves(product):
                known = ", ".join(retention_curves(product))
                out.append(f"{product}_curve: must be one of {known}, got {cid!r}")
        f = self.oral_absorbed_fraction
        if f is not None and (isinstance(f, bool) or not isinstance(f, (int, float)) or not 0 <= f <= 1):
            out.append(f"oral_absorbed_fraction: must be a fraction from 0 to 1, got {f!r}")
        return out

    def resolved(self) -> StoreParams:
        """These parameters with every default filled in; :class:`RegimenError` if any is invalid."""
        problems = self.problems()
        if problems:
            raise RegimenError(problems)
        m = _model()
        return StoreParams(
            float(self.initial_store_mcg if self.initial_store_mcg is not None else m["initial_store_mcg"]["default"]),
            self.daily_loss or m["daily_loss"]["default"],
            self.cyanocobalamin_curve or m["retention"]["cyanocobalamin"]["default"],
            self.hydroxocobalamin_curve or m["retention"]["hydroxocobalamin"]["default"],
            self.oral_absorbed_fraction,
        )

    def describe(self) -> tuple[Param, ...]:
        """Every parameter with its value and sources, for display ("Why?")."""
        r = self.resolved()
        m = _model()
        init = m["initial_store_mcg"]
        out = [Param("initial_store_mcg", init["label"], r.initial_store_mcg, "mcg", tuple(init["refs"]))]
        out.append(loss_choices()[r.daily_loss])
        for product in products():
            cid = getattr(r, f"{product}_curve")
            label, points, refs = retention_curves(product)[cid]
            out.append(Param(f"{product}_retention", f"{product.capitalize()} retained: {label}", None,
                             "fraction of each dose", refs, cid))  # fmt: skip
        oral = m["oral_absorbed_fraction"]
        out.append(Param("oral_absorbed_fraction", oral["label"], r.oral_absorbed_fraction, "fraction",
                         tuple(oral["refs"]) if r.oral_absorbed_fraction is None else ("user",)))  # fmt: skip
        return tuple(out)


def retained_fraction(product: str, dose_mcg: float, curve: str | None = None) -> tuple[float, bool]:
    """(fraction of a parenteral dose retained, whether the dose lies outside the measured doses).

    Linear between measured doses; outside them the nearest measured fraction is used."""
    cid = curve or _model()["retention"][product]["default"]
    points = retention_curves(product)[cid][1]
    if dose_mcg <= points[0][0]:
        return points[0][1], dose_mcg < points[0][0]
    if dose_mcg >= points[-1][0]:
        return points[-1][1], dose_mcg > points[-1][0]
    for (d0, f0), (d1, f1) in zip(points, points[1:], strict=False):
        if d0 <= dose_mcg <= d1:
            return f0 + (f1 - f0) * (dose_mcg - d0) / (d1 - d0), False
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class StoreEstimate:
    """An ESTIMATE of body B12 stores (mcg) at the end of each sampled day, not a measurement.

    ``milestones`` gives the estimate at 1, 3 and 12 calendar months after the start (None past
    the horizon). ``params`` lists every parameter with its sources; ``assumptions`` what the model
    leaves out."""

    start: date
    dates: tuple[date, ...]
    store_mcg: tuple[float, ...]
    milestones: tuple[tuple[int, float | None], ...]
    params: tuple[Param, ...]
    assumptions: tuple[Note, ...]
    label: str = "Estimated body B12 stores (a model, not a measurement)"

    def at_months(self, months: int) -> float | None:
        return dict(self.milestones).get(months)


def estimate_stores(
    sched: Schedule,
    params: StoreParams | None = None,
    until: date | None = None,
    step_days: int = 1,
    milestone_months: Sequence[int] = MILESTONE_MONTHS,
) -> StoreEstimate:
    """Body B12 stores day by day: ``S(d) = S(d-1) x (1 - loss) + retained doses of day d``,
    from ``initial_store_mcg`` on the day before the start. Retention per dose depends on the
    product and dose (single-dose urinary-loss studies); oral doses add ``oral_absorbed_fraction``
    of the dose, or nothing when it is not set (no primary source). Sampled every ``step_days``
    days (1 daily, 7 weekly); the horizon defaults to the later of the last dose and 12 months."""
    if not is_int(step_days) or step_days < 1:
        raise RegimenError([f"step_days must be a whole number of days from 1, got {step_days!r}"])
    p = (params or StoreParams()).resolved()
    loss = loss_choices()[p.daily_loss].value or 0.0
    horizon = max(sched.end or sched.start, add_months(sched.start, max(milestone_months, default=0)))
    until = until or horizon
    days = max((until - sched.start).days, 0) + 1
    added = [0.0] * days
    assumptions: list[Note] = []
    outside: set[tuple[str, int]] = set()
    oral_seen = False
    cache: dict[tuple[str, str, int], float] = {}
    for inj in sched.injections:
        idx = (inj.date - sched.start).days
        if idx < 0 or idx >= days:
            continue
        if not inj.parenteral:
            oral_seen = True
            added[idx] += inj.dose_mcg * (p.oral_absorbed_fraction or 0.0)
            continue
        key = (inj.product, inj.route, inj.dose_mcg)
        if key not in cache:
            frac, out_of_range = retained_fraction(inj.product, inj.dose_mcg, getattr(p, f"{inj.product}_curve"))
            cache[key] = frac
            if out_of_range:
                outside.add((inj.product, inj.dose_mcg))
        added[idx] += inj.dose_mcg * cache[key]
    series = [0.0] * days
    s = p.initial_store_mcg
    keep = 1.0 - loss
    for i in range(days):
        s = s * keep + added[i]
        series[i] = s
    for product, dose in sorted(outside):
        cid = getattr(p, f"{product}_curve")
        label, points, refs = retention_curves(product)[cid]
        assumptions.append(say("regimen.stores_dose_outside_measured", extra_refs=refs, dose=dose, product=product,
                               low=points[0][0], high=points[-1][0]))  # fmt: skip
    if oral_seen:
        if p.oral_absorbed_fraction is None:
            assumptions.append(say("regimen.stores_oral_adds_nothing"))
        else:
            assumptions.append(say("regimen.stores_oral_fraction_entered", fraction=p.oral_absorbed_fraction))
    assumptions.append(Note(_model()["about"], ("cobalt_regimen_choices",)))
    milestones = []
    for m in milestone_months:
        idx = (add_months(sched.start, m) - sched.start).days
        milestones.append((m, series[idx] if 0 <= idx < days else None))
    idxs = range(0, days, step_days)
    return StoreEstimate(
        sched.start,
        tuple(sched.start + timedelta(days=i) for i in idxs),
        tuple(series[i] for i in idxs),
        tuple(milestones),
        p.describe(),
        tuple(assumptions),
    )


def summary(sched: Schedule, params: StoreParams | None = None, today: date | None = None) -> dict[str, Any]:
    """One row for the side-by-side comparison: injections, visits, total dose, days to the end
    of loading, and the store estimate at 1, 3 and 12 months."""
    proj = project(sched, today)
    est = estimate_stores(sched, params)
    row: dict[str, Any] = {
        "regimen": sched.regimen.name,
        "preset": sched.regimen.id,
        "doses": proj.doses,
        "injections": proj.injections,
        "visits": proj.visits,
        "total_mcg": proj.total_mcg,
        "days_to_end_of_loading": proj.days_to_end_of_loading,
    }
    for m, v in est.milestones:
        row[f"store_{m}m_mcg"] = None if v is None else round(v)
    return row
