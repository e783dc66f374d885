"""Small builders for test cases."""
from __future__ import annotations

from typing import Any

from logic.case import Case, parse_case

DAY = "2026-11-01"


def obs(analyte: str, value: Any, unit: str | None = None, comparator: str | None = None, day: str = DAY,
        date: str | None = None) -> dict:
    """One observation of a case document (``date`` and ``day`` are the same thing)."""
    o: dict[str, Any] = {"date": date or day, "analyte": analyte, "value": value}
    if unit is not None:
        o["unit"] = unit
    if comparator:
        o["comparator"] = comparator
    return o


def make_case(*observations: dict, history: dict | None = None, sex: str | None = None,
              treatment_start: str | None = None, **extra: Any) -> Case:
    doc: dict[str, Any] = {"observations": list(observations), "history": history or {},
                           "patient": {"sex": sex}, "treatment_start": treatment_start}
    doc.update(extra)
    return parse_case(doc)


def case_of(*observations: dict, active_cancer: bool | None = False, transplant: bool | None = False) -> Case:
    """A case with PLASMIC's two history items recorded (both absent unless said otherwise)."""
    return parse_case({"history": {"active_cancer": active_cancer, "transplant": transplant},
                       "observations": list(observations)})


def assess_json(case: Case, **kwargs: Any) -> dict:
    """The command line's JSON for ``case`` (logic.assess.assess through logic.cli.serialize)."""
    from logic.assess import assess
    from logic.cli.serialize import assessment

    return assessment(assess(case, **kwargs))
