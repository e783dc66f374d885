"""The case document written from a :class:`logic.case.Case`: the inverse of :func:`logic.case.parse_case`
(kept apart so that the reader's module stays under the house limit of 500 lines)."""

from __future__ import annotations

from typing import Any

from logic.case import ADDED_FLAGS, HISTORY_FLAGS, Case


def case_to_dict(case: Case) -> dict[str, Any]:
    """The case document for ``case`` (the inverse of :func:`parse_case`)."""
    hist: dict[str, Any] = {name: case.history.flag(name) for name in HISTORY_FLAGS}
    hist["ileal_resection_cm"] = case.history.ileal_resection_cm
    hist["symptom_onset"] = case.history.symptom_onset.isoformat() if case.history.symptom_onset else None
    if case.history.adamts13_sent is not None:
        hist["adamts13_sent"] = case.history.adamts13_sent.isoformat()
    for name in ADDED_FLAGS:
        if case.history.flag(name) is not None:
            hist[name] = case.history.flag(name)
    doc: dict[str, Any] = {"format": case.format}
    if case.label is not None:
        doc["label"] = case.label
    doc["patient"] = {"age_years": case.patient.age_years, "sex": case.patient.sex}
    doc["history"] = hist
    doc["treatment_start"] = case.treatment_start.isoformat() if case.treatment_start else None
    doc["observations"] = [o.to_dict() for o in sorted(case.observations, key=lambda o: o.index)]
    if case.doses:
        doc["doses"] = [d.to_dict() for d in sorted(case.doses, key=lambda d: d.index)]
    if case.regimen is not None:
        doc["regimen"] = case.regimen.to_dict()
    if case.unit_system is not None:
        doc["unit_system"] = case.unit_system
    for key, value in case.extra:
        doc[key] = value
    return doc
