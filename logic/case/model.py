"""The case document (``b12-case/1``) as frozen typed values, with validation at the edge.

A case is read with :func:`parse_case`, which either returns a :class:`Case` or raises
:class:`CaseError` listing *every* problem at once, each naming where it is (observation
index, analyte, date) and what is wrong. Nothing is partly applied; what is accepted writes as strict
JSON (:mod:`logic.case.json_input`). Files and pasted text: :mod:`logic.case.parse`. Contract: ``case-format.md``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from logic.case.provenance import Source
from logic.case.rules import HISTORY_LABELS as HISTORY_LABELS  # re-exported: the checklist's words
from logic.case.rules import ChosenRegimen
from logic.reference import analytes
from logic.results import Route

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
        return case_to_dict(self)


KNOWN_KEYS = frozenset("format label patient history treatment_start observations doses regimen unit_system".split())


def case_to_dict(case: Case) -> dict[str, Any]:
    """The case document for ``case`` (the inverse of :func:`parse_case`)."""
    hist: dict[str, Any] = {name: case.history.flag(name) for name in HISTORY_FLAGS}
    hist["ileal_resection_cm"] = case.history.ileal_resection_cm
    hist["symptom_onset"] = case.history.symptom_onset.isoformat() if case.history.symptom_onset else None
    if case.history.adamts13_sent is not None:
        hist["adamts13_sent"] = case.history.adamts13_sent.isoformat()
    for name in ADDED_FLAGS:
        if case.history.flag(name) is not None:
            hist[name] = case.history.flag(name)
    doc: dict[str, Any] = {"format": case.format}
    if case.label is not None:
        doc["label"] = case.label
    doc["patient"] = {"age_years": case.patient.age_years, "sex": case.patient.sex}
    doc["history"] = hist
    doc["treatment_start"] = case.treatment_start.isoformat() if case.treatment_start else None
    doc["observations"] = [o.to_dict() for o in sorted(case.observations, key=lambda o: o.index)]
    if case.doses:
        doc["doses"] = [d.to_dict() for d in sorted(case.doses, key=lambda d: d.index)]
    if case.regimen is not None:
        doc["regimen"] = case.regimen.to_dict()
    if case.unit_system is not None:
        doc["unit_system"] = case.unit_system
    for key, value in case.extra:
        doc[key] = value
    return doc
