"""The whole picture weighed: each available feature's pull towards B12 pseudo-TMA or TTP.

Bands and weights: ``data/tma_weights.json`` (Cobalt's own reading of Noel 2013, Tran 2018,
Booth 2011, ASH 2006, Mariotte 2021; no validated score exists). A positive weight pulls towards
B12 pseudo-TMA, a negative one towards TTP, 0 means the value fits both. An estimated quantity
(a production index from a haematocrit estimated from haemoglobin) counts half, and says so.
Features that show B12 deficiency itself (status, MMA, hypersegmented neutrophils) are kept apart
from the blood picture (``Pull.b12_marker``): B12 deficiency can coexist with TTP, so the
picture alone decides whether an overlap leans TTP.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from logic.case import Observation, bands
from logic.diagnosis import Diagnosis, production_index
from logic.reference import ThresholdSet
from logic.reference.statements import expand_refs
from logic.results import B12Status, Leaning
from logic.tma.data import groups, weights


@dataclass(frozen=True)
class Pull:
    """One feature's pull: ``weight`` > 0 towards B12 pseudo-TMA, < 0 towards TTP, 0 fits both."""

    id: str
    label: str
    value: str | None
    date: str | None
    weight: float
    text: str
    refs: tuple[str, ...]
    estimated: bool = False
    b12_marker: bool = False

    @property
    def side(self) -> Leaning | None:
        if self.weight > 0:
            return Leaning.B12_PSEUDO_TMA
        if self.weight < 0:
            return Leaning.TTP
        return None


def _cut(raw: Any, t: ThresholdSet) -> float:
    return t[raw] if isinstance(raw, str) else float(raw)


def _band_index(x: float, closed_hi: bool, spec: list[dict[str, Any]], t: ThresholdSet) -> int:
    """Index of the band a number falls in (``closed_hi``: x is the open upper end of an interval)."""
    for i, band in enumerate(spec[:-1]):
        if "below" in band:
            cut = _cut(band["below"], t)
            if x < cut or (closed_hi and x == cut):
                return i
        else:
            if x <= _cut(band["at_or_below"], t):
                return i
    return len(spec) - 1


def place(obs: Observation, spec: list[dict[str, Any]], t: ThresholdSet) -> dict[str, Any] | None:
    """The band a (possibly censored) result lies in, or None when it spans bands."""
    iv = bands.Interval.of(obs)
    lo = _band_index(iv.lo, False, spec, t) if iv.lo_closed else _band_index(iv.lo + 1e-9, False, spec, t)
    hi_x = iv.hi if iv.hi != float("inf") else 1e12
    hi = _band_index(hi_x, not iv.hi_closed, spec, t)
    return spec[lo] if lo == hi else None


def _banded(fid: str, values: dict[str, Observation], t: ThresholdSet) -> Pull | None:
    spec = weights()["features"][fid]
    obs = values.get(spec["analyte"])
    if obs is None:
        return None
    band = place(obs, spec["bands"], t)
    if band is None:
        text = f"{obs.display()}: a censored value that spans the bands; not placed"
        return Pull(fid, spec["label"], obs.display(), obs.date.isoformat(), 0.0, text, ())
    text = f"{obs.display()}: " + band["text"].format(t=t)
    return Pull(
        fid,
        spec["label"],
        obs.display(),
        obs.date.isoformat(),
        float(band["weight"]),
        text,
        expand_refs(band["refs"], t),
    )


def _mcv(values: dict[str, Observation], t: ThresholdSet) -> Pull | None:
    pull = _banded("mcv", values, t)
    ferritin = values.get("ferritin")
    if pull is None or pull.weight >= 0 or not bands.below(ferritin, t["ferritin_iron_deficient_below"]):
        return pull
    spec = weights()["features"]["mcv"]
    text = spec["masked_text"].format(value=pull.value, ferritin=ferritin.display())
    return Pull("mcv", pull.label, pull.value, pull.date, 0.0, text, expand_refs(spec["masked_refs"], t))


def _marrow(values: dict[str, Observation], t: ThresholdSet) -> Pull | None:
    """Reticulocytes: a measured absolute count first; else the percentage with its production index."""
    absolute = _banded("reticulocytes_abs", values, t)
    if absolute is not None:
        return absolute
    spec = weights()["features"]["reticulocytes_pct"]
    pct = values.get("reticulocytes_pct")
    if pct is None:
        return None
    shown, day = pct.display(), pct.date.isoformat()
    factor = weights()["estimated_weight"]

    def pull(weight: float, key: str, refs_key: str, estimated: bool = False, **extra: Any) -> Pull:
        text = f"{spec[key].format(value=shown, t=t, **extra)}"
        w = weight * (factor if estimated else 1.0)
        return Pull("reticulocytes", spec["label"], shown, day, w, text, expand_refs(spec[refs_key], t), estimated)

    if bands.above(pct, spec["brisk_at_or_above"] - 1e-9):
        return pull(spec["brisk_weight"], "brisk_text", "brisk_refs")
    index = production_index(pct, values.get("hematocrit"), values.get("hemoglobin"))
    raised = bands.above(pct, t["reticulocytes_pct_uln"])
    if index.value is None:
        if raised is False:
            return pull(spec["not_raised_no_index_weight"], "not_raised_no_index_text", "not_raised_refs")
        return pull(0.0, "no_index_text", "not_raised_refs")
    how = spec["estimated_how"] if index.hematocrit_estimated else spec["measured_how"]
    est = index.hematocrit_estimated
    limit = groups()["rpi"]["b12_below"]
    if index.value < t["rpi_inadequate_below"]:
        if raised is False:
            return pull(spec["low_index_weight"], "low_index_text", "low_index_refs", est, rpi=index.value, how=how)
        return pull(0.0, "raised_low_index_text", "not_raised_refs", est, rpi=index.value, how=how)
    if index.value >= limit:
        return pull(
            spec["high_index_weight"], "high_index_text", "high_index_refs", est, rpi=index.value, how=how, limit=limit
        )
    return pull(0.0, "middle_text", "not_raised_refs", est, rpi=index.value, how=how)


def _b12(d: Diagnosis, values: dict[str, Observation], t: ThresholdSet) -> Pull:
    spec = weights()["features"]["b12"]
    status = d.b12.status
    key = str(status)
    if status == B12Status.DEFICIENT and bands.above(values.get("mma"), t["mma_highly_suggestive_above"]):
        key = "deficient_marked"
    entry = spec[key]
    shown = values.get("b12") or values.get("holotc")
    return Pull(
        "b12",
        spec["label"],
        shown.display() if shown else None,
        shown.date.isoformat() if shown else None,
        float(entry["weight"]),
        entry["text"].format(t=t),
        expand_refs(entry["refs"], t),
        b12_marker=True,
    )


def _hypersegmented(values: dict[str, Observation], t: ThresholdSet) -> Pull | None:
    obs = values.get("hypersegmented_neutrophils")
    if obs is None:
        return None
    spec = weights()["features"]["hypersegmented_neutrophils"]
    entry = spec["seen" if obs.value else "not_seen"]
    return Pull(
        "hypersegmented_neutrophils",
        spec["label"],
        obs.display(),
        obs.date.isoformat(),
        float(entry["weight"]),
        entry["text"],
        expand_refs(entry["refs"], t),
        b12_marker=True,
    )


def weigh(d: Diagnosis, values: dict[str, Observation], t: ThresholdSet) -> tuple[Pull, ...]:
    """Every available feature's pull, in display order (missing features are left out)."""
    pulls = [
        _banded("platelets", values, t),
        _banded("ldh", values, t),
        _marrow(values, t),
        _mcv(values, t),
        _banded("neutrophils", values, t),
        _b12(d, values, t),
        _hypersegmented(values, t),
        _banded("creatinine", values, t),
    ]
    return tuple(p for p in pulls if p is not None)


def total(pulls: tuple[Pull, ...], picture_only: bool = False) -> float:
    """The sum of the pulls (``picture_only``: without the B12 markers)."""
    return round(sum(p.weight for p in pulls if not (picture_only and p.b12_marker)), 6)
