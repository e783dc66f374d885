"""The LOINC map (``data/loinc.json``): analyte <-> LOINC code, UCUM units, and analyte names in files.

Also the words read as a yes/no finding (``present`` / ``absent`` and their spellings), which the
map keeps next to the SNOMED CT and LOINC answer codes.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from logic.case.units import normalize_unit
from logic.reference import analytes, load_json


@lru_cache(maxsize=1)
def loinc_map() -> dict[str, Any]:
    """``data/loinc.json``: analyte -> LOINC codes (first = exported) and UCUM units."""
    return load_json("loinc.json")


def _system(name: str) -> str:
    return loinc_map()["systems"][name]


@lru_cache(maxsize=1)
def _code_to_analyte() -> dict[str, str]:
    out: dict[str, str] = {}
    for analyte, spec in loinc_map()["analytes"].items():
        for entry in spec["codes"]:
            out[entry["code"]] = analyte
    return out


def analyte_for_loinc(code: str) -> str | None:
    """The analyte a LOINC code is read as on import (None: not in the map)."""
    return _code_to_analyte().get(code.strip()) if isinstance(code, str) else None


def loinc_for(analyte: str, unit: str | None = None) -> dict[str, Any] | None:
    """The LOINC code written on export for ``analyte`` in ``unit`` (``{code, display}``), or None.

    The first code whose units include ``unit`` (a molar unit gets the [Moles/volume] code),
    else the first code; None for an analyte with no LOINC code (see ``no_loinc_code``).
    """
    codes = loinc_map()["analytes"][analyte]["codes"]
    if not codes:
        return None
    for entry in codes:
        if unit is not None and unit in entry["units"]:
            return entry
    return codes[0]


def ucum_for(analyte: str, unit: str) -> str:
    """The UCUM code written for a listed unit (``10^9/L`` -> ``10*9/L``)."""
    return loinc_map()["analytes"][analyte]["ucum"].get(unit, unit)


@lru_cache(maxsize=64)
def _ucum_to_listed(analyte: str) -> dict[str, str]:
    return {normalize_unit(code): unit for unit, code in loinc_map()["analytes"][analyte]["ucum"].items()}


@lru_cache(maxsize=1)
def _analyte_names() -> dict[str, str]:
    """Lower-cased key, label or LOINC code -> analyte key."""
    out: dict[str, str] = {}
    for key, spec in analytes().items():
        out[spec["label"].lower()] = key
    for code, key in _code_to_analyte().items():
        out[code] = key
    for key in analytes():
        out[key.lower()] = key
    return out


def resolve_analyte(name: str) -> str | None:
    """The analyte key for a name in a file: its key, its label or a LOINC code (any case)."""
    return _analyte_names().get(" ".join(name.split()).lower())


# -- yes/no words ---------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _yes_no_words() -> dict[str, bool]:
    pa = loinc_map()["present_absent"]
    words = {word: True for word in pa["present"]["words"]}
    words.update({word: False for word in pa["absent"]["words"]})
    return words


def _yes_no(text: str) -> bool | None:
    return _yes_no_words().get(" ".join(text.split()).lower())
