"""Import and export of a case: the case document (JSON), CSV (long and wide) and FHIR R4 Bundles.

Reading is one pure function, :func:`read_any`, that never raises on bad file content: it returns
an :class:`ImportResult` whose ``doc`` is always a valid case document (``parse_case`` accepts it)
and whose ``problems`` name every row, cell or entry that was not imported and why, all at once.
A file is applied whole or not at all (contract: a document with any rejected part is not partly
applied): when any row, cell or entry is rejected, or the file has a problem of its own, nothing
is added, and the valid rows are counted as ``withheld``. Rows that are not lab results Cobalt
imports by design (a Patient or other resource, a panel that only points to its members, an
Observation whose status carries no result, an empty column not understood, a result already in
the open case) are listed but do not stop the others. Nothing is silently dropped:
``imported + rejected + withheld`` is the number of rows read (CSV long: data rows; CSV wide:
non-empty value cells; FHIR: entries, or the components of a panel entry; JSON: observations).
Each rejected row has its own problem, except when the whole file is refused (not readable, too
large, beyond a limit of :mod:`logic.case.limits`, a bad header, or an invalid case document), which
file-level problems say. Blank CSV lines carry nothing and are not counted.

Every reader runs in time linear in its input, within the limits of :mod:`logic.case.limits` (file
size, CSV columns, header cell length, rows, JSON nesting), shared with the app and the command
line. JSON is read strictly (:mod:`logic.case.json_input`): NaN, infinities, numbers too large for a
double, keys given twice, lone surrogates and control characters are refused with their place.

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

The package, one room per format; this module holds :func:`read_any` and :func:`detect_format` and
re-exports every public name, so ``from logic.convert import X`` is the only import callers need:

- ``common``: :class:`ConvertError`, :class:`ImportResult`, the file as text, one value and one row.
- ``loinc``: the LOINC map (``data/loinc.json``) and the names an analyte goes by in a file.
- ``json_doc``, ``csv_table``, ``csv_long``, ``csv_wide``: the readers of the case document and CSV.
- ``fhir``: the FHIR Bundle reader and writer (``fhir.resources`` is imported only when used).
- ``writers``: CSV long and wide, and :func:`write_as`.
- ``printout`` (with ``printout_data``, ``_dates``, ``_line``, ``_tokens``, ``_film``): a laboratory printout pasted
  as text, read by :func:`read_printout` into a :class:`PrintoutReading` (each result with its line, the
  lines not read with why). It is not a ``read_any`` format: a printout is read as far as it is understood
  and previewed, not applied whole or not at all.
"""

from __future__ import annotations

from typing import Any

from logic.case import FORMAT, CaseError, Problem, parse_case
from logic.case.json_input import path_text
from logic.case.limits import MAX_UPLOAD_BYTES
from logic.convert.common import (
    CSV_LONG_COLUMNS,
    FORMATS,
    ConvertError,
    ImportResult,
    _as_text,
    _load_json,
    _Read,
    _strip_bom,
)
from logic.convert.csv_long import _read_csv_long
from logic.convert.csv_table import _header_and_delimiter
from logic.convert.csv_wide import _read_csv_wide
from logic.convert.fhir import BUNDLE_TYPES, FHIR_STATUSES, _read_fhir
from logic.convert.fhir_write import to_fhir_bundle
from logic.convert.json_doc import _read_json
from logic.convert.loinc import analyte_for_loinc, loinc_for, loinc_map, resolve_analyte, ucum_for
from logic.convert.printout import (
    MAX_LINE_CHARS,
    UNREAD_KINDS,
    DateLine,
    PrintoutReading,
    PrintoutResult,
    UnreadLine,
    read_printout,
)
from logic.convert.writers import to_csv_long, to_csv_wide, write_as

__all__ = [
    "BUNDLE_TYPES",
    "CSV_LONG_COLUMNS",
    "FHIR_STATUSES",
    "FORMATS",
    "MAX_LINE_CHARS",
    "MAX_UPLOAD_BYTES",
    "UNREAD_KINDS",
    "ConvertError",
    "DateLine",
    "ImportResult",
    "PrintoutReading",
    "PrintoutResult",
    "UnreadLine",
    "analyte_for_loinc",
    "detect_format",
    "loinc_for",
    "loinc_map",
    "read_any",
    "read_printout",
    "resolve_analyte",
    "to_csv_long",
    "to_csv_wide",
    "to_fhir_bundle",
    "ucum_for",
    "write_as",
]


def detect_format(text: str, filename: str | None = None) -> str:
    """Which reader a file needs: ``json``, ``csv_long``, ``csv_wide`` or ``fhir``.

    By content first: a JSON object with a ``resourceType`` (or XML) is FHIR, any other JSON a
    case document; CSV whose header names ``analyte`` and ``value`` is long, any other CSV wide.
    The file name breaks ties only for content that is neither (``.json`` -> ``json``); the
    reader then says what is wrong with it.
    """
    return _sniff(text, filename)[0]


def _sniff(text: str, filename: str | None) -> tuple[str, Any]:
    """(format, the JSON as loaded by ``_load_json`` or None): JSON is parsed once per read."""
    s = _strip_bom(text).lstrip()
    if s.startswith(("{", "[")):
        loaded = _load_json(text)
        obj = loaded[0]
        return ("fhir" if isinstance(obj, dict) and "resourceType" in obj else "json"), loaded
    if s.startswith("<"):
        return "fhir", None
    names, _ = _header_and_delimiter(s)
    if "analyte" in names and "value" in names:
        return "csv_long", None
    if "date" not in names and filename and filename.lower().endswith(".json"):
        return "json", None
    return "csv_wide", None


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


def read_any(
    text: str | bytes,
    filename: str | None = None,
    base: dict[str, Any] | None = None,
    fmt: str | None = None,
) -> ImportResult:
    """Read a case document, CSV (long or wide) or FHIR Bundle; never raises on bad content.

    ``fmt`` skips detection (one of :data:`FORMATS`, or ``csv-long``/``csv-wide``). ``base`` is an
    open case document to add the observations to (``ConvertError`` if it is not a valid one).
    Files larger than :data:`MAX_UPLOAD_BYTES` are refused with one problem. The file is applied
    whole or not at all: with any rejected part, ``doc`` is the open case (or a new empty case)
    unchanged and ``blocking`` lists the problems that stopped it.
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
        return ImportResult(doc, (problem,) if problem else (), 0, 0, fmt, blocking=(problem,) if problem else ())
    sniffed, loaded = _sniff(content, filename) if fmt is None or fmt in ("json", "fhir") else (fmt, None)
    fmt = fmt or sniffed
    read: _Read = _READERS[fmt](content, loaded) if fmt in ("json", "fhir") else _READERS[fmt](content)
    problems: list[Problem] = list(read.problems)
    blocking: list[Problem] = [p for p in read.problems if p not in read.notes]
    added: list[dict[str, Any]] = []
    rejected = 0
    for item in read.items:
        if read.refused or item.obs is None:
            rejected += 1
            if item.error is not None:
                problem = Problem(item.where, item.error, item.field)
                problems.append(problem)
                if not item.skipped:
                    blocking.append(problem)
            continue
        if item.key in existing:
            rejected += 1
            problems.append(Problem(item.where, "is already in the case; not added again", item.field))
            continue
        added.append(item.obs)
    if read.refused or blocking:
        return ImportResult(doc, tuple(problems), 0, rejected, fmt, withheld=len(added), blocking=tuple(blocking))
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
            where = path_text((key,))  # the file's own key: quoted when it is not a plain name
            out.append(
                Problem(
                    where,
                    "the file's value is not applied to the open case (only lab results are "
                    "added); open the file as a new case to use it",
                    where,
                )
            )
    return out
