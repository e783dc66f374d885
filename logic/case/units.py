"""Unit handling: one conversion table (``data/analytes.json``), canonical units inside logic.

Unit names match case-insensitively, ``u`` and ``µ`` alike, ``10*9`` the same as ``10^9``.
"""

from __future__ import annotations

from functools import lru_cache

from logic.reference import analytes


class UnitError(ValueError):
    """A unit that the analyte does not accept."""


def normalize_unit(unit: str | None) -> str:
    """Fold a unit string for matching: ``'µmol/l'`` and ``'umol/L'`` give the same key."""
    if unit is None:
        return ""
    u = str(unit).strip().replace("µ", "u").replace("μ", "u").replace(" ", "")
    u = u.replace("10*", "10^").replace("x10", "10")
    return u.lower()


@lru_cache(maxsize=1)
def _factor_table() -> dict[str, dict[str, tuple[str, float, bool]]]:
    """analyte -> normalized unit -> (unit as listed, factor, divide?)."""
    table: dict[str, dict[str, tuple[str, float, bool]]] = {}
    for name, spec in analytes().items():
        entry = {}
        for unit, factor in spec["units"].items():
            if isinstance(factor, str):
                entry[normalize_unit(unit)] = (unit, float(factor.lstrip("/")), True)
            else:
                entry[normalize_unit(unit)] = (unit, float(factor), False)
        table[name] = entry
    return table


def is_boolean(analyte: str) -> bool:
    return bool(analytes()[analyte].get("boolean"))


def canonical_unit(analyte: str) -> str | None:
    return analytes()[analyte]["canonical"]


def si_unit(analyte: str) -> str | None:
    return analytes()[analyte]["si"]


def allowed_units(analyte: str) -> list[str]:
    """The units an analyte accepts, as listed (canonical first)."""
    units = [u for u in analytes()[analyte]["units"] if u != ""]
    canon = canonical_unit(analyte)
    return sorted(units, key=lambda u: u != canon)


def listed_unit(analyte: str, unit: str | None) -> str:
    """The listed spelling of ``unit`` for ``analyte``; UnitError if not accepted."""
    table = _factor_table()[analyte]
    key = normalize_unit(unit)
    if key not in table:
        raise UnitError(f"unit {unit!r} is not accepted for {analyte}; use one of: {', '.join(allowed_units(analyte))}")
    return table[key][0]


def to_canonical(analyte: str, value: float, unit: str | None) -> float:
    """``value`` in ``unit`` converted to the analyte's canonical unit."""
    _, factor, divide = _factor_table()[analyte][normalize_unit(listed_unit(analyte, unit))]
    return value / factor if divide else value * factor


def from_canonical(analyte: str, value: float, unit: str | None) -> float:
    """A canonical ``value`` expressed in ``unit`` (the inverse of :func:`to_canonical`)."""
    _, factor, divide = _factor_table()[analyte][normalize_unit(listed_unit(analyte, unit))]
    return value * factor if divide else value / factor


def convert(analyte: str, value: float, from_unit: str | None, to_unit: str | None) -> float:
    return from_canonical(analyte, to_canonical(analyte, value, from_unit), to_unit)
