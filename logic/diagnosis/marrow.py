"""One reading of the reticulocytes, the same on every page (Diagnosis, TTP or B12?, the PDF).

Which measure is read, in this order, and said in the reading's words:

1. an absolute count, measured: below 50 low, 50-149 not decisive, 150 or more brisk (Noel 2013);
2. else the percentage with its production index (Hillman & Finch; :func:`production_index`),
   from a measured haematocrit, or from one estimated from haemoglobin (then it counts half):
   below 2 low; 2 to 3 borderline (an adequate response by Hillman & Finch, yet every one of 41
   pooled pseudo-TMA cases had an index below 3, Tran 2018: not counted); 3 or more brisk. A raised
   percentage with a low index is read neither way (the two disagree);
3. else the percentage alone: not raised is low; else not decisive.

Before 2, a percentage of 5 or more with an MCV that is not macrocytic (normal or not measured) is
read as a brisk reticulocytosis whatever the index says ("several per cent with a normal MCV points
away from B12", evidence file section 4d; an index from an estimated haematocrit is weaker
evidence, and TTP's own anaemia lowers it), and the sentence gives the index beside it. With
macrocytosis and B12 deficiency shown the index decides, and never counts more towards TTP than
that brisk percentage would (so adding an MCV can never move the reading towards TTP); without B12
deficiency shown, macrocytosis (a feature of B12 deficiency) cannot discount the brisk percentage.

Bands, weights and words: ``data/tma_weights.json`` (``features.reticulocytes``), each with sources.
The weight is the reading's pull in the TTP-or-B12 weighing (positive towards B12 pseudo-TMA).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from logic.case import Observation, bands
from logic.diagnosis.banding import place
from logic.reference import ThresholdSet, load_json
from logic.reference.statements import expand_refs, text

LOW, BORDERLINE, BRISK, MIXED, NOT_DECISIVE = "low", "borderline", "brisk", "mixed", "not_decisive"


@lru_cache(maxsize=1)
def rpi_data() -> dict[str, Any]:
    """``data/rpi.json``: the production-index constants (Hillman & Finch)."""
    return load_json("rpi.json")


@dataclass(frozen=True)
class ProductionIndex:
    """The reticulocyte production index and how it was obtained."""

    value: float | None
    how: str
    hematocrit_estimated: bool = False


def _maturation_days(hct: float) -> float:
    return next(r["days"] for r in rpi_data()["maturation_days"] if hct >= r["hematocrit_at_least"])


def production_index(retic: Observation | None, hct: Observation | None, hb: Observation | None) -> ProductionIndex:
    """RPI = retic % x (Hct / normal Hct) / maturation days (Hillman & Finch); Hct estimated from Hb
    (``data/rpi.json``) when not measured, and then marked as estimated."""
    if retic is None or retic.comparator:
        return ProductionIndex(None, text("picture.rpi_needs_retic"))
    data = rpi_data()
    if hct is not None and not hct.comparator:
        h, estimated = float(hct.canonical), False
        how_key, shown = "picture.rpi_how_measured", hct.display()
    elif hb is not None and not hb.comparator:
        h, estimated = data["hematocrit_per_hemoglobin"] * float(hb.canonical), True
        how_key, shown = "picture.rpi_how_estimated", h
    else:
        return ProductionIndex(None, text("picture.rpi_needs_hct"))
    days = _maturation_days(h)
    rpi = float(retic.canonical) * (h / data["normal_hematocrit_pct"]) / days
    how = text(how_key, retic=retic.display(), hct=shown, days=days, factor=data["hematocrit_per_hemoglobin"])
    return ProductionIndex(rpi, how, estimated)


@dataclass(frozen=True)
class MarrowReading:
    """The reticulocytes read once: which measure, what it shows, its pull and its sentence."""

    measure: str  # "absolute", "index_measured", "index_estimated", "percent_with_index", "percent"
    verdict: str  # low, borderline, brisk, mixed, not_decisive
    weight: float
    estimated: bool
    index: float | None
    value: str
    date: str
    text: str
    refs: tuple[str, ...]

    @property
    def low(self) -> bool | None:
        """A low marrow response (True), an adequate or brisk one (False), or not read (None)."""
        return {LOW: True, BRISK: False, BORDERLINE: False}.get(self.verdict)


def spec() -> dict[str, Any]:
    """``features.reticulocytes`` of ``data/tma_weights.json``."""
    return load_json("tma_weights.json")["features"]["reticulocytes"]


def _b12_below() -> float:
    return float(load_json("tma_groups.json")["rpi"]["b12_below"])


def _reading(measure: str, verdict: str, entry: dict[str, Any], obs: Observation, t: ThresholdSet,
             index: float | None = None, how: str = "", extra_refs: tuple[str, ...] = ()) -> MarrowReading:
    s = spec()
    fill = {"t": t, "b12_below": _b12_below(), "brisk": s["percent"]["brisk_at_or_above"], "rpi": index or 0.0,
            "how": how}
    words = s["measures"][measure].format(**fill)
    sentence = f"{obs.display()} ({words}): " + entry["text"].format(**fill)
    estimated = measure == "index_estimated"
    weight = float(entry["weight"]) * (float(load_json("tma_weights.json")["estimated_weight"]) if estimated else 1.0)
    refs = tuple(dict.fromkeys(expand_refs(entry["refs"], t) + extra_refs))
    day = obs.date.isoformat()
    return MarrowReading(measure, verdict, weight, estimated, index, obs.display(), day, sentence, refs)


def marrow_reading(
    values: dict[str, Observation], t: ThresholdSet, b12_deficient: bool = False
) -> MarrowReading | None:
    """The reticulocytes of ``values`` read by the rules in the module docstring; None without any.
    Macrocytosis discounts a brisk percentage only once B12 deficiency is shown (``b12_deficient``):
    until then a feature of B12 deficiency cannot offset one that points to TTP."""
    s = spec()
    absolute = values.get("reticulocytes_abs")
    if absolute is not None:
        band = place(absolute, s["absolute"]["bands"], t)
        if band is not None:
            return _reading("absolute", band["verdict"], band, absolute, t)
    pct = values.get("reticulocytes_pct")
    if pct is None:
        if absolute is not None:  # a censored count that spans the bands
            return _reading("absolute", NOT_DECISIVE, s["absolute"]["spans"], absolute, t)
        return None
    percent = s["percent"]
    raised = bands.above(pct, t["reticulocytes_pct_uln"])
    several = bands.above(pct, percent["brisk_at_or_above"] - 1e-9) is True
    macro = bands.above(values.get("mcv"), t["mcv_macrocytic_above"])
    index = production_index(pct, values.get("hematocrit"), values.get("hemoglobin"))
    if several and (macro is not True or not b12_deficient):
        measure = "percent_with_index" if index.value is not None else "percent"
        entry = percent[BRISK] if macro is not True else percent["brisk_macrocytic"]
        return _reading(measure, BRISK, entry, pct, t, index.value, index.how)
    if index.value is not None:
        measure = "index_estimated" if index.hematocrit_estimated else "index_measured"
        rpi = index.value
        if rpi < t["rpi_inadequate_below"]:
            verdict = LOW if raised is False else MIXED
        elif rpi < _b12_below():
            verdict = BORDERLINE
        else:
            verdict = BRISK
        entry = s["index"][verdict]
        if verdict == BRISK and several:  # never more than a brisk percentage counts (monotone in the MCV)
            entry = {**entry, "weight": max(entry["weight"], percent[BRISK]["weight"])}
        return _reading(measure, verdict, entry, pct, t, rpi, index.how, ("hillman_finch_rpi",))
    verdict = LOW if raised is False else NOT_DECISIVE
    return _reading("percent", verdict, percent[verdict], pct, t)
