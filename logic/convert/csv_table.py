"""CSV shared by the long and wide readers and by detection: the delimiter, the rows, the header.

A file may be separated by commas, semicolons or tabs: the first of these that makes the first
line name a ``date`` column wins, else the comma. Lines may end in LF, CRLF or CR. The table is
read in one pass, within the limits of :mod:`logic.case.limits` (columns, header cell length, rows);
beyond one the file is refused with a problem naming the limit.
"""

from __future__ import annotations

import csv
import io
import re

from logic.case.limits import MAX_CSV_COLUMNS, MAX_HEADER_CELL_CHARS, MAX_ROWS
from logic.convert.common import _Read, _refuse, _strip_bom

_LINE_END = re.compile(r"\r\n?|\n")


def _header_and_delimiter(text: str) -> tuple[list[str], str]:
    first = _LINE_END.split(text, maxsplit=1)[0]
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


def _blank(row: list[str]) -> bool:
    return not any(c.strip() for c in row)


def _csv_rows(text: str) -> tuple[list[list[str]], str] | str:
    """(rows, delimiter) from the header on (leading blank lines dropped), or why the text is not read."""
    text = _strip_bom(text)
    _, delimiter = _header_and_delimiter(text)
    rows: list[list[str]] = []
    data_rows = 0
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for row in reader:
            if not rows and _blank(row):
                continue
            n = len(rows) + 1
            if len(row) > MAX_CSV_COLUMNS:
                what = "the header names" if n == 1 else "has"
                return f"row {n}: {what} {len(row):,} cells; the limit is {MAX_CSV_COLUMNS} columns"
            if n > 1 and not _blank(row):
                data_rows += 1
                if data_rows > MAX_ROWS:
                    return f"holds more than {MAX_ROWS:,} rows of results (the limit); split the file"
            rows.append(row)
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            return (
                f"row {len(rows) + 1}: a cell is longer than {csv.field_size_limit():,} characters (the limit)"
            )
        return f"not readable as CSV ({exc})"
    return rows, delimiter


def _csv_table(text: str) -> tuple[list[list[str]], str] | _Read:
    """The CSV's rows from its header on (leading blank lines dropped) and its delimiter, or a refusal."""
    parsed = _csv_rows(text)
    if isinstance(parsed, str):
        return _refuse(parsed)
    rows, delimiter = parsed
    if not rows:
        return _refuse("the file is empty")
    for i, cell in enumerate(rows[0]):
        if len(cell) > MAX_HEADER_CELL_CHARS:
            return _refuse(
                f"row 1, column {i + 1}: the header cell is {len(cell):,} characters long; "
                f"the limit is {MAX_HEADER_CELL_CHARS}"
            )
    return rows, delimiter
