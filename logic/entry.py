"""Pure helpers the Case page uses to turn typed text into case-document edits.

Kept out of the page so they can be tested without a browser: parsing "<8" or "1,5",
and replacing one analyte's result on one date in a case document.
"""

from __future__ import annotations

import copy
import math
import re
from datetime import date
from typing import Any

from logic.units import allowed_units, canonical_unit, from_canonical, si_unit

_ENTRY = re.compile(r"^\s*(<=|>=|≤|≥|<|>)?\s*([0-9]+(?:[.,][0-9]+)?|[.,][0-9]+)\s*$")
_SYMBOLS = {"≤": "<=", "≥": ">="}


def parse_entry(text: str | None) -> tuple[float, str | None] | None:
    """``"107"`` -> (107.0, None); ``"<8"`` -> (8.0, "<"); empty -> None; else ValueError."""
    if text is None or not str(text).strip():
        return None
    m = _ENTRY.match(str(text))
    if not m:
        raise ValueError(f"{text!r} is not a number; type a value such as 107, 1.5 or <8")
    number = m.group(2)
    if re.fullmatch(r"[0-9]{1,3},[0-9]{3}", number):
        raise ValueError(
            f"{text!r} is ambiguous: a thousands separator or a decimal comma? Type it without the "
            "comma (3115) or with a decimal point (3.115)"
        )
    value = float(number.replace(",", "."))
    if not math.isfinite(value):
        raise ValueError(f"{text!r} is not a finite number")
    comp = m.group(1)
    return value, _SYMBOLS.get(comp, comp)


def format_entry(value: float, comparator: str | None = None) -> str:
    """The inverse of :func:`parse_entry` (``<8``, ``107``, ``1.5``)."""
    return f"{comparator or ''}{value:g}"


def system_unit(analyte: str, system: str) -> str | None:
    """The unit shown for ``analyte`` in the 'conventional' or 'SI' system."""
    units = allowed_units(analyte)
    if not units:
        return None
    if system == "SI":
        si = si_unit(analyte)
        return si if si in units else units[0]
    canon = canonical_unit(analyte)
    return canon if canon in units else units[0]


def convert_entry(analyte: str, value: float, from_unit: str, to_unit: str) -> float:
    """A typed value re-expressed in another unit, rounded for display (4 significant digits)."""
    from logic.units import to_canonical

    out = from_canonical(analyte, to_canonical(analyte, value, from_unit), to_unit)
    return float(f"{out:.4g}")


def set_observation(
    doc: dict[str, Any], on: date, analyte: str, value: Any, unit: str | None = None, comparator: str | None = None
) -> dict[str, Any]:
    """A copy of ``doc`` with ``analyte`` on date ``on`` replaced by this value (or removed if value is None)."""
    new = copy.deepcopy(doc)
    obs = [
        o
        for o in new.get("observations", [])
        if not (isinstance(o, dict) and o.get("analyte") == analyte and o.get("date") == on.isoformat())
    ]
    if value is not None:
        item: dict[str, Any] = {"date": on.isoformat(), "analyte": analyte, "value": value}
        if unit is not None and not isinstance(value, bool):
            item["unit"] = unit
        if comparator:
            item["comparator"] = comparator
        obs.append(item)
    new["observations"] = obs
    return new


def blank_case() -> dict[str, Any]:
    return {
        "format": "b12-case/1",
        "label": "New case",
        "patient": {"age_years": None, "sex": None},
        "history": {},
        "treatment_start": None,
        "observations": [],
    }
