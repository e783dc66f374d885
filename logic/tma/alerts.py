"""Alerts for the TTP-or-B12 question. None of them advises withholding plasma exchange; a TTP
leaning always comes with a critical alert (never quiet on a TTP picture)."""

from __future__ import annotations

from logic.reference import ThresholdSet
from logic.reference.statements import alert, text
from logic.results import Alert, B12Status, Leaning, Severity
from logic.tma.adamts13 import Adamts13, Adamts13Status
from logic.tma.data import groups
from logic.tma.plasmic import PlasmicResult, plasmic_data
from logic.tma.rule import Decision


def tma_alerts(
    decision: Decision,
    platelet_pull: float | None,
    platelets: str | None,
    picture: bool,
    b12: B12Status,
    adamts: Adamts13,
    plasmic_result: PlasmicResult,
    t: ThresholdSet,
) -> list[Alert]:
    """The alerts that apply, most urgent first within this list's own order."""
    g = groups()
    out: list[Alert] = []
    leaning = decision.leaning
    if adamts.status == Adamts13Status.SEVERE:
        out.append(alert("alerts.ttp_emergency", t, severe=g["adamts13"]["severe_below"]))
        if b12 == B12Status.DEFICIENT:
            out.append(alert("alerts.ttp_with_b12_deficiency", t))
    elif leaning == Leaning.TTP:
        why = {"plasmic_high": "ttp_likely_plasmic", "overlap": "ttp_likely_overlap"}.get(
            decision.rule, "ttp_likely_balance"
        )
        score = plasmic_result.score or plasmic_result.min_score
        out.append(alert("alerts.ttp_likely", t, why=text(f"alerts.{why}", score=score)))
    if decision.rule == "picture_undecided" and platelet_pull is not None and platelet_pull < 0:
        out.append(alert("alerts.tma_unexplored", t, value=platelets))
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
