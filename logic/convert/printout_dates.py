"""Dates on a pasted printout: which day the results were drawn.

Read: ISO ``2026-12-06`` (and ``2026/12/06``), numeric ``06/12/2026`` / ``06.12.26`` / ``06-12-2026``
(day or month first as the caller says: SI cases day first as UK laboratories print, conventional
cases month first as US laboratories print; with no order given, a date that reads as two different
days is refused), ``06-Dec-2026``, ``6 December 2026``, ``3-Mar 2011`` and ``Aug 16, 2023@04:33``.
A time after the date is dropped. Two-digit years are 20yy (``cobalt_printout_reading``).

The words before a date say what it is (``data/printout.json`` ``date_labels``): a collection date
(or a date with no words) is the draw date; a report, receipt or print date is not; anything else
leaves the date unclear, never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from logic.convert.printout_data import _tables

_DMY, _MDY = "dmy", "mdy"
_DRAW, _OTHER, _UNCLEAR = "draw", "other", "unclear"
_MONTHS = {"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "oct": 10,
           "nov": 11, "dec": 12}  # fmt: skip
_MON = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]{0,6}\.?"
_DATE = re.compile(
    r"(?<![\w/.\-])(?:"
    r"(?P<iy>\d{4})(?P<isep>[-/.])(?P<im>\d{1,2})(?P=isep)(?P<id>\d{1,2})"
    r"|(?P<a>\d{1,2})(?P<sep>[-/.])(?P<b>\d{1,2})(?P=sep)(?P<y>\d{4}|\d{2})"
    rf"|(?P<dd>\d{{1,2}})(?:st|nd|rd|th)?[ \-]{{0,3}}(?P<mon>{_MON})[ \-,]{{0,3}}(?P<yy>\d{{4}}|\d{{2}})"
    rf"|(?P<mon2>{_MON})[ ]{{1,3}}(?P<dd2>\d{{1,2}})(?:st|nd|rd|th)?,?[ ]{{1,3}}(?P<yy2>\d{{4}})"
    r")(?P<time>(?:[ ]{0,3}(?:@|T|at)?[ ]{0,3}\d{1,2}:\d{2}(?::\d{2})?(?:[ ]?[ap]m)?(?:[ ]?hrs)?)?)"
    r"(?![\w/\-]|\.\d)",
    re.IGNORECASE | re.ASCII,
)
_LABEL_WORDS = re.compile(r"[a-z'&/]+")


@dataclass(frozen=True)
class _DateMark:
    """A date found on a line: where, the day it reads as (None when it cannot be read), and why not."""

    start: int
    end: int
    text: str
    day: date | None
    problem: str | None = None


def _year(text: str) -> int:
    return 2000 + int(text) if len(text) == 2 else int(text)


def _day(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _find_dates(text: str, order: str | None) -> list[_DateMark]:
    """Every date on the line, read in ``order`` (``"dmy"``, ``"mdy"`` or None: refuse a date that reads
    both ways as two different days)."""
    out = []
    for m in _DATE.finditer(text):
        shown = m.group(0).strip()
        g = m.groupdict()
        if g["iy"]:
            day = _day(int(g["iy"]), int(g["im"]), int(g["id"]))
            out.append(_DateMark(m.start(), m.end(), shown, day, None if day else f"{shown!r} is not a date"))
        elif g["a"]:
            out.append(_numeric(m, shown, order))
        else:
            mon, dd, yy = (g["mon"], g["dd"], g["yy"]) if g["mon"] else (g["mon2"], g["dd2"], g["yy2"])
            day = _day(_year(yy), _MONTHS[mon[:3].lower()], int(dd))
            out.append(_DateMark(m.start(), m.end(), shown, day, None if day else f"{shown!r} is not a date"))
    return out


def _numeric(m: re.Match, shown: str, order: str | None) -> _DateMark:
    a, b, y = int(m.group("a")), int(m.group("b")), _year(m.group("y"))
    day_first, month_first = _day(y, b, a), _day(y, a, b)
    if order == _DMY:
        day = day_first
    elif order == _MDY:
        day = month_first
    elif day_first and month_first and day_first != month_first:
        return _DateMark(m.start(), m.end(), shown, None,
                        f"{shown!r} reads as {day_first:%d %B %Y} (day first) or {month_first:%d %B %Y} (month "
                        "first); give the unit system (SI: day first, conventional: month first) or write the "
                        "date as YYYY-MM-DD")  # fmt: skip
    else:
        day = day_first or month_first
    if day is None:
        first = "day" if order == _DMY else "month" if order == _MDY else "day or month"
        return _DateMark(m.start(), m.end(), shown, None, f"{shown!r} is not a date ({first} first)")
    return _DateMark(m.start(), m.end(), shown, day)


def _label_kind(text: str) -> str:
    """What the words before a date make it: ``draw`` (collection date, or no words), ``other`` (report,
    receipt, print date) or ``unclear``."""
    t = _tables()
    words = [w.strip("'") for w in _LABEL_WORDS.findall(text.lower())]
    words = [p for w in words for p in w.split("/") if p]
    if any(w in t.date_other for w in words):
        return _OTHER
    if all(w in t.date_draw or w in t.words["section"] for w in words):
        return _DRAW
    return _UNCLEAR
