"""The French score (ISTH 2020 Table 3, adopted from Joly 2019), criterion by criterion.

Two points: platelets below 30 x10^9/L; creatinine below 2.26 mg/dL (200 umol/L). Likelihood
of ADAMTS13 below 10 %: 0 -> 2 %, 1 -> 70 %, 2 -> 94 %. Earliest values (a new presentation),
unknown criteria give a range. Cobalt could not verify the 2010 paper itself: ``data/french_score.json``.
"""

from __future__ import annotations

from dataclasses import dataclass

from logic.case import Case, bands
from logic.tma.data import french_data


@dataclass(frozen=True)
class FrenchCriterion:
    """One criterion of the French score: met (True, False or None), with the value and date used."""

    id: str
    label: str
    met: bool | None
    value: str | None
    date: str | None


@dataclass(frozen=True)
class FrenchScore:
    """The French TMA score as a range over unknown criteria, with the likelihood of each score."""

    criteria: tuple[FrenchCriterion, ...]
    min_score: int
    max_score: int
    likelihood_pct: tuple[int, ...]  # for each possible score, min to max
    caveat: str
    not_verified: str
    refs: tuple[str, ...]

    @property
    def score(self) -> int | None:
        return self.min_score if self.min_score == self.max_score else None


def french_score(case: Case) -> FrenchScore:
    """The French score from the earliest platelet count and creatinine."""
    data = french_data()
    first = case.earliest()
    crits = []
    for spec in data["criteria"]:
        obs = first.get(spec["analyte"])
        met = bands.below(obs, float(spec["below"]))
        crits.append(
            FrenchCriterion(
                spec["id"], spec["label"], met, obs.display() if obs else None, obs.date.isoformat() if obs else None
            )
        )
    lo = sum(1 for c in crits if c.met)
    hi = lo + sum(1 for c in crits if c.met is None)
    likelihood = tuple(int(data["likelihood_pct"][str(s)]) for s in range(lo, hi + 1))
    return FrenchScore(tuple(crits), lo, hi, likelihood, data["caveat"], data["not_verified"], tuple(data["refs"]))
