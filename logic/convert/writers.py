"""Writing a case: CSV long, CSV wide, and :func:`write_as`, the one entry for every output format.

Each writer takes a valid case document (``CaseError`` otherwise). Only observations travel in
CSV: label, patient, history and treatment start stay in the case document.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Iterable
from datetime import date
from typing import Any

from logic.case import Problem, parse_case
from logic.convert.common import CSV_LONG_COLUMNS, ConvertError
from logic.convert.fhir_write import to_fhir_bundle
from logic.reference import analytes


def _text_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return repr(float(value) + 0.0)  # + 0.0: a negative zero is written 0.0 (a CSV reader refuses "-0.0")


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
    day_rows: dict[date, list[list[str]]] = {}  # the rows of each date, in order
    filled: Counter[tuple[date, int]] = Counter()  # results of (date, column) placed so far
    for o in sorted(observations, key=lambda o: (o.date, o.index)):
        col = index[(o.analyte, o.unit)]
        cell = f"{o.comparator or ''}{_text_value(o.value)}"
        # the n-th result of a column on a date goes in that date's n-th row (the first with the cell empty)
        n = filled[(o.date, col)]
        filled[(o.date, col)] += 1
        same_day = day_rows.setdefault(o.date, [])
        if n == len(same_day):
            same_day.append([""] * len(columns))
            rows.append((o.date, same_day[-1]))
        same_day[n][col] = cell
    header = ["date"] + [f"{a} ({u})" if u else a for a, u in columns]
    return _csv_text([header] + [[day.isoformat(), *cells] for day, cells in rows])


def write_as(case_doc: dict[str, Any], to: str) -> str:
    """The case in one output format: ``json``, ``csv`` (long), ``csv-wide`` or ``fhir`` (text)."""
    if to == "json":
        parse_case(case_doc)
        return json.dumps(case_doc, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    if to in ("csv", "csv-long"):
        return to_csv_long(case_doc)
    if to == "csv-wide":
        return to_csv_wide(case_doc)
    if to == "fhir":
        return json.dumps(to_fhir_bundle(case_doc), indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    raise ConvertError([Problem("to", f"must be json, csv, csv-wide or fhir, got {to!r}", "to")])
