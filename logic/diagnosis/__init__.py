"""Confirm (or not) vitamin B12 deficiency and describe the blood picture, with sources.

Input: a :class:`~logic.case.Case` and a threshold set (``data/thresholds/``). Output: a frozen
:class:`Diagnosis` whose every statement names the references behind it. Values used are the
case's *baseline* (last value on or before ``treatment_start``).

Rooms: ``b12`` (the verdict), ``picture`` (grades, haemolysis, RPI, macrocytosis), ``causes``
(causes, lifelong, route), ``alerts``, ``next_tests``; result types in ``types``.

Sources: NICE NG239 (B12/holoTC bands), BSH 2014 (discordance, folate, local ranges), Stabler
NEJM 2013 (MMA/homocysteine limits), CTCAE v5 (grades), WHO 2011 (anaemia), ICSH 2021
(schistocytes), Hillman & Finch (RPI), US cyanocobalamin label (route, potassium, folate,
delay), Battat 2014 (ileal resection).
"""

from __future__ import annotations

from datetime import date

from logic.case import Case
from logic.diagnosis.alerts import diagnosis_alerts
from logic.diagnosis.b12 import b12_verdict, status_text
from logic.diagnosis.causes import causes, malabsorption_causes, route_advice
from logic.diagnosis.marrow import MarrowReading, marrow_reading
from logic.diagnosis.next_tests import next_test, next_tests
from logic.diagnosis.picture import (
    ProductionIndex,
    anaemia_grade,
    blood_picture,
    grade_cuts,
    production_index,
    reticulocyte_production_index,
    schistocytes_state,
    thrombocytopenia_grade,
)
from logic.diagnosis.types import B12Verdict, Cause, Diagnosis, Finding
from logic.reference import threshold_set
from logic.results import Alert, B12Status, NextTest, Note, by_severity

DEFICIENT, INDETERMINATE, UNLIKELY, UNKNOWN = B12Status

__all__ = [
    "Alert",
    "B12Status",
    "B12Verdict",
    "Cause",
    "DEFICIENT",
    "Diagnosis",
    "Finding",
    "INDETERMINATE",
    "MarrowReading",
    "NextTest",
    "Note",
    "ProductionIndex",
    "UNKNOWN",
    "UNLIKELY",
    "anaemia_grade",
    "b12_verdict",
    "blood_picture",
    "causes",
    "diagnose",
    "grade_cuts",
    "malabsorption_causes",
    "marrow_reading",
    "next_test",
    "production_index",
    "reticulocyte_production_index",
    "route_advice",
    "schistocytes_state",
    "status_text",
    "thrombocytopenia_grade",
]


def diagnose(case: Case, thresholds: str | None = None, today: date | None = None) -> Diagnosis:
    """The whole diagnostic picture for ``case`` using the named threshold set."""
    t = threshold_set(thresholds)
    verdict = b12_verdict(case, t)
    pic = blood_picture(case, t, verdict.status == B12Status.DEFICIENT)
    cause_list, lifelong, life_reasons = causes(case, t)
    schisto = next(f.present for f in pic.findings if f.id == "schistocytes")
    alerts = by_severity(diagnosis_alerts(case, t, verdict, pic.findings, pic.anaemia_grade, today))
    return Diagnosis(
        b12=verdict,
        thrombocytopenia_grade=pic.thrombocytopenia_grade,
        anaemia_grade=pic.anaemia_grade,
        hemolysis=pic.hemolysis,
        findings=pic.findings,
        causes=tuple(cause_list),
        lifelong=lifelong,
        lifelong_reasons=tuple(life_reasons),
        route=tuple(route_advice(case, t)),
        alerts=tuple(alerts),
        next_tests=tuple(
            next_tests(case, t, verdict, pic.thrombocytopenia_grade, pic.anaemia_grade, pic.hemolysis, schisto)
        ),
        thresholds_id=t.id,
        reticulocyte_production_index=pic.rpi.value,
        values=case.baseline(),
        marrow=pic.marrow,
    )
