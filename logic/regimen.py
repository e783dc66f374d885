"""B12 treatment regimens: presets with their sources, schedules, projections and a store estimate.

A :class:`Regimen` is a sequence of :class:`Phase` values (product, route, dose, spacing, and how
long: a number of doses, a number of weeks, or a number of months, possibly "for life").
Presets live in ``data/regimens.json``; every phase and knob names its references there.
:func:`build_schedule` turns a regimen and a start date into dated :class:`Injection` values.

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

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from logic import serialize
from logic.case import Case, Observation
from logic.dates import add_months
from logic.reference import load_json, threshold_set
from logic.results import Note

REGIMENS_FILE = "regimens.json"
MAX_DOSE_MCG = 5000
MAX_MONTHS = 360
MAX_WEEKS = 104
MAX_COUNT = 2000
MILESTONE_MONTHS = (1, 3, 12)


class RegimenError(ValueError):
    """Raised with every problem found in a regimen, a phase or a set of knob values."""

    def __init__(self, problems: Sequence[str]):
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


class RegimenRefused(RegimenError):
    """A preset refused for this case (for example oral maintenance in pernicious anaemia)."""

    def __init__(self, suitability: Suitability):
        self.suitability = suitability
        super().__init__([suitability.text])


# -- data -----------------------------------------------------------------------------------------


def _data() -> dict[str, Any]:
    return load_json(REGIMENS_FILE)


def products() -> tuple[str, ...]:
    return tuple(_data()["products"])


def routes() -> tuple[str, ...]:
    return tuple(_data()["routes"])


def is_parenteral(route: str) -> bool:
    """True for injected routes (IM, deep SC): these need a clinic visit."""
    return bool(_data()["routes"].get(route, {}).get("parenteral", False))


@dataclass(frozen=True)
class CheckpointRule:
    """A decision the source ties to the step into a phase (placed on that phase's first dose)."""

    id: str
    title: str
    text: str
    refs: tuple[str, ...]
    analytes: tuple[str, ...] = ()


@lru_cache(maxsize=1)
def checkpoint_rules() -> dict[str, CheckpointRule]:
    return {
        cid: CheckpointRule(cid, c["title"], c["text"], tuple(c["refs"]), tuple(c.get("analytes", ())))
        for cid, c in _data()["checkpoints"].items()
    }


# -- phases and regimens --------------------------------------------------------------------------


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


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
    refused = _data()["refused_routes"]
    if route in refused:
        out.append(f"{label}: {refused[route]['reason']}")
    elif route not in routes():
        out.append(f"{label}: route must be one of {', '.join(routes())}, got {route!r}")
    if not _is_int(dose_mcg) or not 1 <= dose_mcg <= MAX_DOSE_MCG:
        out.append(f"{label}: dose must be a whole number of mcg from 1 to {MAX_DOSE_MCG}, got {dose_mcg!r}")
    days = tuple(every_days or ())
    if days and every_months:
        out.append(f"{label}: give a spacing in days or in months, not both")
    elif days:
        if not all(_is_int(g) and 1 <= g <= 366 for g in days):
            out.append(f"{label}: each gap must be a whole number of days from 1 to 366, got {list(days)!r}")
    elif every_months:
        if not _is_int(every_months) or not 1 <= every_months <= 12:
            out.append(f"{label}: spacing must be 1 to 12 calendar months, got {every_months!r}")
    else:
        out.append(f"{label}: give a spacing (every N days or every N months)")
    bounds = [(k, v) for k, v in (("count", count), ("weeks", weeks), ("months", months)) if v is not None]
    limits = {"count": MAX_COUNT, "weeks": MAX_WEEKS, "months": MAX_MONTHS}
    if len(bounds) != 1:
        out.append(f"{label}: give exactly one of a number of doses, weeks or months")
    else:
        key, value = bounds[0]
        if not _is_int(value) or not 1 <= value <= limits[key]:
            out.append(f"{label}: {key} must be a whole number from 1 to {limits[key]}, got {value!r}")
        if key == "weeks" and every_months:
            out.append(f"{label}: a monthly phase lasts a number of doses or months, not weeks")
    return out


@dataclass(frozen=True)
class Phase:
    """One phase: ``dose_mcg`` of ``product`` by ``route``, spaced by a cycle of day gaps or by
    calendar months, for ``count`` doses, ``weeks`` (from its own first dose) or ``months``.
    ``for_life`` marks lifelong maintenance (shown for ``months``). Validated on creation."""

    name: str
    product: str
    route: str
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

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "product": self.product,
            "route": self.route,
            "dose_mcg": self.dose_mcg,
        }
        if self.every_months:
            out["every_months"] = self.every_months
        else:
            out["every_days"] = list(self.every_days)
        for key in ("count", "weeks", "months"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        out["for_life"] = self.for_life
        out["checkpoint"] = self.checkpoint.id if self.checkpoint else None
        out["refs"] = list(self.refs)
        return out

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Phase:
        """A phase from :meth:`to_dict` output (or a custom row); :class:`RegimenError` lists every problem."""
        known = {"name", "product", "route", "dose_mcg", "every_days", "every_months", "count", "weeks", "months",
                 "for_life", "checkpoint", "refs"}  # fmt: skip
        problems = [f"phase: unknown field {k!r}" for k in raw if k not in known]
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
        return cls(
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

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "phases": [p.to_dict() for p in self.phases],
            "refs": list(self.refs),
            "knobs": dict(self.knobs),
            "notes": serialize.notes(self.notes),
        }

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Regimen:
        problems: list[str] = []
        phases: list[Phase] = []
        for i, p in enumerate(raw.get("phases") or ()):
            try:
                phases.append(Phase.from_dict(p))
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


# -- presets and knobs ----------------------------------------------------------------------------


@dataclass(frozen=True)
class KnobSpec:
    """One knob of a preset: allowed values (``choices`` or ``min``..``max``), default and sources."""

    key: str
    label: str
    unit: str
    default: int
    refs: tuple[str, ...]
    choices: tuple[int, ...] | None = None
    min: int | None = None
    max: int | None = None
    source_value: int | None = None
    clinician_choice: bool = False

    @property
    def allowed_text(self) -> str:
        if self.choices is not None:
            return " or ".join(str(c) for c in self.choices)
        return f"{self.min} to {self.max}"

    def problem(self, value: Any) -> str | None:
        """Why ``value`` is not allowed, or None."""
        if not _is_int(value):
            return f"{self.key}: must be a whole number ({self.allowed_text} {self.unit}), got {value!r}"
        if self.choices is not None and value not in self.choices:
            return f"{self.key}: must be {self.allowed_text} {self.unit}, got {value}"
        if self.min is not None and self.max is not None and not self.min <= value <= self.max:
            return f"{self.key}: must be from {self.allowed_text} {self.unit}, got {value}"
        return None


@dataclass(frozen=True)
class Preset:
    id: str
    name: str
    product: str
    source_text: str
    refs: tuple[str, ...]
    knobs: tuple[KnobSpec, ...]
    requires_normal_absorption: bool = False

    def knob(self, key: str) -> KnobSpec:
        for k in self.knobs:
            if k.key == key:
                return k
        raise KeyError(f"preset {self.id!r} has no knob {key!r}")

    @property
    def knob_keys(self) -> tuple[str, ...]:
        return tuple(k.key for k in self.knobs)

    def defaults(self) -> dict[str, int]:
        return {k.key: k.default for k in self.knobs}


def default_preset_id() -> str:
    return _data()["default_preset"]


def preset_ids() -> tuple[str, ...]:
    """Every preset id, the default first."""
    ids = list(_data()["presets"])
    ids.sort(key=lambda i: i != default_preset_id())
    return tuple(ids)


@lru_cache(maxsize=16)
def preset(preset_id: str) -> Preset:
    """The preset with this id; KeyError names the known ids."""
    raw = _data()["presets"]
    if preset_id not in raw:
        raise KeyError(f"unknown preset {preset_id!r}; known: {', '.join(preset_ids())}")
    p = raw[preset_id]
    meta = _data()["knobs"]
    knobs = tuple(
        KnobSpec(
            key,
            meta[key]["label"],
            meta[key]["unit"],
            spec["default"],
            tuple(spec["refs"]),
            tuple(spec["choices"]) if "choices" in spec else None,
            spec.get("min"),
            spec.get("max"),
            spec.get("source_value"),
            bool(spec.get("clinician_choice", False)),
        )
        for key, spec in p["knobs"].items()
    )
    return Preset(
        preset_id,
        p["name"],
        p["product"],
        p["source_text"],
        tuple(p["refs"]),
        knobs,
        bool(p.get("requires_normal_absorption", False)),
    )


def knob_problems(preset_id: str, knobs: Mapping[str, Any]) -> list[str]:
    """Every problem with these knob values for this preset (empty when all are allowed)."""
    try:
        p = preset(preset_id)
    except KeyError as exc:
        return [str(exc.args[0])]
    out = []
    for key, value in knobs.items():
        if key not in p.knob_keys:
            allowed = ", ".join(p.knob_keys)
            out.append(f"{key}: the preset {preset_id!r} does not take this setting (it takes: {allowed})")
            continue
        msg = p.knob(key).problem(value)
        if msg:
            out.append(msg)
    return out


def parse_knobs(preset_id: str, raw: Mapping[str, str | None]) -> tuple[dict[str, int], list[str]]:
    """Knob values from text (command line, URL query); ``None`` values are left out.

    Returns the knobs and every problem found (unknown keys, non-numbers, values not allowed)."""
    knobs: dict[str, int] = {}
    problems: list[str] = []
    for key, text in raw.items():
        if text is None:
            continue
        try:
            knobs[key] = int(str(text).strip())
        except ValueError:
            problems.append(f"{key}: {text!r} is not a whole number")
    return knobs, problems + knob_problems(preset_id, knobs)


def _resolve(value: Any, knobs: Mapping[str, int]) -> Any:
    if isinstance(value, dict) and "knob" in value:
        return knobs[value["knob"]]
    if isinstance(value, list):
        return tuple(_resolve(v, knobs) for v in value)
    return value


def _knob_notes(p: Preset, knobs: Mapping[str, int]) -> list[Note]:
    notes = []
    for spec in p.knobs:
        value = knobs[spec.key]
        if spec.source_value is not None and value != spec.source_value:
            notes.append(
                Note(
                    f"{spec.label}: {value} {spec.unit}; the source gives {spec.source_value}.",
                    spec.refs,
                )
            )
        if spec.clinician_choice:
            notes.append(Note(f"{spec.label}: {value} {spec.unit} is the clinician's choice.", spec.refs))
    dose = knobs.get("dose_mcg")
    if dose is not None and dose not in (100, 1000):
        notes.append(
            Note(
                f"{dose} mcg lies between the label's 100 mcg and the 1000 mcg version; neither source gives it.",
                ("fda_cyanocobalamin_label", "drugs_com_cyanocobalamin"),
            )
        )
    return notes


def build_regimen(preset_id: str | None = None, *, case: Case | None = None, **knobs: Any) -> Regimen:
    """The regimen of a preset with these knob values (the rest at their defaults).

    Raises :class:`RegimenError` listing every knob problem, and :class:`RegimenRefused` when
    ``case`` is given and the preset is refused for it (oral maintenance with malabsorption).
    A phase whose length comes out as 0 (``maintenance_months=0``) is left out."""
    preset_id = preset_id or default_preset_id()
    problems = knob_problems(preset_id, knobs)
    if problems:
        raise RegimenError(problems)
    p = preset(preset_id)
    notes: list[Note] = []
    if case is not None:
        fit = suitability(preset_id, case)
        if fit.status == "refused":
            raise RegimenRefused(fit)
        if fit.status == "not_known":
            notes.append(Note(fit.text, fit.refs))
    values = p.defaults() | dict(knobs)
    phases = []
    for tpl in _data()["presets"][preset_id]["phases"]:
        bound = {k: _resolve(tpl.get(k), values) for k in ("count", "weeks", "months")}
        if any(v == 0 for v in bound.values()):
            continue
        cp = tpl.get("checkpoint")
        phases.append(
            Phase(
                tpl["name"],
                tpl.get("product", p.product),
                tpl["route"],
                _resolve(tpl["dose_mcg"], values),
                tuple(_resolve(tpl.get("every_days", []), values)),
                _resolve(tpl.get("every_months", 0), values),
                bound["count"],
                bound["weeks"],
                bound["months"],
                bool(tpl.get("for_life", False)),
                checkpoint_rules()[cp] if cp else None,
                tuple(tpl.get("refs", ())),
            )
        )
    notes += _knob_notes(p, values)
    return custom_regimen(
        phases,
        name=p.name,
        refs=p.refs,
        regimen_id=preset_id,
        knobs={k.key: values[k.key] for k in p.knobs},
        notes=notes,
    )


# -- schedules ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Injection:
    """One planned dose (the contract calls every dose an injection, oral ones included)."""

    date: date
    dose_mcg: int
    route: str
    phase: str
    product: str = "cyanocobalamin"

    @property
    def parenteral(self) -> bool:
        return is_parenteral(self.route)

    def to_dict(self) -> dict[str, Any]:
        """The contract's four keys: date, dose_mcg, route, phase."""
        return {"date": self.date.isoformat(), "dose_mcg": self.dose_mcg, "route": self.route, "phase": self.phase}


@dataclass(frozen=True)
class Checkpoint:
    """A decision on the schedule: on ``date`` (before that dose), what to check and why."""

    id: str
    date: date
    title: str
    text: str
    refs: tuple[str, ...]
    analytes: tuple[str, ...] = ()
    phase: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "date": self.date.isoformat(),
            "title": self.title,
            "text": self.text,
            "refs": list(self.refs),
            "analytes": list(self.analytes),
            "phase": self.phase,
        }


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

    def to_dict(self) -> dict[str, Any]:
        """The contract's ``{"injections", "count", "total_mcg"}`` plus preset, phases, checkpoints, refs."""
        return {
            "injections": [i.to_dict() for i in self.injections],
            "count": self.count,
            "total_mcg": self.total_mcg,
            "visits": self.visits,
            "start": self.start.isoformat(),
            "preset": self.regimen.id,
            "name": self.regimen.name,
            "knobs": dict(self.regimen.knobs),
            "phases": [p.to_dict() for p in self.regimen.phases],
            "checkpoints": [c.to_dict() for c in self.checkpoints],
            "notes": serialize.notes(self.regimen.notes),
            "refs": list(self.regimen.all_refs),
        }


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
            checkpoints.append(Checkpoint(c.id, dates[0], c.title, c.text, c.refs, c.analytes, phase.name))
        injections.extend(Injection(d, phase.dose_mcg, phase.route, phase.name, phase.product) for d in dates)
        prev_last = dates[-1]
    return Schedule(regimen, start, tuple(injections), tuple(checkpoints))


def schedule(start: date, preset_id: str | None = None, **knobs: Any) -> Schedule:
    """Shortcut: :func:`build_schedule` of :func:`build_regimen`."""
    return build_schedule(build_regimen(preset_id, **knobs), start)


# -- the case: suitability, suggestion, checkpoint data -------------------------------------------


@dataclass(frozen=True)
class Suitability:
    """Whether a preset fits a case: ``ok``, ``refused`` (with the reason) or ``not_known``."""

    preset_id: str
    status: str
    text: str
    refs: tuple[str, ...] = ()
    causes: tuple[str, ...] = ()
    unknown: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "preset": self.preset_id,
            "status": self.status,
            "text": self.text,
            "refs": list(self.refs),
            "causes": list(self.causes),
            "unknown": list(self.unknown),
        }


def malabsorption(case: Case, thresholds: str | None = None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(causes of malabsorption present, those not known) from the history checklist.

    Causes: pernicious anaemia, ileal resection longer than the threshold set's cut-off (20 cm,
    Battat 2014), ileal Crohn's disease, gastric surgery. Unknown is never treated as no."""
    from logic.diagnosis import malabsorption_causes

    return malabsorption_causes(case, threshold_set(thresholds))


def suitability(preset_id: str, case: Case, thresholds: str | None = None) -> Suitability:
    """Whether ``preset_id`` fits ``case``. Only presets needing normal absorption can be refused."""
    p = preset(preset_id)
    if preset_id == "bnf_hydroxo":  # the BNF schedule for anaemia *without* neurological involvement
        neuro = case.history.neurological_symptoms
        if neuro is True:
            return Suitability(
                preset_id,
                "refused",
                "Neurological symptoms are recorded: the BNF gives the schedule "
                "for neurological involvement (alternate days until no further improvement).",
                ("bnf_hydroxocobalamin",),
                ("neurological symptoms",),
                (),
            )
        if neuro is None:
            return Suitability(
                preset_id,
                "not_known",
                "This BNF schedule is for anaemia without neurological "
                "involvement, and neurological symptoms are not recorded.",
                ("bnf_hydroxocobalamin",),
                (),
                ("neurological symptoms",),
            )
    if not p.requires_normal_absorption:
        return Suitability(preset_id, "ok", "", p.refs)
    rule = _data()["absorption"]
    refs = tuple(rule["refs"])
    present, unknown = malabsorption(case, thresholds)
    if present:
        return Suitability(
            preset_id, "refused", rule["refused_text"].format(causes=", ".join(present)), refs, present, unknown
        )
    if unknown:
        return Suitability(
            preset_id, "not_known", rule["not_known_text"].format(unknown=", ".join(unknown)), refs, present, unknown
        )
    return Suitability(preset_id, "ok", rule["ok_text"], refs)


@dataclass(frozen=True)
class PlateletEvidence:
    """Whether the evidence supports a warning against IM injection at a low platelet count."""

    supported: bool
    text: str
    refs: tuple[str, ...]


def im_platelet_evidence() -> PlateletEvidence:
    """The evidence file holds no source for a low-platelet IM warning; this says so, as data."""
    w = _data()["im_platelet_warning"]
    return PlateletEvidence(bool(w["supported"]), w["text"], tuple(w["refs"]))


def im_platelet_warning(case: Case) -> Note | None:
    """A warning for an IM dose planned at a very low platelet count: None, because no source
    in the evidence file supports one (see :func:`im_platelet_evidence`)."""
    ev = im_platelet_evidence()
    if not ev.supported:
        return None
    raise NotImplementedError("a supported platelet warning needs its threshold in data/regimens.json")


@dataclass(frozen=True)
class Suggestion:
    """The regimen that follows from a case, and why."""

    preset_id: str
    regimen: Regimen
    start: date | None
    lifelong: bool | None
    reasons: tuple[Note, ...]
    suitability: tuple[Suitability, ...]
    platelet: PlateletEvidence

    def schedule(self) -> Schedule | None:
        """The schedule from the case's treatment start (None without a start date)."""
        return build_schedule(self.regimen, self.start) if self.start else None


def _lifelong(case: Case, thresholds: str | None) -> tuple[bool | None, list[Note]]:
    from logic.diagnosis import causes  # the single place that decides which causes are permanent

    _found, lifelong, reasons = causes(case, threshold_set(thresholds))
    return lifelong, [Note(r.text, tuple(r.refs)) for r in reasons]


def regimen_for_case(case: Case, thresholds: str | None = None, **knobs: Any) -> Suggestion:
    """The suggested regimen: the neurological preset when neurological symptoms are recorded,
    else the default; maintenance marked for life only when a permanent cause is recorded;
    starting on ``case.treatment_start``. Knobs override the preset's defaults."""
    reasons: list[Note] = []
    neuro = case.history.neurological_symptoms
    if neuro:
        preset_id = "bnf_hydroxo_neuro"
        reasons.append(
            Note(
                "Neurological symptoms recorded: the BNF schedule for neurological involvement "
                "(1 mg on alternate days until no further improvement, then every 2 months).",
                ("bnf_hydroxocobalamin",),
            )
        )
    else:
        preset_id = default_preset_id()
        if neuro is None:
            reasons.append(
                Note(
                    "Neurological symptoms not recorded: if present, the BNF gives a more intensive "
                    "alternate-day schedule.",
                    ("bnf_hydroxocobalamin",),
                )
            )
    regimen = build_regimen(preset_id, **knobs)
    lifelong, life_notes = _lifelong(case, thresholds)
    phases = tuple(replace(p, for_life=(lifelong is True)) if p.for_life or p.name == "maintenance" else p
                   for p in regimen.phases)  # fmt: skip
    if phases and phases[-1].name == "maintenance":
        if lifelong is True:
            reasons.append(Note("Permanent cause: maintenance for life.", ()))
        elif lifelong is False:
            reasons.append(Note("No permanent cause recorded: maintenance is not necessarily for life.", ()))
        else:
            reasons.append(Note("Not yet known whether maintenance is for life.", ()))
    reasons += life_notes
    regimen = replace(regimen, phases=phases)
    if case.treatment_start:
        reasons.append(Note(f"Starts on the case's treatment start, {case.treatment_start.isoformat()}.", ()))
    else:
        reasons.append(Note("The case has no treatment start: choose a start date.", ()))
    fits = tuple(suitability(pid, case, thresholds) for pid in preset_ids())
    return Suggestion(preset_id, regimen, case.treatment_start, lifelong, tuple(reasons), fits, im_platelet_evidence())


def checkpoint_observations(checkpoint: Checkpoint, case: Case) -> tuple[Observation, ...]:
    """The case's values of the checkpoint's analytes dated on or before the checkpoint, oldest
    first (values on or before ``case.treatment_start`` are the baseline)."""
    wanted = set(checkpoint.analytes)
    obs = [o for o in case.observations if o.analyte in wanted and o.date <= checkpoint.date]
    return tuple(sorted(obs, key=lambda o: (o.date, o.index)))


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

    def to_dict(self) -> dict[str, Any]:
        iso = lambda d: d.isoformat() if d else None  # noqa: E731
        return {
            "doses": self.doses,
            "injections": self.injections,
            "visits": self.visits,
            "total_mcg": self.total_mcg,
            "first": iso(self.first),
            "last": iso(self.last),
            "end_of_loading": iso(self.end_of_loading),
            "days_to_end_of_loading": self.days_to_end_of_loading,
            "today": iso(self.today),
            "next_due": self.next_due.to_dict() if self.next_due else None,
        }


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


# -- store estimate -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Param:
    """One parameter of the store estimate: its value, unit and sources."""

    key: str
    label: str
    value: float | None
    unit: str
    refs: tuple[str, ...]
    choice: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "label": self.label, "value": self.value, "unit": self.unit,
                "refs": list(self.refs), "choice": self.choice}  # fmt: skip


def _model() -> dict[str, Any]:
    return _data()["store_model"]


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
            out.append(f"initial_store_mcg: must be {init['min']}-{init['max']} mcg (body stores 1-5 mg), got {v!r}")
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

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "start": self.start.isoformat(),
            "series": [
                {"date": d.isoformat(), "store_mcg": round(v, 1)}
                for d, v in zip(self.dates, self.store_mcg, strict=True)
            ],
            "milestones": {str(m): (None if v is None else round(v, 1)) for m, v in self.milestones},
            "params": [p.to_dict() for p in self.params],
            "assumptions": serialize.notes(self.assumptions),
        }


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
    if not _is_int(step_days) or step_days < 1:
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
        assumptions.append(
            Note(
                f"{dose} mcg of {product} is outside the measured doses ({points[0][0]:g}-{points[-1][0]:g} mcg): "
                "the nearest measured retention is used.",
                refs,
            )
        )
    if oral_seen:
        if p.oral_absorbed_fraction is None:
            assumptions.append(
                Note(
                    "Oral doses add nothing to this estimate: no primary source gives the absorbed fraction. "
                    "The estimate is a lower bound while oral doses are taken.",
                    ("no_source_oral_absorption",),
                )
            )
        else:
            assumptions.append(
                Note(f"Oral doses: {p.oral_absorbed_fraction:g} of each dose absorbed (entered by the user).", ())
            )
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


__all__ = [
    "Checkpoint",
    "CheckpointRule",
    "Injection",
    "KnobSpec",
    "Note",
    "Param",
    "Phase",
    "PlateletEvidence",
    "Preset",
    "Projection",
    "Regimen",
    "RegimenError",
    "RegimenRefused",
    "Schedule",
    "StoreEstimate",
    "StoreParams",
    "Suggestion",
    "Suitability",
    "add_months",
    "build_regimen",
    "build_schedule",
    "checkpoint_observations",
    "custom_regimen",
    "default_preset_id",
    "estimate_stores",
    "im_platelet_evidence",
    "im_platelet_warning",
    "knob_problems",
    "loss_choices",
    "malabsorption",
    "next_due",
    "parse_knobs",
    "preset",
    "preset_ids",
    "project",
    "regimen_for_case",
    "retained_fraction",
    "retention_curves",
    "schedule",
    "suitability",
    "summary",
]
