"""Unit slips: a value unusual in the unit it was typed in but ordinary in another unit of its analyte.

Creatinine 35 mg/dL is possible only in extreme renal failure, while 35 umol/L (0.40 mg/dL) is an
ordinary result: the number was most likely copied from a UK printout into a conventional field.
Such a value is flagged (a prompt at the field, an ``unit_suspect`` alert in the assessment); it is
never refused or changed. Hard limits (``min``/``max`` in ``data/analytes.json``) refuse a value no
living patient can have; the soft limits here (``soft``, same file, source ``cobalt_soft_limits``, a
Cobalt default) only ask.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from logic.case.entry import display_unit, shown_number
from logic.case.model import Case, Observation
from logic.case.units import allowed_units, from_canonical, is_boolean, listed_unit, to_canonical
from logic.reference import ThresholdSet, analytes
from logic.reference.statements import alert, text
from logic.results import Alert


@dataclass(frozen=True)
class SoftLimits:
    """The range (canonical unit) a measured value rarely leaves, and its source."""

    min: float
    max: float
    ref: str

    def holds(self, canonical: float) -> bool:
        return self.min <= canonical <= self.max


def soft_limits(analyte: str) -> SoftLimits | None:
    soft = analytes()[analyte].get("soft")
    return None if soft is None else SoftLimits(float(soft["min"]), float(soft["max"]), soft["ref"])


@dataclass(frozen=True)
class UnitSlip:
    """``value`` typed in ``unit`` reads as ordinary in ``suggested``; ``same`` is that reading
    re-expressed in ``unit`` (35 mg/dL -> suggested umol/L, same 0.396 mg/dL)."""

    analyte: str
    value: float
    unit: str
    suggested: str
    same: float
    comparator: str | None = None

    @property
    def label(self) -> str:
        return analytes()[self.analyte]["label"]

    def values(self) -> dict[str, str]:
        """The slip's numbers as shown in sentences (units with the micro sign)."""
        comp = self.comparator or ""
        return {
            "analyte": self.label,
            "typed": f"{comp}{shown_number(self.value)} {display_unit(self.unit)}",
            "unit": display_unit(self.unit),
            "other": display_unit(self.suggested),
            "value": f"{comp}{shown_number(self.value)}",
            "same": f"{comp}{shown_number(self.same)}",
        }


def _inside_hard(analyte: str, canonical: float) -> bool:
    spec = analytes()[analyte]
    return spec["min"] <= canonical <= spec["max"]


def unit_slip(analyte: str, value: float, unit: str | None, comparator: str | None = None) -> UnitSlip | None:
    """The slip, if ``value`` in ``unit`` is outside the soft (or hard) limits and inside the soft limits
    read in another accepted unit of a different size; else None. A censored value is judged by its bound."""
    soft = soft_limits(analyte)
    if soft is None or is_boolean(analyte) or not math.isfinite(value):
        return None
    try:
        typed = listed_unit(analyte, unit)
        canonical = to_canonical(analyte, value, typed)
    except ValueError:
        return None
    if soft.holds(canonical) and _inside_hard(analyte, canonical):
        return None
    for other in allowed_units(analyte):
        reading = to_canonical(analyte, value, other)
        if math.isclose(reading, canonical, rel_tol=0.5) or not soft.holds(reading):
            continue  # the same size of unit (pg/mL and ng/L), or not ordinary there either
        return UnitSlip(analyte, value, typed, other, from_canonical(analyte, reading, typed), comparator)
    return None


@dataclass(frozen=True)
class UnitSuspicion:
    """An observation of the case that reads as a unit slip."""

    observation: Observation
    slip: UnitSlip


def unit_suspicions(case: Case) -> list[UnitSuspicion]:
    """Every numeric observation of the case that reads as a unit slip, in document order."""
    out = []
    for obs in sorted(case.observations, key=lambda o: o.index):
        if isinstance(obs.value, bool) or obs.unit is None:
            continue
        slip = unit_slip(obs.analyte, float(obs.value), obs.unit, obs.comparator)
        if slip is not None:
            out.append(UnitSuspicion(obs, slip))
    return out


def prompt(slip: UnitSlip) -> str:
    """The question at the field: 'Unusual in mg/dL: did you mean 35 µmol/L = 0.40 mg/dL?'."""
    return text("plausibility.did_you_mean", **slip.values())


def unit_suspect_alerts(case: Case, t: ThresholdSet | None = None) -> list[Alert]:
    """One ``unit_suspect`` alert per suspicious observation, naming the analyte and the observation."""
    return [
        alert(
            "plausibility.unit_suspect",
            t,
            **s.slip.values(),
            day=s.observation.date.isoformat(),
            index=s.observation.index,
        )
        for s in unit_suspicions(case)
    ]
