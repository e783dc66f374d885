"""What every reader shares: the result and error types, the file as text, and the parsing of one value.

A reader turns a file into a :class:`_Read` (its rows as :class:`_Item`, and any file-level
problems); :func:`logic.convert.read_any` assembles those into an :class:`ImportResult`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from logic.case import CaseError, Problem
from logic.case.json_input import Checked, Found, InputError, decode, json_problems, load
from logic.case.parse import parse_observation
from logic.case.rules import iso_day
from logic.case.units import UnitError, is_boolean, listed_unit
from logic.convert.loinc import _yes_no
from logic.reference import analytes

FORMATS = ("json", "csv_long", "csv_wide", "fhir")
CSV_LONG_COLUMNS = ("date", "analyte", "value", "unit", "comparator")
_PREFIX = re.compile(r"^(<=|>=|=<|=>|≤|≥|<|>)\s*(.*)$", re.S)
_NUMBER = re.compile(r"[+]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", re.ASCII)
_DECIMAL_COMMA = re.compile(r"[+]?\d+,\d+", re.ASCII)
_DIGITS = re.compile(r"\d+", re.ASCII)
#: Comparator spellings read from CSV, as the case document writes them.
_COMPARATOR_SPELLINGS = {"<": "<", "<=": "<=", ">": ">", ">=": ">=", "≤": "<=", "≥": ">=", "=<": "<=", "=>": ">="}
_SHOW = 60


# -- the result -----------------------------------------------------------------------------------


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
    ``problems`` (or, when the whole file was refused, by the problems that refused it:
    ``field="file"`` problems, or the case document's own invalid fields). A file is applied
    whole or not at all: ``blocking`` holds the problems that stopped it (a rejected row, a
    problem of the file), and then nothing is added and the valid rows are ``withheld``. The
    other problems are notices (a row already in the case, a Patient resource, ...): listed,
    never stopping the rest. ``imported + rejected + withheld`` is the number of rows read.
    """

    doc: dict[str, Any]
    problems: tuple[Problem, ...]
    imported: int
    rejected: int
    format: str | None = None
    withheld: int = 0
    blocking: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def total(self) -> int:
        return self.imported + self.rejected


# -- one value ------------------------------------------------------------------------------------


def _show(text: Any) -> str:
    """A value from the file, quoted and shortened, safe on one line."""
    s = str(text)
    if len(s) > _SHOW:
        s = s[: _SHOW - 1] + "…"
    return repr(s)


def _where(base: str, analyte: str | None = None, day: date | None = None) -> str:
    parts = [p for p in (analyte, day.isoformat() if day else None) if p]
    return f"{base} ({', '.join(parts)})" if parts else base


_TIME = re.compile(r"[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,9})?)?(?:Z|[+-][0-9]{2}:?[0-9]{2})?", re.ASCII)


def _parse_day(raw: str) -> date:
    """A CSV cell's date: ``YYYY-MM-DD`` exactly (the contract's rule, :func:`logic.case.rules.iso_day`), or an
    ISO date-time that starts with one (its date kept). Spaces and tabs around the cell are CSV's own; a week
    date (``2026-W45-7``), the basic format (``20261101``) or other characters around it are refused."""
    s = raw.strip(" \t")
    if not s:
        raise ValueError("the date is empty")
    day = iso_day(s[:10])
    rest = s[10:]
    if day is not None and (not rest or _TIME.fullmatch(rest)):
        try:
            if rest:
                datetime.fromisoformat(s.replace("Z", "+00:00"))  # a real time of day
            return day
        except ValueError:
            pass
    raise ValueError(f"date {_show(s)} does not parse; use YYYY-MM-DD")


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
        o = parse_observation(obs)  # the file's text was checked whole (json_problems) or built here
    except CaseError as exc:
        return None, None, "; ".join(p.message for p in exc.problems)
    return obs, (o.date, o.analyte, o.value, o.unit, o.comparator), None


# -- one row --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Item:
    """One row read from a file: an observation to add, or why it cannot be."""

    where: str
    field: str
    obs: dict[str, Any] | None = None
    error: str | None = None
    key: tuple | None = None  # (date, analyte, value, unit, comparator) as parsed: finds duplicates
    skipped: bool = False  # not a lab result Cobalt imports by design (a Patient resource...): listed, not blocking


@dataclass
class _Read:
    items: list[_Item] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # about the file, not a row
    refused: bool = False  # the whole file is refused: nothing imports
    shell: dict[str, Any] = field(default_factory=dict)  # the file's own case fields (label, history...)
    notes: list[Problem] = field(default_factory=list)  # of ``problems``, those that do not stop the file


def _refuse(message: str, where: str = "file") -> _Read:
    return _Read(problems=[Problem(where, message, "file")], refused=True)


def _item(where: str, key: str, obs: dict[str, Any]) -> _Item:
    checked, dup_key, error = _validate(obs)
    if error is not None:
        return _Item(where, key, None, error)
    return _Item(where, key, checked, None, dup_key)


# -- the file as text -----------------------------------------------------------------------------


def _strip_bom(text: str) -> str:
    return text[1:] if text.startswith("\ufeff") else text


def _problems(found: list[Found]) -> list[Problem]:
    return [Problem(where, message, "file") for where, message in found]


def _load_json(text: str) -> tuple[Any, list[Problem]]:
    """The text as a JSON value (None if it cannot be read) and the problems of the text as such."""
    value, found = load(_strip_bom(text))
    return value, _problems(found)


def _json_object(
    loaded: tuple[Any, list[Problem]], what: str, checked: Checked = frozenset(), *field: str
) -> dict[str, Any] | _Read:
    """The loaded JSON as an object, or a refusal with every problem (of the text, and of any value in
    it that is not strict JSON but for the ``checked`` numbers), or naming ``what`` it should be."""
    raw, problems = loaded
    if raw is not None or not problems:
        problems = problems + _problems(json_problems(raw, checked))
    if problems:
        return _Read(problems=problems, refused=True)
    if not isinstance(raw, dict):
        return _refuse(f"{what} must be a JSON object, got {type(raw).__name__}", *field)
    return raw


def _as_text(data: str | bytes) -> tuple[str | None, Problem | None]:
    """The file as text, or the problem that stops it being read (too large, not UTF-8)."""
    if not isinstance(data, (str, bytes, bytearray, memoryview)):
        raise ConvertError([Problem("text", f"must be text or bytes, got {type(data).__name__}", "text")])
    try:
        return decode(data), None
    except InputError as exc:
        return None, _problems(exc.problems)[0]
