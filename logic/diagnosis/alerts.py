"""The diagnosis alerts: delay, folate, potassium, drugs and exposures, iron, discordance.

The catalogue (id, usual severity, message, sources) is ``data/statements/alerts.json``; this
module decides which apply. Sources: US cyanocobalamin label (delay beyond 3 months, folate,
potassium in the first 48 h), BSH 2014, MHRA 2022 (metformin), Lam JAMA 2013 (acid
suppression), Practical Neurology (nitrous oxide), WHO 2020 (ferritin), Tran 2018.
"""

from __future__ import annotations

from datetime import date

from logic.case import Case, bands
from logic.case.dates import add_months
from logic.case.plausibility import unit_suspect_alerts
from logic.diagnosis.causes import neurological_involvement
from logic.diagnosis.types import B12Verdict, Finding
from logic.reference import ThresholdSet, load_json
from logic.reference.statements import alert, text
from logic.results import Alert, B12Status, Severity

DAYS_PER_MONTH = 30.44  # mean Gregorian month, for "N months" in words


def _delay(case: Case, t: ThresholdSet, today: date | None) -> list[Alert]:
    onset, ref_day = case.history.symptom_onset, case.treatment_start or today
    if not (onset and ref_day and ref_day > add_months(onset, int(t["delay_months"]))):
        return []
    days = (ref_day - onset).days
    what = text("alerts.delay_before_treatment" if case.treatment_start else "alerts.delay_untreated")
    return [alert("alerts.delay_over_3_months", t, days=days, months=days / DAYS_PER_MONTH, what=what)]


def _folate(case: Case, t: ThresholdSet, verdict: B12Verdict) -> list[Alert]:
    base, h = case.baseline(), case.history
    out = []
    folate = base.get("folate")
    folate_low = bands.below(folate, t["folate_deficient_below"])
    if folate_low:
        out.append(alert("alerts.folate_deficiency", t, value=folate.display()))
    drugs = [n for n in ("sulfasalazine", "methotrexate") if h.flag(n)]
    if drugs:
        advice = text("alerts.folate_antagonist_check" if folate is None else "alerts.folate_antagonist_recheck")
        names = " and ".join(d.capitalize() for d in drugs)
        out.append(alert("alerts.folate_antagonist_drugs", t, drugs=names, advice=advice))
    if verdict.status in (B12Status.DEFICIENT, B12Status.INDETERMINATE) and not folate_low:
        out.append(alert("alerts.no_folate_alone", t))
    return out


def _potassium(case: Case, t: ThresholdSet, a_grade: int | None) -> list[Alert]:
    k = case.baseline().get("potassium")
    k_low = bands.below(k, t["potassium_lln"])
    severe = a_grade is not None and a_grade >= 3
    extra = []
    if severe:
        extra.append(text("alerts.potassium_severe_anaemia"))
    if k_low:
        extra.append(text("alerts.potassium_already_low", value=k.display()))
    why = " (" + "; ".join(extra) + ")" if extra else ""
    severity = Severity.CRITICAL if (severe or k_low) else None
    return [alert("alerts.potassium_first_48h", t, severity=severity, why=why)]


def _exposures(case: Case, t: ThresholdSet) -> list[Alert]:
    h = case.history
    return [alert(f"alerts.{name}", t) for name in ("metformin", "acid_suppression", "nitrous_oxide") if h.flag(name)]


def diagnosis_alerts(
    case: Case,
    t: ThresholdSet,
    verdict: B12Verdict,
    findings: list[Finding] | tuple[Finding, ...],
    a_grade: int | None,
    today: date | None,
) -> list[Alert]:
    """Every diagnosis alert that applies, in catalogue order (callers sort by severity)."""
    base = case.baseline()
    out = _delay(case, t, today) + _folate(case, t, verdict)
    if verdict.status == B12Status.DEFICIENT:
        out += _potassium(case, t, a_grade)
    out += _exposures(case, t)
    b12 = base.get("b12")
    if b12 is not None and case.treatment_start is not None and b12.date >= case.treatment_start:
        out.append(alert("alerts.b12_after_injection", t))
    elif b12 is None and case.treatment_start is not None:
        later = [o for o in case.series("b12") if o.date > case.treatment_start]
        if later:
            out.append(alert("alerts.b12_only_after_treatment", t, value=later[0].dated()))
    ferritin = base.get("ferritin")
    if bands.below(ferritin, t["ferritin_iron_deficient_below"]):
        out.append(alert("alerts.iron_deficiency", t, value=ferritin.display()))
    present = {f.id: f.present for f in findings}
    if verdict.status in (B12Status.INDETERMINATE, B12Status.UNLIKELY) and (
        neurological_involvement(case) or present.get("macrocytosis")
    ):
        out.append(alert("alerts.discordant_result", t))
    if present.get("thrombocytopenia") and (present.get("hemolysis") or present.get("schistocytes")):
        given = load_json("tma_groups.json")["pooled"]["plasma_therapy"]
        out.append(alert("alerts.unsourced_misdiagnosis_rate", t, pct=given["pct"], n=given["n"], of=given["of"]))
    out += unit_suspect_alerts(case, t)  # a value that reads as a unit slip (logic/case/plausibility.py)
    return out
