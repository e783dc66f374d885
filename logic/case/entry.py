"""Pure helpers the Case page uses to turn typed text into case-document edits.

Kept out of the page so they can be tested without a browser: parsing "<8", "1,5" or
"35 umol/L" (a value with an optional unit, so no unit dropdown sits in the tab order),
the unit a case shows in its unit system, and replacing one analyte's result on one date.
"""

from __future__ import annotations

import copy
import math
import re
from datetime import date
from typing import Any

from logic.case.units import UnitError, allowed_units, canonical_unit, from_canonical, listed_unit, si_unit

# Patterns as text, compiled by the re module's cache on first use: `python -m logic` loads this
# module (plausibility's units) and never parses a typed entry.
_ENTRY = r"^\s*(<=|>=|≤|≥|<|>)?\s*([0-9]+(?:[.,][0-9]+)?|[.,][0-9]+)\s*$"
_WITH_UNIT = r"^\s*((?:<=|>=|≤|≥|<|>)?\s*(?:[0-9]+(?:[.,][0-9]+)?|[.,][0-9]+))\s*(\S.{0,30})?$"
_SYMBOLS = {"≤": "<=", "≥": ">="}
_UNDETECTABLE = (
    r"^\s*(undetect\w*|not\s+detect\w*|nd|n/d|none\s+detected|absent|below\s+detection.*|<\s*dl|"
    r"<\s*lod|too\s+low.*|unmeasurabl\w*)\s*$"
)
#: Unit systems (``unit_system`` in the case document; a threshold set's ``unit_system`` is the default).
SI, CONVENTIONAL = "si", "conventional"


def quoted(text: object, limit: int = 40) -> str:
    """Typed text as a message quotes it: in quotes, cut to ``limit`` characters with its length said, so a
    refused 5,000-digit value is not echoed whole (issue 21)."""
    raw = str(text)
    if len(raw) <= limit:
        return repr(raw)
    return f"{raw[: limit - 1]!r}… ({len(raw):,} characters)"


class UndetectableError(ValueError):
    """'undetectable' typed where a number is needed: the detection limit is asked for (as <N)."""


def parse_entry(text: str | None) -> tuple[float, str | None] | None:
    """``"107"`` -> (107.0, None); ``"<8"`` -> (8.0, "<"); empty -> None; else ValueError."""
    if text is None or not str(text).strip():
        return None
    if re.match(_UNDETECTABLE, str(text), re.IGNORECASE):
        raise UndetectableError(
            f"{quoted(str(text).strip())}: type the laboratory's detection limit with <, for example <10 "
            "(undetectable below 10)"
        )
    m = re.match(_ENTRY, str(text))
    if not m:
        raise ValueError(f"{quoted(text)} is not a number; type a value such as 107, 1.5 or <8")
    number = m.group(2)
    if re.fullmatch(r"[0-9]{1,3},[0-9]{3}", number):
        raise ValueError(
            f"{quoted(text)} is ambiguous: a thousands separator or a decimal comma? Type it without the "
            "comma (3115) or with a decimal point (3.115)"
        )
    value = float(number.replace(",", "."))
    if not math.isfinite(value):
        raise ValueError(f"{quoted(text)} is not a finite number")
    comp = m.group(1)
    return value, _SYMBOLS.get(comp, comp)


def parse_value_and_unit(
    text: str | None, analyte: str, default_unit: str | None
) -> tuple[float, str | None, str | None] | None:
    """``"35 umol/L"`` -> (35.0, None, "umol/L"); ``"35"`` -> (35.0, None, ``default_unit``);
    ``"<10 g/L"`` keeps its comparator; empty -> None. A unit the analyte does not accept, or a
    value that is not a number, raises ValueError (UndetectableError for "undetectable")."""
    if text is None or not str(text).strip():
        return None
    raw = str(text).strip()
    m = re.match(_WITH_UNIT, raw)
    if not m or m.group(2) is None:
        parsed = parse_entry(raw)  # a bare value, or the error that says what is wrong
        return None if parsed is None else (parsed[0], parsed[1], default_unit)
    parsed = parse_entry(m.group(1))
    assert parsed is not None
    try:
        unit = listed_unit(analyte, m.group(2))
    except UnitError:
        if not re.search(r"[/%^*]|feu|^iu$|^u$", m.group(2), re.IGNORECASE):  # '15O': a letter for a digit
            raise ValueError(
                f"{quoted(raw)} is not a number; type a value such as 107, 1.5 or <8, or a value with its unit "
                "(35 umol/L)"
            ) from None
        units = ", ".join(display_unit(u) for u in allowed_units(analyte)) or "no unit"
        raise ValueError(f"{m.group(2)!r} is not a unit for this test; use one of: {units}") from None
    return parsed[0], parsed[1], unit


def display_unit(unit: str | None) -> str:
    """A unit as a laboratory prints it: ``umol/L`` -> ``µmol/L``, ``ug/L`` -> ``µg/L``; ``1`` -> ``""``."""
    if unit in (None, "", "1"):
        return ""
    return re.sub(r"(^|/)u(?=(mol|g|L|l)\b)", r"\1µ", unit)


def shown_number(value: float, significant: int = 2) -> str:
    """A number with at least ``significant`` significant digits and no needless zeros in the integer
    part: 0.3959 -> ``0.40``, 1.17 -> ``1.2``, 35 -> ``35``, 1326.1 -> ``1326``."""
    if value == 0 or not math.isfinite(value):
        return f"{value:g}"
    decimals = max(0, significant - 1 - math.floor(math.log10(abs(value))))
    return f"{value:.{decimals}f}"


def _threshold_docs() -> dict[str, dict[str, Any]]:
    """Every threshold set's document by id (read once, by logic.reference)."""
    from logic.reference.data import _raw_threshold_sets

    return _raw_threshold_sets()


def _set_field(set_id: str | None, key: str) -> Any:
    """A top-level field of a threshold set, inherited from the default set when the set leaves it out."""
    from logic.reference import DEFAULT_THRESHOLDS

    docs = _threshold_docs()
    own = docs.get(set_id or DEFAULT_THRESHOLDS, {})
    return own[key] if key in own else docs.get(DEFAULT_THRESHOLDS, {}).get(key)


def threshold_unit_system(set_id: str | None) -> str:
    """The unit system a threshold set implies (its ``unit_system``; the default set's when it says none)."""
    return system_of(_set_field(set_id, "unit_system"))


def printed_unit(analyte: str, system: str, set_id: str | None = None) -> str | None:
    """The unit a laboratory of this set prints ``analyte`` in, in ``system``: the set's ``printed_units``
    where SI laboratories keep another unit (UK: B12 in ng/L), else :func:`system_unit`."""
    if system_of(system) == SI:
        unit = (_set_field(set_id, "printed_units") or {}).get(analyte)
        if unit in allowed_units(analyte):
            return unit
    return system_unit(analyte, system)


def system_of(unit_system: str | None) -> str:
    """``"si"`` or ``"conventional"`` from a case's or threshold set's ``unit_system`` (SI when not said)."""
    return CONVENTIONAL if unit_system == CONVENTIONAL else SI


def format_entry(value: float, comparator: str | None = None) -> str:
    """The inverse of :func:`parse_entry` (``<8``, ``107``, ``1.5``)."""
    return f"{comparator or ''}{value:g}"


def system_unit(analyte: str, system: str) -> str | None:
    """The unit shown for ``analyte`` in the conventional or SI system (``"si"``/``"SI"``, else conventional)."""
    units = allowed_units(analyte)
    if not units:
        return None
    if system.lower() == SI:
        si = si_unit(analyte)
        return si if si in units else units[0]
    canon = canonical_unit(analyte)
    return canon if canon in units else units[0]


def convert_entry(analyte: str, value: float, from_unit: str, to_unit: str) -> float:
    """A typed value re-expressed in another unit, rounded for display (4 significant digits)."""
    from logic.case.units import to_canonical

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


_DAY_UK = r"^\s*(\d{1,2})[/.](\d{1,2})[/.](\d{4})\s*$"
_DAY_ISO = r"^\s*(\d{4})-(\d{2})-(\d{2})\s*$"


def parse_day(text: str | None) -> date | None:
    """A typed date, whole: ``2026-11-02`` or the UK order ``2/11/2026`` (day first); empty -> None.
    Anything else raises ValueError naming the text (``2026-12-2310`` is refused, never cut short)."""
    if text is None or not str(text).strip():
        return None
    raw = str(text).strip()
    m = re.match(_DAY_ISO, raw)
    parts = (int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else None
    if parts is None and (m := re.match(_DAY_UK, raw)):
        parts = (int(m.group(3)), int(m.group(2)), int(m.group(1)))
    try:
        if parts is None:
            raise ValueError
        return date(*parts)
    except ValueError:
        raise ValueError(f"{raw[:40]!r} is not a date: type it as 2026-11-02 or 2/11/2026 (day first)") from None


def day_words(day: date) -> str:
    """``Mon 2 Nov 2026``: a typed date read back, so a day/month mix-up shows."""
    return f"{day:%a} {day.day} {day:%b %Y}"


def field_text(
    value: float, comparator: str | None, unit: str | None, shown_unit: str | None, analyte: str | None = None
) -> str:
    """What a lab field shows: the number in the field's unit (the case's unit system), converted from the unit
    it was entered in when that differs (4 significant digits; :func:`entered_text` says what was entered), so
    a field never shows a value in one unit beside another unit's label (issue 21: ``6.2 g/dL`` beside ``g/L``).
    A unit of the same size (pg/mL for ng/L) keeps its number. Without ``analyte``, or a unit that does not
    convert, the number with its own unit."""
    text = format_entry(value, comparator)
    if unit in (None, "", "1") or not shown_unit or unit == shown_unit:
        return text
    if analyte:
        from logic.case.units import convert

        try:
            if abs(convert(analyte, 1.0, unit, shown_unit) - 1.0) < 1e-12:
                return text  # a unit of the same size: the number as entered, every digit
            return format_entry(convert_entry(analyte, value, unit, shown_unit), comparator)
        except (ValueError, KeyError):
            pass
    return f"{text} {display_unit(unit)}"


def entered_text(
    value: float, comparator: str | None, unit: str | None, shown_unit: str | None, analyte: str
) -> str:
    """``entered as 6.2 g/dL`` when the field shows the value converted (:func:`field_text`), else empty."""
    if unit in (None, "", "1") or not shown_unit or unit == shown_unit:
        return ""
    shown = field_text(value, comparator, unit, shown_unit, analyte)
    if shown == format_entry(value, comparator):
        return ""  # the same number (pg/mL shown as ng/L)
    return f"entered as {format_entry(value, comparator)} {display_unit(unit)}"


def conversion_text(
    analyte: str, value: float, comparator: str | None, unit: str | None, shown_unit: str | None, other_unit: str | None
) -> str:
    """The value in the other unit, to read beside the field (``= 0.40 mg/dL``); empty when there is none.
    A value in the field's unit is shown in ``other_unit``; one in another unit, in the field's unit."""
    target = other_unit if unit == shown_unit else shown_unit
    if not unit or not target or target == unit or unit == "1":
        return ""
    from logic.case.units import convert

    try:
        out = convert(analyte, value, unit, target)
    except ValueError:
        return ""
    if abs(out - value) <= 1e-9 * max(1.0, abs(value)):
        return ""  # the same number (pg/mL and ng/L): nothing to convert
    return f"= {comparator or ''}{shown_number(out)} {display_unit(target)}"
