"""Where a (possibly censored) value can lie relative to cut-offs.

A censored result such as "B12 <200 ng/L" could be deficient or indeterminate; these helpers
say which bands are *possible*, so callers report a range instead of guessing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from logic.case.model import Observation
from logic.reference import analytes


@dataclass(frozen=True)
class Interval:
    """The values a (possibly censored) result can have, in canonical units; each end open or closed."""

    lo: float
    lo_closed: bool
    hi: float
    hi_closed: bool

    @classmethod
    def of(cls, obs: Observation) -> Interval:
        v = float(obs.canonical)
        floor = float(analytes()[obs.analyte].get("min", 0.0))
        match obs.comparator:
            case "<":
                return cls(floor, True, v, False)
            case "<=":
                return cls(floor, True, v, True)
            case ">":
                return cls(v, False, math.inf, False)
            case ">=":
                return cls(v, True, math.inf, False)
        return cls(v, True, v, True)

    def can_be_below(self, cut: float) -> bool:
        return self.lo < cut

    def can_be_at_or_above(self, cut: float) -> bool:
        return self.hi > cut or (self.hi == cut and self.hi_closed)

    def can_be_above(self, cut: float) -> bool:
        return self.hi > cut

    def can_be_at_or_below(self, cut: float) -> bool:
        return self.lo < cut or (self.lo == cut and self.lo_closed)


def below(obs: Observation | None, cut: float) -> bool | None:
    """Is the value strictly below ``cut``? None when the observation is missing or spans it."""
    if obs is None:
        return None
    iv = Interval.of(obs)
    yes, no = iv.can_be_below(cut), iv.can_be_at_or_above(cut)
    return None if yes and no else yes


def above(obs: Observation | None, cut: float) -> bool | None:
    """Is the value strictly above ``cut``? None when missing or spanning."""
    if obs is None:
        return None
    iv = Interval.of(obs)
    yes, no = iv.can_be_above(cut), iv.can_be_at_or_below(cut)
    return None if yes and no else yes


def at_or_below(obs: Observation | None, cut: float) -> bool | None:
    res = above(obs, cut)
    return None if res is None else not res


def three_bands(obs: Observation, low_cut: float, high_cut: float) -> set[str]:
    """Possible bands: ``low`` (< low_cut), ``mid`` (low_cut..high_cut), ``high`` (> high_cut)."""
    iv = Interval.of(obs)
    out = set()
    if iv.can_be_below(low_cut):
        out.add("low")
    if iv.can_be_above(high_cut):
        out.add("high")
    if iv.can_be_at_or_above(low_cut) and iv.can_be_at_or_below(high_cut):
        out.add("mid")
    return out
