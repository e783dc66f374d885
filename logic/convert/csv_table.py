"""CSV shared by the long and wide readers and by detection: the delimiter, the rows, the header.

A file may be separated by commas, semicolons or tabs: the first of these that makes the first
line name a ``date`` column wins, else the comma.
"""

from __future__ import annotations

import csv
import io

from logic.convert.common import _Read, _refuse, _strip_bom


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
