"""The printout recogniser's data (``data/printout.json``), read once and compiled into matchers.

Names are matched case-insensitively as whole words, longest first, so that a longer name of another
test wins (``Mean cell haemoglobin`` is never ``haemoglobin``, ``Neutrophils %`` never the absolute
count). Units are folded before matching (:func:`_fold_unit`). Every pattern here is built from the
data and runs in time linear in the text it is given (no nested quantifiers).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from logic.case.units import normalize_unit
from logic.reference import analytes, load_json

_SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
_SUPERSCRIPTS = re.compile("[⁰¹²³⁴⁵⁶⁷⁸⁹]+")
_SPACES = re.compile(r"\s+")
#: A number as printed: digits with an optional decimal point or comma (ASCII digits only).
_NUMBER = r"(?:\d+(?:[.,]\d+)?|[.,]\d+)"
_COMPARATOR = r"(?:<=|>=|=<|=>|≤|≥|<|>)"


def _fold_unit(text: str) -> str:
    """A printed unit folded for matching: ``'x 10⁹/L'`` -> ``'x10^9/l'``, ``'µmol/L'`` -> ``'umol/l'``,
    ``'10*9/l'`` -> ``'10^9/l'``."""
    s = _SUPERSCRIPTS.sub(lambda m: "^" + m.group(0).translate(_SUPERSCRIPT), text)
    s = s.replace("µ", "u").replace("μ", "u").replace("×", "x").replace("*", "^")
    return _SPACES.sub("", s).lower()


def _name_key(text: str) -> str:
    """A name as written in the data: lower case, single spaces, ``', '`` after a comma."""
    s = " ".join(text.lower().split())
    return re.sub(r"\s*,\s*", ", ", s)


def _name_pattern(name: str) -> str:
    parts = []
    for ch in name:
        if ch == " ":
            parts.append(r"\s+")
        elif ch == ",":
            parts.append(r"\s*,")
        else:
            parts.append(re.escape(ch))
    return "".join(parts).replace(r",\s+", r",\s*")


@dataclass(frozen=True)
class _Test:
    """A test as printed: the analytes its name may stand for, and its own unit spellings."""

    key: str  # its first name, for messages
    analytes: tuple[str, ...]
    units: dict[str, str]  # folded spelling -> listed unit, only for this test (Ratio for haematocrit)
    refs: tuple[str, ...]


@dataclass(frozen=True)
class _Tables:
    """Everything the recogniser reads from ``data/printout.json``, compiled."""

    names: re.Pattern  # every name (tests and other tests), longest first; group 'name'
    tests: dict[str, _Test | None]  # name key -> its test (None: a test Cobalt does not use)
    units: dict[str, str]  # folded spelling -> listed unit (any analyte)
    other_units: frozenset[str]  # folded spellings of units no analyte accepts
    glued_unit: re.Pattern  # a number with a unit straight after it, on a folded token
    glued_flag: re.Pattern  # a number with a flag straight after it, on a lower-cased token
    flags: frozenset[str]
    booleans: dict[str, str]  # analyte -> "film" | "test"
    words: dict[str, frozenset[str]]
    identifier: re.Pattern  # group 'id': an identifier word (an 'except' phrase matches without it)
    date_draw: frozenset[str]
    date_other: frozenset[str]
    refs: tuple[str, ...]


def _printout_data() -> dict[str, Any]:
    return load_json("printout.json")


def _alternation(items: list[str]) -> str:
    return "|".join(re.escape(s) for s in sorted(set(items), key=lambda s: (-len(s), s)))


@lru_cache(maxsize=1)
def _tables() -> _Tables:
    """The compiled data; a name given twice, an unknown analyte or unit is a data defect (ValueError)."""
    data = _printout_data()
    known = analytes()
    tests: dict[str, _Test | None] = {}
    for entry in data["tests"]:
        for analyte in entry["analytes"]:
            if analyte not in known:
                raise ValueError(f"data/printout.json: unknown analyte {analyte!r}")
        units = {}
        for listed, spellings in entry.get("units", {}).items():
            for spelling in spellings:
                units[_fold_unit(spelling)] = listed
        test = _Test(entry["names"][0], tuple(entry["analytes"]), units, tuple(entry.get("refs", ())))
        for name in entry["names"]:
            _add_name(tests, name, test)
    for name in data["other_tests"]:
        _add_name(tests, name, None)
    specimens = "|".join(_name_pattern(s) for s in sorted(data["words"]["specimens"], key=len, reverse=True))
    names = "|".join(_name_pattern(n) for n in sorted(tests, key=lambda n: (-len(n), n)))
    name_re = re.compile(
        rf"(?<![A-Za-z0-9_^*/.#%+'(\[{{])(?P<name>{names})(?P<specimen>\s*,\s*(?:{specimens}))?(?![A-Za-z0-9_/^*'}}])",
        re.IGNORECASE,
    )
    units: dict[str, str] = {}
    for listed, spellings in data["unit_spellings"].items():
        if listed == "about":
            continue
        units[_fold_unit(listed)] = listed
        for spelling in spellings:
            units[_fold_unit(spelling)] = listed
    listed_all = {u for spec in known.values() for u in spec["units"]}
    unknown = sorted(set(units.values()) - listed_all)
    if unknown:
        raise ValueError(f"data/printout.json: units not listed in data/analytes.json: {unknown}")
    other_units = frozenset(_fold_unit(u) for u in data["other_units"]["spellings"])
    every_unit = sorted(set(units) | set(other_units) | {u for t in tests.values() if t for u in t.units})
    flags = [f.lower() for f in data["flags"]["words"]]
    glued = [f.lower() for f in data["flags"]["glued"]]
    words = {key: frozenset(w.lower() for w in values) for key, values in data["words"].items()}
    ident = "|".join(_name_pattern(w) for w in sorted(data["identifier_labels"]["words"], key=len, reverse=True))
    exempt = "|".join(_name_pattern(w) for w in sorted(data["identifier_labels"]["except"], key=len, reverse=True))
    return _Tables(
        names=name_re,
        tests=tests,
        units=units,
        other_units=other_units,
        glued_unit=re.compile(rf"^(?P<cmp>{_COMPARATOR})?(?P<num>{_NUMBER})(?P<unit>{_alternation(every_unit)})$"),
        glued_flag=re.compile(rf"^(?P<cmp>{_COMPARATOR})?(?P<num>{_NUMBER})(?P<flag>{_alternation(glued)})$"),
        flags=frozenset(flags),
        booleans={k: v for k, v in data["booleans"].items() if k != "about"},
        words=words,
        identifier=re.compile(rf"(?<![A-Za-z0-9])(?:(?:{exempt})|(?P<id>{ident}))(?![A-Za-z0-9])", re.IGNORECASE),
        date_draw=frozenset(w.lower() for w in data["date_labels"]["draw"]),
        date_other=frozenset(w.lower() for w in data["date_labels"]["other"]),
        refs=tuple(data["refs"]),
    )


def _add_name(tests: dict[str, _Test | None], name: str, test: _Test | None) -> None:
    key = _name_key(name)
    if key != name:
        raise ValueError(f"data/printout.json: write the name {name!r} as {key!r}")
    if key in tests:
        raise ValueError(f"data/printout.json: the name {name!r} is given twice")
    tests[key] = test


def _listed_for(test: _Test, folded: str) -> str | None:
    """The listed unit a folded spelling stands for on this test's line (its own spellings first)."""
    return test.units.get(folded) or _tables().units.get(folded)


def _accepts(analyte: str, listed: str) -> bool:
    """Whether ``analyte`` takes the listed unit (the case contract, data/analytes.json)."""
    return normalize_unit(listed) in {normalize_unit(u) for u in analytes()[analyte]["units"]}


def _identifier(line: str) -> str | None:
    """The identifier word on a line (``'DOB'``), or None."""
    for m in _tables().identifier.finditer(line):
        if m.group("id"):
            return m.group("id")
    return None
