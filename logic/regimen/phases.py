"""Phases and regimens: validated values, and the regimen document that stores or shares them.

A :class:`Regimen` is a sequence of :class:`Phase` values (product, route, dose, spacing, and how
long: a number of doses, a number of weeks, or a number of months, possibly "for life").
:func:`regimen_to_doc` / :func:`regimen_from_doc` are its storage format (like the case
document): plain JSON values, read back with every problem listed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from logic.regimen.base import (
    MAX_COUNT,
    MAX_DOSE_MCG,
    MAX_MONTHS,
    MAX_WEEKS,
    CheckpointRule,
    RegimenError,
    canonical_route,
    checkpoint_rules,
    is_int,
    is_parenteral,
    products,
    refused_reason,
    routes,
)
from logic.results import Note, Route


def phase_problems(
    name: Any,
    product: Any,
    route: Any,
    dose_mcg: Any,
    every_days: Any = (),
    every_months: Any = 0,
    count: Any = None,
    weeks: Any = None,
    months: Any = None,
) -> list[str]:
    """Every problem with these phase values, in words a clinician can act on (empty when valid)."""
    label = f"phase {name!r}" if isinstance(name, str) and name else "phase"
    out: list[str] = []
    if not isinstance(name, str) or not name.strip() or len(name) > 40:
        out.append(f"{label}: name must be 1-40 characters")
    if product not in products():
        out.append(f"{label}: product must be one of {', '.join(products())}, got {product!r}")
    route = canonical_route(route)
    reason = refused_reason(route) if isinstance(route, str) else None
    if reason is not None:
        out.append(f"{label}: {reason}")
    elif route not in routes():
        out.append(f"{label}: route must be one of {', '.join(routes())}, got {route!r}")
    if not is_int(dose_mcg) or not 1 <= dose_mcg <= MAX_DOSE_MCG:
        out.append(f"{label}: dose must be a whole number of mcg from 1 to {MAX_DOSE_MCG}, got {dose_mcg!r}")
    days = tuple(every_days or ())
    if days and every_months:
        out.append(f"{label}: give a spacing in days or in months, not both")
    elif days:
        if not all(is_int(g) and 1 <= g <= 366 for g in days):
            out.append(f"{label}: each gap must be a whole number of days from 1 to 366, got {list(days)!r}")
    elif every_months:
        if not is_int(every_months) or not 1 <= every_months <= 12:
            out.append(f"{label}: spacing must be 1 to 12 calendar months, got {every_months!r}")
    else:
        out.append(f"{label}: give a spacing (every N days or every N months)")
    bounds = [(k, v) for k, v in (("count", count), ("weeks", weeks), ("months", months)) if v is not None]
    limits = {"count": MAX_COUNT, "weeks": MAX_WEEKS, "months": MAX_MONTHS}
    if len(bounds) != 1:
        out.append(f"{label}: give exactly one of a number of doses, weeks or months")
    else:
        key, value = bounds[0]
        if not is_int(value) or not 1 <= value <= limits[key]:
            out.append(f"{label}: {key} must be a whole number from 1 to {limits[key]}, got {value!r}")
        if key == "weeks" and every_months:
            out.append(f"{label}: a monthly phase lasts a number of doses or months, not weeks")
    return out


@dataclass(frozen=True)
class Phase:
    """One phase: ``dose_mcg`` of ``product`` by ``route``, spaced by a cycle of day gaps or by
    calendar months, for ``count`` doses, ``weeks`` (from its own first dose) or ``months``.
    ``for_life`` marks lifelong maintenance (shown for ``months``). Validated on creation; the
    route is read as a :class:`Route` (``deep SC`` as SC)."""

    name: str
    product: str
    route: Route
    dose_mcg: int
    every_days: tuple[int, ...] = ()
    every_months: int = 0
    count: int | None = None
    weeks: int | None = None
    months: int | None = None
    for_life: bool = False
    checkpoint: CheckpointRule | None = None
    refs: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "every_days", tuple(self.every_days))
        object.__setattr__(self, "refs", tuple(self.refs))
        problems = phase_problems(
            self.name,
            self.product,
            self.route,
            self.dose_mcg,
            self.every_days,
            self.every_months,
            self.count,
            self.weeks,
            self.months,
        )
        if problems:
            raise RegimenError(problems)
        object.__setattr__(self, "route", canonical_route(self.route))

    @property
    def parenteral(self) -> bool:
        return is_parenteral(self.route)

    @property
    def spacing_text(self) -> str:
        if self.every_months:
            return "every month" if self.every_months == 1 else f"every {self.every_months} months"
        gaps = self.every_days
        if len(set(gaps)) == 1:
            g = gaps[0]
            return {1: "every day", 2: "every other day", 7: "every week"}.get(g, f"every {g} days")
        if sum(gaps) % 7 == 0:
            return f"{len(gaps) * 7 // sum(gaps)} times a week (gaps of {', '.join(map(str, gaps))} days)"
        return f"gaps of {', '.join(map(str, gaps))} days in turn"

    @property
    def duration_text(self) -> str:
        if self.count is not None:
            return f"{self.count} doses"
        if self.weeks is not None:
            return f"for {self.weeks} weeks"
        if self.for_life:
            return f"for life (shown for {self.months} months)"
        return f"for {self.months} months"

    def describe(self) -> str:
        """E.g. ``1000 mcg IM every other day, 7 doses (cyanocobalamin)``."""
        return f"{self.dose_mcg:g} mcg {self.route} {self.spacing_text}, {self.duration_text} ({self.product})"


@dataclass(frozen=True)
class Regimen:
    """A named sequence of phases, its sources, and the knob values that built it."""

    id: str
    name: str
    phases: tuple[Phase, ...]
    refs: tuple[str, ...] = ()
    knobs: tuple[tuple[str, int], ...] = ()
    notes: tuple[Note, ...] = ()

    def knob(self, key: str) -> int | None:
        return dict(self.knobs).get(key)

    @property
    def all_refs(self) -> tuple[str, ...]:
        """The regimen's references and every phase's, in first-seen order."""
        seen: dict[str, None] = dict.fromkeys(self.refs)
        for p in self.phases:
            seen.update(dict.fromkeys(p.refs))
            if p.checkpoint:
                seen.update(dict.fromkeys(p.checkpoint.refs))
        return tuple(seen)


def custom_regimen(
    phases: Sequence[Phase],
    name: str = "Custom regimen",
    refs: Iterable[str] = (),
    *,
    regimen_id: str = "custom",
    knobs: Mapping[str, int] | None = None,
    notes: Iterable[Note] = (),
) -> Regimen:
    """A regimen built phase by phase; :class:`RegimenError` when the sequence makes no sense."""
    phases = tuple(phases)
    problems = []
    if not phases:
        problems.append("a regimen needs at least one phase")
    if not all(isinstance(p, Phase) for p in phases):
        problems.append("every phase must be a Phase value")
    for i, p in enumerate(phases[:-1]):
        if isinstance(p, Phase) and p.for_life:
            problems.append(f"phase {i + 1} ({p.name}) is 'for life', so it must be the last phase")
    if problems:
        raise RegimenError(problems)
    return Regimen(regimen_id, name, phases, tuple(refs), tuple((knobs or {}).items()), tuple(notes))


# -- the regimen document (storage and sharing) ---------------------------------------------------

PHASE_KEYS = ("name", "product", "route", "dose_mcg", "every_days", "every_months", "count", "weeks", "months",
              "for_life", "checkpoint", "refs")  # fmt: skip


def phase_to_doc(phase: Phase) -> dict[str, Any]:
    """A phase as plain JSON values: the spacing in days or months, the one length that is set."""
    out: dict[str, Any] = {
        "name": phase.name,
        "product": phase.product,
        "route": str(phase.route),
        "dose_mcg": phase.dose_mcg,
    }
    if phase.every_months:
        out["every_months"] = phase.every_months
    else:
        out["every_days"] = list(phase.every_days)
    for key in ("count", "weeks", "months"):
        if getattr(phase, key) is not None:
            out[key] = getattr(phase, key)
    out["for_life"] = phase.for_life
    out["checkpoint"] = phase.checkpoint.id if phase.checkpoint else None
    out["refs"] = list(phase.refs)
    return out


def phase_from_doc(raw: Mapping[str, Any]) -> Phase:
    """A phase from :func:`phase_to_doc` output (or a custom row); :class:`RegimenError` lists every problem."""
    problems = [f"phase: unknown field {k!r}" for k in raw if k not in PHASE_KEYS]
    every_days = raw.get("every_days") or ()
    if isinstance(every_days, int):
        every_days = (every_days,)
    if not isinstance(every_days, (list, tuple)):
        problems.append(f"phase: every_days must be a list of day gaps, got {every_days!r}")
        every_days = ()
    cp = raw.get("checkpoint")
    if cp is not None and cp not in checkpoint_rules():
        problems.append(f"phase: unknown checkpoint {cp!r}")
    for_life = raw.get("for_life", False)
    if not isinstance(for_life, bool):
        problems.append(f"phase: for_life must be true or false, got {for_life!r}")
    problems += phase_problems(
        raw.get("name"),
        raw.get("product"),
        raw.get("route"),
        raw.get("dose_mcg"),
        tuple(every_days),
        raw.get("every_months") or 0,
        raw.get("count"),
        raw.get("weeks"),
        raw.get("months"),
    )
    if problems:
        raise RegimenError(problems)
    return Phase(
        raw["name"],
        raw["product"],
        raw["route"],
        raw["dose_mcg"],
        tuple(every_days),
        raw.get("every_months") or 0,
        raw.get("count"),
        raw.get("weeks"),
        raw.get("months"),
        bool(for_life),
        checkpoint_rules()[cp] if cp else None,
        tuple(raw.get("refs") or ()),
    )


def regimen_to_doc(regimen: Regimen) -> dict[str, Any]:
    """A regimen as plain JSON values (id, name, phases, refs, knobs, notes)."""
    return {
        "id": regimen.id,
        "name": regimen.name,
        "phases": [phase_to_doc(p) for p in regimen.phases],
        "refs": list(regimen.refs),
        "knobs": dict(regimen.knobs),
        "notes": [n.to_dict() for n in regimen.notes],
    }


def regimen_from_doc(raw: Mapping[str, Any]) -> Regimen:
    """A regimen from :func:`regimen_to_doc` output; :class:`RegimenError` lists every problem,
    each phase's prefixed with its index."""
    problems: list[str] = []
    phases: list[Phase] = []
    for i, p in enumerate(raw.get("phases") or ()):
        try:
            phases.append(phase_from_doc(p))
        except RegimenError as exc:
            problems += [f"phases[{i}]: {m}" for m in exc.problems]
    if problems:
        raise RegimenError(problems)
    notes = tuple(Note(n["text"], tuple(n.get("refs", ()))) for n in raw.get("notes", ()))
    return custom_regimen(
        phases,
        name=raw.get("name", "Custom regimen"),
        refs=raw.get("refs", ()),
        regimen_id=raw.get("id", "custom"),
        knobs=raw.get("knobs", {}),
        notes=notes,
    )
