"""Hostile files (issue 12): linear time, declared limits, strict JSON, BOM and CRLF, never partly applied.

The shapes of the issue are generated at the sizes it gives and must end with a declared result in
linear work. Work is counted in Python function calls (tests/work.py), not timed: issue 13 forbids
tests that assert a time, and a count does not depend on how loaded the machine is. The budget is a
few calls per character of input; the shapes took 36 s to over 30 min before issue 12, which is
millions of calls per kilobyte.
"""

import json

import pytest

from logic.case import CaseError, limits, parse_case
from logic.convert import MAX_UPLOAD_BYTES, csv_wide, read_any, to_csv_wide, write_as
from logic.convert.csv_wide import _unit_suffix
from tests.convert_support import BASE, assert_counts_add_up
from tests.work import calls

LONG_HEADER = "date,analyte,value,unit"
#: Linear work: a fixed allowance plus at most this many Python calls per character of input. The shapes
#: measured at most 2 per character (a 40,000-cell header), most of them a constant few hundred.
CALLS_FIXED = 100_000
CALLS_PER_CHAR = 3


def linear(n_calls: int, text) -> bool:
    return n_calls <= CALLS_FIXED + CALLS_PER_CHAR * len(text)


def only_problem(result) -> str:
    assert result.imported == 0 and len(result.problems) == 1 and result.blocking == result.problems
    return str(result.problems[0])


# -- the shapes of the issue ----------------------------------------------------------------------


def test_an_80_kb_long_csv_with_40000_header_columns_is_refused_at_once_naming_the_column_limit():
    text = LONG_HEADER + ",a" * (40_000 - 4) + "\n2026-11-01,platelets,62,10^9/L\n"
    assert 79_000 < len(text) < 81_000
    result, n_calls = calls(read_any, text)
    assert linear(n_calls, text), n_calls
    assert only_problem(result) == "file: row 1: the header names 40,000 cells; the limit is 256 columns"


def test_a_wide_csv_whose_header_holds_a_64000_space_column_name_is_refused_at_once():
    text = "date,a" + " " * 64_000 + "b\n2026-11-01,1\n"
    result, n_calls = calls(read_any, text)
    assert linear(n_calls, text), n_calls
    assert only_problem(result) == "file: row 1, column 2: the header cell is 64,002 characters long; the limit is 200"


@pytest.mark.parametrize("shape", ["long header", "wide header", "wide header cells", "wide columns x rows",
                                   "long columns x rows"])
def test_the_same_shapes_at_1_8_mb_end_in_linear_work_with_one_problem(shape):
    size = 1_800_000
    text = {
        "long header": lambda: LONG_HEADER + ",a" * ((size - 24) // 2) + "\n",
        "wide header": lambda: "date,a" + " " * (size - 20) + "(\n2026-11-01,1\n",
        "wide header cells": lambda: "date," + ",".join(["a" + " " * 64_000 + "b"] * 28) + "\n2026-11-01,1\n",
        "wide columns x rows": lambda: "date" + ",foo" * 20_000 + "\n" + "2026-11-01\n" * 155_000,
        "long columns x rows": lambda: LONG_HEADER + ",a" * 20_000 + "\n" + "2026-11-01,mcv,101,fL\n" * 79_000,
    }[shape]()
    assert 1_700_000 < len(text) <= MAX_UPLOAD_BYTES
    result, n_calls = calls(read_any, text)
    assert linear(n_calls, text), n_calls
    assert "limit" in only_problem(result)


def test_convert_to_csv_wide_of_a_2_mb_case_is_linear_work():
    days = [f"20{y:02d}-{m:02d}-{d:02d}" for y in range(0, 26) for m in range(1, 13) for d in range(1, 29)]
    obs = [{"date": day, "analyte": analyte, "value": value, "unit": unit}
           for day in days for analyte, value, unit in (("platelets", 62, "10^9/L"), ("mcv", 101, "fL"),
                                                        ("hemoglobin", 7.1, "g/dL"))]
    text = json.dumps({"label": "big", "observations": obs})
    assert 1_900_000 < len(text) <= MAX_UPLOAD_BYTES
    result, read_calls = calls(read_any, text)
    assert result.ok and result.imported == len(obs)
    csv_text, write_calls = calls(write_as, result.doc, "csv-wide")
    assert linear(read_calls + write_calls, text), (read_calls, write_calls)
    assert csv_text.count("\n") == len(days) + 1


def test_many_results_of_one_analyte_on_one_day_are_written_wide_in_linear_time():
    doc = {"observations": [{"date": "2026-11-01", "analyte": "platelets", "value": i % 5000, "unit": "10^9/L"}
                            for i in range(20_000)]}
    text, n_calls = calls(to_csv_wide, doc)
    assert linear(n_calls, json.dumps(doc)), n_calls
    assert text.splitlines()[:3] == ["date,platelets (10^9/L)", "2026-11-01,0", "2026-11-01,1"]


@pytest.mark.parametrize("name", [" " * 64_000, "a" + " " * 64_000 + "b", "x" + " " * 64_000 + "(",
                                  "(" * 64_000, "[(" * 32_000 + "x)"])
def test_the_unit_in_a_header_is_found_in_linear_time_whatever_the_cell(name):
    _, n_calls = calls(_unit_suffix, name)
    assert n_calls <= 20  # string methods only: no per-character Python loop (and no regular expression)
    assert "re" not in vars(csv_wide)


def test_the_unit_in_a_header_is_the_last_bracketed_part():
    assert _unit_suffix("platelets (10^9/L)") == ("platelets", "10^9/L")
    assert _unit_suffix("B12 [pg/mL] ") == ("B12", "pg/mL")
    assert _unit_suffix("b12 (pg/mL]") == ("b12", "pg/mL")
    assert _unit_suffix("hemoglobin ()") == ("hemoglobin", "")
    assert _unit_suffix("a (b) c)") is None and _unit_suffix("platelets") is None and _unit_suffix("x)") is None


# -- the limits, both sides -----------------------------------------------------------------------


def test_the_limits_are_declared_with_their_values():
    assert (limits.MAX_UPLOAD_BYTES, limits.MAX_JSON_DEPTH, limits.MAX_CSV_COLUMNS, limits.MAX_HEADER_CELL_CHARS,
            limits.MAX_ROWS, limits.MAX_FHIR_ENTRIES) == (2_000_000, 64, 256, 200, 50_000, 10_000)
    assert MAX_UPLOAD_BYTES is limits.MAX_UPLOAD_BYTES


def test_a_header_of_256_columns_is_read_and_257_are_refused():
    row = "\n2026-11-01,mcv,101,fL\n"
    assert read_any(LONG_HEADER + ",x" * 252 + row).imported == 1
    assert "257 cells; the limit is 256 columns" in only_problem(read_any(LONG_HEADER + ",x" * 253 + row))


def test_a_data_row_longer_than_the_column_limit_is_refused():
    text = "date,platelets (10^9/L)\n2026-11-01,62" + "," * 256 + "\n"
    assert only_problem(read_any(text)) == "file: row 2: has 258 cells; the limit is 256 columns"


def test_a_header_cell_of_200_characters_is_read_and_201_are_refused():
    name = "platelets (10^9/L)"
    assert read_any("date," + " " * (200 - len(name)) + name + "\n2026-11-01,62\n").imported == 1
    assert "201 characters long; the limit is 200" in only_problem(
        read_any("date," + " " * (201 - len(name)) + name + "\n2026-11-01,62\n"))


def test_a_cell_beyond_the_csv_field_limit_is_refused_naming_the_limit():
    text = "date,analyte,value,unit\n2026-11-01,mcv," + "1" * 200_000 + ",fL\n"
    assert only_problem(read_any(text)) == "file: row 2: a cell is longer than 131,072 characters (the limit)"


@pytest.fixture
def three_rows(monkeypatch):
    """MAX_ROWS (and MAX_FHIR_ENTRIES) lowered to 3 where each reader reads it, to test the boundary."""
    import logic.case.parse
    import logic.convert.csv_table
    import logic.convert.csv_wide
    import logic.convert.fhir
    import logic.convert.json_doc

    for module in (logic.case.parse, logic.convert.csv_table, logic.convert.csv_wide, logic.convert.json_doc):
        monkeypatch.setattr(module, "MAX_ROWS", 3)
    monkeypatch.setattr(logic.convert.fhir, "MAX_FHIR_ENTRIES", 3)


def test_csv_long_of_3_rows_is_read_and_4_are_refused_at_the_row_limit(three_rows):
    rows = ["2026-11-01,mcv,101,fL"] * 4
    assert read_any("\n".join([LONG_HEADER, *rows[:3], "", ",,,"]) + "\n").imported == 3  # blank rows do not count
    assert "more than 3 rows of results (the limit)" in only_problem(read_any("\n".join([LONG_HEADER, *rows])))


def test_csv_wide_of_3_filled_cells_is_read_and_4_are_refused(three_rows):
    assert read_any("date,platelets (10^9/L),mcv (fL)\n2026-11-01,62,101\n2026-11-02,70,\n").imported == 3
    assert "holds 4 results (filled cells); the limit is 3" in only_problem(
        read_any("date,platelets (10^9/L),mcv (fL)\n2026-11-01,62,101\n2026-11-02,70,99\n"))


def test_a_case_document_of_3_observations_is_read_and_4_are_refused(three_rows):
    obs = [{"date": "2026-11-01", "analyte": "mcv", "value": 101, "unit": "fL"}] * 4
    assert read_any(json.dumps({"observations": obs[:3]})).imported == 3
    result = read_any(json.dumps({"observations": obs}))
    assert result.imported == 0 and "observations: 4 results; the limit is 3" == str(result.problems[0])


def test_a_bundle_of_3_entries_is_read_and_4_are_refused(three_rows):
    entry = {"resource": {"resourceType": "Patient"}}
    bundle = {"resourceType": "Bundle", "type": "collection"}
    assert read_any(json.dumps({**bundle, "entry": [entry] * 3})).rejected == 3
    assert "holds 4 entries; the limit is 3" in only_problem(read_any(json.dumps({**bundle, "entry": [entry] * 4})))


def test_a_2_mb_bundle_of_small_invalid_observations_is_refused_at_the_entry_limit():
    entry = {"resource": {"resourceType": "Observation"}}
    n = (MAX_UPLOAD_BYTES - 100) // (len(json.dumps(entry)) + 2)
    text = json.dumps({"resourceType": "Bundle", "type": "collection", "entry": [entry] * n})
    result, n_calls = calls(read_any, text)
    assert linear(n_calls, text), n_calls
    assert only_problem(result) == f"file: the Bundle holds {n:,} entries; the limit is 10,000"


def test_a_bundle_of_10000_invalid_observations_is_read_in_linear_work_and_each_is_listed():
    entry = {"resource": {"resourceType": "Observation", "status": "final", "code": {"text": "x"}}}
    text = json.dumps({"resourceType": "Bundle", "type": "collection", "entry": [entry] * 10_000})
    result, n_calls = calls(read_any, text)
    assert linear(n_calls, text), n_calls
    assert result.imported == 0 and result.rejected == 10_000 and len(result.problems) == 10_000


@pytest.mark.parametrize("fmt", ["json", "fhir"])
def test_json_nested_64_deep_is_read_and_65_deep_is_refused_before_parsing(fmt):
    shallow = '{"observations": [], "x": ' + "[" * 63 + "]" * 63 + "}"
    deep = '{"observations": [], "x": ' + "[" * 64 + "]" * 64 + "}"
    if fmt == "fhir":
        shallow = shallow.replace('"observations": []', '"resourceType": "Bundle", "type": "collection"')
        deep = deep.replace('"observations": []', '"resourceType": "Bundle", "type": "collection"')
    assert not any("nested" in p.message for p in read_any(shallow, fmt=fmt).problems)
    assert only_problem(read_any(deep, fmt=fmt)) == "file: is nested 65 levels deep; the limit is 64 levels"
    result, n_calls = calls(read_any, "[" * 1_000_000, fmt=fmt)
    assert linear(n_calls, "[" * 1_000_000) and "is nested 1,000,000 levels deep" in only_problem(result)


def test_brackets_inside_text_do_not_count_as_nesting():
    text = json.dumps({"observations": [], "note": "[" * 100 + '\\"{' * 100})
    assert read_any(text).problems == ()


# -- the size limit, said precisely ---------------------------------------------------------------


def test_a_file_one_byte_over_the_limit_is_refused_with_its_exact_size():
    text = "date,analyte,value,unit\n" + "x" * (MAX_UPLOAD_BYTES - 24 + 1)
    assert len(text.encode()) == MAX_UPLOAD_BYTES + 1
    assert only_problem(read_any(text)) == (
        "file: is 2,000,001 bytes; the limit is 2 MB (2,000,000 bytes) (split the file, or export fewer results)")
    assert read_any(text.encode()).problems == read_any(text).problems


def test_a_file_of_exactly_the_limit_is_not_refused_for_its_size():
    text = "date,analyte,value,unit\n2026-11-01,mcv,101,fL\n"
    text += " " * (MAX_UPLOAD_BYTES - len(text))
    assert len(text.encode()) == MAX_UPLOAD_BYTES
    assert not any("bytes" in p.message for p in read_any(text).problems)


# -- strict JSON ----------------------------------------------------------------------------------

GOOD_OBS = '{"date": "2026-11-01", "analyte": "mcv", "value": 101, "unit": "fL"}'


@pytest.mark.parametrize("fmt", ["json", "fhir"])
@pytest.mark.parametrize("value,message", [
    ("NaN", "x: is NaN, which is not a number JSON allows"),
    ("Infinity", "x: is Infinity or a number too large to be read"),
    ("-Infinity", "x: is -Infinity or a number too large to be read"),
    ("1e999", "x: is Infinity or a number too large to be read"),
    ("9" * 5000, "x: is Infinity or a number too large to be read"),
    ('"\\ud800"', "x: holds a lone surrogate (U+D800)"),
    ('"a\\u0000b"', "x: holds a control character (U+0000)"),
    ('{"k\\u0007": 1}', "x['k\\x07']: the key holds a control character (U+0007)"),
])
def test_values_json_does_not_allow_are_refused_naming_their_place(fmt, value, message):
    head = '{"resourceType": "Bundle", "type": "collection"' if fmt == "fhir" else '{"observations": []'
    result = read_any(head + ', "x": ' + value + "}", fmt=fmt)
    assert result.imported == 0 and [str(p) for p in result.problems][0].startswith(message)
    for p in result.problems:
        str(p).encode("utf-8")


def test_a_nan_in_an_observation_is_named_by_the_observation_and_nothing_is_added():
    text = '{"observations": [' + GOOD_OBS + ', {"date": "2026-11-01", "analyte": "ldh", "value": NaN, ' \
           '"unit": "U/L"}]}'
    result = read_any(text)
    assert [str(p) for p in result.problems] == ["observation 1 (ldh): value must be a finite number, got nan"]
    assert result.imported == 0 and result.withheld == 1


def test_a_key_given_twice_refuses_the_file_naming_the_key():
    result = read_any('{"observations": [], "label": "a", "label": "b"}')
    assert only_problem(result) == ("file: gives the key 'label' twice in one object; give each key once "
                                    "(which value was meant cannot be known)")
    result = read_any('{"observations": [' + GOOD_OBS[:-1] + ', "value": 99}]}')
    assert "the key 'value' twice" in only_problem(result)


@pytest.mark.parametrize("label,message", [
    ("a\ud800", "label: holds a lone surrogate (U+D800)"),
    ("a\x00b", "label: holds a control character (U+0000)"),
    ("a\nb", "label: must be one line"),
    ("a\tb", "label: must be one line"),
])
def test_a_label_that_is_not_one_line_of_text_is_refused(label, message):
    text = json.dumps({"label": label, "observations": [json.loads(GOOD_OBS)]})
    result = read_any(text)
    assert result.imported == 0 and str(result.problems[0]).startswith(message)


def test_a_bundle_label_with_a_control_character_is_refused():
    bundle = {"resourceType": "Bundle", "type": "collection",
              "identifier": {"system": "urn:cobalt:case-label", "value": "bed\u00854"}}
    assert "holds a control character (U+0085)" in only_problem(read_any(json.dumps(bundle)))


def test_a_bundle_label_on_two_lines_is_refused_so_the_new_case_stays_valid():
    bundle = {"resourceType": "Bundle", "type": "collection",
              "identifier": {"system": "urn:cobalt:case-label", "value": "bed\n4"}}
    assert only_problem(read_any(json.dumps(bundle))) == (
        "Bundle.identifier: case label 'bed\\n4' is not used: must be one line (no line breaks or tabs)")


def test_text_that_is_not_utf8_is_refused_in_every_format():
    for text in ('{"label": "café", "observations": []}', "date,analyte,value,unit\n2026-11-01,mcv,101,fL é\n"):
        assert "is not UTF-8 text (byte" in only_problem(read_any(text.encode("latin-1")))


@pytest.mark.parametrize("text", [
    '{"observations": [' + GOOD_OBS + ']}',
    '{"resourceType": "Bundle", "type": "collection", "entry": [{"resource": {"resourceType": "Observation", '
    '"status": "final", "code": {"coding": [{"system": "http://loinc.org", "code": "787-2"}]}, '
    '"effectiveDateTime": "2026-11-01", "valueQuantity": {"value": 101, "system": "http://unitsofmeasure.org", '
    '"code": "fL"}}}]}',
    "date,analyte,value,unit\n2026-11-01,mcv,101,fL\n",
    "date;mcv (fL)\n2026-11-01;101\n",
])
@pytest.mark.parametrize("bom", ["", "\ufeff"])
@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_bom_and_line_ends_are_accepted_in_every_format(text, bom, newline):
    text = bom + text.replace("\n", newline).replace(", ", "," + newline)
    for data in (text, text.encode("utf-8")):
        result = read_any(data)
        assert result.problems == () and result.imported == 1, result.problems


# -- never partly applied -------------------------------------------------------------------------


def test_a_file_with_a_rejected_row_leaves_the_open_case_exactly_as_it_was():
    text = "date,analyte,value,unit\n2026-11-05,platelets,88,10^9/L\n2026-11-06,platelets,abc,10^9/L\n"
    result = read_any(text, base=BASE)
    assert result.doc == BASE
    assert result.imported == 0 and result.withheld == 1 and result.rejected == 1
    assert [p.where for p in result.blocking] == ["row 3 (platelets, 2026-11-06)"]
    assert_counts_add_up(result, 2, BASE)


def test_rows_already_in_the_case_and_other_notices_do_not_stop_the_rest():
    text = "date,analyte,value,unit,flag\n2026-11-01,platelets,62,10^9/L,L\n2026-11-05,platelets,88,10^9/L,L\n"
    result = read_any(text, base=BASE)
    assert result.imported == 1 and result.blocking == ()
    assert [p.message.split(" (")[0] for p in result.problems] == ["column 'flag' is not read",
                                                                   "is already in the case; not added again"]
    assert result.doc["observations"][-1]["value"] == 88


def test_an_accepted_import_writes_strict_json_in_every_format():
    result = read_any('{"label": "Bed 4", "about": {"source": "x"}, "observations": [' + GOOD_OBS + "]}")
    assert result.ok
    for to in ("json", "fhir"):
        json.loads(write_as(result.doc, to), parse_constant=lambda name: pytest.fail(name))
    parse_case(result.doc)


# -- the hospital record server (convert --from-fhir): its answers are read as strictly -----------


@pytest.mark.parametrize(("body", "why"), [
    ('{"resourceType": "Bundle", "type": "searchset", "entry": ' + "[" * 100_000,
     "is nested 100,001 levels deep; the limit is 64 levels"),
    ('{"resourceType": "Bundle", "type": "searchset", "total": NaN}', "is NaN"),
    ('{"resourceType": "Bundle", "resourceType": "Bundle", "type": "searchset"}', "gives the key 'resourceType' twice"),
    ('{"resourceType": "Bundle", "type": "searchset", "id": "\\ud800"}', "holds a lone surrogate"),
])
def test_a_hostile_server_answer_is_a_malformed_answer_not_a_traceback(body, why):
    import httpx

    from ehr.fhir import Failure, ServerError, ServerSettings, fetch_results

    client = httpx.Client(transport=httpx.MockTransport(lambda request: httpx.Response(200, text=body)))
    with pytest.raises(ServerError) as info:
        fetch_results(ServerSettings("http://fhir.test/fhir"), "abc", None, None, None, client=client)
    assert info.value.kind is Failure.MALFORMED
    assert "did not answer with JSON (" in info.value.message and why in info.value.message


@pytest.mark.parametrize("label", ["\xa0", "\u2003 ", "  "])
def test_a_blank_label_is_left_out_of_the_fhir_export_instead_of_failing_it(label):
    doc = {"label": label, "observations": [json.loads(GOOD_OBS)]}
    bundle = json.loads(write_as(doc, "fhir"))
    assert "identifier" not in bundle and len(bundle["entry"]) == 1


def test_a_negative_zero_is_refused_as_every_negative_is_and_never_written():
    # issue 21: -6e-400 was read as -0.0 and kept; it is negative, refused like -1 by every reader and writer
    doc = {"observations": [{"date": "2026-11-01", "analyte": "adamts13_activity", "value": -0.0, "unit": "%"}]}
    for to in ("csv", "csv-wide", "fhir", "json"):
        with pytest.raises(CaseError, match="negative"):
            write_as(doc, to)
    assert read_any(json.dumps(doc)).imported == 0
