"""Property tests of every importer and of the case document under hostile input (issue 12).

Generated inputs, valid-ish and junk: case documents, CSV long, CSV wide and FHIR Bundles, with
NaN and infinities, numbers too large for a double, lone surrogates, control characters and NUL,
keys given twice, deep nesting, header cells of spaces, too many columns, byte-order marks, CRLF
and CR line ends, bytes that are not UTF-8, truncated text. Each property holds for every input:

- only declared errors: :func:`read_any` never raises on content; ``read_case_document`` and
  ``parse_case`` raise only ``CaseError``; ``python -m logic assess|convert`` exits 0 or 2;
- whatever is accepted is a valid case document that writes as strict UTF-8 JSON (never NaN or
  Infinity), and each problem is one printable line;
- never partly applied: a file with a blocking problem leaves the open case as it was.

``make test`` runs a few hundred examples per property; ``make fuzz`` (``COBALT_FUZZ=1``, the
``fuzz`` profile of tests/conftest.py) runs at least 10,000 and prints the count per importer.
"""

from __future__ import annotations

import contextlib
import copy
import csv
import io
import json
import math
import os
import re
import time
from collections import Counter
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logic.__main__ import main
from logic.case import CaseError, parse_case
from logic.case.parse import read_case_document
from logic.convert import FORMATS, ImportResult, read_any, to_fhir_bundle, write_as
from logic.reference import analytes
from tests.conftest import FUZZ_PROFILE
from tests.convert_support import BASE, LOINC, UCUM
from tests.work import calls

pytestmark = pytest.mark.fuzz
FUZZ = settings(settings.get_profile(FUZZ_PROFILE))
#: The command line runs convert and assess on each input: half as many examples (it is no importer).
CLI_FUZZ = settings(FUZZ, max_examples=FUZZ.max_examples // 2)
COUNTS: Counter[str] = Counter()
#: A runaway (quadratic or worse) import is a failure, counted in Python calls, not timed (issue 13: no test
#: asserts a time): a fixed allowance plus a budget per character of input. The generated inputs measured
#: at most about 20 calls per character (and 19 for the smallest); a quadratic path on a few KB is millions.
CALLS_FIXED = 2_000
CALLS_PER_CHAR = 50


@pytest.fixture(scope="module", autouse=True)
def _print_counts():
    started = time.perf_counter()
    yield
    if os.environ.get("COBALT_FUZZ"):
        print(f"\nFuzzed examples per importer ({time.perf_counter() - started:.0f} s, profile {FUZZ_PROFILE}):")
        for name, n in sorted(COUNTS.items()):
            print(f"  {name:<28} {n:>7,}")


# -- hostile pieces -------------------------------------------------------------------------------

#: JSON text put in place of a value: every kind of value the strict reader must refuse, and some it takes.
HOSTILE_JSON = [
    "NaN", "Infinity", "-Infinity", "1e999", "-1e999", "1" + "0" * 400, "9" * 5000, "1E-400", "-0",
    '"\\ud800"', '"x\\udc00y"', '"a\\u0000b"', '"\\u0007"', '"\\u009f"', '"tab\\there"', '"\\u2028"',
    '"\\ud83d\\ude00"', '"<img src=x onerror=alert(1)>"', '"' + "x" * 3000 + '"', "[" * 63 + "]" * 63,
    "[" * 64 + "]" * 64, "{" * 70 + "}" * 70, "[" * 5000 + "]" * 5000, "[" * 100_000,
]
MARK = "\u00a7hostile"  # a marker string, replaced in the JSON text by a hostile piece
DUP = "\u00a7dup"  # a marker key, replaced by a key the same object may already have
TEXT = st.text(st.characters(codec=None, exclude_categories=()), max_size=12)  # Cc, Zl, Cs... included
ANALYTES = sorted(analytes())
UNITS = sorted({u for spec in analytes().values() for u in spec["units"]} | {"", "kg", "10*9/L", "K/uL", "µmol/L"})
DATES = ["2026-11-01", "2026-11-02", "2026-02-30", "2026-11-01T08:00", "01/11/2026", "", "later", "2026-11"]
VALUES = ["62", "<8", ">=1e3", "0", "-3", "1,5", "7.9", "nan", "inf", "1e999", "9" * 400, "true", "few", "≤3",
          "²", "١٠٠", " 62 ", "62\x00", "\ud800", "1_000"]


def mark(n: int) -> str:
    return f"{MARK}{n}"


MARKED = st.integers(0, len(HOSTILE_JSON) - 1).map(mark)
JSON_LEAF = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6),
                      st.floats(allow_nan=False, allow_infinity=False), TEXT, MARKED)
JSON_ANY = st.recursive(JSON_LEAF, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
    st.one_of(TEXT, st.just(DUP)), inner, max_size=3), max_leaves=8)


def json_text(value, dup_key: str, draw_indent: int | None) -> str:
    """``value`` as JSON text with each marker replaced by its hostile piece and DUP by ``dup_key``."""
    ascii_only = bool(draw_indent)  # both spellings of the text: escaped and as it is
    text = json.dumps(value, indent=draw_indent, ensure_ascii=ascii_only)
    for i in range(len(HOSTILE_JSON) - 1, -1, -1):
        text = text.replace(json.dumps(mark(i), ensure_ascii=ascii_only), HOSTILE_JSON[i])
    return text.replace(json.dumps(DUP, ensure_ascii=ascii_only), json.dumps(dup_key))


@st.composite
def wrapped(draw, text: str):
    """The text as a file would give it: BOM, CRLF or CR, truncated, as str or as bytes (maybe not UTF-8)."""
    if draw(st.booleans()):
        text = text.replace("\n", draw(st.sampled_from(["\r\n", "\r", "\n"])))
    if draw(st.integers(0, 9)) == 0:
        text = text[: draw(st.integers(0, len(text)))]
    if draw(st.booleans()):
        text = "\ufeff" + text
    how = draw(st.sampled_from(["str", "str", "str", "bytes", "bytes", "bytes", "latin-1", "surrogates"]))
    if how == "str":
        return text
    if how == "latin-1":
        return text.encode("latin-1", "replace")
    return text.encode("utf-8", "surrogatepass" if how == "surrogates" else "replace")


# -- valid documents, then a few hostile changes ---------------------------------------------------


@st.composite
def valid_observation(draw) -> dict:
    analyte = draw(st.sampled_from(ANALYTES))
    spec = analytes()[analyte]
    obs = {"date": draw(st.dates(date(2020, 1, 1), date(2030, 12, 31))).isoformat(), "analyte": analyte}
    if spec.get("boolean"):
        obs["value"] = draw(st.booleans())
        return obs
    lo, hi = spec["min"], spec["max"]
    obs["value"] = draw(st.integers(math.ceil(lo), math.floor(hi)) | st.floats(lo, hi).map(lambda v: round(v, 3)))
    if obs["value"] < lo:
        obs["value"] = lo
    if spec["canonical"] != "1" or draw(st.booleans()):
        obs["unit"] = spec["canonical"]
    if draw(st.integers(0, 4)) == 0:
        obs["comparator"] = draw(st.sampled_from(["<", "<=", ">", ">="]))
    return obs


VALID_CASE = st.fixed_dictionaries(
    {"observations": st.lists(valid_observation(), max_size=6)},
    optional={
        "format": st.just("b12-case/1"),
        "label": st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp")), max_size=20),
        "patient": st.fixed_dictionaries({}, optional={"age_years": st.integers(0, 125),
                                                       "sex": st.sampled_from(["female", "male"])}),
        "history": st.fixed_dictionaries({}, optional={"metformin": st.sampled_from([True, False, None]),
                                                       "symptom_onset": st.just("2026-08-01")}),
        "treatment_start": st.just("2026-11-02"),
    },
)


def slots(value) -> list[tuple[object, object]]:
    """Every (container, key) of a JSON-like value, where a change can go."""
    out, stack = [], [value]
    while stack:
        item = stack.pop()
        keys = list(item) if isinstance(item, dict) else range(len(item)) if isinstance(item, list) else []
        for key in keys:
            out.append((item, key))
            stack.append(item[key])
    return out


HOSTILE_VALUE = st.one_of(MARKED, MARKED, JSON_LEAF, JSON_ANY, st.sampled_from(DATES + VALUES + UNITS))


@st.composite
def hostile(draw, value):
    """``value`` with 0 to 3 hostile changes: a value replaced, a key added (maybe one given twice)."""
    value = copy.deepcopy(value)
    for _ in range(draw(st.integers(0, 3))):
        places = slots(value)
        objects = [value] + [c[k] for c, k in places if isinstance(c[k], dict)] if isinstance(value, dict) else []
        if places and draw(st.booleans()):
            container, key = draw(st.sampled_from(places))
            container[key] = draw(HOSTILE_VALUE)
        elif objects:
            target = draw(st.sampled_from(objects))
            target[draw(st.sampled_from([DUP, "note", "value", "label"]) | TEXT)] = draw(HOSTILE_VALUE)
    return value


@st.composite
def case_file(draw):
    doc = draw(hostile(draw(VALID_CASE)) | JSON_ANY)
    text = json_text(doc, draw(st.sampled_from(["observations", "label", "value", "date", "x"])),
                     draw(st.sampled_from([None, 1, 2])))
    return draw(wrapped(text))


# -- CSV ------------------------------------------------------------------------------------------

CELL = st.one_of(st.sampled_from(DATES), st.sampled_from(ANALYTES), st.sampled_from(VALUES), st.sampled_from(UNITS),
                 TEXT, st.sampled_from(["", " " * 300, "(" * 40, '"', "a,b", "x\r\ny", "\x00"]))
LONG_EXTRA = st.sampled_from(["comparator", "flag", "Date", "value", ""]) | TEXT


def _long_row(obs: dict) -> list[str]:
    value = obs["value"]
    shown = ("true" if value else "false") if isinstance(value, bool) else f"{obs.get('comparator', '')}{value}"
    return [obs["date"], obs["analyte"], shown, obs.get("unit", "")]


@st.composite
def csv_long_table(draw) -> list[list[str]]:
    rows = [["date", "analyte", "value", "unit"] + draw(st.lists(LONG_EXTRA, max_size=2))]
    rows += [_long_row(o) for o in draw(st.lists(valid_observation(), max_size=8))]
    return rows


WIDE_NAMES = [f"{a} ({u})" for a, spec in analytes().items() for u in spec["units"] if u] + [
    a for a, spec in analytes().items() if spec.get("boolean")]
WIDE_JUNK = st.sampled_from(["foo (mg)", "b12", "mcv (kg)", "hemoglobin ()", "a" + " " * 150 + "(x)",
                             " " * 64 + "(", "x" * 201, "B12 [pg/mL]", "date"]) | TEXT


@st.composite
def csv_wide_table(draw) -> list[list[str]]:
    cols = draw(st.lists(st.sampled_from(WIDE_NAMES), min_size=1, max_size=6, unique=True))
    rows = [["date"] + cols]
    for _ in range(draw(st.integers(0, 6))):
        row = [draw(st.dates(date(2020, 1, 1), date(2030, 12, 31))).isoformat()]
        for col in cols:
            analyte = col.split(" (")[0]
            spec = analytes()[analyte]
            if spec.get("boolean"):
                row.append(draw(st.sampled_from(["true", "false", ""])))
            else:
                row.append(draw(st.sampled_from(["", str(spec["min"]), str(spec["max"])])
                                | st.integers(math.ceil(spec["min"]), math.floor(spec["max"])).map(str)))
        rows.append(row)
    return rows


@st.composite
def csv_file(draw, table):
    rows = draw(table)
    for _ in range(draw(st.integers(0, 3))):  # hostile changes: a cell, a header cell, an extra column
        r = draw(st.integers(0, len(rows) - 1))
        if draw(st.booleans()) and rows[r]:
            rows[r][draw(st.integers(0, len(rows[r]) - 1))] = draw(CELL if r else WIDE_JUNK)
        else:
            rows[r].append(draw(CELL if r else WIDE_JUNK))
    if draw(st.integers(0, 19)) == 0:  # now and then beyond the column limit
        rows[0] = rows[0] + ["x"] * draw(st.integers(240, 300))
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    return draw(wrapped(csv_text(rows, delimiter))), rows, delimiter


def csv_text(rows: list[list[str]], delimiter: str) -> str:
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return buf.getvalue()


def check_rows_all_or_nothing(result: ImportResult, rows: list[list[str]], delimiter: str, fmt: str) -> None:
    """Read alone, each data row either imports or is rejected; one rejected row means the file adds nothing
    (``result`` is the file as written, before any change by :func:`wrapped`)."""
    for row in rows[1:]:
        alone = read_any(csv_text([rows[0], row], delimiter), fmt=fmt)
        if any(p.field.startswith("rows[") for p in alone.problems):
            assert result.imported == 0, f"row {row!r} is rejected, yet the file added {result.imported}"
            return


# -- FHIR -----------------------------------------------------------------------------------------

EXTRA_ENTRIES = st.lists(st.sampled_from([
    {"resource": {"resourceType": "Patient", "name": [{"family": "Never-read"}]}},
    {"resource": {"resourceType": "Observation", "status": "cancelled", "code": {"text": "x"}}},
    {"resource": {"resourceType": "Observation", "status": "final", "effectiveDateTime": "2026-11-01",
                  "code": {"coding": [{"system": LOINC, "code": "2345-7"}]},
                  "valueQuantity": {"value": 5.4, "system": UCUM, "code": "mmol/L"}}},
]) | JSON_ANY, max_size=2)


@st.composite
def fhir_file(draw):
    bundle = to_fhir_bundle(draw(VALID_CASE))
    if draw(st.booleans()):
        bundle["type"] = "searchset"
        bundle.setdefault("entry", []).extend(draw(EXTRA_ENTRIES))
    text = json_text(draw(hostile(bundle)), draw(st.sampled_from(["resourceType", "status", "entry", "x"])),
                     draw(st.sampled_from([None, 1])))
    return draw(wrapped(text))


# -- what every result must be --------------------------------------------------------------------


def strict_json(value) -> str:
    """``value`` as strict UTF-8 JSON (raises on NaN, infinities, lone surrogates)."""
    text = json.dumps(value, ensure_ascii=False, allow_nan=False)
    text.encode("utf-8")
    return text


def check_problems(problems) -> None:
    assert problems
    for p in problems:
        line = str(p)
        line.encode("utf-8")  # no lone surrogate reaches a message
        assert "\n" not in line and "\r" not in line and "\x00" not in line


def check_import(data, base: dict | None, fmt: str | None = None) -> ImportResult:
    result, n_calls = calls(read_any, data, base=base, fmt=fmt)
    size = len(data) + (len(json.dumps(base)) if base else 0)
    assert n_calls <= CALLS_FIXED + CALLS_PER_CHAR * size, (n_calls, size)
    assert isinstance(result, ImportResult) and result.format in (*FORMATS, None)
    parse_case(result.doc)
    strict_json(result.doc)
    before = (base or {}).get("observations", [])
    assert result.imported == len(result.doc["observations"]) - len(before)
    assert set(result.blocking) <= set(result.problems)
    if result.blocking:  # never partly applied: the open case (or a new empty one) as it was
        assert result.imported == 0
        assert result.doc == (base if base is not None else {"format": "b12-case/1", "observations": []})
    else:
        assert result.withheld == 0
    if result.problems:
        check_problems(result.problems)
    else:  # what was accepted writes out strictly and reads back whole
        text = write_as(result.doc, "json")
        assert json.loads(text, parse_constant=lambda name: pytest.fail(f"{name} written")) == result.doc
        for to in ("csv", "csv-wide"):
            again = read_any(write_as(result.doc, to).encode("utf-8"), fmt={"csv": "csv-long"}.get(to, to))
            assert again.problems == () and again.imported == len(result.doc["observations"])
    return result


# -- the properties -------------------------------------------------------------------------------


@FUZZ
@given(case_file(), st.booleans())
def test_fuzzed_case_json_gives_a_valid_case_or_declared_problems_only(data, into_base):
    COUNTS["case JSON (read_any)"] += 1
    check_import(data, BASE if into_base else None, fmt=None if into_base else "json")


@FUZZ
@given(case_file())
def test_fuzzed_case_document_is_read_whole_or_refused_with_case_errors(data):
    COUNTS["case document (read)"] += 1
    try:
        doc = read_case_document(data)
    except CaseError as exc:
        check_problems(exc.problems)
        accepted = False
    else:
        case = parse_case(doc)
        assert strict_json(doc) and json.loads(strict_json(doc)) == doc
        assert case.label is None or not re.search("[\x00-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029]", case.label)
        accepted = True
    if isinstance(data, str) or accepted:  # the importer takes the same documents
        result = read_any(data, fmt="json")
        assert (result.problems == ()) == accepted


def _nested(depth: int) -> list:
    out: list = []
    for _ in range(depth):
        out = [out]
    return out


#: Python values a caller could put in a document in memory (the app, the store), for the markers. (Deeper
#: nesting is in tests/test_case.py: hypothesis's own printer recurses on a value nested thousands deep.)
IN_MEMORY = [math.nan, math.inf, -math.inf, 10**400, -(10**400), "\ud800", "a\x00b", "\x1f", b"bytes", {1, 2},
             date(2026, 1, 1), (1, 2), {1: "int key"}, {"\udc00": 1}, _nested(63), _nested(64), _nested(200), 1e308]


def in_memory(value):
    """``value`` with each marker string replaced by a Python value of :data:`IN_MEMORY`."""
    if isinstance(value, str) and value.startswith(MARK):
        return IN_MEMORY[int(value[len(MARK):]) % len(IN_MEMORY)]
    if isinstance(value, dict):
        return {k: in_memory(v) for k, v in value.items()}
    if isinstance(value, list):
        return [in_memory(v) for v in value]
    return value


@FUZZ
@given(st.one_of(VALID_CASE.flatmap(hostile), JSON_ANY).map(in_memory))
def test_fuzzed_case_document_in_memory_parses_or_raises_case_error(doc):
    COUNTS["case document (parse_case)"] += 1
    try:
        case = parse_case(doc)
    except CaseError as exc:
        check_problems(exc.problems)
    else:
        strict_json(doc)
        assert parse_case(case.to_dict()) == case


@FUZZ
@given(csv_file(csv_long_table()), st.booleans())
def test_fuzzed_csv_long_gives_a_valid_case_or_declared_problems_only(file, into_base):
    COUNTS["CSV long"] += 1
    data, rows, delimiter = file
    check_import(data, BASE if into_base else None, fmt="csv_long")
    whole = check_import(csv_text(rows, delimiter), None, fmt="csv_long")
    check_rows_all_or_nothing(whole, rows, delimiter, "csv_long")


@FUZZ
@given(csv_file(csv_wide_table()), st.booleans())
def test_fuzzed_csv_wide_gives_a_valid_case_or_declared_problems_only(file, into_base):
    COUNTS["CSV wide"] += 1
    data, rows, delimiter = file
    check_import(data, BASE if into_base else None, fmt="csv_wide")
    whole = check_import(csv_text(rows, delimiter), None, fmt="csv_wide")
    check_rows_all_or_nothing(whole, rows, delimiter, "csv_wide")


@FUZZ
@given(fhir_file(), st.booleans())
def test_fuzzed_fhir_bundle_gives_a_valid_case_or_declared_problems_only(data, into_base):
    COUNTS["FHIR Bundle"] += 1
    result = check_import(data, BASE if into_base else None)
    if not result.problems and result.doc["observations"]:
        strict_json(json.loads(write_as(result.doc, "fhir")))


@CLI_FUZZ
@given(st.one_of(case_file(), fhir_file(), csv_file(csv_long_table()).map(lambda f: f[0]),
                 csv_file(csv_wide_table()).map(lambda f: f[0])),
       st.sampled_from(["json", "csv", "csv-wide", "fhir"]))
def test_fuzzed_command_line_exits_0_with_strict_output_or_2_with_problem_lines(tmp_path_factory, data, to):
    COUNTS["command line"] += 1
    path = tmp_path_factory.getbasetemp() / "fuzz-input"
    path.write_bytes(data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data)
    for argv in (["convert", str(path), "--to", to], ["assess", str(path)]):
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stderr(err):
            code = main(argv, out=out)
        assert code in (0, 2), argv
        if code == 2:
            assert out.getvalue() == "" and err.getvalue().strip()
            err.getvalue().encode("utf-8")
        else:
            assert err.getvalue() == ""
            text = out.getvalue()
            text.encode("utf-8")
            if argv[0] == "assess" or to in ("json", "fhir"):
                json.loads(text, parse_constant=lambda name: pytest.fail(f"{name} printed"))
