"""Property tests of the printout recogniser (issue 23): a line is never read as a different analyte, and
any text gives a reading (results, or lines listed with a declared kind), never an exception, within
the hostile-input budget of work counted in Python calls (tests/work.py; no test asserts a time).

Lines for an analyte are generated from the recogniser's own data (its names and the unit spellings
the analyte accepts), with flags, ranges and random noise around them; the noise is kept free of test
names and unit spellings, which would make it another result. ``make test`` runs a few hundred
examples per property (the ``fuzz-quick`` profile of tests/conftest.py); ``COBALT_FUZZ=1`` runs 10,000.
"""

from __future__ import annotations

import json
import string
from datetime import date

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from logic.case import parse_case
from logic.case.units import from_canonical
from logic.convert import UNREAD_KINDS, read_printout
from logic.convert.printout_data import _fold_unit, _tables
from logic.reference import analytes
from tests.conftest import FUZZ_PROFILE
from tests.work import calls

pytestmark = pytest.mark.fuzz
FUZZ = settings(settings.get_profile(FUZZ_PROFILE))
DAY = date(2026, 12, 6)
#: Linear work: a fixed allowance plus a budget per character. The densest text measured (a 500-character
#: line of ``Hb 68`` repeated, every result read, dated and converted) took about 48 calls per character;
#: fixtures 2-20; a quadratic path on a few kilobytes is millions.
CALLS_FIXED = 5_000
CALLS_PER_CHAR = 60
read_printout("Hb 68 g/L", unit_system="si", day=DAY)  # the data compiled once, outside any count

TABLES = _tables()
BOOLEAN = sorted(TABLES.booleans)
NAMES: dict[str, list[str]] = {}
for _name, _test in TABLES.tests.items():
    if _test is not None:
        for _analyte in _test.analytes:
            NAMES.setdefault(_analyte, []).append(_name)
NUMERIC = sorted(a for a in NAMES if a not in TABLES.booleans)


def spellings_for(analyte: str) -> list[str]:
    """Every unit spelling the data reads as a unit ``analyte`` takes (its tests' own spellings too)."""
    accepted = {u for u in analytes()[analyte]["units"] if u}
    out = {spelling for spelling, listed in TABLES.units.items() if listed in accepted}
    for name in NAMES[analyte]:
        out |= {spelling for spelling, listed in TABLES.tests[name].units.items() if listed in accepted}
    return sorted(out)


UNITS = {a: spellings_for(a) for a in NUMERIC}
EVERY_SPELLING = set(TABLES.units) | set(TABLES.other_units) | {s for t in TABLES.tests.values() if t for s in t.units}
NOISE = st.text(alphabet=string.ascii_letters + string.digits + " -*!?#&/()[]'\".,;:=<>^~_", max_size=12)


def quiet(noise: str) -> bool:
    """Noise that is no result of its own: no test name, no unit spelling, no percent sign."""
    if TABLES.names.search(noise) or "%" in noise:
        return False
    return not any(_fold_unit(part.strip(".,;:()[]")) in EVERY_SPELLING for part in noise.split())


def shown(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text if text not in ("0", "-0") else "0.01"


@st.composite
def value_in(draw, analyte: str, unit: str | None) -> str:
    """A value inside what a living patient can have (the middle of the hard limits), in ``unit``."""
    spec = analytes()[analyte]
    lo, hi = spec["min"], spec["max"]
    canonical = draw(st.floats(lo + (hi - lo) * 0.001 + 0.05, lo + (hi - lo) * 0.5, allow_nan=False))
    listed = TABLES.units.get(unit) if unit else None
    if listed is None and unit is not None:
        listed = next(t.units[unit] for n in NAMES[analyte] if (t := TABLES.tests[n]) and unit in t.units)
    value = from_canonical(analyte, canonical, listed) if listed else canonical
    return draw(st.sampled_from(["", "<", ">", "<=", ">="])) + shown(value)


SUFFIXES = ["", " L", " H", " (1-2)", " 0.5 - 9.0", "\t(10 to 20) H*", " Ref: <=3", " [570]"]


@st.composite
def numeric_line(draw) -> tuple[str, str, str | None]:
    """(analyte, line, unit spelling or None) for a numeric analyte, from the data's names and spellings."""
    analyte = draw(st.sampled_from(NUMERIC))
    name = draw(st.sampled_from(NAMES[analyte]))
    name = draw(st.sampled_from([name, name.upper(), name.title()]))
    unit = draw(st.one_of(st.none(), st.sampled_from(UNITS[analyte]) if UNITS[analyte] else st.none()))
    parts = [name, draw(st.sampled_from([" ", "\t", ": ", " = ", "  "])), draw(value_in(analyte, unit))]
    if unit:  # glued to the value only when it cannot run into the number ('38' + '109/l' reads both ways)
        parts.append(draw(st.sampled_from([" ", "\t"] if unit[0].isdigit() else ["", " ", "\t"])) + unit)
    else:
        parts.append(draw(st.sampled_from(["", "+", "---", "L"])))  # a flag glued to the value
    parts.append(draw(st.sampled_from(SUFFIXES)))
    return analyte, "".join(parts), unit


@st.composite
def film_line(draw) -> tuple[str, str, None]:
    analyte = draw(st.sampled_from(BOOLEAN))
    name = draw(st.sampled_from(NAMES[analyte]))
    words = sorted(TABLES.words["seen"] | TABLES.words["grades"] | TABLES.words["negation"])
    before = draw(st.lists(st.sampled_from(words), max_size=2))
    after = draw(st.lists(st.sampled_from([*words, "1+", "++", "H"]), max_size=2))
    return analyte, " ".join([*before, name, *after]), None


def names_on(text: str) -> set[str]:
    """The analytes the test names on a line stand for (a test Cobalt does not use stands for none)."""
    found = set()
    for m in TABLES.names.finditer(text):
        test = TABLES.tests[" ".join(m.group("name").lower().split()).replace(" ,", ",")]
        found |= set(test.analytes) if test else set()
    return found


@FUZZ
@given(st.one_of(numeric_line(), film_line()), NOISE, NOISE, NOISE, st.sampled_from(["si", "conventional", None]))
def test_printout_line_for_one_analyte_is_read_as_that_analyte_or_not_at_all(line, before, middle, after, system):
    analyte, text, _ = line
    assume(quiet(before) and quiet(middle) and quiet(after))
    head, _, tail = text.partition(" ")
    noisy = f"{before} {head} {middle} {tail} {after}"
    for candidate in (text, noisy):
        # noise joined to a word of the line may spell another test ('Active' + 'B12'): then it is not this line
        if candidate is noisy and not names_on(candidate) <= set(TABLES.tests[_key(text)].analytes):
            continue
        reading = read_printout(candidate, unit_system=system, day=DAY)
        assert {r.analyte for r in reading.results} <= {analyte}, (candidate, reading.results)


def _key(text: str) -> str:
    m = TABLES.names.search(text)
    return " ".join(m.group("name").lower().split()).replace(" ,", ",")


@FUZZ
@given(numeric_line())
def test_printout_clean_line_with_its_unit_is_read_as_its_analyte_and_value(line):
    analyte, text, unit = line
    assume(unit is not None)
    reading = read_printout(text, unit_system="si", day=DAY)
    assert [r.analyte for r in reading.results] == [analyte], (text, reading.unread)


@FUZZ
@given(st.lists(st.one_of(numeric_line(), film_line()), min_size=1, max_size=4), st.sampled_from([", ", "; ", " | "]))
def test_printout_several_results_on_a_line_are_each_their_own_analyte(lines, separator):
    text = separator.join(t for _, t, _ in lines)
    reading = read_printout(text, unit_system="si", day=DAY)
    assert {r.analyte for r in reading.results} <= {a for a, _, _ in lines}


# -- total, within the budget -------------------------------------------------------------------------

PIECES = ["Hb", "PLT", "Retic", "B12", "Schistocytes", "fragments", "hypersegmented neutrophils",
          "DAT", "Neutrophils %", "Mean Cell Haemoglobin", "68", "<50", "0.9---", "^14", "1,234", "1,5", "9" * 40,
          "g/L", "x10^9/L", "K/cmm", "10*3/uL", "%", "mmol/L", "Ratio", "(130-170)", "[570]", "Ref: <=0.2", "L", "H*",
          "06/12/2026", "2026-13-45", "Aug 16, 2023@04:33", "Collected:", "Reported:", "DOB", "MRN", "occasional",
          "no", "seen", ",", ";", "|", "\t", ":", "(", ")", "[", "]", "?", "\x00", "\u2028", "é", "١٠", "\ud800"]


@FUZZ
@given(st.one_of(
    st.text(st.characters(codec=None, exclude_categories=()), max_size=300),
    st.lists(st.lists(st.sampled_from(PIECES), max_size=12).map(" ".join), max_size=12).map("\n".join),
), st.sampled_from(["si", "conventional", None]), st.sampled_from([None, DAY]))  # fmt: skip
def test_printout_any_text_gives_a_reading_never_an_exception_in_linear_work(text, system, day):
    reading, n_calls = calls(read_printout, text, unit_system=system, day=day, today=DAY)
    assert n_calls <= CALLS_FIXED + CALLS_PER_CHAR * len(text), n_calls
    assert {u.kind for u in reading.unread} <= set(UNREAD_KINDS)
    assert all(p.field == "file" for p in reading.problems)
    doc = reading.doc()
    parse_case(doc, today=DAY)
    json.dumps(doc, allow_nan=False).encode("utf-8")
    lines = text.splitlines()
    for result in reading.results:
        assert result.line_text == lines[result.line - 1].strip()
    for unread in reading.unread:
        assert unread.withheld == (unread.text == "" and unread.kind == "identifier")
        assert len(str(unread).splitlines()) == 1 and str(unread).startswith(f"line {unread.line}: ")


@pytest.mark.parametrize("shape,results", [
    ("one long line", 0), ("lines at the length limit", 0), ("dense results", 41_500), ("names only", 0),
    ("brackets", 0), ("dates", 0), ("digits", 0), ("blank lines", 1),
])  # fmt: skip
def test_printout_hostile_shapes_of_a_megabyte_end_in_linear_work(shape, results):
    text = {
        "one long line": lambda: "Hb 68 g/L " * 100_000,
        "lines at the length limit": lambda: ("x" * 500 + "\n") * 2_000,
        "dense results": lambda: ("Hb 68 " * 83 + "\n") * 500,
        "names only": lambda: "Hb Plt WBC MCV LDH B12 INR Retic DAT\n" * 25_000,
        "brackets": lambda: "Hb (((((((((( [[[[[ ))) 68 g/L ((((\n" * 25_000,
        "dates": lambda: "01/02/2026 03/04/2026 Aug 16, 2023 Hb 5\n" * 25_000,
        "digits": lambda: ("9" * 400 + "\n") * 2_000,
        "blank lines": lambda: "\n" * 49_000 + "Hb 68 g/L",
    }[shape]()
    reading, n_calls = calls(read_printout, text, unit_system="si", day=DAY)
    assert n_calls <= CALLS_FIXED + CALLS_PER_CHAR * len(text), (n_calls, len(text))
    assert reading.problems == () and len(reading.results) == results
