"""What to test next for the diagnosis: the tests that would settle or complete the picture.

Labels and reasons: ``data/statements/next_tests.json``. Never a test whose result is already in
the baseline, nor one whose purpose is already met (property-tested): haptoglobin and indirect
bilirubin are not asked for once haemolysis is shown, nor indirect bilirubin once a total at or
below PLASMIC's cut-off shows it; intrinsic-factor antibodies not once they or pernicious anaemia
are recorded; ADAMTS13 not once a sample is recorded as sent (the TTP page chases it).
"""

from __future__ import annotations

from logic.case import Case, bands
from logic.diagnosis.causes import pernicious_anaemia
from logic.diagnosis.types import B12Verdict
from logic.reference import ThresholdSet, load_json
from logic.reference.statements import say, text
from logic.results import B12Status, NextTest


def next_test(tid: str, reason_key: str, t: ThresholdSet | None = None, **values) -> NextTest:
    """A NextTest with its label and the reason ``next_tests.<reason_key>``."""
    why = say(f"next_tests.{reason_key}", t, **values)
    return NextTest(tid, text(f"next_tests.label_{tid}"), why.text, why.refs)


def _retic_days() -> dict[str, float]:
    days = next(m["days"] for m in load_json("recovery.json")["monitoring"] if m["id"] == "retic_hct_daily")
    return {"first": min(days), "last": max(days)}


def _ldh_medians() -> dict[str, float]:
    g = load_json("tma_groups.json")
    noel = next(r for r in g["medians"] if r["analyte"] == "ldh")
    return {"pooled": g["pooled"]["ldh_median"], "noel": noel["b12_pseudo_tma"]}


def next_tests(
    case: Case,
    t: ThresholdSet,
    verdict: B12Verdict,
    grade: int | None,
    a_grade: int | None,
    hemolysis: bool | None,
    schisto: bool | None,
) -> list[NextTest]:
    """Tests that would add to the diagnosis, most basic first, each once."""
    base = case.baseline()
    h = case.history
    out: list[NextTest] = []

    def add(tid: str, reason_key: str | None = None, **values) -> None:
        if all(n.id != tid for n in out):
            out.append(next_test(tid, reason_key or tid, t, **values))

    if "b12" not in base and "holotc" not in base:
        add("b12")
    if verdict.status == B12Status.INDETERMINATE:
        if "mma" not in base:
            add("mma")
        if "homocysteine" not in base:
            add("homocysteine")
    if h.nitrous_oxide and "homocysteine" not in base:
        add("homocysteine", "homocysteine_nitrous_oxide")
    if "folate" not in base:
        add("folate")
    if any(a not in base for a in ("hemoglobin", "platelets", "mcv")):
        add("cbc")
    elif "wbc" not in base and "neutrophils" not in base:
        add("differential")
    if "reticulocytes_pct" not in base and "reticulocytes_abs" not in base:
        add("reticulocytes", **_retic_days())
    cytopenia = (grade or 0) > 0 or (a_grade or 0) > 0
    if cytopenia and "schistocytes_seen" not in base and "schistocytes_pct" not in base:
        add("blood_film")
    if cytopenia:
        if "ldh" not in base:
            add("ldh", **_ldh_medians())
        if "haptoglobin" not in base and hemolysis is not True:
            add("haptoglobin")
        total_decides = bands.at_or_below(base.get("bilirubin_total"), t["bilirubin_indirect_hemolysis_above"])
        if "bilirubin_indirect" not in base and hemolysis is not True and not total_decides:
            add("bilirubin")
    pa_unknown = pernicious_anaemia(case)[0] is None and h.intrinsic_factor_antibodies is None
    if verdict.status in (B12Status.DEFICIENT, B12Status.INDETERMINATE) and pa_unknown:
        add("intrinsic_factor_antibodies")
    if verdict.status == B12Status.DEFICIENT and "ferritin" not in base:
        add("ferritin")
    if verdict.status == B12Status.DEFICIENT and "potassium" not in base:
        add("potassium")
    if (grade or 0) > 0 and (hemolysis or schisto):
        if "adamts13_activity" not in base and h.adamts13_sent is None:
            add("adamts13")
        if "creatinine" not in base:
            add("creatinine")
        if "inr" not in base:
            add("inr")
    return out
