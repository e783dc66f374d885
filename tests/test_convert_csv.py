"""Import of CSV long and CSV wide (logic/convert/csv_long.py, csv_wide.py): good, bad and mixed files."""

import csv
import io

from logic.convert import read_any, to_csv_wide
from tests.convert_support import RICH_CASE, assert_counts_add_up

# -- CSV long -------------------------------------------------------------------------------------

GOOD_LONG = """date,analyte,value,unit
2026-11-01,platelets,62,10^9/L
2026-11-01,b12,<100,pg/mL
2026-11-01,Haptoglobin,< 8,mg/dl
2026-11-01,schistocytes_seen,yes,
2026-11-02,777-3,70,10*9/L
2026-11-02T08:30,inr,1.1,
"""

BAD_LONG = """date,analyte,value,unit
01/11/2026,platelets,62,10^9/L
2026-11-01,vitamin q,5,mg
2026-11-01,b12,abc,pg/mL
2026-11-01,b12,100,kg
2026-11-01,platelets,-4,10^9/L
2026-11-01,platelets,62,
2026-11-01,hemoglobin,95,g/dL
2026-11-01,schistocytes_seen,few,
2026-11-01,platelets,1,10^9/L,extra
"""


def test_good_long_csv_imports_every_row():
    result = read_any(GOOD_LONG)
    assert result.format == "csv_long" and result.problems == ()
    assert result.imported == 6
    obs = result.doc["observations"]
    assert obs[1] == {"date": "2026-11-01", "analyte": "b12", "value": 100, "unit": "pg/mL", "comparator": "<"}
    assert obs[2]["analyte"] == "haptoglobin" and obs[2]["comparator"] == "<" and obs[2]["unit"] == "mg/dL"
    assert obs[3] == {"date": "2026-11-01", "analyte": "schistocytes_seen", "value": True}
    assert obs[4]["analyte"] == "platelets" and obs[4]["unit"] == "10^9/L"  # LOINC code and UCUM unit read
    assert obs[5] == {"date": "2026-11-02", "analyte": "inr", "value": 1.1}  # date-time keeps its date


def test_bad_long_csv_lists_every_row_with_its_number_and_reason():
    result = read_any(BAD_LONG)
    assert result.imported == 0
    assert_counts_add_up(result, 9)
    where = [p.where for p in result.problems]
    assert where == [
        "row 2 (platelets)",
        "row 3 (2026-11-01)",
        "row 4 (b12, 2026-11-01)",
        "row 5 (b12, 2026-11-01)",
        "row 6 (platelets, 2026-11-01)",
        "row 7 (platelets, 2026-11-01)",
        "row 8 (hemoglobin, 2026-11-01)",
        "row 9 (schistocytes_seen, 2026-11-01)",
        "row 10",
    ]
    messages = [p.message for p in result.problems]
    assert "use YYYY-MM-DD" in messages[0]
    assert "unknown analyte 'vitamin q'" in messages[1]
    assert "'abc' is not a number" in messages[2]
    assert "unit 'kg' is not accepted for b12" in messages[3]
    assert "negative" in messages[4]
    assert "unit is missing" in messages[5]
    assert "outside what a living patient can have" in messages[6]
    assert "must be true or false" in messages[7]
    assert "header names 4 columns" in messages[8]


def test_mixed_long_csv_adds_nothing_and_lists_every_bad_row():
    """Contract: a file with any rejected part is not partly applied; the caller gets every problem."""
    text = GOOD_LONG + "\n".join(BAD_LONG.splitlines()[1:]) + "\n"
    result = read_any(text)
    assert result.imported == 0 and result.withheld == 6 and result.rejected == 9
    assert result.doc["observations"] == []
    assert_counts_add_up(result, 15)
    assert result.problems[0].where.startswith("row 8 ")
    assert result.blocking == result.problems and len(result.problems) == 9


def test_comparator_column_and_value_prefix_agree_or_the_row_is_listed():
    text = "date,analyte,value,unit,comparator\n2026-11-01,haptoglobin,8,mg/dL,<\n2026-11-01,b12,<100,pg/mL,>\n" \
           "2026-11-01,b12,100,pg/mL,~\n2026-11-01,schistocytes_seen,true,,<\n2026-11-01,b12,≤150,pg/mL,\n"
    result = read_any(text)
    assert [p.where for p in result.problems] == ["row 3 (b12, 2026-11-01)", "row 4 (b12, 2026-11-01)",
                                                  "row 5 (schistocytes_seen, 2026-11-01)"]
    assert "says < but the comparator column says >" in result.problems[0].message
    assert result.withheld == 2 and result.imported == 0
    good = "\n".join(line for i, line in enumerate(text.splitlines()) if i in (0, 1, 5)) + "\n"
    result = read_any(good)
    assert result.problems == ()
    assert result.doc["observations"][0]["comparator"] == "<"
    assert result.doc["observations"][1]["comparator"] == "<="


def test_semicolon_csv_takes_a_decimal_comma():
    result = read_any("date;analyte;value;unit\n2026-11-01;hemoglobin;7,9;g/dL\n")
    assert result.problems == () and result.doc["observations"][0]["value"] == 7.9


def test_comma_csv_does_not_guess_a_decimal_comma():
    result = read_any('date,analyte,value,unit\n2026-11-01,hemoglobin,"7,9",g/dL\n')
    assert result.imported == 0 and "decimal point" in result.problems[0].message


def test_blank_lines_are_not_rows():
    result = read_any("date,analyte,value,unit\n\n2026-11-01,mcv,101,fL\n,,,\n")
    assert result.imported == 1 and result.rejected == 0 and result.problems == ()


def test_a_filled_unknown_column_is_reported_not_silently_dropped():
    result = read_any("date,analyte,value,unit,flag\n2026-11-01,mcv,101,fL,H\n")
    assert result.imported == 1 and result.blocking == ()  # a notice: a flag column is not lab results
    assert [(p.where, p.field) for p in result.problems] == [("row 1", "file")]
    assert "'flag' is not read" in result.problems[0].message


def test_long_csv_without_the_needed_columns_is_refused_with_one_problem():
    result = read_any("date,analyte,result\n2026-11-01,mcv,101\n", fmt="csv_long")
    assert result.imported == 0 and len(result.problems) == 1
    assert "missing value" in result.problems[0].message


def test_nan_and_infinity_are_not_numbers():
    result = read_any("date,analyte,value,unit\n2026-11-01,mcv,nan,fL\n2026-11-01,mcv,inf,fL\n"
                      "2026-11-01,mcv,1_000,fL\n2026-11-01,mcv,1e999,fL\n")
    assert result.imported == 0
    assert_counts_add_up(result, 4)


# -- CSV wide -------------------------------------------------------------------------------------

GOOD_WIDE = """date,platelets (10^9/L),B12 [pg/mL],Haptoglobin (mg/dL),schistocytes_seen,inr,\
Vitamin B12 (serum) (pmol/L)
2026-11-01,62,<100,<8,true,1.1,
2026-11-01,58,,,,,
2026-11-09,131,,,false,,250
"""


def test_good_wide_csv_imports_every_value_cell():
    result = read_any(GOOD_WIDE)
    assert result.format == "csv_wide" and result.problems == ()
    assert result.imported == 9
    obs = result.doc["observations"]
    assert obs[0] == {"date": "2026-11-01", "analyte": "platelets", "value": 62, "unit": "10^9/L"}
    assert obs[1] == {"date": "2026-11-01", "analyte": "b12", "value": 100, "unit": "pg/mL", "comparator": "<"}
    assert {"date": "2026-11-01", "analyte": "platelets", "value": 58, "unit": "10^9/L"} in obs
    assert {"date": "2026-11-09", "analyte": "b12", "value": 250, "unit": "pmol/L"} in obs
    assert {"date": "2026-11-01", "analyte": "inr", "value": 1.1} in obs


def test_bad_wide_csv_lists_each_cell_with_its_row_and_reason():
    text = "date,platelets (10^9/L),foo (mg),b12,mcv (kg)\n2026-11-01,x,3,200,90\nlater,5,,,\n2026-11-02,1,,,,7\n"
    result = read_any(text)
    assert result.imported == 0 and result.withheld == 1  # the platelet count of 2026-11-02, not added alone
    assert_counts_add_up(result, 7)
    problems = [(p.where, p.message.split(";")[0]) for p in result.problems]
    assert problems == [
        ("row 2 (platelets, 2026-11-01)", "value 'x' is not a number"),
        ("row 2 (2026-11-01)", "column 'foo (mg)' is not an analyte"),
        ("row 2 (2026-11-01)", "column 'b12' gives no unit"),
        ("row 2 (2026-11-01)", "column 'mcv (kg)': unit 'kg' is not accepted for mcv"),
        ("row 3 (platelets)", "the row's date 'later' does not parse"),
        ("row 4, column 6 (2026-11-02)", "this cell has no column header"),
    ]


def test_mixed_wide_csv_adds_nothing_when_one_cell_is_bad():
    result = read_any("date,platelets (10^9/L),mcv (fL)\n2026-11-01,62,abc\n")
    assert result.imported == 0 and result.rejected == 1 and result.withheld == 1
    assert result.doc["observations"] == []
    assert result.problems[0].where == "row 2 (mcv, 2026-11-01)"
    assert_counts_add_up(result, 2)


def test_an_empty_column_that_is_not_understood_is_still_reported():
    result = read_any("date,platelets (10^9/L),comments\n2026-11-01,62,\n")
    assert result.imported == 1 and result.rejected == 0
    assert [p.field for p in result.problems] == ["file"] and "holds no values" in result.problems[0].message


def test_text_that_is_no_format_is_refused_naming_the_formats_read():
    result = read_any("hello world\nthis is not a lab file\n")
    assert result.imported == 0 and len(result.problems) == 1
    assert "CSV long" in result.problems[0].message and "FHIR" in result.problems[0].message


def test_wide_export_puts_two_results_of_a_day_on_two_rows():
    rows = list(csv.reader(io.StringIO(to_csv_wide(RICH_CASE))))
    header = rows[0]
    col = header.index("platelets (10^9/L)")
    assert [r[col] for r in rows[1:] if r[0] == "2026-11-01"] == ["34", "31"]
    assert "b12 (pg/mL)" in header and "b12 (pmol/L)" in header and "inr (1)" in header and "inr" in header
