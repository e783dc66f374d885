"""Reading CSV long: header ``date,analyte,value,unit`` plus an optional ``comparator`` column.

A value may carry its comparator as a prefix (``<8``); the analyte may be its key, its label or a
LOINC code. A filled column the reader does not know is listed, never silently dropped (a notice: it
does not stop the rows from importing).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from logic.case import COMPARATORS, Problem
from logic.case.units import is_boolean
from logic.convert.common import (
    _COMPARATOR_SPELLINGS,
    CSV_LONG_COLUMNS,
    _cell_value,
    _Item,
    _item,
    _parse_day,
    _Read,
    _refuse,
    _show,
    _where,
)
from logic.convert.csv_table import _blank, _csv_table
from logic.convert.loinc import resolve_analyte
from logic.reference import analytes


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
    counts = Counter(header)
    dupes = sorted(c for c in CSV_LONG_COLUMNS if counts[c] > 1)
    if dupes:
        return _refuse(f"row 1: the column {', '.join(dupes)} is named twice")
    col = {name: header.index(name) for name in CSV_LONG_COLUMNS if name in header}
    read = _Read()
    extra = [name not in CSV_LONG_COLUMNS for name in header]
    used = {i for r in rows[1:] for i, c in enumerate(r[: len(extra)]) if extra[i] and c.strip()}
    used_extra = sorted(used)
    if used_extra:
        names = ", ".join(_show(rows[0][i]) for i in used_extra)
        note = Problem("row 1", f"column {names} is not read (only date, analyte, value, unit, comparator)", "file")
        read.problems.append(note)
        read.notes.append(note)  # not lab results by design (a flag, a comment): listed, not stopping the rest
    decimal_comma = delimiter != ","
    for n, row in enumerate(rows[1:], start=2):
        if _blank(row):
            continue
        read.items.append(_long_row(n, row, col, len(header), decimal_comma))
    return read


def _long_row(n: int, row: list[str], col: dict[str, int], width: int, decimal_comma: bool) -> _Item:
    key = f"rows[{n}]"

    def cell(name: str, strip: bool = True) -> str:
        i = col.get(name)
        text = row[i] if i is not None and i < len(row) else ""
        return text.strip() if strip else text

    if any(c.strip() for c in row[width:]):
        return _Item(f"row {n}", key, None, f"has {len(row)} cells but the header names {width} columns")
    errors: list[str] = []
    day = None
    try:
        day = _parse_day(cell("date", strip=False))  # its own rule: spaces and tabs only, never NBSP
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
