"""Reading CSV wide: one row per draw, a ``date`` column and one column per analyte and unit.

The unit is in the header, e.g. ``platelets (10^9/L)`` or ``B12 [pg/mL]``; several draws on one
day take several rows. Each non-empty value cell is one row read.
"""

from __future__ import annotations

from typing import Any

from logic.case import Problem
from logic.case.limits import MAX_ROWS
from logic.case.units import UnitError, allowed_units, is_boolean, listed_unit
from logic.convert.common import _cell_value, _Item, _item, _parse_day, _Read, _refuse, _show, _where
from logic.convert.csv_table import _blank, _csv_table
from logic.convert.loinc import resolve_analyte
from logic.reference import analytes


def _unit_suffix(name: str) -> tuple[str, str] | None:
    """``platelets (10^9/L)`` -> (``platelets``, ``10^9/L``): the text before a final bracketed unit
    (round or square brackets, none inside) and the unit; None without one. Linear in the name."""
    name = name.rstrip()
    if not name.endswith((")", "]")):
        return None
    opener = max(name.rfind("(", 0, -1), name.rfind("[", 0, -1))
    if opener < 0:
        return None
    unit = name[opener + 1 : -1]
    if ")" in unit or "]" in unit:
        return None
    return name[:opener].rstrip(), unit


def _column(header: str) -> tuple[str, str | None] | str:
    """A wide-CSV column header: (analyte, listed unit or None), or why it is not understood."""
    name = header.strip()
    analyte = resolve_analyte(name)
    unit: str | None = None
    if analyte is None:
        split = _unit_suffix(name)
        if split:
            analyte = resolve_analyte(split[0])
            unit = split[1].strip() or None
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
    filled = [i for r in rows[1:] for i, c in enumerate(r) if i != date_col and c.strip()]
    if len(filled) > MAX_ROWS:
        return _refuse(f"holds {len(filled):,} results (filled cells); the limit is {MAX_ROWS:,}; split the file")
    read = _Read()
    used = set(filled)
    for i, spec in columns.items():
        if isinstance(spec, str) and i not in used and header[i].strip():
            note = Problem("row 1", f"{spec} (it holds no values)", "file")
            read.problems.append(note)
            read.notes.append(note)
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
