"""Import and export of a case: the case document (JSON), CSV (long and wide) and FHIR R4 Bundles.

Reading is one pure function, :func:`read_any`, that never raises on bad file content: it returns
an :class:`ImportResult` whose ``doc`` is always a valid case document (``parse_case`` accepts it)
and whose ``problems`` name every row, cell or entry that was not imported and why. Valid rows
import; nothing is silently dropped: ``imported + rejected`` is the number of rows read (CSV long:
data rows; CSV wide: non-empty value cells; FHIR: entries, or the components of a panel entry;
JSON: observations). Each rejected row has its own problem, except when the whole file is refused
(not readable, too large, a bad header, or an invalid case document), which one file-level
problem says. Blank CSV lines carry nothing and are not counted.

Formats (contract: ``shared/design/case-format.md``):

- ``json``: the case document ``b12-case/1``. It is the only format that carries the label,
  patient, history and treatment start; CSV carries lab results only, and FHIR the results plus
  the case label (``Bundle.identifier``). Observations are read one by one; a problem in the
  document's own fields (history, patient, ...) refuses the whole document, as ``parse_case`` does.
- ``csv_long``: header ``date,analyte,value,unit`` plus an optional ``comparator`` column; a value
  may also carry its comparator as a prefix (``<8``).
- ``csv_wide``: one row per draw, a ``date`` column and one column per analyte with its unit in
  the header, e.g. ``platelets (10^9/L)``; several draws on one day take several rows.
- ``fhir``: a FHIR R4 Bundle (any type) of laboratory Observations coded with LOINC
  (``data/loinc.json``), parsed with the ``fhir.resources`` models. fhir.resources 8 ships R5 and
  R4B, not R4; Bundle and Observation are the same on the wire in R4 and R4B, so the R4B models
  read and write R4 Bundles. Patient and other resources are never read: each is listed.

CSV analyte names may be the analyte key, its label or a LOINC code, case-insensitively. Dates are
ISO ``YYYY-MM-DD``; a date-time keeps its date (the case model has no time of day). A CSV file may
be separated by commas, semicolons or tabs; with semicolons or tabs a decimal comma is accepted.

Importing into an existing case (``base``) adds the new observations to it; one already in the
case (same date, analyte, value, unit and comparator) is listed and not added twice, and the
file's own label, history or patient fields are listed, not applied: open the file as a new case
to use them.

Writing: :func:`to_csv_long`, :func:`to_csv_wide`, :func:`to_fhir_bundle` take a valid case
document (``CaseError`` otherwise). Round trips through each format give the same observations.
The FHIR Bundle holds no patient identifiers: only the pseudonymous case label.
"""

from __future__ import annotations

import csv
import io
import json
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from logic.case import COMPARATORS, FORMAT, CaseError, Problem, parse_case
from logic.reference import analytes, load_json
from logic.units import UnitError, allowed_units, is_boolean, listed_unit, normalize_unit

#: The largest file :func:`read_any` reads (an upload or a file given to the command line).
MAX_UPLOAD_BYTES = 2 * 1024 * 1024
FORMATS = ("json", "csv_long", "csv_wide", "fhir")
CSV_LONG_COLUMNS = ("date", "analyte", "value", "unit", "comparator")
#: FHIR Observation statuses that carry a result to import.
FHIR_STATUSES = ("final", "amended", "corrected", "preliminary")
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
_PREFIX = re.compile(r"^(<=|>=|=<|=>|≤|≥|<|>)\s*(.*)$", re.S)
_NUMBER = re.compile(r"[+]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", re.ASCII)
_DECIMAL_COMMA = re.compile(r"[+]?\d+,\d+", re.ASCII)
_DIGITS = re.compile(r"\d+", re.ASCII)
#: Comparator spellings read from CSV, as the case document writes them.
_COMPARATOR_SPELLINGS = {"<": "<", "<=": "<=", ">": ">", ">=": ">=", "≤": "<=", "≥": ">=", "=<": "<=", "=>": ">="}
_UNIT_SUFFIX = re.compile(r"^(.*?)\s*[(\[]([^()\[\]]*)[)\]]\s*$", re.S)
_SHOW = 60


class ConvertError(ValueError):
    """A caller's mistake (an invalid ``base`` case, a wrong argument), never bad file content."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = list(problems)
        super().__init__("; ".join(str(p) for p in self.problems))


@dataclass(frozen=True)
class ImportResult:
    """What an import gives: the case document, every problem, and the counts.

    ``doc`` is a valid case document (the base case with the imported observations added, or a
    new case). ``imported`` rows were added; ``rejected`` rows were not, each named in
    ``problems`` (or, when the whole file was refused, by the problem that refused it: one
    ``field="file"`` problem, or the case document's own invalid fields).
    """

    doc: dict[str, Any]
    problems: tuple[Problem, ...]
    imported: int
    rejected: int
    format: str | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def total(self) -> int:
        return self.imported + self.rejected


# -- the LOINC map --------------------------------------------------------------------------------


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


# -- small helpers --------------------------------------------------------------------------------


def _show(text: Any) -> str:
    """A value from the file, quoted and shortened, safe on one line."""
    s = str(text)
    if len(s) > _SHOW:
        s = s[: _SHOW - 1] + "…"
    return repr(s)


def _where(base: str, analyte: str | None = None, day: date | None = None) -> str:
    parts = [p for p in (analyte, day.isoformat() if day else None) if p]
    return f"{base} ({', '.join(parts)})" if parts else base


def _parse_day(raw: str) -> date:
    s = raw.strip()
    if not s:
        raise ValueError("the date is empty")
    try:
        return date.fromisoformat(s)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(s).date()
    except ValueError:
        raise ValueError(f"date {_show(s)} does not parse; use YYYY-MM-DD") from None


def _number(text: str, decimal_comma: bool) -> int | float:
    s = text.strip()
    if decimal_comma and _DECIMAL_COMMA.fullmatch(s):
        s = s.replace(",", ".")
    if not _NUMBER.fullmatch(s):
        if s.startswith("-") and _NUMBER.fullmatch(s[1:]):
            raise ValueError(f"value {_show(text.strip())} is negative")
        if "," in s and _NUMBER.fullmatch(s.replace(",", "")):
            raise ValueError(f"value {_show(text.strip())} has a comma; write the number with a decimal point")
        raise ValueError(f"value {_show(text.strip())} is not a number")
    s = s.lstrip("+")
    if _DIGITS.fullmatch(s) and len(s) <= 300:
        return int(s)
    return float(s)


@lru_cache(maxsize=1)
def _yes_no_words() -> dict[str, bool]:
    pa = loinc_map()["present_absent"]
    words = {word: True for word in pa["present"]["words"]}
    words.update({word: False for word in pa["absent"]["words"]})
    return words


def _yes_no(text: str) -> bool | None:
    return _yes_no_words().get(" ".join(text.split()).lower())


def _cell_value(text: str, analyte: str, decimal_comma: bool) -> tuple[int | float | bool, str | None]:
    """A CSV cell: (value, comparator). ValueError says what is wrong."""
    s = text.strip()
    if not s:
        raise ValueError("the value is empty")
    if is_boolean(analyte):
        seen = _yes_no(s)
        if seen is None:
            raise ValueError(f"value {_show(s)} must be true or false (seen / not seen)")
        return seen, None
    comparator = None
    m = _PREFIX.match(s)
    if m:
        comparator = _COMPARATOR_SPELLINGS[m.group(1)]
        s = m.group(2)
    return _number(s, decimal_comma), comparator


def _validate(obs: dict[str, Any]) -> tuple[dict[str, Any] | None, tuple | None, str | None]:
    """Check one observation against the case contract: (observation, duplicate key, error)."""
    obs = dict(obs)
    unit = obs.get("unit")
    analyte = obs.get("analyte")
    if isinstance(unit, str) and isinstance(analyte, str) and analyte in analytes() and not is_boolean(analyte):
        try:
            listed = listed_unit(analyte, unit)
        except UnitError:
            listed = None
        if listed == "":
            obs.pop("unit")
        elif listed is not None:
            obs["unit"] = listed
    try:
        case = parse_case({"observations": [obs]})
    except CaseError as exc:
        return None, None, "; ".join(p.message for p in exc.problems)
    o = case.observations[0]
    return obs, (o.date, o.analyte, o.value, o.unit, o.comparator), None


@dataclass(frozen=True)
class _Item:
    """One row read from a file: an observation to add, or why it cannot be."""

    where: str
    field: str
    obs: dict[str, Any] | None = None
    error: str | None = None
    key: tuple | None = None  # (date, analyte, value, unit, comparator) as parsed: finds duplicates


@dataclass
class _Read:
    items: list[_Item] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # about the file, not a row
    refused: bool = False  # the whole file is refused: nothing imports
    shell: dict[str, Any] = field(default_factory=dict)  # the file's own case fields (label, history...)


def _refuse(message: str, where: str = "file") -> _Read:
    return _Read(problems=[Problem(where, message, "file")], refused=True)


def _item(where: str, key: str, obs: dict[str, Any]) -> _Item:
    checked, dup_key, error = _validate(obs)
    if error is not None:
        return _Item(where, key, None, error)
    return _Item(where, key, checked, None, dup_key)


# -- detection ------------------------------------------------------------------------------------


def _strip_bom(text: str) -> str:
    return text[1:] if text.startswith("\ufeff") else text


def _loads(text: str) -> Any:
    """JSON with integers too long for a float read as floats (inf: rejected as not finite)."""

    def _int(s: str) -> int | float:
        return int(s) if len(s) <= 300 else float(s)

    return json.loads(text, parse_int=_int)


def _header_and_delimiter(text: str) -> tuple[list[str], str]:
    first = text.split("\n", 1)[0].rstrip("\r")
    best: tuple[list[str], str] | None = None
    for delimiter in (",", ";", "\t"):
        try:
            cells = next(csv.reader([first], delimiter=delimiter), [])
        except csv.Error:
            continue
        names = [c.strip().lower() for c in cells]
        if "date" in names:
            return names, delimiter
        if best is None:
            best = (names, delimiter)
    return best if best is not None else ([], ",")


def detect_format(text: str, filename: str | None = None) -> str:
    """Which reader a file needs: ``json``, ``csv_long``, ``csv_wide`` or ``fhir``.

    By content first: a JSON object with a ``resourceType`` (or XML) is FHIR, any other JSON a
    case document; CSV whose header names ``analyte`` and ``value`` is long, any other CSV wide.
    The file name breaks ties only for content that is neither (``.json`` -> ``json``); the
    reader then says what is wrong with it.
    """
    s = _strip_bom(text).lstrip()
    if s.startswith(("{", "[")):
        try:
            obj = _loads(s)
        except (ValueError, RecursionError):
            return "json"
        return "fhir" if isinstance(obj, dict) and "resourceType" in obj else "json"
    if s.startswith("<"):
        return "fhir"
    names, _ = _header_and_delimiter(s)
    if "analyte" in names and "value" in names:
        return "csv_long"
    if "date" not in names and filename and filename.lower().endswith(".json"):
        return "json"
    return "csv_wide"


# -- JSON (the case document) -------------------------------------------------------------------


def _json_object(text: str, what: str, *field: str) -> dict[str, Any] | _Read:
    """The text as a JSON object, or a refusal naming ``what`` it should have been."""
    try:
        raw = _loads(text)
    except RecursionError:
        return _refuse(f"the JSON is nested too deeply to be {what}")
    except ValueError as exc:
        where = f" (line {exc.lineno}, column {exc.colno}: {exc.msg})" if isinstance(exc, json.JSONDecodeError) else ""
        return _refuse(f"not valid JSON{where}")
    if not isinstance(raw, dict):
        return _refuse(f"{what} must be a JSON object, got {type(raw).__name__}", *field)
    return raw


def _read_json(text: str) -> _Read:
    raw = _json_object(_strip_bom(text), "a case document", "document")
    if isinstance(raw, _Read):
        return raw
    read = _Read()
    raw_obs = raw.get("observations")
    shell = {k: v for k, v in raw.items() if k != "observations"}
    try:
        parse_case({**shell, "observations": []})
    except CaseError as exc:
        read.problems.extend(exc.problems)
        read.refused = True
    if raw_obs is None:
        read.problems.append(Problem("observations", "is missing; give a list (it may be empty)", "observations"))
        read.refused = True
        raw_obs = []
    elif not isinstance(raw_obs, list):
        read.problems.append(Problem("observations", f"must be a list, got {type(raw_obs).__name__}", "observations"))
        read.refused = True
        raw_obs = []
    for i, obs in enumerate(raw_obs):
        key = f"observations[{i}]"
        analyte = obs.get("analyte") if isinstance(obs, dict) else None
        where = _where(f"observation {i}", analyte if isinstance(analyte, str) and analyte in analytes() else None)
        if not isinstance(obs, dict):
            read.items.append(_Item(where, key, None, f"must be an object, got {type(obs).__name__}"))
            continue
        _, dup_key, error = _validate(obs)
        if error is not None:
            read.items.append(_Item(where, key, None, error))
        else:
            read.items.append(_Item(where, key, dict(obs), None, dup_key))
    read.shell = shell
    return read


# -- CSV ------------------------------------------------------------------------------------------


def _csv_rows(text: str) -> tuple[list[list[str]], str] | str:
    """(rows, delimiter), or the reason the text is not CSV."""
    text = _strip_bom(text)
    _, delimiter = _header_and_delimiter(text)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        return f"not readable as CSV ({exc})"
    return rows, delimiter


def _blank(row: list[str]) -> bool:
    return not any(c.strip() for c in row)


def _csv_table(text: str) -> tuple[list[list[str]], str] | _Read:
    """The CSV's rows from its header on (leading blank lines dropped) and its delimiter, or a refusal."""
    parsed = _csv_rows(text)
    if isinstance(parsed, str):
        return _refuse(parsed)
    rows, delimiter = parsed
    while rows and _blank(rows[0]):
        rows.pop(0)
    if not rows:
        return _refuse("the file is empty")
    return rows, delimiter


def _read_csv_long(text: str) -> _Read:
    table = _csv_table(text)
    if isinstance(table, _Read):
        return table
    rows, delimiter = table
    header = [c.strip().lower() for c in rows[0]]
    missing = [c for c in ("date", "analyte", "value") if c not in header]
    if missing:
        return _refuse(
            f"row 1: the header must name the columns date, analyte, value and unit (comparator optional); "
            f"missing {', '.join(missing)}; found {_show(','.join(rows[0]))}"
        )
    dupes = sorted({c for c in header if c and header.count(c) > 1 and c in CSV_LONG_COLUMNS})
    if dupes:
        return _refuse(f"row 1: the column {', '.join(dupes)} is named twice")
    col = {name: header.index(name) for name in CSV_LONG_COLUMNS if name in header}
    read = _Read()
    extra = [i for i, name in enumerate(header) if name not in CSV_LONG_COLUMNS]
    used_extra = [i for i in extra if any(i < len(r) and r[i].strip() for r in rows[1:])]
    if used_extra:
        names = ", ".join(_show(rows[0][i]) for i in used_extra)
        read.problems.append(
            Problem("row 1", f"column {names} is not read (only date, analyte, value, unit, comparator)", "file")
        )
    decimal_comma = delimiter != ","
    for n, row in enumerate(rows[1:], start=2):
        if _blank(row):
            continue
        read.items.append(_long_row(n, row, col, len(header), decimal_comma))
    return read


def _long_row(n: int, row: list[str], col: dict[str, int], width: int, decimal_comma: bool) -> _Item:
    key = f"rows[{n}]"

    def cell(name: str) -> str:
        i = col.get(name)
        return row[i].strip() if i is not None and i < len(row) else ""

    if any(c.strip() for c in row[width:]):
        return _Item(f"row {n}", key, None, f"has {len(row)} cells but the header names {width} columns")
    errors: list[str] = []
    day = None
    try:
        day = _parse_day(cell("date"))
    except ValueError as exc:
        errors.append(str(exc))
    analyte = resolve_analyte(cell("analyte"))
    if analyte is None:
        shown = cell("analyte")
        errors.append(
            f"unknown analyte {_show(shown)}; use one of: {', '.join(analytes())}" if shown else "the analyte is empty"
        )
        return _Item(_where(f"row {n}", None, day), key, None, "; ".join(errors))
    where = _where(f"row {n}", analyte, day)
    value: Any = None
    comparator = None
    try:
        value, comparator = _cell_value(cell("value"), analyte, decimal_comma)
    except ValueError as exc:
        errors.append(str(exc))
    column_comparator = cell("comparator")
    if column_comparator:
        c = _COMPARATOR_SPELLINGS.get(column_comparator)
        if c is None:
            errors.append(f"comparator {_show(column_comparator)} must be one of {' '.join(COMPARATORS)}")
        elif is_boolean(analyte):
            errors.append("a yes/no finding takes no comparator")
        elif comparator is not None and comparator != c:
            errors.append(f"the value says {comparator} but the comparator column says {c}")
        else:
            comparator = c
    unit = cell("unit")
    if is_boolean(analyte) and unit:
        errors.append(f"a yes/no finding takes no unit, got {_show(unit)}")
    if errors:
        return _Item(where, key, None, "; ".join(errors))
    obs: dict[str, Any] = {"date": day.isoformat(), "analyte": analyte, "value": value}
    if unit and not is_boolean(analyte):
        obs["unit"] = unit
    if comparator:
        obs["comparator"] = comparator
    return _item(where, key, obs)


def _column(header: str) -> tuple[str, str | None] | str:
    """A wide-CSV column header: (analyte, listed unit or None), or why it is not understood."""
    name = header.strip()
    analyte = resolve_analyte(name)
    unit: str | None = None
    if analyte is None:
        m = _UNIT_SUFFIX.match(name)
        if m:
            analyte = resolve_analyte(m.group(1))
            unit = m.group(2).strip() or None
            name = m.group(1)
    if analyte is None:
        return (
            f"column {_show(header.strip())} is not an analyte; name the analyte and its unit, "
            f"e.g. 'platelets (10^9/L)'; analytes: {', '.join(analytes())}"
        )
    if is_boolean(analyte):
        if unit is not None:
            return f"column {_show(header.strip())}: {analyte} is a yes/no finding and takes no unit"
        return analyte, None
    try:
        listed = listed_unit(analyte, unit)
    except UnitError:
        if unit is None:
            return (
                f"column {_show(header.strip())} gives no unit; write it in the header, "
                f"e.g. '{analyte} ({allowed_units(analyte)[0]})'"
            )
        return (
            f"column {_show(header.strip())}: unit {_show(unit)} is not accepted for {analyte}; "
            f"use one of: {', '.join(allowed_units(analyte))}"
        )
    return analyte, (listed or None)


def _read_csv_wide(text: str) -> _Read:
    table = _csv_table(text)
    if isinstance(table, _Read):
        return table
    rows, delimiter = table
    header = rows[0]
    names = [c.strip().lower() for c in header]
    if names.count("date") != 1:
        return _refuse(
            "not a file Cobalt reads: expected a case document (JSON), a FHIR Bundle (JSON), CSV long "
            "(header date,analyte,value,unit) or CSV wide (a 'date' column and one column per analyte, "
            "e.g. 'platelets (10^9/L)')"
            if "date" not in names
            else "row 1: the column date is named twice"
        )
    date_col = names.index("date")
    columns: dict[int, tuple[str, str | None] | str] = {i: _column(h) for i, h in enumerate(header) if i != date_col}
    read = _Read()
    for i, spec in columns.items():
        empty = not any(i < len(r) and r[i].strip() for r in rows[1:])
        if isinstance(spec, str) and empty and header[i].strip():
            read.problems.append(Problem("row 1", f"{spec} (it holds no values)", "file"))
    decimal_comma = delimiter != ","
    for n, row in enumerate(rows[1:], start=2):
        if _blank(row):
            continue
        day = None
        day_error = None
        try:
            day = _parse_day(row[date_col] if date_col < len(row) else "")
        except ValueError as exc:
            day_error = str(exc)
        for i, text_value in enumerate(row):
            if i == date_col or not text_value.strip():
                continue
            key = f"rows[{n}][{i}]"
            spec = columns.get(i)
            if spec is None:
                where = _where(f"row {n}, column {i + 1}", None, day)
                read.items.append(_Item(where, key, None, "this cell has no column header"))
                continue
            if isinstance(spec, str):
                read.items.append(_Item(_where(f"row {n}", None, day), key, None, spec))
                continue
            analyte, unit = spec
            where = _where(f"row {n}", analyte, day)
            if day_error:
                read.items.append(_Item(where, key, None, f"the row's {day_error}"))
                continue
            try:
                value, comparator = _cell_value(text_value, analyte, decimal_comma)
            except ValueError as exc:
                read.items.append(_Item(where, key, None, str(exc)))
                continue
            obs: dict[str, Any] = {"date": day.isoformat(), "analyte": analyte, "value": value}
            if unit is not None:
                obs["unit"] = unit
            if comparator:
                obs["comparator"] = comparator
            read.items.append(_item(where, key, obs))
    return read


# -- FHIR -----------------------------------------------------------------------------------------


def _fhir_models() -> tuple[Any, Any]:
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


def _read_fhir(text: str) -> _Read:
    s = _strip_bom(text).lstrip()
    if s.startswith("<"):
        return _refuse("FHIR XML is not read; export the Bundle as FHIR JSON")
    raw = _json_object(s, "a FHIR Bundle")
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
        if isinstance(value, str) and 0 < len(value) <= 120:
            return value
        return Problem(
            "Bundle.identifier", f"case label {_show(value)} is not used: give text of 1 to 120 characters", "file"
        )
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
        return [_Item(where, key, None, f"a {_show(rtype)} resource is not imported ({why})")]
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
        return [_Item(where, key, None, f"status {_show(obs.status)} carries no result to import")]
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


# -- assembling the result ------------------------------------------------------------------------

_READERS = {"json": _read_json, "csv_long": _read_csv_long, "csv_wide": _read_csv_wide, "fhir": _read_fhir}
_FORMAT_ALIASES = {"csv-long": "csv_long", "csv-wide": "csv_wide", "csv": "csv_long"}


def _empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, dict):
        return all(v is None for v in value.values())
    return False


def _new_case() -> dict[str, Any]:
    return {"format": FORMAT, "observations": []}


def _too_large(size: int) -> Problem | None:
    if size <= MAX_UPLOAD_BYTES:
        return None
    return Problem(
        "file",
        f"is {size / (1024 * 1024):.1f} MB; the limit is {MAX_UPLOAD_BYTES // (1024 * 1024)} MB "
        "(split the file, or export fewer results)",
        "file",
    )


def _as_text(data: str | bytes) -> tuple[str | None, Problem | None]:
    """The file as text, or the problem that stops it being read (too large, not UTF-8)."""
    if isinstance(data, str):
        problem = _too_large(len(data.encode("utf-8", "surrogatepass")))
        return (None, problem) if problem else (data, None)
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise ConvertError([Problem("text", f"must be text or bytes, got {type(data).__name__}", "text")])
    raw = bytes(data)
    problem = _too_large(len(raw))
    if problem:
        return None, problem
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        return None, Problem("file", f"is not UTF-8 text (byte {exc.start}); save it as UTF-8", "file")


def read_any(
    text: str | bytes,
    filename: str | None = None,
    base: dict[str, Any] | None = None,
    fmt: str | None = None,
) -> ImportResult:
    """Read a case document, CSV (long or wide) or FHIR Bundle; never raises on bad content.

    ``fmt`` skips detection (one of :data:`FORMATS`, or ``csv-long``/``csv-wide``). ``base`` is an
    open case document to add the observations to (``ConvertError`` if it is not a valid one).
    Files larger than :data:`MAX_UPLOAD_BYTES` are refused with one problem.
    """
    if base is not None:
        try:
            base_case = parse_case(base)
        except CaseError as exc:
            raise ConvertError([Problem("base", f"the open case is not valid: {exc}", "base")]) from None
        existing = {(o.date, o.analyte, o.value, o.unit, o.comparator) for o in base_case.observations}
        doc: dict[str, Any] = dict(base)
        doc["observations"] = list(base.get("observations") or [])
    else:
        base_case = None
        existing = set()
        doc = _new_case()
    if fmt is not None:
        fmt = _FORMAT_ALIASES.get(fmt, fmt)
        if fmt not in _READERS:
            raise ConvertError([Problem("fmt", f"must be one of {', '.join(FORMATS)}, got {fmt!r}", "fmt")])
    content, problem = _as_text(text)
    if problem is not None or content is None:
        return ImportResult(doc, (problem,) if problem else (), 0, 0, fmt)
    fmt = fmt or detect_format(content, filename)
    read = _READERS[fmt](content)
    problems: list[Problem] = list(read.problems)
    added: list[dict[str, Any]] = []
    rejected = 0
    for item in read.items:
        if read.refused or item.obs is None:
            rejected += 1
            if item.error is not None:
                problems.append(Problem(item.where, item.error, item.field))
            continue
        if item.key in existing:
            rejected += 1
            problems.append(Problem(item.where, "is already in the case; not added again", item.field))
            continue
        added.append(item.obs)
    if read.refused:
        return ImportResult(doc, tuple(problems), 0, rejected, fmt)
    if base_case is None:
        doc = {"format": FORMAT, **{k: v for k, v in read.shell.items() if k != "format"}}
        doc["observations"] = added
    else:
        problems.extend(_not_applied(read.shell, base))
        doc["observations"] = doc["observations"] + added
    return ImportResult(doc, tuple(problems), len(added), rejected, fmt)


def _not_applied(shell: dict[str, Any], base: dict[str, Any]) -> list[Problem]:
    """The file's own case fields that differ from the open case's: listed, never applied."""
    out = []
    for key, value in shell.items():
        if key == "format" or _empty(value):
            continue
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            differs = any(v is not None and base[key].get(k) != v for k, v in value.items())
        else:
            differs = base.get(key) != value
        if differs:
            out.append(
                Problem(
                    key,
                    "the file's value is not applied to the open case (only lab results are "
                    "added); open the file as a new case to use it",
                    key,
                )
            )
    return out


# -- writing --------------------------------------------------------------------------------------


def _text_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return repr(float(value))


def _csv_text(rows: Iterable[Iterable[Any]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerows(rows)
    return buf.getvalue()


def _sorted_observations(case_doc: dict[str, Any]) -> list[Any]:
    case = parse_case(case_doc)
    return sorted(case.observations, key=lambda o: o.index)


def to_csv_long(case_doc: dict[str, Any]) -> str:
    """The lab results as CSV long: ``date,analyte,value,unit,comparator``, one row each.

    Only observations travel in CSV: label, patient, history and treatment start stay in the
    case document. Raises ``CaseError`` for an invalid document.
    """
    rows: list[list[str]] = [list(CSV_LONG_COLUMNS)]
    for o in _sorted_observations(case_doc):
        rows.append([o.date.isoformat(), o.analyte, _text_value(o.value), o.unit or "", o.comparator or ""])
    return _csv_text(rows)


def to_csv_wide(case_doc: dict[str, Any]) -> str:
    """The lab results as CSV wide: one row per draw, one column per analyte and unit.

    Columns follow ``data/analytes.json`` order; an analyte written in two units gets two
    columns; several results of one analyte on one day take several rows of that date. A
    censored value carries its comparator as a prefix (``<8``). Observations only, as
    :func:`to_csv_long`.
    """
    observations = _sorted_observations(case_doc)
    order = {name: i for i, name in enumerate(analytes())}
    columns: list[tuple[str, str | None]] = []
    for o in observations:
        if (o.analyte, o.unit) not in columns:
            columns.append((o.analyte, o.unit))
    columns.sort(key=lambda c: order[c[0]])
    index = {c: i for i, c in enumerate(columns)}
    rows: list[tuple[date, list[str]]] = []
    for o in sorted(observations, key=lambda o: (o.date, o.index)):
        col = index[(o.analyte, o.unit)]
        cell = f"{o.comparator or ''}{_text_value(o.value)}"
        for day, cells in rows:
            if day == o.date and not cells[col]:
                cells[col] = cell
                break
        else:
            cells = [""] * len(columns)
            cells[col] = cell
            rows.append((o.date, cells))
    header = ["date"] + [f"{a} ({u})" if u else a for a, u in columns]
    return _csv_text([header] + [[day.isoformat(), *cells] for day, cells in rows])


def _fhir_code(analyte: str, unit: str | None) -> dict[str, Any]:
    codings = []
    loinc = loinc_for(analyte, unit)
    if loinc is not None:
        codings.append({"system": _system("loinc"), "code": loinc["code"], "display": loinc["display"]})
    codings.append({"system": _system("cobalt"), "code": analyte, "display": analytes()[analyte]["label"]})
    return {"coding": codings, "text": analytes()[analyte]["label"]}


def _fhir_resource(o: Any) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "status": "final",
        "category": [
            {"coding": [{"system": _system("observation_category"), "code": "laboratory", "display": "Laboratory"}]}
        ],
        "code": _fhir_code(o.analyte, o.unit),
        "effectiveDateTime": o.date.isoformat(),
    }
    if isinstance(o.value, bool):
        answer = loinc_map()["present_absent"]["present" if o.value else "absent"]
        resource["valueCodeableConcept"] = {
            "coding": [{"system": _system("snomed"), "code": answer["snomed"], "display": answer["display"]}],
            "text": answer["display"],
        }
        return resource
    quantity: dict[str, Any] = {"value": o.value}
    if o.comparator:
        quantity["comparator"] = o.comparator
    if o.unit is not None:
        quantity.update({"unit": o.unit, "system": _system("ucum"), "code": ucum_for(o.analyte, o.unit)})
    resource["valueQuantity"] = quantity
    return resource


def to_fhir_bundle(case_doc: dict[str, Any]) -> dict[str, Any]:
    """The lab results as a FHIR R4 ``collection`` Bundle of laboratory Observations (JSON dict).

    Each Observation is coded with its LOINC code (``data/loinc.json``; the [Moles/volume] code
    for a molar unit) and Cobalt's own analyte code, dated by ``effectiveDateTime``, valued by
    ``valueQuantity`` in UCUM units (``comparator`` for a censored result) or, for a film finding,
    ``valueCodeableConcept`` SNOMED CT Present / Absent. No subject and no patient identifiers:
    the pseudonymous case label, if any, is the Bundle's ``identifier``. Built and checked with
    the fhir.resources R4B models (the same as R4 on the wire). Raises ``CaseError`` for an
    invalid document.
    """
    case = parse_case(case_doc)
    bundle: dict[str, Any] = {"resourceType": "Bundle", "type": "collection"}
    if case.label:
        bundle["identifier"] = {"system": _system("case_label"), "value": case.label}
    entries = []
    for o in sorted(case.observations, key=lambda o: o.index):
        name = f"{case.label or ''}|{o.index}|{o.date.isoformat()}|{o.analyte}|{o.value!r}|{o.unit}|{o.comparator}"
        full_url = f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'cobalt:' + name)}"
        entries.append({"fullUrl": full_url, "resource": _fhir_resource(o)})
    if entries:
        bundle["entry"] = entries
    Bundle, _ = _fhir_models()
    return Bundle.model_validate(bundle).model_dump(mode="json", exclude_none=True)


def write_as(case_doc: dict[str, Any], to: str) -> str:
    """The case in one output format: ``json``, ``csv`` (long), ``csv-wide`` or ``fhir`` (text)."""
    if to == "json":
        parse_case(case_doc)
        return json.dumps(case_doc, indent=2, ensure_ascii=False) + "\n"
    if to in ("csv", "csv-long"):
        return to_csv_long(case_doc)
    if to == "csv-wide":
        return to_csv_wide(case_doc)
    if to == "fhir":
        return json.dumps(to_fhir_bundle(case_doc), indent=2, ensure_ascii=False) + "\n"
    raise ConvertError([Problem("to", f"must be json, csv, csv-wide or fhir, got {to!r}", "to")])
