"""The B12 verdict: NICE NG239 bands of serum B12 and holoTC, settled by MMA or homocysteine.

An indeterminate band is settled by MMA (the recommended second-line test, Sands BMJ 2024), or
by homocysteine when folate is normal (less specific: BSH 2014). A normal B12 with a raised
marker becomes indeterminate (functional deficiency: nitrous oxide, assay interference).
Sentences: ``data/statements/b12.json``.
"""

from __future__ import annotations

from logic.case import Case, Observation, bands
from logic.case.units import from_canonical
from logic.diagnosis.types import B12Verdict
from logic.reference import ThresholdSet
from logic.reference.statements import say, text
from logic.results import B12Status, Note

DEFICIENT, INDETERMINATE, UNLIKELY, UNKNOWN = B12Status


def status_text(status: B12Status) -> str:
    """The verdict in words, e.g. 'B12 deficiency confirmed'."""
    return text(f"b12.status_{status}")


def _b12_text(obs: Observation) -> str:
    """Serum B12 as entered, with the other unit in brackets."""
    shown = obs.display()
    if obs.unit and obs.unit.lower() == "pmol/l":
        other = f"{obs.canonical:.0f} ng/L"
    else:
        other = f"{from_canonical('b12', float(obs.canonical), 'pmol/L'):.0f} pmol/L"
    return f"{shown} (= {obs.comparator or ''}{other})"


def _band_word(bandset: set[str]) -> B12Status:
    if bandset == {"low"}:
        return DEFICIENT
    if bandset == {"high"}:
        return UNLIKELY
    return INDETERMINATE


def _indeterminate_reason(
    mma: Observation | None,
    hcy: Observation | None,
    mma_raised: bool | None,
    hcy_raised: bool | None,
    folate_low: bool | None,
    t: ThresholdSet,
) -> tuple[B12Status, str | None, Note]:
    """How MMA, homocysteine and folate settle (or do not settle) an indeterminate band."""
    if mma_raised is True:
        return DEFICIENT, "mma", say("b12.mma_settles_deficient", t, value=mma.dated())
    if mma_raised is False and hcy_raised is not True:
        return UNLIKELY, "mma", say("b12.mma_normal", t, value=mma.dated())
    if mma_raised is False and hcy_raised is True:
        return (
            INDETERMINATE,
            None,
            say("b12.mma_normal_homocysteine_raised", t, value=mma.dated(), homocysteine=hcy.dated()),
        )
    if hcy_raised is True and folate_low is False:
        return DEFICIENT, "homocysteine", say("b12.homocysteine_settles_deficient", t, value=hcy.dated())
    if hcy_raised is True:
        key = "b12.homocysteine_raised_folate_low" if folate_low else "b12.homocysteine_raised_folate_unknown"
        return INDETERMINATE, None, say(key, t, value=hcy.dated())
    if hcy_raised is False:
        return INDETERMINATE, None, say("b12.homocysteine_normal", t, value=hcy.dated())
    return INDETERMINATE, None, say("b12.indeterminate_needs_tests", t)


def b12_verdict(case: Case, t: ThresholdSet) -> B12Verdict:
    """Serum B12 (and holoTC) bands, settled by MMA/homocysteine when indeterminate."""
    base = case.baseline()
    serum, holo = base.get("b12"), base.get("holotc")
    mma, hcy, folate = base.get("mma"), base.get("homocysteine"), base.get("folate")
    reasons: list[Note] = []
    serum_band = holo_band = None
    if serum is not None:
        bs = bands.three_bands(serum, t["b12_deficient_below"], t["b12_unlikely_above"])
        serum_band = _band_word(bs)
        key = "b12.serum_spans" if len(bs) > 1 else f"b12.serum_{serum_band}"
        reasons.append(say(key, t, value=_b12_text(serum)))
    if holo is not None:
        holo_band = _band_word(bands.three_bands(holo, t["holotc_deficient_below"], t["holotc_unlikely_above"]))
        reasons.append(say("b12.holotc", t, value=holo.dated(), band=holo_band))
    found = [b for b in (serum_band, holo_band) if b]
    mma_raised = bands.above(mma, t["mma_raised_above"])
    hcy_raised = bands.above(hcy, t["homocysteine_raised_above"])
    folate_low = bands.below(folate, t["folate_deficient_below"])
    if not found:
        if mma_raised:
            reasons.append(say("b12.no_b12_mma_raised", t, value=mma.dated()))
        return B12Verdict(UNKNOWN, status_text(UNKNOWN) + text("b12.no_result"), tuple(reasons))
    if DEFICIENT in found:
        status = DEFICIENT
    elif INDETERMINATE in found:
        status = INDETERMINATE
    else:
        status = UNLIKELY
    settled_by = None
    if status == INDETERMINATE:
        status, settled_by, why = _indeterminate_reason(mma, hcy, mma_raised, hcy_raised, folate_low, t)
        reasons.append(why)
    elif status == UNLIKELY:
        if mma_raised or hcy_raised:
            status = INDETERMINATE
            marker = f"MMA {mma.dated()}" if mma_raised else f"homocysteine {hcy.dated()}"
            reasons.append(say("b12.functional_possible", t, marker=marker))
        else:
            reasons.append(say("b12.normal_does_not_exclude", t))
    if serum is not None and holo is not None and serum_band != holo_band:
        reasons.append(say("b12.serum_holotc_disagree", t, serum_band=serum_band, holo_band=holo_band))
    if settled_by == "mma" and bands.above(base.get("creatinine"), t["creatinine_uln"]):
        reasons.append(say("b12.mma_renal_caveat", t))
    headline = status_text(status)
    if settled_by:
        headline += text(f"b12.settled_by_{settled_by}")
    return B12Verdict(status, headline, tuple(reasons), serum_band, holo_band, settled_by)
