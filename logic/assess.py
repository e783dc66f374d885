"""The assessment document that ``python -m logic assess`` prints (contract: case-format.md).

Keys of the contract come first; extra keys (``b12``, ``findings``, ``causes``...) carry the
reasons and sources that the app shows under "Why?".
"""

from __future__ import annotations

from datetime import date
from typing import Any

from logic import serialize, statements
from logic.case import Case
from logic.diagnosis import Diagnosis, diagnose
from logic.results import Note

DISCLAIMER = statements.text("common.disclaimer")


def _notes(notes: tuple[Note, ...] | list[Note]) -> list[dict[str, Any]]:
    return [{"text": n.text, "refs": list(n.refs)} for n in notes]


def _optional(module: str, func: str):
    """Later capabilities (PLASMIC, TMA, response) plug in when their module exists."""
    import importlib

    try:
        mod = importlib.import_module(f"logic.{module}")
    except ModuleNotFoundError as exc:
        if exc.name == f"logic.{module}":
            return None
        raise  # a broken import inside the module is a defect, not an absent capability
    return getattr(mod, func)


def assess(
    case: Case, today: date | None = None, thresholds: str | None = None, diagnosis: Diagnosis | None = None
) -> dict[str, Any]:
    """Assessment of ``case`` as a JSON-ready dict. ``today`` defaults to the latest observation date."""
    today = today or case.last_date()
    d = diagnosis or diagnose(case, thresholds, today)
    out: dict[str, Any] = {
        "b12_status": d.b12.status,
        "thrombocytopenia_grade": d.thrombocytopenia_grade,
        "plasmic": None,
        "tma": None,
        "lifelong": d.lifelong,
        "alerts": serialize.alerts(d.alerts),
        "next_tests": [n.id for n in d.next_tests],
    }
    plasmic_fn = _optional("plasmic", "plasmic")
    plasmic_result = None
    if plasmic_fn is not None:
        plasmic_result = plasmic_fn(case, thresholds)
        out["plasmic"] = plasmic_result.to_dict()
    tma_fn = _optional("tma", "tma")
    if tma_fn is not None and plasmic_result is not None:
        tma_result = tma_fn(case, d, plasmic_result, thresholds)
        out["tma"] = tma_result.to_dict()
        extra = serialize.alerts(tma_result.alerts)
        if tma_result.leaning == "ttp":  # a note about over-diagnosed TTP must not shade a TTP picture
            out["alerts"] = [a for a in out["alerts"] if a["id"] != "unsourced_misdiagnosis_rate"]
        out["alerts"] = sorted(
            out["alerts"] + extra, key=lambda a: ("critical", "warning", "info").index(a["severity"])
        )
    if case.treatment_start is not None:
        response_fn = _optional("recovery", "response")
        out["response"] = response_fn(case, today, thresholds).to_dict() if response_fn else None
    out.update(
        {
            "thresholds": d.thresholds_id,
            "today": today.isoformat() if today else None,
            "b12": {
                "status": d.b12.status,
                "headline": d.b12.headline,
                "serum_band": d.b12.serum_band,
                "holotc_band": d.b12.holotc_band,
                "settled_by": d.b12.settled_by,
                "reasons": _notes(d.b12.reasons),
            },
            "anaemia_grade": d.anaemia_grade,
            "hemolysis": d.hemolysis,
            "reticulocyte_production_index": (
                round(d.reticulocyte_production_index, 2) if d.reticulocyte_production_index is not None else None
            ),
            "findings": [
                {"id": f.id, "label": f.label, "present": f.present, "detail": f.detail, "refs": list(f.refs)}
                for f in d.findings
            ],
            "causes": [
                {
                    "id": c.id,
                    "label": c.label,
                    "present": c.present,
                    "lifelong": c.lifelong,
                    "text": c.text,
                    "refs": list(c.refs),
                }
                for c in d.causes
            ],
            "lifelong_reasons": _notes(d.lifelong_reasons),
            "route": _notes(d.route),
            "next_tests_detail": [
                {"id": n.id, "label": n.label, "reason": n.reason, "refs": list(n.refs)} for n in d.next_tests
            ],
            "disclaimer": DISCLAIMER,
        }
    )
    return out
