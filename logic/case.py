"""The case document (``b12-case/1``) as frozen typed values, with validation at the edge.

A case is read with :func:`parse_case`, which either returns a :class:`Case` or raises
:class:`CaseError` listing *every* problem at once, each naming where it is (observation
index, analyte, date) and what is wrong. Nothing is partly applied; what is accepted writes as strict
JSON (:mod:`logic.json_input`). Files and pasted text: :mod:`logic.case_file`. Contract: ``case-format.md``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from logic.case_rules import HISTORY_LABELS as HISTORY_LABELS  # re-exported: the checklist's words
from logic.case_rules import ChosenRegimen, date_issues, parse_iso_date, parse_regimen, parse_unit_system
from logic.json_input import json_problems
from logic.limits import MAX_ROWS
from logic.provenance import Source, parse_source
from logic.reference import analytes
from logic.results import Route
from logic.units import UnitError, is_boolean, listed_unit, to_canonical

FORMAT = "b12-case/1"
COMPARATORS = ("<", "<=", ">", ">=")

#: Tri-state history flags (true / false / null = not known), in checklist order.
HISTORY_FLAGS: tuple[str, ...] = (
    "pernicious_anemia",
    "crohns_ileal",
    "gastric_surgery",
    "metformin",
    "acid_suppression",
    "vegan_or_vegetarian",
    "nitrous_oxide",
    "sulfasalazine",
    "methotrexate",
    "active_cancer",
    "transplant",
    "neurological_symptoms",
)
#: Tri-state flags added to the contract (docs/case-format-additions.md); written out only when known,
#: so a document without them reads and round-trips exactly as before.
ADDED_FLAGS: tuple[str, ...] = (
    "neurological_signs",
    "fever",
    "alcohol_excess",
    "intrinsic_factor_antibodies",
    "parietal_cell_antibodies",
)
#: Dated history items (ISO dates): symptom onset; the day an ADAMTS13 sample was sent (an addition
#: to the contract: the result is pending until an adamts13_activity result on or after that day).
HISTORY_DATES: tuple[str, ...] = ("symptom_onset", "adamts13_sent")
SEXES = ("female", "male")
#: Numbers parse_case checks itself (a NaN there gets its own field's message); ``int``: any index.
CHECKED_NUMBERS = frozenset({("observations", int, "value"), ("doses", int, "dose_mcg"), ("patient", "age_years"),
                             ("history", "ileal_resection_cm")})


@dataclass(frozen=True)
class Problem:
    """One validation problem: where it is and what is wrong."""

    where: str
    message: str
    field: str | None = None  # machine key, e.g. "observations[3]" or "history.symptom_onset"

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class CaseError(ValueError):
    """Raised with every problem found in a case document."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("; ".join(str(p) for p in self.problems))


@dataclass(frozen=True)
class Observation:
    """One dated lab result as entered, with its value in the canonical unit.

    ``value`` is a float, or a bool for film findings. ``comparator`` marks a censored
    result ("<8 mg/dL"). ``index`` is the position in the document (for messages).
    """

    date: date
    analyte: str
    value: float | bool
    unit: str | None = None
    comparator: str | None = None
    index: int = 0
    canonical: float | bool = field(default=0.0, compare=False)
    source: Source | None = field(default=None, compare=False)  # where it was imported from, if recorded

    @property
    def label(self) -> str:
        return analytes()[self.analyte]["label"]

    def bounds(self) -> tuple[float, float]:
        """The interval the true canonical value lies in (censored values are open-ended)."""
        if isinstance(self.canonical, bool):
            raise TypeError(f"{self.analyte} is a yes/no finding")
        v = float(self.canonical)
        if self.comparator in ("<", "<="):
            return (float(analytes()[self.analyte].get("min", 0.0)), v)
        if self.comparator in (">", ">="):
            return (v, math.inf)
        return (v, v)

    def display(self) -> str:
        """The value as entered, e.g. ``<8 mg/dL`` or ``seen``."""
        if isinstance(self.value, bool):  # a film finding is seen or not; a DAT positive or negative
            words = ("positive", "negative") if self.analyte == "dat_positive" else ("seen", "not seen")
            return words[not self.value]
        num = f"{self.value:g}"
        unit = f" {self.unit}" if self.unit and self.unit != "1" else ""
        return f"{self.comparator or ''}{num}{unit}"

    def dated(self) -> str:
        """The value as entered with its date, e.g. ``<8 mg/dL (2026-11-01)``."""
        return f"{self.display()} ({self.date.isoformat()})"

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"date": self.date.isoformat(), "analyte": self.analyte, "value": self.value}
        if self.unit is not None and not isinstance(self.value, bool):
            out["unit"] = self.unit
        if self.comparator:
            out["comparator"] = self.comparator
        if self.source is not None:
            out["source"] = self.source.to_dict()
        return out


@dataclass(frozen=True)
class Dose:
    """A B12 dose recorded as given (optional ``doses`` key, an addition to the contract)."""

    date: date
    dose_mcg: float
    route: str = "IM"
    product: str | None = None
    index: int = 0

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"date": self.date.isoformat(), "dose_mcg": self.dose_mcg, "route": self.route}
        if self.product:
            out["product"] = self.product
        return out


ROUTES: tuple[Route, ...] = tuple(Route)  # logic.results.Route: IM, SC, oral, IV
PRODUCTS = ("cyanocobalamin", "hydroxocobalamin")


@dataclass(frozen=True)
class Patient:
    """Age in years and sex, each None when not given."""

    age_years: float | None = None
    sex: str | None = None


@dataclass(frozen=True)
class History:
    """The history checklist; every flag is True, False or None (not known)."""

    pernicious_anemia: bool | None = None
    crohns_ileal: bool | None = None
    gastric_surgery: bool | None = None
    metformin: bool | None = None
    acid_suppression: bool | None = None
    vegan_or_vegetarian: bool | None = None
    nitrous_oxide: bool | None = None
    sulfasalazine: bool | None = None
    methotrexate: bool | None = None
    active_cancer: bool | None = None
    transplant: bool | None = None
    neurological_symptoms: bool | None = None
    neurological_signs: bool | None = None
    fever: bool | None = None
    alcohol_excess: bool | None = None
    intrinsic_factor_antibodies: bool | None = None
    parietal_cell_antibodies: bool | None = None
    ileal_resection_cm: float | None = None
    symptom_onset: date | None = None
    adamts13_sent: date | None = None  # ADAMTS13 sample sent on this date; pending until a result

    def flag(self, name: str) -> bool | None:
        return getattr(self, name)


@dataclass(frozen=True)
class Case:
    """A parsed case document: observations, doses, patient, history and regimen, all validated."""

    observations: tuple[Observation, ...] = ()
    label: str | None = None
    patient: Patient = Patient()
    history: History = History()
    treatment_start: date | None = None
    format: str = FORMAT
    extra: tuple[tuple[str, Any], ...] = ()  # unknown top-level keys, kept for round trips
    doses: tuple[Dose, ...] = ()
    regimen: ChosenRegimen | None = None  # the regimen chosen for the case (an addition to the contract)
    unit_system: str | None = None  # "si" or "conventional": how the results are shown (an addition)

    # -- selection of values -------------------------------------------------
    def series(self, analyte: str) -> list[Observation]:
        """Every observation of ``analyte``, oldest first (stable for same-day draws)."""
        return sorted((o for o in self.observations if o.analyte == analyte), key=lambda o: (o.date, o.index))

    def baseline(self) -> dict[str, Observation]:
        """Each analyte's last value on or before ``treatment_start`` (or its latest value)."""
        out: dict[str, Observation] = {}
        for obs in sorted(self.observations, key=lambda o: (o.date, o.index)):
            if self.treatment_start is None or obs.date <= self.treatment_start:
                out[obs.analyte] = obs
        return out

    def earliest(self) -> dict[str, Observation]:
        """Each analyte's earliest value (PLASMIC's rule for a new presentation)."""
        out: dict[str, Observation] = {}
        for obs in sorted(self.observations, key=lambda o: (o.date, o.index), reverse=True):
            out[obs.analyte] = obs
        return out

    def last_date(self) -> date | None:
        return max((o.date for o in self.observations), default=None)

    def to_dict(self) -> dict[str, Any]:
        from logic.case_doc import case_to_dict  # the writer lives beside the reader, in its own module

        return case_to_dict(self)


# -- parsing ------------------------------------------------------------------


def _tri(raw: Any) -> bool | None:
    if raw is None or isinstance(raw, bool):
        return raw
    raise ValueError(f"must be true, false or null (not known), got {raw!r}")


def _number(raw: Any) -> float:
    """A finite number, kept as the int or float it was written as (for faithful round trips)."""
    if isinstance(raw, bool) or not isinstance(raw, (int, float)):
        raise ValueError(f"must be a number, got {type(raw).__name__} {raw!r}")
    try:
        finite = math.isfinite(float(raw))
    except OverflowError:  # an integer too large for a float
        finite = False
    if not finite:
        shown = raw if isinstance(raw, float) else f"{str(raw)[:12]}... ({len(str(raw))} digits)"
        raise ValueError(f"must be a finite number, got {shown}")
    return raw


def _parse_observation(i: int, raw: Any, problems: list[Problem]) -> Observation | None:
    where = f"observation {i}"
    key = f"observations[{i}]"
    if not isinstance(raw, dict):
        problems.append(Problem(where, f"must be an object, got {type(raw).__name__}", key))
        return None
    before = len(problems)
    analyte = raw.get("analyte")
    name = analyte if isinstance(analyte, str) and analyte in analytes() else None  # the file's text, never raw
    obs_date: date | None = None
    try:
        obs_date = parse_iso_date(raw.get("date"))
    except ValueError as exc:
        problems.append(Problem(where + (f" ({name})" if name else ""), str(exc), key))
    shown = ", ".join(x for x in (name, obs_date.isoformat() if obs_date else None) if x)
    where = f"observation {i} ({shown})" if shown else where
    if not isinstance(analyte, str) or analyte not in analytes():
        known = ", ".join(analytes())
        problems.append(Problem(where, f"unknown analyte {analyte!r}; known analytes: {known}", key))
        return None
    spec = analytes()[analyte]
    value = raw.get("value")
    unit = raw.get("unit")
    comparator = raw.get("comparator")
    if comparator is not None and comparator not in COMPARATORS:
        problems.append(Problem(where, f"comparator {comparator!r} must be one of {' '.join(COMPARATORS)}", key))
    if unit is not None and not isinstance(unit, str):
        problems.append(Problem(where, f"unit must be text, got {type(unit).__name__}", key))
        unit = None
    source = None
    if raw.get("source") is not None:
        try:
            source = parse_source(raw["source"])
        except ValueError as exc:
            problems.append(Problem(where, str(exc), key))
    if is_boolean(analyte):
        if not isinstance(value, bool):
            problems.append(Problem(where, f"value must be true or false (seen / not seen), got {value!r}", key))
        if comparator is not None:
            problems.append(Problem(where, "a yes/no finding takes no comparator", key))
        if len(problems) > before or obs_date is None:
            return None
        return Observation(obs_date, analyte, value, None, None, i, value, source)
    try:
        number = _number(value)
    except ValueError as exc:
        problems.append(Problem(where, f"value {exc}", key))
        number = None
    if number is not None and number < 0:
        problems.append(Problem(where, f"value {number:g} is negative", key))
        number = None
    canonical = None
    listed = None
    if unit is None and spec["canonical"] != "1":
        problems.append(Problem(where, f"unit is missing; use one of: {', '.join(spec['units'])}", key))
    else:
        try:
            listed = listed_unit(analyte, unit)
        except UnitError as exc:
            problems.append(Problem(where, str(exc), key))
    if number is not None and listed is not None:
        canonical = to_canonical(analyte, number, listed)
        lo, hi = spec["min"], spec["max"]
        if not (lo <= canonical <= hi):
            shown = f"{number:g} {listed}".strip()
            problems.append(
                Problem(
                    where,
                    f"value {shown} is outside what a living patient can have "
                    f"({lo:g}-{hi:g} {spec['canonical']}); check the number and the unit",
                    key,
                )
            )
    if len(problems) > before or obs_date is None or canonical is None:
        return None
    return Observation(obs_date, analyte, number, listed if listed != "" else None, comparator, i, canonical, source)


def _parse_doses(raw: Any, problems: list[Problem]) -> tuple[Dose, ...]:
    """Doses recorded as given: ``[{"date", "dose_mcg", "route"?, "product"?}]`` (optional key)."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        problems.append(Problem("doses", f"must be a list, got {type(raw).__name__}", "doses"))
        return ()
    out = []
    for i, item in enumerate(raw):
        where, key = f"dose {i}", f"doses[{i}]"
        if not isinstance(item, dict):
            problems.append(Problem(where, f"must be an object, got {type(item).__name__}", key))
            continue
        before = len(problems)
        try:
            when = parse_iso_date(item.get("date"))
            where = f"dose {i} ({when.isoformat()})"
        except ValueError as exc:
            problems.append(Problem(where, str(exc), key))
            when = None
        try:
            amount = _number(item.get("dose_mcg"))
            if not 0 < amount <= 10000:
                problems.append(Problem(where, f"dose_mcg {amount:g} is outside 0-10000 micrograms", key))
        except ValueError as exc:
            problems.append(Problem(where, f"dose_mcg {exc}", key))
            amount = None
        route = item.get("route", "IM")
        if route not in ROUTES:
            problems.append(Problem(where, f"route {route!r} must be one of {', '.join(ROUTES)}", key))
        product = item.get("product")
        if product is not None and product not in PRODUCTS:
            problems.append(Problem(where, f"product {product!r} must be one of {', '.join(PRODUCTS)}", key))
        if len(problems) == before and when is not None and amount is not None:
            out.append(Dose(when, amount, route, product, i))
    return tuple(sorted(out, key=lambda d: (d.date, d.index)))


def _parse_history(raw: Any, problems: list[Problem]) -> History:
    if raw is None:
        return History()
    if not isinstance(raw, dict):
        problems.append(Problem("history", f"must be an object, got {type(raw).__name__}", "history"))
        return History()
    kwargs: dict[str, Any] = {}
    for name in HISTORY_FLAGS + ADDED_FLAGS:
        try:
            kwargs[name] = _tri(raw.get(name))
        except ValueError as exc:
            problems.append(Problem(f"history.{name}", str(exc), f"history.{name}"))
    cm = raw.get("ileal_resection_cm")
    if cm is not None:
        try:
            cm = _number(cm)
            if cm < 0:
                raise ValueError(f"must not be negative, got {cm:g}")
            if cm > 700:
                raise ValueError(f"{cm:g} cm is longer than a small intestine; check the number")
            kwargs["ileal_resection_cm"] = cm
        except ValueError as exc:
            problems.append(Problem("history.ileal_resection_cm", str(exc), "history.ileal_resection_cm"))
    for name in HISTORY_DATES:
        raw_date = raw.get(name)
        if raw_date is not None:
            try:
                kwargs[name] = parse_iso_date(raw_date)
            except ValueError as exc:
                problems.append(Problem(f"history.{name}", str(exc), f"history.{name}"))
    return History(**kwargs)


def _parse_patient(raw: Any, problems: list[Problem]) -> Patient:
    if raw is None:
        return Patient()
    if not isinstance(raw, dict):
        problems.append(Problem("patient", f"must be an object, got {type(raw).__name__}", "patient"))
        return Patient()
    age = raw.get("age_years")
    sex = raw.get("sex")
    if age is not None:
        try:
            age = _number(age)
            if not 0 <= age <= 125:
                raise ValueError(f"{age:g} is not a possible age in years")
        except ValueError as exc:
            problems.append(Problem("patient.age_years", str(exc), "patient.age_years"))
            age = None
    if sex is not None and sex not in SEXES:
        problems.append(Problem("patient.sex", f"must be 'female', 'male' or null, got {sex!r}", "patient.sex"))
        sex = None
    return Patient(age, sex)


def parse_case(doc: Any, today: date | None = None) -> Case:
    """Read a case document; raise :class:`CaseError` with every problem found.

    With ``today`` (passed in: logic reads no clock), a result, dose, treatment start, symptom onset
    or ADAMTS13 sample dated after it is a problem; a symptom onset after the treatment start always is.
    """
    problems: list[Problem] = []
    if not isinstance(doc, dict):
        raise CaseError([Problem("document", f"must be a JSON object, got {type(doc).__name__}", "document")])
    problems += [Problem(where, message, where) for where, message in json_problems(doc, CHECKED_NUMBERS)]
    fmt = doc.get("format", FORMAT)
    if fmt != FORMAT:
        problems.append(Problem("format", f"must be {FORMAT!r}, got {fmt!r}", "format"))
    label = doc.get("label")
    if label is not None and not isinstance(label, str):
        problems.append(Problem("label", f"must be text, got {type(label).__name__}", "label"))
        label = None
    if isinstance(label, str) and len(label) > 120:
        problems.append(Problem("label", f"is {len(label)} characters; keep it under 120", "label"))
    elif isinstance(label, str) and any(c in label for c in "\t\n\r\u2028\u2029"):
        problems.append(Problem("label", "must be one line (no line breaks or tabs)", "label"))
    patient = _parse_patient(doc.get("patient"), problems)
    history = _parse_history(doc.get("history"), problems)
    start = None
    if doc.get("treatment_start") is not None:
        try:
            start = parse_iso_date(doc["treatment_start"])
        except ValueError as exc:
            problems.append(Problem("treatment_start", str(exc), "treatment_start"))
    raw_obs = doc.get("observations")
    observations: list[Observation] = []
    if raw_obs is None:
        problems.append(Problem("observations", "is missing; give a list (it may be empty)", "observations"))
    elif not isinstance(raw_obs, list):
        problems.append(Problem("observations", f"must be a list, got {type(raw_obs).__name__}", "observations"))
    elif len(raw_obs) > MAX_ROWS:
        problems.append(Problem("observations", f"{len(raw_obs):,} results; the limit is {MAX_ROWS:,}", "observations"))
    else:
        for i, raw in enumerate(raw_obs):
            obs = _parse_observation(i, raw, problems)
            if obs is not None:
                observations.append(obs)
    doses = _parse_doses(doc.get("doses"), problems)
    regimen, issues = parse_regimen(doc.get("regimen"))
    unit_system, more = parse_unit_system(doc.get("unit_system"))
    issues += more + date_issues(observations, doses, history.symptom_onset, history.adamts13_sent, start, today)
    problems.extend(Problem(*issue) for issue in issues)
    if problems:
        raise CaseError(problems)
    extra = tuple((k, v) for k, v in doc.items() if k not in KNOWN_KEYS)
    return Case(
        tuple(observations), label, patient, history, start, FORMAT, extra, doses,
        regimen=regimen, unit_system=unit_system,
    )


KNOWN_KEYS = frozenset("format label patient history treatment_start observations doses regimen unit_system".split())
