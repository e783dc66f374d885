"""The French score (Coppo 2010; as ISTH 2020 Table 3 tabulates it, from Joly 2019), criterion by criterion.

Two points: platelets at or below 30 x10^9/L; creatinine at or below 200 umol/L (2.26 mg/dL).
Coppo's cut-offs are inclusive; ISTH prints them as '<30' and '<2.26 mg/dL', so the two readings
differ only at the boundary, where Cobalt follows Coppo (``data/french_score.json``, ``boundary``).
Likelihood of ADAMTS13 below 10 %: 0 -> 2 %, 1 -> 70 %, 2 -> 94 %. Earliest values (a new
presentation); unknown criteria give a range. Cobalt could not verify the 2010 paper itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from logic.case import Case, Observation, bands
from logic.case.units import to_canonical
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
    boundary: str = ""

    @property
    def score(self) -> int | None:
        return self.min_score if self.min_score == self.max_score else None


def criterion_met(spec: dict, obs: Observation | None) -> bool | None:
    """At or below the criterion's cut-off (stated in its own unit, converted by the one conversion
    table); both sides rounded to 9 places, so 200 umol/L typed is exactly at the cut."""
    if obs is None:
        return None
    cut = round(to_canonical(spec["analyte"], float(spec["at_or_below"]), spec["unit"]), 9)
    if isinstance(obs.canonical, bool):
        return None
    rounded = Observation(obs.date, obs.analyte, obs.value, obs.unit, obs.comparator, obs.index,
                          round(float(obs.canonical), 9))  # fmt: skip
    return bands.at_or_below(rounded, cut)


def french_score(case: Case) -> FrenchScore:
    """The French score from the earliest platelet count and creatinine."""
    data = french_data()
    first = case.earliest()
    crits = []
    for spec in data["criteria"]:
        obs = first.get(spec["analyte"])
        crits.append(
            FrenchCriterion(spec["id"], spec["label"], criterion_met(spec, obs), obs.display() if obs else None,
                            obs.date.isoformat() if obs else None)  # fmt: skip
        )
    lo = sum(1 for c in crits if c.met)
    hi = lo + sum(1 for c in crits if c.met is None)
    likelihood = tuple(int(data["likelihood_pct"][str(s)]) for s in range(lo, hi + 1))
    refs = tuple(dict.fromkeys([*data["refs"], *(r for c in data["criteria"] for r in c.get("refs", ()))]))
    return FrenchScore(tuple(crits), lo, hi, likelihood, data["caveat"], data["not_verified"], refs, data["boundary"])
