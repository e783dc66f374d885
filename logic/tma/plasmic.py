"""PLASMIC score (Bendapudi 2017), criterion by criterion, from raw values.

One point each: platelets <30 x10^9/L; haemolysis (reticulocytes >2.5 %, or haptoglobin
undetectable, or indirect bilirubin >2.0 mg/dL); no active cancer in the past year; no
solid-organ or stem-cell transplant; MCV <90 fL; INR <1.5; creatinine <2.0 mg/dL (176.8 umol/L).
0-4 low, 5 intermediate, 6-7 high risk of severe ADAMTS13 deficiency (Li 2018 at 6-7: PPV 72 %,
NPV 98 %, sensitivity 90 %, specificity 92 %).

Rules kept here:

- Each criterion is ``True`` (scores), ``False`` or ``None`` (not known). Unknown is never
  scored as no: ``min_score`` counts the known points, ``max_score`` adds every unknown one, and
  ``score`` is given only when nothing is unknown; ``risk`` only when both ends share a band.
- Values are the **earliest** of each analyte (the score's rule for a new presentation), in
  canonical units (creatinine mg/dL). Censored results count only when they fall wholly on one
  side of a cut-off ("haptoglobin <8 mg/dL" is undetectable; "<30 mg/dL" is not known).
- Without an indirect bilirubin, a total bilirubin at or below 2.0 mg/dL shows the indirect
  part is too (indirect cannot exceed total); a higher total decides nothing.
- Scope (platelets <150 and schistocytes) is checked and stated, never assumed.

Cut-offs, bands and their sources: ``data/plasmic.json``; the three haemolysis cut-offs come
from the active threshold set. Sources: Bendapudi 2017; Li 2018; the authors' calculator page.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from logic.case import Case, Observation, bands
from logic.reference import ThresholdSet, analytes, load_json, threshold_set

CONTRACT_CRITERIA = (
    "platelets_lt_30",
    "hemolysis",
    "no_active_cancer",
    "no_transplant",
    "mcv_lt_90",
    "inr_lt_1_5",
    "creatinine_lt_2",
)


@lru_cache(maxsize=1)
def plasmic_data() -> dict[str, Any]:
    """``data/plasmic.json``: criteria, bands, scope and validation figures."""
    return load_json("plasmic.json")


@dataclass(frozen=True)
class Criterion:
    """One PLASMIC criterion: whether it scores, and the result it used.

    ``met`` is True (one point), False (no point) or None (not known). ``observation`` is the
    result used (None for history items or when missing); ``parts`` are the haemolysis
    sub-criteria.
    """

    id: str
    label: str
    met: bool | None
    cutoff: str
    detail: str
    refs: tuple[str, ...] = ()
    observation: Observation | None = None
    history_value: bool | None = None
    source: str | None = None  # "history.active_cancer", or the analyte used
    parts: tuple[Criterion, ...] = ()

    @property
    def value(self) -> str | None:
        """The value as entered (e.g. ``<8 mg/dL``), or None when nothing was used."""
        if self.observation is not None:
            return self.observation.display()
        if self.parts:
            shown = [
                f"{p.observation.label} {p.observation.display()}" for p in self.parts if p.observation is not None
            ]
            return "; ".join(shown) if shown else None
        if self.source and self.source.startswith("history."):
            return None if self.history_value is None else ("yes" if self.history_value else "no")
        return None

    @property
    def date(self) -> str | None:
        if self.observation is not None:
            return self.observation.date.isoformat()
        dates = sorted(p.date for p in self.parts if p.date)
        deciding = [p for p in self.parts if p.met and p.date]
        if deciding:
            return deciding[0].date
        return dates[0] if dates else None


@dataclass(frozen=True)
class PlasmicResult:
    """The score with every criterion; see the module docstring for the rules."""

    criteria: tuple[Criterion, ...]
    min_score: int
    max_score: int
    score: int | None
    risk: str | None
    in_scope: bool | None
    scope_note: str
    band_meaning: str
    thresholds_id: str
    refs: tuple[str, ...] = ()

    def criterion(self, cid: str) -> Criterion:
        return next(c for c in self.criteria if c.id == cid)

    @property
    def possible_bands(self) -> tuple[str, ...]:
        """Every band the score could fall in, low to high."""
        return tuple(
            b["id"] for b in plasmic_data()["bands"] if b["min"] <= self.max_score and b["max"] >= self.min_score
        )


# -- pure helpers ----------------------------------------------------------------


def band_of(score: int) -> str:
    """The band id ('low', 'intermediate', 'high') of a whole score 0-7."""
    for band in plasmic_data()["bands"]:
        if band["min"] <= score <= band["max"]:
            return band["id"]
    raise ValueError(f"PLASMIC score {score} is outside 0-7")


def risk_band(min_score: int, max_score: int) -> str | None:
    """The band when the whole range lies in one band, else None (unknowns decide it)."""
    low, high = band_of(min_score), band_of(max_score)
    return low if low == high else None


def _clean(obs: Observation | None) -> Observation | None:
    """Round away float noise from unit conversion (176.8 umol/L is 2.0 mg/dL, not 2.0000000001)."""
    if obs is None or isinstance(obs.canonical, bool):
        return obs
    return dataclasses.replace(obs, canonical=round(float(obs.canonical), 9))


_TESTS = {"below": bands.below, "above": bands.above, "at_or_below": bands.at_or_below}
_SIGNS = {"below": "<", "above": ">", "at_or_below": "<="}


def _cut(spec: dict[str, Any], t: ThresholdSet) -> tuple[float, tuple[str, ...]]:
    """A criterion's cut-off and sources: its fixed value, or the threshold-set key it names."""
    if "threshold_key" in spec:
        key = spec["threshold_key"]
        return t[key], tuple(dict.fromkeys(tuple(spec["refs"]) + t.get(key).refs))
    return float(spec["value"]), tuple(spec["refs"])


def _fmt_cut(value: float, unit: str) -> str:
    return f"{value:g} {unit}".strip()


def _lab_criterion(spec: dict[str, Any], first: dict[str, Observation], t: ThresholdSet) -> Criterion:
    cut, refs = _cut(spec, t)
    obs = _clean(first.get(spec["analyte"]))
    cutoff = f"{_SIGNS[spec['test']]} {_fmt_cut(cut, spec['unit'])}" if "threshold_key" in spec else spec["cutoff"]
    met = _TESTS[spec["test"]](obs, cut)
    name = analytes()[spec["analyte"]]["label"]
    if obs is None:
        detail = f"No {name} result: not known."
    elif met is None:
        detail = f"{name} {obs.display()} ({obs.date.isoformat()}) is censored and spans {cutoff}: not known."
    else:
        detail = f"{name} {obs.display()} ({obs.date.isoformat()}) {'meets' if met else 'does not meet'} {cutoff}."
    return Criterion(spec["id"], spec["label"], met, cutoff, detail, refs, obs, source=spec["analyte"])


def _indirect_bilirubin(spec: dict[str, Any], first: dict[str, Observation], t: ThresholdSet) -> Criterion:
    """Indirect bilirubin > cut; a total at or below the cut shows the indirect part is too."""
    crit = _lab_criterion(spec, first, t)
    if crit.observation is not None:
        return crit
    total = _clean(first.get("bilirubin_total"))
    cut, _ = _cut(spec, t)
    if total is not None and bands.at_or_below(total, cut):
        return dataclasses.replace(
            crit,
            met=False,
            observation=total,
            source="bilirubin_total",
            detail=(
                f"No indirect bilirubin, but total bilirubin {total.display()} ({total.date.isoformat()}) is at "
                f"or below {cut:g} mg/dL, so the indirect part is too (it cannot exceed the total)."
            ),
        )
    if total is not None:
        return dataclasses.replace(
            crit,
            detail=(
                f"No indirect bilirubin; total bilirubin {total.display()} is above {cut:g} mg/dL, which "
                "does not say how much is indirect: not known."
            ),
        )
    return crit


def _hemolysis(spec: dict[str, Any], first: dict[str, Observation], t: ThresholdSet) -> Criterion:
    parts = []
    for part in spec["parts"]:
        if part["id"] == "indirect_bilirubin_gt_2":
            parts.append(_indirect_bilirubin(part, first, t))
        else:
            parts.append(_lab_criterion(part, first, t))
    states = [p.met for p in parts]
    if True in states:
        met: bool | None = True
        detail = "Haemolysis: " + "; ".join(p.detail for p in parts if p.met) + "."
    elif all(s is False for s in states):
        met = False
        detail = "No haemolysis marker reaches its cut-off (all three known)."
    else:
        met = None
        missing = ", ".join(part["name"] for part, p in zip(spec["parts"], parts, strict=True) if p.met is None)
        if all(p.observation is None for p in parts):
            detail = f"Not known: no result for {missing}."
        else:
            detail = f"Not known: no known marker shows haemolysis, and {missing} not known."
    cutoff = ", or ".join(f"{part['name']} {p.cutoff}" for part, p in zip(spec["parts"], parts, strict=True))
    refs = tuple(dict.fromkeys(r for p in parts for r in p.refs))
    return Criterion(spec["id"], spec["label"], met, cutoff, detail, refs, None, source="hemolysis", parts=tuple(parts))


def _history_criterion(spec: dict[str, Any], case: Case) -> Criterion:
    flag = spec["history"]
    value = case.history.flag(flag)
    met = None if value is None else not value
    what = spec["cutoff"]
    if value is None:
        detail = f"History item '{flag.replace('_', ' ')}' is not recorded: not known."
    elif value:
        detail = f"Recorded as present ({flag.replace('_', ' ')}): no point."
    else:
        detail = f"Recorded as absent: {what}, one point."
    return Criterion(
        spec["id"],
        spec["label"],
        met,
        what,
        detail,
        tuple(spec["refs"]),
        None,
        history_value=value,
        source=f"history.{flag}",
    )


def _schistocytes(first: dict[str, Observation], t: ThresholdSet) -> tuple[bool | None, str]:
    """Schistocytes on the earliest film: seen, or a percentage above the threshold set's limit."""
    seen_obs, pct_obs = first.get("schistocytes_seen"), first.get("schistocytes_pct")
    limit = t["schistocytes_pct_tma_above"]
    pct = bands.above(pct_obs, limit)
    seen = None if seen_obs is None else bool(seen_obs.value)
    if seen or pct:
        shown = pct_obs.display() if pct else "seen"
        return True, f"schistocytes {shown}"
    if seen is False or pct is False:
        shown = f"{pct_obs.display()} (not above {limit:g} %)" if pct is False else "not seen"
        return False, f"schistocytes {shown}"
    return None, "no blood film result"


def scope(case: Case, t: ThresholdSet | None = None) -> tuple[bool | None, str]:
    """Is PLASMIC applicable (platelets <150 and schistocytes)? With a sentence saying why."""
    t = t or threshold_set(None)
    data = plasmic_data()["scope"]
    first = case.earliest()
    plt = _clean(first.get("platelets"))
    low_plt = bands.below(plt, data["platelets_below"])
    schisto, schisto_text = _schistocytes(first, t)
    plt_text = f"platelets {plt.display()}" if plt is not None else "no platelet count"
    if low_plt and schisto:
        return True, f"PLASMIC applies: {plt_text} (below {data['platelets_below']}) and {schisto_text}."
    reasons = []
    if low_plt is False:
        reasons.append(f"{plt_text} are not below {data['platelets_below']} x10^9/L")
    if schisto is False:
        reasons.append(f"{schisto_text}")
    if reasons:
        return False, (
            "Outside PLASMIC's scope (" + "; ".join(reasons) + "): " + data["text"] + " Read the score with care."
        )
    unknown = []
    if low_plt is None:
        unknown.append(plt_text if plt is None else f"{plt_text} (censored)")
    if schisto is None:
        unknown.append(schisto_text)
    return None, ("Scope not confirmed (" + "; ".join(unknown) + "): " + data["text"])


def plasmic(case: Case, thresholds: str | None = None) -> PlasmicResult:
    """PLASMIC from the earliest value of each analyte, with every criterion and its source."""
    t = threshold_set(thresholds)
    data = plasmic_data()
    first = case.earliest()
    crits: list[Criterion] = []
    for spec in data["criteria"]:
        if spec["id"] == "hemolysis":
            crits.append(_hemolysis(spec, first, t))
        elif "history" in spec:
            crits.append(_history_criterion(spec, case))
        else:
            crits.append(_lab_criterion(spec, first, t))
    known = sum(1 for c in crits if c.met)
    unknown = sum(1 for c in crits if c.met is None)
    lo, hi = known, known + unknown
    score = lo if unknown == 0 else None
    risk = risk_band(lo, hi)
    in_scope, scope_note = scope(case, t)
    by_id = {b["id"]: b for b in data["bands"]}
    if risk is not None:
        band = by_id[risk]
        meaning = f"{band['label']}: {band['meaning']} {data['validation']['text']}"
        if unknown:
            meaning = f"Score {lo}-{hi} (unknown criteria cannot change the band). " + meaning
    else:
        possible = [by_id[b]["label"] for b in (band_of(s) for s in range(lo, hi + 1))]
        possible = list(dict.fromkeys(possible))
        missing = "; ".join(c.label for c in crits if c.met is None)
        meaning = (
            f"Score {lo}-{hi}: it could be {' or '.join(possible)}. The band depends on what is not yet "
            f"known ({missing})."
        )
    refs = tuple(dict.fromkeys(tuple(data["refs"]) + tuple(r for c in crits for r in c.refs)))
    return PlasmicResult(tuple(crits), lo, hi, score, risk, in_scope, scope_note, meaning, t.id, refs)
