"""FHIR R4 Bundles of laboratory Observations coded with LOINC: the reader (the writer: :mod:`.fhir_write`).

Parsed and built with the ``fhir.resources`` models. fhir.resources 8 ships R5 and R4B, not R4;
Bundle and Observation are the same on the wire in R4 and R4B, so the R4B models read and write
R4 Bundles. The library (and pydantic under it) is imported only when a FHIR file is read or
written (:func:`_fhir_models`), never by importing this module: reading CSV or assessing a case
does not load it. Patient and other resources are never read: each is listed.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from decimal import Decimal

from logic.case import CaseError, Problem, parse_case
from logic.case.limits import MAX_FHIR_ENTRIES
from logic.case.units import UnitError, allowed_units, is_boolean, listed_unit, normalize_unit
from logic.convert.common import _Item, _item, _json_object, _load_json, _Read, _refuse, _show, _strip_bom, _where
from logic.convert.loinc import (
    _system,
    _ucum_to_listed,
    _yes_no,
    analyte_for_loinc,
    loinc_map,
    ucum_for,
)
from logic.reference import analytes

#: FHIR Observation statuses that carry a result to import.
FHIR_STATUSES = ("final", "amended", "corrected", "preliminary")
#: The other FHIR Observation statuses: listed, not imported, and not stopping the rest of the file.
_NO_RESULT_STATUSES = ("registered", "cancelled", "entered-in-error", "unknown")
_FHIR_COMPARATORS = {"<": "<", "<=": "<=", ">": ">", ">=": ">="}
#: Bundle.type values of FHIR R4 (and R4B's subscription-notification); any of them is read.
BUNDLE_TYPES = (
    "document",
    "message",
    "transaction",
    "transaction-response",
    "batch",
    "batch-response",
    "history",
    "searchset",
    "collection",
    "subscription-notification",
)


# -- reading --------------------------------------------------------------------------------------


def _fhir_models() -> tuple[Any, Any]:
    """The R4B Bundle and Observation models, imported here and only when a FHIR file is read or written."""
    from fhir.resources.R4B.bundle import Bundle
    from fhir.resources.R4B.observation import Observation

    return Bundle, Observation


def _model_error(exc: Exception) -> str:
    """A short, one-line summary of a fhir.resources validation failure."""
    errors = getattr(exc, "errors", None)
    if callable(errors):
        try:
            parts = []
            for err in errors()[:3]:
                loc = ".".join(str(x) for x in err.get("loc", ()))
                parts.append(f"{loc}: {err.get('msg', '')}" if loc else str(err.get("msg", "")))
            more = len(errors()) - 3
            text = "; ".join(parts) + (f"; and {more} more" if more > 0 else "")
            return " ".join(text.split())
        except Exception:  # a summary must never fail
            pass
    return " ".join(f"{type(exc).__name__}: {exc}".split())[:300]


def _read_fhir(text: str, loaded: tuple[Any, list[Problem]] | None = None) -> _Read:
    if loaded is None and _strip_bom(text).lstrip().startswith("<"):
        return _refuse("FHIR XML is not read; export the Bundle as FHIR JSON")
    raw = _json_object(loaded or _load_json(text), "a FHIR Bundle")
    if isinstance(raw, _Read):
        return raw
    rtype = raw.get("resourceType")
    if rtype == "Observation":
        entries: list[Any] = [{"resource": raw}]
        read = _Read()
    elif rtype == "Bundle":
        entries_raw = raw.get("entry", [])
        if not isinstance(entries_raw, list):
            return _refuse(f"Bundle.entry must be a list, got {type(entries_raw).__name__}")
        if len(entries_raw) > MAX_FHIR_ENTRIES:
            return _refuse(f"the Bundle holds {len(entries_raw):,} entries; the limit is {MAX_FHIR_ENTRIES:,}")
        Bundle, _ = _fhir_models()
        try:
            Bundle.model_validate({k: v for k, v in raw.items() if k != "entry"})
        except Exception as exc:  # any failure of the library is a problem with the file
            return _refuse(f"not a valid FHIR R4 Bundle: {_model_error(exc)}")
        if raw.get("type") not in BUNDLE_TYPES:
            return _refuse(f"Bundle.type {_show(raw.get('type'))} is not a FHIR Bundle type")
        entries = entries_raw
        read = _Read()
        label = _bundle_label(raw)
        if isinstance(label, Problem):
            read.problems.append(label)
        elif label is not None:
            read.shell = {"label": label}
    else:
        return _refuse(f"a FHIR {_show(rtype)} resource is not read; give a Bundle of laboratory Observations")
    for i, entry in enumerate(entries):
        read.items.extend(_fhir_entry(i, entry))
    return read


def _bundle_label(raw: dict[str, Any]) -> str | Problem | None:
    """The case label a Cobalt export wrote in ``Bundle.identifier`` (any other identifier is not read)."""
    ident = raw.get("identifier")
    if isinstance(ident, dict) and ident.get("system") == _system("case_label"):
        value = ident.get("value")
        why = "give text of 1 to 120 characters"
        if isinstance(value, str) and 0 < len(value) <= 120:
            try:
                parse_case({"label": value, "observations": []})  # the case document's own rules for a label
                return value
            except CaseError as exc:
                why = exc.problems[0].message
        return Problem("Bundle.identifier", f"case label {_show(value)} is not used: {why}", "file")
    return None


def _fhir_entry(i: int, entry: Any) -> list[_Item]:
    where = f"entry {i}"
    key = f"entry[{i}]"
    if not isinstance(entry, dict):
        return [_Item(where, key, None, f"must be an object, got {type(entry).__name__}")]
    resource = entry.get("resource")
    if not isinstance(resource, dict):
        return [_Item(where, key, None, "has no resource")]
    rtype = resource.get("resourceType")
    if rtype != "Observation":
        why = "patient details are never imported" if rtype == "Patient" else "only laboratory Observations are read"
        return [_Item(where, key, None, f"a {_show(rtype)} resource is not imported ({why})", skipped=True)]
    _, Observation = _fhir_models()
    try:
        obs = Observation.model_validate(resource)
    except Exception as exc:  # any failure of the library is a problem with the entry
        return [_Item(where, key, None, f"not a valid FHIR Observation: {_model_error(exc)}")]
    return _fhir_observation(where, key, obs)


def _coded_analyte(code: Any) -> tuple[str | None, str | None]:
    """(analyte, None) or (None, why the code is not understood)."""
    codings = list(getattr(code, "coding", None) or []) if code is not None else []
    loinc = [c for c in codings if c.system == _system("loinc") and c.code]
    local = [c for c in codings if c.system == _system("cobalt") and c.code]
    found: dict[str, str] = {}
    for c in loinc:
        analyte = analyte_for_loinc(c.code)
        if analyte:
            found.setdefault(analyte, f"LOINC {c.code}")
    for c in local:
        if c.code in analytes():
            found.setdefault(c.code, f"Cobalt code {c.code}")
    if len(found) == 1:
        return next(iter(found)), None
    if len(found) > 1:
        return None, "its codes name different analytes: " + ", ".join(f"{v} = {k}" for k, v in found.items())
    if loinc:
        shown = ", ".join(f"{c.code}" + (f" {_show(c.display)}" if c.display else "") for c in loinc[:3])
        return None, f"unknown LOINC code {shown}: not in Cobalt's LOINC map (data/loinc.json)"
    if codings:
        shown = ", ".join(f"{c.system or '?'}|{c.code or '?'}" for c in codings[:3])
        return None, f"no LOINC code (codes given: {_show(shown)})"
    text = getattr(code, "text", None) if code is not None else None
    return None, "no LOINC code" + (f" (text {_show(text)})" if text else "")


def _effective_day(obs: Any) -> tuple[date | None, str | None]:
    for name in ("effectiveDateTime", "effectiveInstant"):
        value = getattr(obs, name, None)
        if value is None:
            continue
        if isinstance(value, datetime):
            return value.date(), None
        if isinstance(value, date):
            return value, None
        return None, f"{name} {_show(value)} is not a whole day (year, month and day)"
    period = getattr(obs, "effectivePeriod", None)
    if period is not None and period.start is not None:
        start = period.start
        if isinstance(start, datetime):
            return start.date(), None
        if isinstance(start, date):
            return start, None
        return None, f"effectivePeriod.start {_show(start)} is not a whole day"
    return None, "no effective date (effectiveDateTime)"


def _decimal_number(value: Decimal) -> int | float:
    from decimal import Decimal  # the FHIR reader's numbers only: `convert` of a CSV never loads decimal

    if not value.is_finite():
        raise ValueError(f"value {value} is not a finite number")
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent >= 0 and abs(value) < Decimal(10) ** 300:
        return int(value)  # written without a decimal point: kept an integer, as the case document had it
    return float(value)


def _fhir_unit(analyte: str, quantity: Any) -> tuple[str | None, str | None]:
    """(listed unit or None, error) for a Quantity's UCUM code or unit text."""
    code = quantity.code if quantity.system in (None, _system("ucum")) else None
    candidates = [c for c in (code, quantity.unit) if isinstance(c, str) and c.strip()]
    if not candidates:
        return None, None
    table = _ucum_to_listed(analyte)
    for c in candidates:
        listed = table.get(normalize_unit(c))
        if listed is not None:
            return listed, None
        if re.fullmatch(r"\{[^{}]*\}", c.strip()) and analytes()[analyte]["canonical"] == "1":
            return "1", None
        try:
            return listed_unit(analyte, c) or None, None
        except UnitError:
            continue
    return (
        None,
        f"unit {_show(candidates[0])} is not accepted for {analyte}; use one of: "
        f"{', '.join(ucum_for(analyte, u) for u in allowed_units(analyte))} (UCUM)",
    )


def _coded_yes_no(concept: Any) -> bool | None:
    pa = loinc_map()["present_absent"]
    for coding in concept.coding or []:
        for answer, seen in (("present", True), ("absent", False)):
            if coding.system == _system("snomed") and coding.code == pa[answer]["snomed"]:
                return seen
            if coding.system == _system("loinc") and coding.code == pa[answer]["loinc_answer"]:
                return seen
    for text in [concept.text] + [c.display for c in concept.coding or []]:
        if isinstance(text, str):
            seen = _yes_no(text)
            if seen is not None:
                return seen
    return None


def _fhir_value(analyte: str, holder: Any) -> tuple[dict[str, Any] | None, str | None]:
    """{value, unit?, comparator?} from an Observation or a component, or why not."""
    if is_boolean(analyte):
        if holder.valueBoolean is not None:
            return {"value": bool(holder.valueBoolean)}, None
        if holder.valueCodeableConcept is not None:
            seen = _coded_yes_no(holder.valueCodeableConcept)
            if seen is None:
                shown = holder.valueCodeableConcept.text or ", ".join(
                    f"{c.code} {c.display or ''}".strip() for c in holder.valueCodeableConcept.coding or []
                )
                return None, f"answer {_show(shown)} is not read as seen or not seen; enter it by hand"
            return {"value": seen}, None
        if holder.valueString is not None:
            seen = _yes_no(holder.valueString)
            if seen is None:
                return None, f"answer {_show(holder.valueString)} is not read as seen or not seen; enter it by hand"
            return {"value": seen}, None
    else:
        q = holder.valueQuantity
        if q is not None:
            if q.value is None:
                return None, "valueQuantity has no value"
            try:
                number = _decimal_number(q.value)
            except ValueError as exc:
                return None, str(exc)
            out: dict[str, Any] = {"value": number}
            if q.comparator is not None:
                comparator = _FHIR_COMPARATORS.get(q.comparator)
                if comparator is None:
                    return None, f"comparator {_show(q.comparator)} is not read (only < <= > >=)"
                out["comparator"] = comparator
            unit, error = _fhir_unit(analyte, q)
            if error:
                return None, error
            if unit is not None:
                out["unit"] = unit
            return out, None
    absent = holder.dataAbsentReason
    if absent is not None:
        why = absent.text or ", ".join(c.code or "" for c in absent.coding or [])
        return None, f"no value (dataAbsentReason {_show(why)})"
    wanted = (
        "valueBoolean or valueCodeableConcept (present / absent)"
        if is_boolean(analyte)
        else "valueQuantity with a UCUM unit"
    )
    return None, f"no value Cobalt reads; expected {wanted}"


def _fhir_observation(where: str, key: str, obs: Any) -> list[_Item]:
    if obs.status not in FHIR_STATUSES:
        skipped = obs.status in _NO_RESULT_STATUSES
        return [_Item(where, key, None, f"status {_show(obs.status)} carries no result to import", skipped=skipped)]
    day, day_error = _effective_day(obs)
    has_value = any(
        getattr(obs, f) is not None
        for f in (
            "valueQuantity",
            "valueBoolean",
            "valueCodeableConcept",
            "valueString",
            "valueInteger",
            "valueRange",
            "valueRatio",
            "valueSampledData",
            "valueTime",
            "valueDateTime",
            "valuePeriod",
        )
    )
    if not has_value and obs.dataAbsentReason is None and obs.component:
        items = []
        for j, component in enumerate(obs.component):
            items.append(_fhir_holder(f"{where} component {j}", f"{key}.component[{j}]", component, day, day_error))
        return items
    if not has_value and obs.dataAbsentReason is None and obs.hasMember:
        return [
            _Item(
                where,
                key,
                None,
                "a panel with no value of its own; its results are read from their own "
                "entries (hasMember references are not followed)",
                skipped=True,
            )
        ]
    return [_fhir_holder(where, key, obs, day, day_error)]


def _fhir_holder(where: str, key: str, holder: Any, day: date | None, day_error: str | None) -> _Item:
    analyte, code_error = _coded_analyte(holder.code)
    where = _where(where, analyte, day)
    errors = [e for e in (code_error, day_error) if e]
    if analyte is None:
        return _Item(where, key, None, "; ".join(errors))
    value, value_error = _fhir_value(analyte, holder)
    if value_error:
        errors.append(value_error)
    if errors or day is None or value is None:
        return _Item(where, key, None, "; ".join(errors))
    return _item(where, key, {"date": day.isoformat(), "analyte": analyte, **value})
