"""The lab series as a table (one row per draw, one column per analyte) and back.

The Recovery page edits this table with st.data_editor; parsing it is pure so it can be tested
(AppTest cannot type into data_editor cells). A bad cell is reported with its row and column and
nothing is applied until it is fixed.
"""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

from logic.case import Case, CaseError, Problem, parse_case
from logic.entry import format_entry, parse_entry
from logic.reference import analytes

#: Analytes the series table edits, with the unit shown in the column header.
SERIES: tuple[tuple[str, str], ...] = (
    ("platelets", "10^9/L"),
    ("reticulocytes_pct", "%"),
    ("reticulocytes_abs", "10^9/L"),
    ("hemoglobin", "g/dL"),
    ("hematocrit", "%"),
    ("mcv", "fL"),
    ("ldh", "U/L"),
    ("potassium", "mmol/L"),
)


def column(analyte: str, unit: str) -> str:
    return f"{analytes()[analyte]['label']} ({unit})"


def series_rows(case: Case) -> list[dict[str, Any]]:
    """One row per draw date with any series analyte; values as entered (converted to the column unit)."""
    from logic.units import convert

    rows: list[dict[str, Any]] = []
    for obs in sorted(case.observations, key=lambda o: (o.date, o.index)):
        unit = dict(SERIES).get(obs.analyte)
        if unit is None:
            continue
        value = obs.value
        if obs.unit != unit:
            value = float(f"{convert(obs.analyte, float(obs.value), obs.unit, unit):.4g}")
        col = column(obs.analyte, unit)
        # several draws a day are allowed: a second value of one analyte on one date gets its own row
        row = next((r for r in rows if r["Date"] == obs.date.isoformat() and r[col] is None), None)
        if row is None:
            row = {"Date": obs.date.isoformat(), **{column(a, u): None for a, u in SERIES}}
            rows.append(row)
        row[col] = format_entry(value, obs.comparator)
    return rows


def apply_series_rows(doc: dict[str, Any], rows: list[dict[str, Any]]) -> tuple[dict[str, Any], list[Problem]]:
    """A copy of ``doc`` whose series analytes are exactly those in ``rows``; or the unchanged doc and
    every problem (row number as shown, 1-based; column; why). Other analytes are untouched."""
    problems: list[Problem] = []
    names = {a for a, _ in SERIES}
    kept = [o for o in doc.get("observations", []) if not (isinstance(o, dict) and o.get("analyte") in names)]
    new_obs: list[dict[str, Any]] = []
    for i, row in enumerate(rows, start=1):
        raw_date = row.get("Date")
        cells = {a: row.get(column(a, u)) for a, u in SERIES}
        if raw_date in (None, "") and all(v in (None, "") for v in cells.values()):
            continue  # an empty row added by the editor
        try:
            when = date.fromisoformat(str(raw_date).strip()[:10]) if raw_date not in (None, "") else None
        except ValueError:
            when = None
        if when is None:
            problems.append(Problem(f"row {i}", f"date {raw_date!r} is not a date (YYYY-MM-DD)", f"rows[{i}].Date"))
            continue
        for analyte, unit in SERIES:
            cell = cells[analyte]
            if cell is None or (isinstance(cell, float) and cell != cell):
                continue
            try:
                parsed = parse_entry(str(cell))
            except ValueError as exc:
                problems.append(
                    Problem(f"row {i} ({when.isoformat()}), {column(analyte, unit)}", str(exc), f"rows[{i}].{analyte}")
                )
                continue
            if parsed is None:
                continue
            value, comp = parsed
            item: dict[str, Any] = {
                "date": when.isoformat(),
                "analyte": analyte,
                "value": int(value) if value.is_integer() else value,
                "unit": unit,
            }
            if comp:
                item["comparator"] = comp
            new_obs.append(item)
    new = copy.deepcopy(doc)
    new["observations"] = kept + new_obs
    if problems:
        return doc, problems
    try:
        parse_case(new)
    except CaseError as exc:
        offset = len(kept)
        for p in exc.problems:
            idx = _obs_index(p.field)
            if idx is not None and idx >= offset:
                o = new_obs[idx - offset]
                problems.append(Problem(f"{o['date']}, {column(o['analyte'], o['unit'])}", p.message, p.field))
            else:
                problems.append(p)
        return doc, problems
    return new, []


def _obs_index(field: str | None) -> int | None:
    if field and field.startswith("observations[") and field.endswith("]"):
        return int(field[len("observations[") : -1])
    return None
