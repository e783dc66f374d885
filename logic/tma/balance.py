"""The whole picture weighed: each available feature's pull towards B12 pseudo-TMA or TTP.

Bands and weights: ``data/tma_weights.json`` (Cobalt's own reading of Noel 2013, Tran 2018,
Booth 2011, ASH 2006, Mariotte 2021; no validated score exists). A positive weight pulls towards
B12 pseudo-TMA, a negative one towards TTP, 0 means the value fits both. An estimated quantity
(a production index from a haematocrit estimated from haemoglobin) counts half, and says so.
Features that show B12 deficiency itself (status, MMA, hypersegmented neutrophils) are kept apart
from the blood picture (``Pull.b12_marker``): B12 deficiency can coexist with TTP, so the
picture alone decides whether an overlap leans TTP. Until B12 deficiency is shown, every pull
towards B12 pseudo-TMA is held back (``hold``): missing is not reassuring, and B12 pseudo-TMA
needs B12 deficiency, so those features cannot offset the ones that point to TTP.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from logic.case import Observation, bands
from logic.diagnosis import Diagnosis, marrow_reading
from logic.diagnosis.banding import place
from logic.reference import ThresholdSet
from logic.reference.statements import expand_refs, say
from logic.results import B12Status, Leaning
from logic.tma.data import weights

__all__ = ["Pull", "hold", "place", "total", "weigh"]


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
    held: float = 0.0  # a pull towards B12 held back while B12 deficiency is not shown (``hold``)

    @property
    def raw(self) -> float:
        """The pull before anything is held back."""
        return self.weight + self.held

    @property
    def side(self) -> Leaning | None:
        if self.weight > 0:
            return Leaning.B12_PSEUDO_TMA
        if self.weight < 0:
            return Leaning.TTP
        return None


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
    words = spec["masked_text"].format(value=pull.value, ferritin=ferritin.display())
    return Pull("mcv", pull.label, pull.value, pull.date, 0.0, words, expand_refs(spec["masked_refs"], t))


def _marrow(d: Diagnosis, values: dict[str, Observation], t: ThresholdSet) -> Pull | None:
    """Reticulocytes as the one reading of ``logic.diagnosis.marrow`` says them (the Diagnosis page
    shows the same sentence)."""
    deficient = d.b12.status == B12Status.DEFICIENT
    reading = d.marrow if d.values is values else marrow_reading(values, t, deficient)
    if reading is None:
        return None
    label = weights()["features"]["reticulocytes"]["label"]
    return Pull("reticulocytes", label, reading.value, reading.date, reading.weight, reading.text, reading.refs,
                reading.estimated)


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


def hold(pulls: list[Pull], b12: B12Status, t: ThresholdSet) -> tuple[Pull, ...]:
    """Until B12 deficiency is shown, a feature that would point to B12 pseudo-TMA does not offset
    one that points to TTP: its pull is held back (``Pull.held``) and says why (B12 pseudo-TMA needs
    B12 deficiency, Tran 2018). Pulls towards TTP and values that fit both are kept as they are."""
    if b12 == B12Status.DEFICIENT:
        return tuple(pulls)
    key = {B12Status.UNKNOWN: "held_b12_unknown", B12Status.INDETERMINATE: "held_b12_indeterminate"}.get(
        b12, "held_b12_unlikely"
    )
    why = say(f"tma.{key}", t)
    return tuple(
        replace(p, weight=0.0, held=p.weight, text=p.text + why.text, refs=tuple(dict.fromkeys(p.refs + why.refs)))
        if p.weight > 0
        else p
        for p in pulls
    )


def weigh(d: Diagnosis, values: dict[str, Observation], t: ThresholdSet) -> tuple[Pull, ...]:
    """Every available feature's pull, in display order (missing features are left out), with the
    pulls towards B12 held back while B12 deficiency is not shown (:func:`hold`)."""
    pulls = [
        _banded("platelets", values, t),
        _banded("ldh", values, t),
        _marrow(d, values, t),
        _mcv(values, t),
        _banded("neutrophils", values, t),
        _b12(d, values, t),
        _hypersegmented(values, t),
        _banded("creatinine", values, t),
    ]
    return hold([p for p in pulls if p is not None], B12Status(d.b12.status), t)


def total(pulls: tuple[Pull, ...], picture_only: bool = False, raw: bool = False) -> float:
    """The sum of the pulls (``picture_only``: without the B12 markers; ``raw``: with the held-back
    pulls counted, as they would be once B12 deficiency is shown)."""
    return round(sum(p.raw if raw else p.weight for p in pulls if not (picture_only and p.b12_marker)), 6)
