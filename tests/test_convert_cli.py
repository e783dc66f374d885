"""``python -m logic convert``: exit 0 with the converted case on stdout; exit 2 with nothing on
stdout and one line per problem on stderr (shared/design/case-format.md)."""

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from logic.__main__ import main
from logic.case import parse_case
from logic.convert import MAX_UPLOAD_BYTES, to_csv_long, to_csv_wide, to_fhir_bundle
from logic.reference import example_cases

ROOT = Path(__file__).resolve().parents[1]
CASE = example_cases()["ttp_after_sleeve"]
MIXED = "date,analyte,value,unit\n2026-11-01,platelets,62,10^9/L\n2026-11-01,vitamin q,1,mg\n2026-13-01,mcv,99,fL\n"


def run(capsys, *argv):
    out = io.StringIO()
    code = main(["convert", *map(str, argv)], out=out)
    return code, out.getvalue(), capsys.readouterr().err


def observations(doc):
    return sorted(((o.date, o.analyte, o.value, o.unit, o.comparator) for o in parse_case(doc).observations),
                  key=repr)


@pytest.fixture
def files(tmp_path):
    paths = {
        "case.json": json.dumps(CASE),
        "long.csv": to_csv_long(CASE),
        "wide.csv": to_csv_wide(CASE),
        "bundle.json": json.dumps(to_fhir_bundle(CASE)),
        "mixed.csv": MIXED,
    }
    for name, text in paths.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("name", ["case.json", "long.csv", "wide.csv", "bundle.json"])
def test_convert_to_the_case_document_exits_0(capsys, files, name):
    code, out, err = run(capsys, files / name)
    assert code == 0 and err == ""
    assert observations(json.loads(out)) == observations(CASE)


def test_the_case_document_comes_out_unchanged(capsys, files):
    code, out, _ = run(capsys, files / "case.json")
    assert json.loads(out) == CASE


@pytest.mark.parametrize("to,check", [
    ("csv", lambda out: next(csv.reader(io.StringIO(out))) == ["date", "analyte", "value", "unit", "comparator"]),
    ("csv-wide", lambda out: next(csv.reader(io.StringIO(out)))[0] == "date"),
    ("fhir", lambda out: json.loads(out)["resourceType"] == "Bundle"),
    ("json", lambda out: json.loads(out)["format"] == "b12-case/1"),
])
def test_each_output_format(capsys, files, to, check):
    code, out, err = run(capsys, files / "bundle.json", "--to", to)
    assert code == 0 and err == "" and check(out)


def test_output_is_the_library_writer_output(capsys, files):
    _, out, _ = run(capsys, files / "case.json", "--to", "csv")
    assert out == to_csv_long(CASE)


def test_invalid_input_exits_2_with_one_line_per_problem_and_nothing_on_stdout(capsys, files):
    code, out, err = run(capsys, files / "mixed.csv")
    assert code == 2 and out == ""
    lines = err.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("row 3 (2026-11-01): unknown analyte 'vitamin q'")
    assert lines[1].startswith("row 4 (mcv): date '2026-13-01' does not parse")


def test_unknown_loinc_codes_fail_the_conversion(capsys, tmp_path):
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": {
        "resourceType": "Observation", "status": "final", "effectiveDateTime": "2026-11-01",
        "code": {"coding": [{"system": "http://loinc.org", "code": "2345-7"}]},
        "valueQuantity": {"value": 5, "system": "http://unitsofmeasure.org", "code": "mmol/L"}}}]}
    path = tmp_path / "b.json"
    path.write_text(json.dumps(bundle))
    code, out, err = run(capsys, path, "--to", "csv")
    assert code == 2 and out == ""
    assert err.splitlines() == ["entry 0 (2026-11-01): unknown LOINC code 2345-7: not in Cobalt's LOINC map "
                                "(data/loinc.json)"]


def test_a_missing_file_exits_2(capsys, tmp_path):
    code, out, err = run(capsys, tmp_path / "nope.csv")
    assert code == 2 and out == "" and len(err.splitlines()) == 1 and "cannot read" in err


def test_a_file_over_the_limit_exits_2_with_one_line(capsys, tmp_path):
    path = tmp_path / "big.csv"
    path.write_bytes(b"date,analyte,value,unit\n" + b"2026-11-01,mcv,101,fL\n" * (MAX_UPLOAD_BYTES // 20))
    code, out, err = run(capsys, path)
    assert code == 2 and out == "" and len(err.splitlines()) == 1 and "limit is 2 MB" in err


def test_an_unknown_output_format_is_a_usage_error(capsys, files):
    code, out, err = run(capsys, files / "case.json", "--to", "xml")
    assert code == 2 and out == "" and len(err.splitlines()) == 1


def test_the_input_format_can_be_forced(capsys, files):
    code, out, err = run(capsys, files / "long.csv", "--from", "csv-wide")
    assert code == 2 and out == ""  # long CSV read as wide: columns analyte/value/unit are not analytes
    code, out, _ = run(capsys, files / "long.csv", "--from", "csv-long")
    assert code == 0


def test_standard_input_is_read_with_a_dash(capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(to_csv_wide(CASE).encode())))
    code, out, err = run(capsys, "-", "--to", "fhir")
    assert code == 0 and err == ""
    assert len(json.loads(out)["entry"]) == len(CASE["observations"])


def test_the_real_command_line_exits_2_with_nothing_on_stdout(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_text(MIXED)
    proc = subprocess.run([sys.executable, "-m", "logic", "convert", str(path)], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 2 and proc.stdout == "" and len(proc.stderr.splitlines()) == 2


def test_the_real_command_line_converts_from_stdin_and_exits_0():
    proc = subprocess.run([sys.executable, "-m", "logic", "convert", "-", "--to", "csv"], cwd=ROOT,
                          input=json.dumps(to_fhir_bundle(CASE)), capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and proc.stderr == ""
    assert proc.stdout == to_csv_long(CASE)


# -- hostile input (issue 12) ---------------------------------------------------------------------


@pytest.mark.parametrize(("text", "to", "line"), [
    ('{"label": "\\ud800", "observations": []}', "json", "label: holds a lone surrogate (U+D800)"),
    ('{"label": "\\ud800", "observations": []}', "fhir", "label: holds a lone surrogate (U+D800)"),
    ('{"label": "a\\u0000", "observations": []}', "csv", "label: holds a control character (U+0000)"),
    ('{"observations": [], "about": NaN}', "json", "about: is NaN"),
    ('{"observations": [], "about": [1e999]}', "json", "about[0]: is Infinity"),
    ('{"observations": [], "about": ' + "9" * 5000 + "}", "fhir", "about: is Infinity"),
    ("[" * 100_000, "json", "file: is nested 100,000 levels deep; the limit is 64 levels"),
    ('{"resourceType": "Bundle", "type": "collection", "entry": ' + "[" * 100_000, "fhir", "file: is nested"),
])
def test_hostile_documents_exit_2_with_one_line_and_never_print_nan(capsys, tmp_path, text, to, line):
    path = tmp_path / "in.json"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    code, out, err = run(capsys, path, "--to", to)
    assert code == 2 and out == ""
    assert len(err.splitlines()) == 1 and err.startswith(line), err


def test_a_bom_and_crlf_file_converts_like_the_plain_one(capsys, tmp_path):
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(CASE, indent=1).replace("\n", "\r\n").encode())
    code, out, err = run(capsys, path)
    assert code == 0 and err == "" and json.loads(out) == CASE


def test_a_file_that_is_not_utf8_exits_2_with_one_line(capsys, tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes("date,analyte,value,unit\n2026-11-01,homocysteine,12,µmol/L\n".encode("latin-1"))
    code, out, err = run(capsys, path)
    assert code == 2 and out == "" and err.splitlines() == ["file: is not UTF-8 text (byte 51); save it as UTF-8"]


def test_the_output_is_strict_json_even_if_a_document_slips_through(capsys, monkeypatch, files):
    import logic.convert  # convert_cli imports it when it runs (lazily: other commands never load it)

    monkeypatch.setattr(logic.convert, "write_as", lambda doc, to: json.dumps({"x": float("nan")},
                                                                                  allow_nan=False))
    code, out, err = run(capsys, files / "case.json")
    assert code == 2 and out == "" and err.startswith("the case cannot be written as JSON")
