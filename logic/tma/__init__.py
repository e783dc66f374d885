"""TTP or B12? Which way a thrombocytopenic, haemolytic picture points, and what would settle it.

No validated published score separates B12 pseudo-TMA from TTP. This package is Cobalt's reading
of the evidence, for a clinician to weigh; it never orders or withholds a treatment:

- ``adamts13``: the ADAMTS13 state (ISTH 2020 cut-offs; sent and pending as its own state);
- ``balance``: every available feature weighed against the published groups (``data/tma_weights.json``);
- ``rule``: safety rules first, then the balance (its docstring gives the order);
- ``french``: the French score as ISTH 2020 tabulates it;
- ``alerts`` and ``guidance``: what to say, and the ISTH statements while ADAMTS13 is awaited.

Values are the diagnosis baseline (``Diagnosis.values``); PLASMIC and the French score use the
earliest values of the presentation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from logic.case import Case, bands
from logic.diagnosis import Diagnosis
from logic.recovery.course import platelet_collapse, value_of
from logic.reference import ThresholdSet, threshold_set
from logic.reference.statements import say, text
from logic.results import Alert, B12Status, Leaning, NextTest, Note
from logic.tma.adamts13 import Adamts13, Adamts13Status, adamts13_state
from logic.tma.alerts import tma_alerts
from logic.tma.balance import Pull, total, weigh
from logic.tma.data import groups, weights
from logic.tma.french import FrenchScore, french_score
from logic.tma.guidance import isth_guidance
from logic.tma.plasmic import PlasmicResult
from logic.tma.rule import Decision, course_decision, decide

LEANINGS = tuple(Leaning)

__all__ = [
    "LEANINGS",
    "Adamts13",
    "Adamts13Status",
    "Decision",
    "FrenchScore",
    "Marker",
    "Pull",
    "TmaResult",
    "adamts13_state",
    "decided_by",
    "french_score",
    "groups",
    "regimen_caveat",
    "tma",
    "weights",
]


@dataclass(frozen=True)
class Marker:
    """A B12 marker as entered, for display beside the balance."""

    analyte: str
    label: str
    value: str
    date: str


@dataclass(frozen=True)
class TmaResult:
    """Whether the picture leans to a TMA or to B12 deficiency (pseudo-TMA), the rule that decided and why."""

    leaning: Leaning
    rule: str
    strength: str | None
    hemolysis: bool | None
    thrombocytopenia: bool | None
    schistocytes: bool | None
    picture: bool
    reasons: tuple[Note, ...]
    decisive: Note
    deciding_tests: tuple[NextTest, ...]
    balance: tuple[Pull, ...]
    total: float
    picture_total: float
    alerts: tuple[Alert, ...]
    adamts13: Adamts13
    french: FrenchScore
    b12_status: B12Status
    b12_markers: tuple[Marker, ...]
    context: tuple[Note, ...]
    guidance: tuple[Note, ...]
    no_validated_rule: Note
    thresholds_id: str
    doubt: tuple[Note, ...] = ()  # when to doubt a B12 pseudo-TMA leaning
    held_total: float = 0.0  # the sum with the held-back pulls counted (as once B12 deficiency is shown)

    def pull(self, fid: str) -> Pull | None:
        return next((p for p in self.balance if p.id == fid), None)


def _b12_markers(values) -> tuple[Marker, ...]:
    out = []
    for analyte in ("b12", "holotc", "mma", "homocysteine", "folate"):
        obs = values.get(analyte)
        if obs is not None:
            out.append(Marker(analyte, obs.label, obs.display(), obs.date.isoformat()))
    return tuple(out)


def _note(key: str) -> Note:
    entry = groups()[key]
    return Note(entry["text"], tuple(entry["refs"]))


def _deciding_tests(
    decision: Decision, res: dict, b12: B12Status, adamts: Adamts13, values, t: ThresholdSet,
    plasmic_result: PlasmicResult, history,
) -> tuple[NextTest, ...]:
    """What would settle it (nothing once ADAMTS13 has shown TTP, or without thrombocytopenia).
    Never a test already entered, nor one whose criterion is already known (property-tested)."""
    tests: list[NextTest] = []
    g = groups()

    def need(tid: str, key: str | None = None, label: str | None = None, **values_) -> None:
        if all(n.id != tid for n in tests):
            why = say(f"tma.test_{key or tid}", t, **values_)
            tests.append(NextTest(tid, label or text(f"tma.test_label_{tid}"), why.text, why.refs))

    if decision.leaning == Leaning.NOT_TMA or res["thr"] is False or adamts.status == Adamts13Status.SEVERE:
        return ()
    cuts = {"severe": g["adamts13"]["severe_below"], "normal": g["adamts13"]["not_deficient_above"]}
    hem, sch, picture = res["hem"], res["sch"], res["picture"]
    # ADAMTS13 above 20 % has settled TTP: only what would point to another TMA is left to check
    settled = adamts.status == Adamts13Status.NOT_DEFICIENT
    haemolysis = plasmic_result.criterion("hemolysis")
    parts = {p.source: p.met for p in haemolysis.parts}
    if hem is None and (sch is not True or (haemolysis.met is None and not settled)):
        # the markers decide whether this is a TMA at all, or complete PLASMIC's haemolysis point
        for tid, analyte in (("ldh", "ldh"), ("haptoglobin", "haptoglobin"), ("bilirubin", "bilirubin_indirect")):
            if analyte not in values and parts.get(analyte) is None and (sch is not True or tid != "ldh"):
                need(tid, "ldh_haemolysis" if tid == "ldh" else tid)
    if sch is None:
        need("blood_film")
    if adamts.status == Adamts13Status.PENDING:
        need("adamts13", "adamts13_pending", sent=adamts.sent, **cuts)
    elif adamts.status == Adamts13Status.NOT_SENT:  # a result in (10-20 %, or censored) is not asked for again
        need("adamts13", **cuts)
    if b12 == B12Status.UNKNOWN:
        need("b12", "b12_now")
    if b12 == B12Status.INDETERMINATE or (
        b12 == B12Status.UNKNOWN and decision.leaning in (Leaning.OTHER_TMA, Leaning.INDETERMINATE, Leaning.TTP)
    ):
        if "mma" not in values:
            need("mma")
    if "reticulocytes_pct" not in values and "reticulocytes_abs" not in values and not settled:
        need("reticulocytes")
    if "ldh" not in values and (hem is not None or sch is True) and not settled:
        ldh_row = next(r for r in g["medians"] if r["analyte"] == "ldh")
        ttp_max = next(b["at_or_below"] for b in weights()["features"]["ldh"]["bands"] if "at_or_below" in b)
        need("ldh", ttp_max=ttp_max, pooled=g["pooled"]["ldh_median"], noel=ldh_row["b12_pseudo_tma"])
    if picture and "neutrophils" not in values and not settled:
        need("cbc")
    if picture and "creatinine" not in values and adamts.status == Adamts13Status.NOT_DEFICIENT:
        need("creatinine")
    if picture and hem and "dat_positive" not in values:
        need("dat")
    if picture and not ({"inr", "fibrinogen"} <= set(values)):
        missing = [text(f"tma.coagulation_{a}") for a in ("inr", "fibrinogen", "d_dimer") if a not in values]
        plasmic = text("tma.test_coagulation_plasmic") if "inr" not in values else ""
        need("coagulation", label=text("tma.test_label_coagulation", missing=", ".join(missing)), plasmic=plasmic)
    if decision.rule.startswith("adamts13_normal") and b12 == B12Status.DEFICIENT:
        if history is not None and (history.active_cancer is None or history.transplant is None):
            need("history")
        need("medicines", **cuts)
    return tuple(tests)


def _doubt(leaning: Leaning) -> tuple[Note, ...]:
    """When to doubt a B12 pseudo-TMA leaning (the reticulocyte window; platelets collapsing)."""
    if leaning != Leaning.B12_PSEUDO_TMA:
        return ()
    r = {"rise": value_of("reticulocytes", "rise_from_day"), "peak": value_of("reticulocytes", "peak_day"),
         "window": value_of("reticulocytes", "window_end_day")}  # fmt: skip
    return (say("tma.doubt_reticulocytes", None, **r),
            say("tma.doubt_platelets", None, below=value_of("platelets", "collapse_below")))  # fmt: skip


def tma(
    case: Case,
    diagnosis: Diagnosis,
    plasmic_result: PlasmicResult,
    thresholds: str | None = None,
    today: date | None = None,
) -> TmaResult:
    """Which way the picture points (see ``rule``), with the balance, reasons, tests and alerts.
    ``today`` (default: the latest result) is the day the course is read to."""
    t = threshold_set(thresholds or diagnosis.thresholds_id)
    values = diagnosis.values or case.baseline()
    plt = values.get("platelets")
    thr = bands.below(plt, t["platelets_lln"])
    hem = diagnosis.hemolysis
    sch = diagnosis.present("schistocytes")
    b12 = B12Status(diagnosis.b12.status)
    adamts = adamts13_state(case)
    pulls = weigh(diagnosis, values, t)
    picture = thr is True and (hem is True or sch is True)
    decision = decide(
        thr=thr,
        hem=hem,
        sch=sch,
        platelets=plt,
        b12=b12,
        adamts=adamts,
        plasmic_result=plasmic_result,
        pulls=pulls,
        values=values,
        t=t,
        history=case.history,
    )
    collapse = platelet_collapse(case, today)
    decision = course_decision(decision, collapse, adamts, picture, t)
    plt_key = "picture_platelets_none" if plt is None else ("picture_platelets_low" if thr else "picture_platelets")
    reasons = [
        say(
            "tma.picture",
            t,
            platelets=text(f"tma.{plt_key}", value=plt.dated() if plt else None),
            hemolysis=text(f"tma.picture_hemolysis_{str(hem).lower()}"),
            schistocytes=text(f"tma.picture_schistocytes_{str(sch).lower()}"),
        ),
        t_note(adamts),
        *decision.reasons,
    ]
    if b12 != B12Status.DEFICIENT or adamts.status != Adamts13Status.SEVERE:
        reasons.insert(2, Note(diagnosis.b12.headline.rstrip(".") + ".", ("nice_ng239",)))
    res = {"thr": thr, "hem": hem, "sch": sch, "picture": picture}
    tests = _deciding_tests(decision, res, b12, adamts, values, t, plasmic_result, case.history)
    plt_pull = next((p.weight for p in pulls if p.id == "platelets"), None)
    # haemolysis or schistocytes not known to be absent: a TMA is still possible (unknown is not "no")
    possible = thr is True and not (hem is False and sch is False)
    alerts = tma_alerts(decision, plt_pull, plt, picture, b12, adamts, plasmic_result, t, collapse, possible)
    context = (_note("frequency"), _note("plasma_therapy_text"), _note("unsourced_claim"), _note("coexistence"))
    return TmaResult(
        leaning=decision.leaning,
        rule=decision.rule,
        strength=decision.strength,
        hemolysis=hem,
        thrombocytopenia=thr,
        schistocytes=sch,
        picture=picture,
        reasons=tuple(reasons),
        decisive=decision.reasons[0] if decision.rule != "adamts13_severe" else t_note(adamts),
        deciding_tests=tests,
        balance=pulls,
        total=total(pulls),
        picture_total=total(pulls, picture_only=True),
        alerts=tuple(alerts),
        adamts13=adamts,
        french=french_score(case),
        b12_status=b12,
        b12_markers=_b12_markers(values),
        context=context,
        guidance=isth_guidance(decision.leaning, adamts, t),
        no_validated_rule=_note("no_validated_rule"),
        thresholds_id=t.id,
        doubt=_doubt(decision.leaning),
        held_total=total(pulls, raw=True),
    )


def t_note(adamts: Adamts13) -> Note:
    return Note(adamts.text, adamts.refs)


def regimen_caveat(b12: B12Status, leaning: Leaning, thresholds: str | None = None) -> Note | None:
    """What a B12 regimen must say first when it has no clear indication: B12 deficiency not
    established, or the TTP question leaning TTP. None when B12 is deficient and it does not."""
    t = threshold_set(thresholds)
    if leaning == Leaning.TTP:
        return say("tma.no_indication_ttp", t)
    if b12 in (B12Status.UNKNOWN, B12Status.UNLIKELY):
        return say("tma.no_indication_unknown", t, status=str(b12))
    return None


_DECIDED = {
    "adamts13_severe": "decided_adamts13_severe",
    "plasmic_high": "decided_plasmic_high",
    "dat_positive": "decided_dat_positive",
    "dic": "decided_dic",
    "adamts13_normal": "decided_adamts13_normal",
    "adamts13_normal_b12_unlikely": "decided_adamts13_normal",
    "adamts13_normal_b12_open": "decided_adamts13_normal",
    "adamts13_normal_b12_not_measured": "decided_adamts13_normal",
    "adamts13_normal_other_feature": "decided_adamts13_normal_other",
    "b12_balance_other_feature": "decided_other_feature",
    "ttp_not_excluded": "decided_ttp_not_excluded",
    "course_collapse": "decided_course_collapse",
    "course_collapse_adamts13_normal": "decided_course_collapse",
    "course_fall": "decided_course_collapse",
    "platelets_normal": "decided_no_tma",
    "no_platelets": "decided_no_tma",
    "no_haemolysis": "decided_no_tma",
    "picture_undecided": "decided_no_tma",
}


def decided_by(r: TmaResult) -> str | None:
    """What decided the leaning when it was not the weighed balance (a safety rule, ADAMTS13, the
    DAT, the clotting screen, or no TMA question), in words; None when the balance decided it."""
    key = _DECIDED.get(r.rule)
    if key is None:
        return None
    g = groups()["adamts13"]
    return text(f"tma.{key}", severe=g["severe_below"], normal=g["not_deficient_above"])
