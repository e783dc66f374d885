"""Which band of a list a (possibly censored) result lies in: the one placing rule shared by the
reticulocyte reading (``marrow``) and the TTP-or-B12 weighing (``logic.tma.balance``).

A band list is read in order: a value belongs to the first band whose ``below`` (value < cut) or
``at_or_below`` (value <= cut) it meets, else to the last band; a cut written as a threshold key
comes from the threshold set in use, one written ``{"value": 200, "unit": "umol/L"}`` is converted
to the analyte's canonical unit by the one conversion table. Values and cuts are compared rounded
to 9 places (200 umol/L typed is exactly at a 200 umol/L cut). A censored value that spans bands
is not placed (None).
"""

from __future__ import annotations

from typing import Any

from logic.case import Observation, bands
from logic.case.units import to_canonical
from logic.reference import ThresholdSet

PLACES = 9


def band_cut(raw: Any, t: ThresholdSet, analyte: str | None = None) -> float:
    """A band's cut in canonical units: a number, the value of the threshold key it names, or a value
    with its unit (``{"value": 200, "unit": "umol/L"}``) converted for ``analyte``."""
    if isinstance(raw, str):
        return t[raw]
    if isinstance(raw, dict):
        return round(to_canonical(analyte or raw["analyte"], float(raw["value"]), raw["unit"]), PLACES)
    return float(raw)


def _band_index(x: float, closed_hi: bool, spec: list[dict[str, Any]], t: ThresholdSet, analyte: str | None) -> int:
    """Index of the band a number falls in (``closed_hi``: x is the open upper end of an interval)."""
    x = round(x, PLACES)
    for i, band in enumerate(spec[:-1]):
        if "below" in band:
            cut = band_cut(band["below"], t, analyte)
            if x < cut or (closed_hi and x == cut):
                return i
        else:
            if x <= band_cut(band["at_or_below"], t, analyte):
                return i
    return len(spec) - 1


def place(obs: Observation, spec: list[dict[str, Any]], t: ThresholdSet) -> dict[str, Any] | None:
    """The band a (possibly censored) result lies in, or None when it spans bands."""
    iv = bands.Interval.of(obs)
    a = obs.analyte
    lo = _band_index(iv.lo, False, spec, t, a) if iv.lo_closed else _band_index(iv.lo + 1e-9, False, spec, t, a)
    hi_x = iv.hi if iv.hi != float("inf") else 1e12
    hi = _band_index(hi_x, not iv.hi_closed, spec, t, a)
    return spec[lo] if lo == hi else None
