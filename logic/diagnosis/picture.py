"""The blood picture: CTCAE v5 grades, pancytopenia, haemolysis, schistocytes, the reticulocyte
production index and macrocytosis, from the case's baseline values.

Sources: CTCAE v5 (``data/ctcae.json``), WHO 2011 (anaemia), ICSH 2021 (schistocytes),
Hillman & Finch (``data/rpi.json``), Bendapudi 2017 (haemolysis markers). Sentences:
``data/statements/picture.json``; a finding's label and sources are its ``finding_ID`` entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from logic.case import Case, Observation, bands
from logic.diagnosis.marrow import MarrowReading, ProductionIndex, marrow_reading, production_index, rpi_data
from logic.diagnosis.types import Finding
from logic.reference import ThresholdSet, load_json
from logic.reference.statements import expand_refs, statement, text

__all__ = ["ProductionIndex", "production_index", "rpi_data"]  # their home is marrow.py; kept importable here


@lru_cache(maxsize=1)
def ctcae() -> dict[str, Any]:
    """``data/ctcae.json``: the CTCAE v5 grade bands."""
    return load_json("ctcae.json")


def grade_cuts(term: str, lln: float) -> tuple[tuple[int, float], ...]:
    """(grade, starts below) for a CTCAE term, most severe first; 'lln' filled with ``lln``."""
    rows = [(g["grade"], lln if g["below"] == "lln" else float(g["below"])) for g in ctcae()[term]["grades"]]
    return tuple(sorted(rows, reverse=True))


def _grade_of(x: float, cuts: tuple[tuple[int, float], ...]) -> int:
    for grade, below in cuts:
        if x < below:
            return grade
    return 0


def thrombocytopenia_grade(obs: Observation | None, lln: float) -> int | None:
    """CTCAE v5 'platelet count decreased': 0 at or above LLN; 1 <LLN-75; 2 <75-50; 3 <50-25; 4 <25
    (bands from ``data/ctcae.json``). None when missing or when a censored value spans grades."""
    if obs is None:
        return None
    iv = bands.Interval.of(obs)
    cuts = grade_cuts("platelets", lln)
    hi = iv.hi if iv.hi_closed else iv.hi - 1e-9
    lo_g, hi_g = _grade_of(iv.lo, cuts), _grade_of(hi if hi != float("inf") else 1e12, cuts)
    return lo_g if lo_g == hi_g else None


def anaemia_grade(obs: Observation | None, sex: str | None, t: ThresholdSet) -> tuple[int | None, str]:
    """CTCAE v5 anaemia grade (0 none) with WHO lower limits by sex; None if it depends on unknowns."""
    if obs is None:
        return None, text("picture.hb_none")
    hb = float(obs.canonical)
    lln = {"male": t["hb_lln_male"], "female": t["hb_lln_female"]}.get(sex or "")
    if obs.comparator:
        return None, text("picture.hb_censored", value=obs.display())
    if lln is None:
        lo_l, hi_l = sorted((t["hb_lln_male"], t["hb_lln_female"]))
        if hb >= hi_l:
            return 0, text("picture.hb_normal_both_sexes", value=obs.display())
        if hb >= lo_l:
            return None, text("picture.hb_depends_on_sex", value=obs.display())
        lln = lo_l
    g = _grade_of(hb, grade_cuts("anaemia", lln))
    if g == 0:
        return 0, text("picture.hb_normal", value=obs.display(), lln=lln)
    return g, text("picture.hb_grade", value=obs.display(), lln=lln, grade=g)


def reticulocyte_production_index(
    retic: Observation | None, hct: Observation | None, hb: Observation | None
) -> tuple[float | None, str]:
    """(RPI, how it was computed); see :func:`production_index`."""
    p = production_index(retic, hct, hb)
    return p.value, p.how


def _finding(fid: str, present: bool | None, detail: str, t: ThresholdSet, entry: str | None = None) -> Finding:
    spec = statement(f"picture.finding_{entry or fid}")
    return Finding(fid, spec["text"], present, detail, expand_refs(spec["refs"], t))


@dataclass(frozen=True)
class Picture:
    """The blood picture: findings, cytopenia grades, haemolysis and the reticulocyte production index."""

    findings: tuple[Finding, ...]
    thrombocytopenia_grade: int | None
    anaemia_grade: int | None
    hemolysis: bool | None
    rpi: ProductionIndex
    marrow: MarrowReading | None = None


def _cytopenias(
    base: dict[str, Observation], sex: str | None, t: ThresholdSet
) -> tuple[list[Finding], int | None, int | None]:
    plt, hb = base.get("platelets"), base.get("hemoglobin")
    out: list[Finding] = []
    grade = thrombocytopenia_grade(plt, t["platelets_lln"])
    if plt is None:
        out.append(_finding("thrombocytopenia", None, text("picture.platelets_none", t), t))
    elif grade is None:
        detail = text("picture.platelets_spans", t, dated=plt.dated())
        out.append(_finding("thrombocytopenia", bands.below(plt, t["platelets_lln"]), detail, t))
    elif grade:
        out.append(
            _finding("thrombocytopenia", True, text("picture.platelets_grade", t, dated=plt.dated(), grade=grade), t)
        )
    else:
        out.append(_finding("thrombocytopenia", False, text("picture.platelets_normal", t, dated=plt.dated()), t))
    a_grade, a_text = anaemia_grade(hb, sex, t)
    out.append(_finding("anaemia", None if a_grade is None else a_grade > 0, a_text + ".", t))
    anaemic = None if a_grade is None else a_grade > 0
    wbc_low = bands.below(base.get("wbc"), t["wbc_lln"])
    neut_low = bands.below(base.get("neutrophils"), t["neutrophils_lln"])
    leuko = True if (wbc_low or neut_low) else (False if (wbc_low is False or neut_low is False) else None)
    low_plt = bands.below(plt, t["platelets_lln"])
    parts = (anaemic, low_plt, leuko)
    pancyto = False if False in parts else (True if all(parts) else None)
    key = {True: "pancytopenia_yes", False: "pancytopenia_no", None: "pancytopenia_unknown"}[pancyto]
    out.append(_finding("pancytopenia", pancyto, text(f"picture.{key}"), t))
    if low_plt and anaemic is False and leuko is False:
        out.append(_finding("isolated_thrombocytopenia", True, text("picture.isolated_thrombocytopenia"), t))
    return out, grade, a_grade


def schistocytes_state(base: dict[str, Observation], t: ThresholdSet) -> bool | None:
    """More than the set's cut-off of schistocytes, or 'seen' on the film; None when no film result."""
    pct_high = bands.above(base.get("schistocytes_pct"), t["schistocytes_pct_tma_above"])
    if pct_high is not None:
        return pct_high
    seen = base.get("schistocytes_seen")
    return None if seen is None else bool(seen.value)


def _hemolysis(base: dict[str, Observation], schisto: bool | None, t: ThresholdSet) -> tuple[Finding, bool | None]:
    ldh, hapto, bili = base.get("ldh"), base.get("haptoglobin"), base.get("bilirubin_indirect")
    hapto_low = bands.below(hapto, t["haptoglobin_lln"])
    hapto_undetect = bands.at_or_below(hapto, t["haptoglobin_undetectable_at_or_below"])
    ldh_high = bands.above(ldh, t["ldh_uln"])
    bili_high = bands.above(bili, t["bilirubin_indirect_hemolysis_above"])
    if hapto_low or (ldh_high and (bili_high or schisto)):
        hemolysis: bool | None = True
    elif hapto_low is False or (hapto is None and ldh_high is False):
        hemolysis = False
    else:
        hemolysis = None
    markers = []
    if ldh is not None:
        markers.append(text("picture.ldh_marker", t, value=ldh.display(), ratio=float(ldh.canonical) / t["ldh_uln"]))
    if hapto is not None:
        key = (
            "haptoglobin_marker_undetectable"
            if hapto_undetect
            else "haptoglobin_marker_low"
            if hapto_low
            else "haptoglobin_marker"
        )
        markers.append(text(f"picture.{key}", value=hapto.display()))
    if bili is not None:
        markers.append(text("picture.bilirubin_marker", value=bili.display()))
    detail = ("; ".join(markers) or text("picture.hemolysis_no_markers")) + "."
    if hemolysis is None and markers:
        detail += text("picture.hemolysis_undecided")
    return _finding("hemolysis", hemolysis, detail, t), hemolysis


def _schistocytes(base: dict[str, Observation], schisto: bool | None, t: ThresholdSet) -> Finding:
    pct = base.get("schistocytes_pct")
    if pct is not None:
        detail = text("picture.schistocytes_pct", t, value=pct.display())
    elif schisto is not None:
        detail = text("picture.schistocytes_seen" if schisto else "picture.schistocytes_not_seen")
    else:
        detail = text("picture.schistocytes_no_film")
    if schisto:
        detail += text("picture.schistocytes_not_specific")
    return _finding("schistocytes", schisto, detail, t)


def _rpi(
    base: dict[str, Observation], t: ThresholdSet, b12_deficient: bool = False
) -> tuple[Finding, ProductionIndex, MarrowReading | None]:
    """The marrow response as the one reticulocyte reading (``marrow.py``) says it: the finding is
    present for a low response, absent for an adequate or brisk one, not known otherwise."""
    p = production_index(base.get("reticulocytes_pct"), base.get("hematocrit"), base.get("hemoglobin"))
    reading = marrow_reading(base, t, b12_deficient)
    if reading is None:
        return _finding("rpi", None, text("picture.rpi_not_computed", how=p.how), t, "rpi_unknown"), p, None
    spec = statement("picture.finding_rpi")
    refs = tuple(dict.fromkeys(expand_refs(spec["refs"], t) + reading.refs))
    finding = Finding("rpi", spec["text"], reading.low, reading.text + ".", refs)
    return finding, p, reading


def _macrocytosis(base: dict[str, Observation], t: ThresholdSet) -> Finding:
    mcv, ferritin = base.get("mcv"), base.get("ferritin")
    macro = bands.above(mcv, t["mcv_macrocytic_above"])
    if mcv is None:
        detail = text("picture.mcv_none")
    elif macro:
        detail = text("picture.mcv_macrocytic", t, dated=mcv.dated())
    else:
        detail = text("picture.mcv_normal", dated=mcv.dated())
        if bands.below(ferritin, t["ferritin_iron_deficient_below"]):
            detail += text("picture.mcv_iron_low", value=ferritin.display())
    return _finding("macrocytosis", macro, detail, t)


def _markers(base: dict[str, Observation], t: ThresholdSet) -> list[Finding]:
    out = []
    hyper = base.get("hypersegmented_neutrophils")
    if hyper is not None:
        seen = "seen" if hyper.value else "not seen"
        out.append(
            _finding("hypersegmented_neutrophils", bool(hyper.value), text("picture.hypersegmented", seen=seen), t)
        )
    hcy = base.get("homocysteine")
    high = bands.above(hcy, t["homocysteine_raised_above"])
    if hcy is None:
        detail = text("picture.homocysteine_none")
    else:
        detail = text("picture.homocysteine_above" if high else "picture.homocysteine_not_above", t, dated=hcy.dated())
    out.append(_finding("hyperhomocysteinaemia", high, detail, t))
    return out


def blood_picture(case: Case, t: ThresholdSet, b12_deficient: bool = False) -> Picture:
    """Every finding of the baseline blood picture, in display order (``b12_deficient``: the B12
    verdict, which the reticulocyte reading needs; see ``marrow.py``)."""
    base = case.baseline()
    findings, grade, a_grade = _cytopenias(base, case.patient.sex, t)
    schisto = schistocytes_state(base, t)
    hem_finding, hemolysis = _hemolysis(base, schisto, t)
    findings += [hem_finding, _schistocytes(base, schisto, t)]
    rpi_finding, rpi, reading = _rpi(base, t, b12_deficient)
    findings += [rpi_finding, _macrocytosis(base, t), *_markers(base, t)]
    return Picture(tuple(findings), grade, a_grade, hemolysis, rpi, reading)
