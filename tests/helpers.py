"""Small builders for test cases."""
from __future__ import annotations

from typing import Any

from logic.case import Case, parse_case

DAY = "2026-11-01"


def obs(analyte: str, value: Any, unit: str | None = None, comparator: str | None = None, day: str = DAY) -> dict:
    o: dict[str, Any] = {"date": day, "analyte": analyte, "value": value}
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
