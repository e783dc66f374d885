"""Alerts for the TTP-or-B12 question. None of them advises withholding plasma exchange; a TTP
leaning always comes with a critical alert (never quiet on a TTP picture), and so does a
microangiopathic picture whose missing items leave high risk open (missing is not reassuring)."""

from __future__ import annotations

from logic.case import Observation, bands
from logic.recovery.course import Collapse, collapse_alert
from logic.reference import ThresholdSet
from logic.reference.statements import alert, say, text
from logic.results import Alert, B12Status, Leaning, Severity
from logic.tma.adamts13 import Adamts13, Adamts13Status
from logic.tma.data import groups, weights
from logic.tma.plasmic import PlasmicResult, plasmic_data
from logic.tma.rule import Decision

_WHY = {
    "plasmic_high": "ttp_likely_plasmic",
    "overlap": "ttp_likely_overlap",
    "ttp_not_excluded": "ttp_likely_not_excluded",
    "course_collapse": "ttp_likely_course",
}


def _missing(plasmic_result: PlasmicResult, adamts: Adamts13, b12: B12Status) -> list[str]:
    """What to complete now: PLASMIC's unknown items, ADAMTS13, and B12 when not measured."""
    out = [text(f"alerts.missing_{c.id}") for c in plasmic_result.criteria if c.met is None]
    if adamts.status == Adamts13Status.PENDING:
        out.append(text("alerts.missing_adamts13_pending", sent=adamts.sent))
    elif adamts.status == Adamts13Status.NOT_SENT:
        out.append(text("alerts.missing_adamts13_not_sent"))
    if b12 == B12Status.UNKNOWN:
        out.append(text("alerts.missing_b12"))
    return out


def not_excluded_alert(
    picture: bool, platelets: Observation | None, plasmic_result: PlasmicResult, adamts: Adamts13, b12: B12Status,
    t: ThresholdSet, possible: bool | None = None,
) -> Alert | None:
    """Missing is not reassuring: while ADAMTS13 has no result, a critical alert when PLASMIC could still reach
    6-7 because items are unknown (with a microangiopathic picture, or with thrombocytopenia whose film and
    haemolysis markers are not known to be normal, ``possible``, while B12 deficiency is not shown), when a
    microangiopathic picture has platelets below 30, or when a microangiopathic picture without shown B12
    deficiency could still score in PLASMIC's intermediate band or above. It names what to complete now and
    quotes the ISTH statement on high suspicion."""
    if not adamts.status.awaited:
        return None
    # a picture not shown to be microangiopathic counts while B12 deficiency does not explain the count
    possible = picture or (bool(possible) and b12 != B12Status.DEFICIENT)
    if not possible:
        return None
    spec = weights()["not_excluded"]
    reasons = []
    p = plasmic_result
    unknown = sum(1 for c in p.criteria if c.met is None)
    if unknown and p.min_score < p.max_score and p.max_score >= spec["plasmic_high_from"]:
        reasons.append(text("alerts.not_excluded_plasmic", lo=p.min_score, hi=p.max_score, n=unknown))
    if picture and bands.below(platelets, spec["platelets_below"]) is True:
        reasons.append(text("alerts.not_excluded_platelets", value=platelets.display(), below=spec["platelets_below"]))
    if picture and not reasons and b12 != B12Status.DEFICIENT and p.max_score >= spec["plasmic_intermediate_from"]:
        reasons.append(text("alerts.not_excluded_picture", hi=p.max_score))
    if not reasons:
        return None
    missing = _missing(p, adamts, b12)
    isth = say("tma.guidance_high_suspicion", t)
    return alert("alerts.high_risk_not_excluded", t, lead_refs=isth.refs, why="; and ".join(reasons),
                 missing="; ".join(missing) if missing else text("alerts.not_excluded_nothing_missing"),
                 isth=isth.text)  # fmt: skip


def tma_alerts(
    decision: Decision,
    platelet_pull: float | None,
    platelets: Observation | None,
    picture: bool,
    b12: B12Status,
    adamts: Adamts13,
    plasmic_result: PlasmicResult,
    t: ThresholdSet,
    collapse: Collapse | None = None,
    possible: bool | None = None,
) -> list[Alert]:
    """The alerts that apply, most urgent first within this list's own order."""
    g = groups()
    out: list[Alert] = []
    leaning = decision.leaning
    if collapse is not None:
        out.append(collapse_alert(collapse))
    if adamts.status == Adamts13Status.SEVERE:
        out.append(alert("alerts.ttp_emergency", t, severe=g["adamts13"]["severe_below"]))
        if b12 == B12Status.DEFICIENT:
            out.append(alert("alerts.ttp_with_b12_deficiency", t))
    elif leaning == Leaning.TTP:
        why = _WHY.get(decision.rule, "ttp_likely_balance")
        score = plasmic_result.score or plasmic_result.min_score
        out.append(alert("alerts.ttp_likely", t, why=text(f"alerts.{why}", score=score)))
    missing = not_excluded_alert(picture, platelets, plasmic_result, adamts, b12, t, possible)
    if missing is not None:
        out.append(missing)
    if decision.rule == "picture_undecided" and platelet_pull is not None and platelet_pull < 0:
        out.append(alert("alerts.tma_unexplored", t, value=platelets.dated() if platelets else None))
    possible = picture and leaning not in (Leaning.NOT_TMA,)
    if adamts.status.awaited and possible and b12 != B12Status.UNLIKELY and leaning != Leaning.TTP:
        freq, pooled = g["frequency"], g["pooled"]["plasma_therapy"]
        severity = Severity.CRITICAL if b12 == B12Status.DEFICIENT else Severity.WARNING
        out.append(
            alert(
                "alerts.ttp_mimic",
                t,
                severity=severity,
                freq=freq["pseudo_tma_pct"],
                cohort=freq["cohort_n"],
                n=pooled["n"],
                of=pooled["of"],
                pct=pooled["pct"],
            )
        )
    if b12 == B12Status.DEFICIENT and possible:
        out.append(alert("alerts.b12_does_not_wait", t))
    if plasmic_result.risk == "high" and b12 == B12Status.DEFICIENT and adamts.status != Adamts13Status.SEVERE:
        out.append(alert("alerts.plasmic_b12_conflict", t, ppv=plasmic_data()["validation"]["ppv_pct"]))
    return out
