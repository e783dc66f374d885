"""A laboratory printout pasted as text -> every result it holds, each with the line it came from.

Text copied from a laboratory system's screen or a letter (``Haemoglobin 68 g/L (130-170) L``,
``PLT 38 x10^9/L``, ``B12 <50 ng/L``, ``Retic 1.1 %``, tab-separated rows, a date line) is read line by
line with the names, units and words of ``data/printout.json`` (``printout_data``; a line is read in
``printout_line``, its tokens in ``printout_tokens``, film comments in ``printout_film``, dates in
``printout_dates``). Nothing is guessed: a line that could be read two ways (a name that stands for two
analytes with no unit to choose, a unit that fits no analyte, two numbers, a day/month order that is
not known) is listed with why, never read. A value printed without a unit takes the unit the case's
unit system prints (:func:`logic.case.entry.printed_unit`) and says so. A date line sets the draw date of
the results after it; without one, the date given by the caller is used and each result says so.
Lines that look like a patient identifier are never read and their text is not shown back.

The reading is pure and total: any text gives a :class:`PrintoutReading`, whose ``problems`` name what
stops the text as a whole (too large, not UTF-8, too many lines); it never raises on content. Every
result passes the case contract (``logic.convert.common._validate``), so :meth:`PrintoutReading.doc`
is always a valid case document. Work is linear in the text: lines longer than
:data:`MAX_LINE_CHARS` are listed, not parsed, and at most :data:`logic.case.limits.MAX_ROWS` lines (and
results) are read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from logic.case import FORMAT, Problem, parse_case
from logic.case.entry import CONVENTIONAL, SI, conversion_text, threshold_unit_system
from logic.case.limits import MAX_ROWS
from logic.case.units import canonical_unit, to_canonical
from logic.convert.common import ConvertError, _as_text, _validate
from logic.convert.printout_data import _identifier, _tables
from logic.convert.printout_dates import _DMY, _DRAW, _MDY, _OTHER, _find_dates, _label_kind
from logic.convert.printout_line import _printed_unit, _read_line
from logic.convert.printout_tokens import _Found, _label, _show, _Skip

#: Characters in one line of a printout: a result line is under 200; a longer line is listed, not read.
MAX_LINE_CHARS = 500
#: Why a line (or part of one) was not read.
UNREAD_KINDS = ("not_understood", "ambiguous", "unit", "other_test", "no_value", "invalid", "undated", "date",
                "other_date", "identifier", "too_long")  # fmt: skip


@dataclass(frozen=True)
class PrintoutResult:
    """One result read from the printout, with where it came from and how it was read.

    ``value`` is as printed (``True``/``False`` for a film finding); ``unit`` the unit it is read in (a
    unit of the case contract) and ``printed_unit`` the text printed (None when none was: then
    ``unit_source`` is ``"unit_system"``, the case's unit, or ``"none"`` for a unitless result such as
    the INR). ``canonical_value`` is the value in ``canonical_unit`` (Cobalt's unit inside logic);
    ``conversion`` the value in the other unit system (``"= 6.8 g/dL"``), empty when there is none.
    ``date_source`` is ``"printout"`` (the date line ``date_line``) or ``"given"`` (the caller's date).
    """

    line: int
    line_text: str
    segment: str
    analyte: str
    value: int | float | bool
    comparator: str | None
    unit: str | None
    printed_unit: str | None
    unit_source: str
    canonical_value: float | None
    canonical_unit: str | None
    conversion: str
    date: date
    date_source: str
    date_line: int | None
    reference_range: str | None
    flag: str | None
    notes: tuple[str, ...]

    @property
    def label(self) -> str:
        return _label(self.analyte)

    def observation(self) -> dict[str, Any]:
        """The result as a case-document observation."""
        obs: dict[str, Any] = {"date": self.date.isoformat(), "analyte": self.analyte, "value": self.value}
        if self.unit is not None and not isinstance(self.value, bool):
            obs["unit"] = self.unit
        if self.comparator:
            obs["comparator"] = self.comparator
        return obs


@dataclass(frozen=True)
class UnreadLine:
    """A line, or one part of a line, that was not read: its kind (:data:`UNREAD_KINDS`) and why.
    ``text`` is the line as pasted, empty when it is ``withheld`` (a patient identifier)."""

    line: int
    text: str
    kind: str
    reason: str
    segment: str = ""
    withheld: bool = False

    def __str__(self) -> str:
        where = f"line {self.line}"
        if self.withheld:
            return f"{where}: {self.reason}"
        part = f" (in {_show(self.segment)})" if self.segment and self.segment != self.text.strip() else ""
        return f"{where}: not read{part}: {self.reason}: {_show(self.text, 80)}"


@dataclass(frozen=True)
class DateLine:
    """A date read as the draw date of the results after it."""

    line: int
    day: date
    text: str


@dataclass(frozen=True)
class PrintoutReading:
    """What a printout gives: the results read, every line not read with why, the draw dates found."""

    results: tuple[PrintoutResult, ...]
    unread: tuple[UnreadLine, ...]
    dates: tuple[DateLine, ...]
    problems: tuple[Problem, ...]  # the text as a whole could not be read: nothing in it was
    unit_system: str | None
    day_given: date | None
    lines: int  # lines with something on them

    @property
    def ok(self) -> bool:
        """Something was read and the text as a whole was accepted."""
        return bool(self.results) and not self.problems

    @property
    def dated_by_caller(self) -> bool:
        """Some result took the caller's date (no date line before it)."""
        return any(r.date_source == "given" for r in self.results)

    def doc(self) -> dict[str, Any]:
        """The results as a case document (results only)."""
        return {"format": FORMAT, "observations": [r.observation() for r in self.results]}

    def merge_into(self, base: dict[str, Any]) -> tuple[dict[str, Any], tuple[PrintoutResult, ...]]:
        """``base`` (a valid case document) with the results added, and the results already in it (the same
        date, analyte, value, unit and comparator), which are not added twice. ConvertError: ``base`` invalid."""
        from logic.case import CaseError

        try:
            case = parse_case(base)
        except CaseError as exc:
            raise ConvertError([Problem("base", f"the open case is not valid: {exc}", "base")]) from None
        seen = {(o.date, o.analyte, o.value, o.unit, o.comparator) for o in case.observations}
        added, present = [], []
        for result in self.results:
            key = (result.date, result.analyte, result.value, result.unit, result.comparator)
            (present if key in seen else added).append(result)
            seen.add(key)
        doc = dict(base)
        doc["observations"] = list(base.get("observations") or []) + [r.observation() for r in added]
        return doc, tuple(present)


class _Dating:
    """The draw date in force as the lines are read: a date, a problem with the last date line, or none."""

    def __init__(self, given: date | None):
        self.given = given
        self.day: date | None = None
        self.line: int | None = None
        self.problem: str | None = None

    def set(self, line: int, day: date) -> None:
        self.day, self.line, self.problem = day, line, None

    def fail(self, line: int, problem: str) -> None:
        self.day, self.line, self.problem = None, line, problem


def read_printout(
    text: str | bytes,
    *,
    unit_system: str | None = None,
    thresholds: str | None = None,
    day: date | None = None,
    today: date | None = None,
) -> PrintoutReading:
    """Read a pasted printout; never raises on its content.

    ``unit_system`` (``"si"`` or ``"conventional"``; default: the ``thresholds`` set's, else none) gives the
    unit of a value printed without one and the order of a numeric date (SI day first, conventional month
    first); with neither, such values and dates that read both ways are listed, not read. ``thresholds``
    is the case's reference set (its printed units: UK B12 in ng/L). ``day`` dates the results before any
    date line; ``today`` refuses a date line after it. ConvertError for a wrong argument.
    """
    from logic.reference import threshold_set_ids

    if unit_system not in (None, SI, CONVENTIONAL):
        raise ConvertError([Problem("unit_system", f"must be {SI!r} or {CONVENTIONAL!r}, got {unit_system!r}")])
    if thresholds is not None and thresholds not in threshold_set_ids():
        raise ConvertError([Problem("thresholds", f"unknown reference set {thresholds!r}")])
    for name, value in (("day", day), ("today", today)):
        if value is not None and not isinstance(value, date):
            raise ConvertError([Problem(name, f"must be a date, got {type(value).__name__}")])
    system = unit_system or (threshold_unit_system(thresholds) if thresholds else None)
    content, problem = _as_text(text)
    if problem is not None or content is None:
        return PrintoutReading((), (), (), (problem,) if problem else (), system, day, 0)
    lines = content.splitlines()
    if len(lines) > MAX_ROWS:
        problem = Problem("file", f"the printout has {len(lines):,} lines; the limit is {MAX_ROWS:,}", "file")
        return PrintoutReading((), (), (), (problem,), system, day, 0)
    return _read(lines, system, thresholds, day, today)


def _read(lines: list[str], system: str | None, thresholds: str | None, day: date | None, today: date | None):
    order = _DMY if system == SI else _MDY if system == CONVENTIONAL else None
    dating = _Dating(day)
    results: list[PrintoutResult] = []
    unread: list[UnreadLine] = []
    dates: list[DateLine] = []
    count = 0
    for n, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line:
            continue
        count += 1
        if len(line) > MAX_LINE_CHARS:
            unread.append(UnreadLine(n, line[:MAX_LINE_CHARS], "too_long",
                                     f"{len(line):,} characters; a result line is at most {MAX_LINE_CHARS}"))
            continue
        marker = _identifier(line)
        if marker:
            unread.append(UnreadLine(n, "", "identifier", f"not read and not shown: it looks like a patient or "
                                     f"clinician identifier ({marker.strip()!r})", withheld=True))
            if _withheld_date(line, order):
                dating.fail(n, "a date on a line withheld as an identifier: is it the day the blood was drawn?")
            continue
        rest = _dates(n, line, order, today, dating, unread, dates)
        if not any(ch.isalnum() for ch in rest):
            continue
        for outcome in _read_line(rest, system, thresholds):
            if isinstance(outcome, _Skip):
                unread.append(UnreadLine(n, line, outcome.kind, outcome.reason, outcome.segment))
            else:
                _dated(n, line, outcome, dating, system, thresholds, results, unread)
        if len(results) > MAX_ROWS:
            problem = Problem("file", f"the printout holds more than {MAX_ROWS:,} results; the limit is {MAX_ROWS:,}",
                              "file")  # fmt: skip
            return PrintoutReading((), (), (), (problem,), system, dating.given, count)
    return PrintoutReading(tuple(results), tuple(unread), tuple(dates), (), system, day, count)


def _dates(n: int, line: str, order: str | None, today: date | None, dating: _Dating,
           unread: list[UnreadLine], dates: list[DateLine]) -> str:  # fmt: skip
    """Read the dates on a line into ``dating``; the line without its dates and their labels."""
    marks = _find_dates(line, order)
    if not marks:
        return line
    t = _tables()
    keep, start, drawn = [], 0, []
    for mark in marks:
        label_text = line[start : mark.start]
        inline = t.names.search(label_text) is not None  # a date printed on a result line
        kind = _DRAW if inline else _label_kind(label_text)
        keep.append(line[start : mark.start] if inline else "")
        start = mark.end
        if kind == _OTHER:
            unread.append(UnreadLine(n, line, "other_date", f"{mark.text!r} is a report, receipt or print date, not "
                                     "the day the blood was drawn: not used"))  # fmt: skip
        elif mark.problem is not None:
            _date_problem(n, line, mark.problem, dating, unread)
        elif kind != _DRAW:
            _date_problem(n, line, f"the words before {mark.text!r} ({_show(label_text.strip())}) are not understood: "
                                   "is it the day the blood was drawn?", dating, unread)  # fmt: skip
        elif today is not None and mark.day > today:
            _date_problem(n, line, f"{mark.text!r} is after today ({today.isoformat()})", dating, unread)
        else:
            drawn.append(mark)
    days = {m.day for m in drawn}
    if len(days) > 1:
        shown = " and ".join(repr(m.text) for m in drawn)
        _date_problem(n, line, f"two draw dates on one line ({shown}): which one?", dating, unread)
    elif drawn:
        dating.set(n, drawn[0].day)
        dates.append(DateLine(n, drawn[0].day, drawn[0].text))
    keep.append(line[start:])
    return " ".join(keep)


def _withheld_date(line: str, order: str | None) -> bool:
    """Whether a withheld line holds a date that may be the draw date (not a report date or a birth date)."""
    start = 0
    for mark in _find_dates(line, order):
        if _label_kind(line[start : mark.start]) != _OTHER:
            return True
        start = mark.end
    return False


def _date_problem(n: int, line: str, problem: str, dating: _Dating, unread: list[UnreadLine]) -> None:
    unread.append(UnreadLine(n, line, "date", problem))
    dating.fail(n, problem)


def _dated(n: int, line: str, found: _Found, dating: _Dating, system: str | None, thresholds: str | None,
           results: list[PrintoutResult], unread: list[UnreadLine]) -> None:  # fmt: skip
    """Date a result, check it against the case contract and keep it (or list why not)."""
    notes = found.notes
    if dating.problem is not None:
        why = f"its draw date is not clear (the date on line {dating.line} is not read)"
        unread.append(UnreadLine(n, line, "undated", why, found.segment))
        return
    if dating.day is not None:
        day, source, date_line = dating.day, "printout", dating.line
    elif dating.given is not None:
        day, source, date_line = dating.given, "given", None
        notes = (*notes, f"no date line before it: dated {day.isoformat()}, the date given")
    else:
        unread.append(UnreadLine(n, line, "undated", "no date line before it and no date given", found.segment))
        return
    obs: dict[str, Any] = {"date": day.isoformat(), "analyte": found.analyte, "value": found.value}
    if found.unit is not None:
        obs["unit"] = found.unit
    if found.comparator:
        obs["comparator"] = found.comparator
    checked, _, error = _validate(obs)
    if error is not None or checked is None:
        unread.append(UnreadLine(n, line, "invalid", error or "not a valid result", found.segment))
        return
    canonical, canonical_u, conversion = None, None, ""
    if not isinstance(found.value, bool) and found.unit is not None:
        canonical = to_canonical(found.analyte, float(found.value), found.unit)
        canonical_u = canonical_unit(found.analyte)
        conversion = _conversion(found, system, thresholds)
    results.append(PrintoutResult(
        n, line, found.segment, found.analyte, found.value, found.comparator, checked.get("unit"), found.printed_unit,
        found.unit_source, canonical, canonical_u, conversion, day, source, date_line, found.range, found.flag, notes,
    ))  # fmt: skip


def _conversion(found: _Found, system: str | None, thresholds: str | None) -> str:
    """The value in the case's unit when it was printed in another, else in the other system's unit."""
    if found.unit in (None, "1"):
        return ""
    shown = _printed_unit(found.analyte, system or SI, thresholds)
    other = _printed_unit(found.analyte, CONVENTIONAL if (system or SI) == SI else SI, thresholds)
    return conversion_text(found.analyte, float(found.value), found.comparator, found.unit, shown, other)


__all__ = ["MAX_LINE_CHARS", "UNREAD_KINDS", "DateLine", "PrintoutReading", "PrintoutResult", "UnreadLine",
           "read_printout"]  # fmt: skip
