import contextlib
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from logic.__main__ import main
from tests.test_case import CONTRACT_EXAMPLE

ROOT = Path(__file__).resolve().parents[1]
CONTRACT_KEYS = {"b12_status", "thrombocytopenia_grade", "plasmic", "tma", "lifelong", "alerts", "next_tests"}


def run_cli(*args, stdin: str | None = None):
    return subprocess.run([sys.executable, "-m", "logic", *args], cwd=ROOT, input=stdin, capture_output=True,
                          text=True, timeout=60)


def test_assess_prints_the_contract_keys_and_exits_0(tmp_path):
    path = tmp_path / "case.json"
    path.write_text(json.dumps(CONTRACT_EXAMPLE))
    res = run_cli("assess", str(path))
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout)
    assert CONTRACT_KEYS <= set(out)
    assert out["b12_status"] == "deficient" and out["lifelong"] is True
    assert out["thrombocytopenia_grade"] is None  # the only platelet count is after treatment start
    assert all({"id", "severity", "message", "refs"} <= set(a) for a in out["alerts"])
    assert "response" in out  # the case has a treatment start


def test_invalid_case_exits_2_with_one_line_per_problem_and_nothing_on_stdout(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"observations": [{"date": "x", "analyte": "b12", "value": -1, "unit": "ng/L"},
                                                 {"date": "2026-01-01", "analyte": "zzz", "value": 1}]}))
    res = run_cli("assess", str(path))
    assert res.returncode == 2
    assert res.stdout == ""
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 3 and lines[0].startswith("observation 0") and lines[2].startswith("observation 1")


def test_not_json_exits_2(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text("{not json")
    res = run_cli("assess", str(path))
    assert res.returncode == 2 and res.stdout == "" and "not valid JSON" in res.stderr


def test_missing_file_exits_2():
    res = run_cli("assess", "/nonexistent/case.json")
    assert res.returncode == 2 and res.stdout == ""


def test_assess_reads_standard_input():
    res = run_cli("assess", "-", stdin=json.dumps(CONTRACT_EXAMPLE))
    assert res.returncode == 0 and json.loads(res.stdout)["b12_status"] == "deficient"


def test_bad_today_exits_2():
    out = io.StringIO()
    with pytest.MonkeyPatch.context():
        rc = main(["assess", str(ROOT / "data/cases/isolated_thrombocytopenia.json"), "--today", "tomorrow"], out)
    assert rc == 2 and out.getvalue() == ""


def test_threshold_set_option_changes_the_verdict(tmp_path):
    path = tmp_path / "c.json"
    path.write_text(json.dumps({"observations": [{"date": "2026-11-01", "analyte": "b12", "value": 160,
                                                  "unit": "ng/L"}]}))
    assert json.loads(run_cli("assess", str(path)).stdout)["b12_status"] == "deficient"
    assert json.loads(run_cli("assess", str(path), "--thresholds", "ruh_bath").stdout)["b12_status"] == \
        "indeterminate"


def test_unknown_command_exits_2():
    res = run_cli("frobnicate")
    assert res.returncode == 2 and res.stdout == ""


def test_assess_handles_500_observations(tmp_path):
    from scripts.bench import big_case

    path = tmp_path / "big.json"
    path.write_text(json.dumps(big_case(500)))
    res = run_cli("assess", str(path))
    assert res.returncode == 0 and json.loads(res.stdout)["b12_status"] in {"deficient", "indeterminate", "unlikely"}


@pytest.mark.parametrize(("today", "retic", "platelets", "alert"), [
    ("2026-09-09", "too_early", "too_early", None),               # day 2
    ("2026-09-13", "adequate", "too_early", "retic_response"),     # day 6: retic 3.2 %
    ("2026-09-28", "adequate", "falling", "platelets_not_rising"),  # day 21
])
def test_assess_today_fills_response_for_the_course_so_far(tmp_path, today, retic, platelets, alert):
    doc = {"treatment_start": "2026-09-07", "patient": {"sex": "female"}, "observations": [
        {"date": "2026-09-06", "analyte": "platelets", "value": 70, "unit": "10^9/L"},
        {"date": "2026-09-06", "analyte": "reticulocytes_pct", "value": 0.9, "unit": "%"},
        {"date": "2026-09-08", "analyte": "potassium", "value": 3.9, "unit": "mmol/L"},
        {"date": "2026-09-13", "analyte": "reticulocytes_pct", "value": 3.2, "unit": "%"},
        {"date": "2026-09-21", "analyte": "platelets", "value": 74, "unit": "10^9/L"},
        {"date": "2026-09-28", "analyte": "platelets", "value": 71, "unit": "10^9/L"}]}
    # the course so far: the results on file by that day (a result dated after --today is refused, issue 11)
    doc["observations"] = [o for o in doc["observations"] if o["date"] <= today]
    path = tmp_path / "course.json"
    path.write_text(json.dumps(doc))
    res = run_cli("assess", str(path), "--today", today)
    assert res.returncode == 0, res.stderr
    response = json.loads(res.stdout)["response"]
    assert (response["reticulocytes"], response["platelets"]) == (retic, platelets)
    if alert:
        assert alert in {a["id"] for a in response["alerts"]}


def test_lagging_course_without_reticulocyte_rise_is_absent_by_the_cli(tmp_path):
    doc = {"treatment_start": "2026-09-07", "observations": [
        {"date": "2026-09-18", "analyte": "reticulocytes_pct", "value": 1.1, "unit": "%"}]}
    path = tmp_path / "lag.json"
    path.write_text(json.dumps(doc))
    out = json.loads(run_cli("assess", str(path), "--today", "2026-09-18").stdout)
    assert out["response"]["reticulocytes"] == "absent" and out["response"]["day"] == 11
    assert "retic_response_absent" in {a["id"] for a in out["response"]["alerts"]}


# -- hostile input (issue 12): exit 2 with one line per problem, never a traceback ---------------

HOSTILE_CASES = {
    "deep.json": ("[" * 100_000).encode(),
    "surrogate.json": b'{"label": "\\ud800", "observations": []}',
    "nul.json": b'{"label": "a\\u0000b", "observations": []}',
    "nan.json": b'{"observations": [], "about": NaN}',
    "huge.json": b'{"observations": [], "about": ' + b"9" * 5000 + b"}",
    "twice.json": b'{"observations": [], "observations": []}',
    "latin1.json": b'{"label": "caf\xe9", "observations": []}',
    "big.json": b" " * (2 * 1024 * 1024 + 1),
}


@pytest.mark.parametrize("name", sorted(HOSTILE_CASES))
def test_assess_refuses_hostile_documents_with_exit_2_and_no_traceback(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(HOSTILE_CASES[name])
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err):
        code = main(["assess", str(path)], out=out)
    assert code == 2 and out.getvalue() == ""
    lines = err.getvalue().splitlines()
    assert len(lines) == 1 and "Traceback" not in err.getvalue(), lines
    if name in ("deep.json", "twice.json", "latin1.json", "big.json"):
        assert lines[0].startswith(f"{path}: ")  # a problem of the file as such names the file


def test_assess_of_a_deeply_nested_document_exits_2_on_the_real_command_line(tmp_path):
    path = tmp_path / "deep.json"
    path.write_bytes(HOSTILE_CASES["deep.json"])
    res = run_cli("assess", str(path))
    assert res.returncode == 2 and res.stdout == ""
    assert res.stderr.strip() == f"{path}: is nested 100,000 levels deep; the limit is 64 levels"


def test_assess_reads_a_bom_and_crlf_file_as_convert_does(tmp_path):
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(CONTRACT_EXAMPLE, indent=1).replace("\n", "\r\n").encode())
    res = run_cli("assess", str(path))
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout)["b12_status"] == "deficient"


def test_assess_shares_the_upload_size_limit():
    from logic import __main__ as cli

    assert not hasattr(cli, "MAX_INPUT_BYTES")  # one limit: logic.case.limits.MAX_UPLOAD_BYTES


@pytest.mark.parametrize(("value", "line"), [
    ("²", "--dose-mcg: '²' is not a whole number (digits 0-9)"),
    ("١٠٠٠", "--dose-mcg: '١٠٠٠' is not a whole number (digits 0-9)"),
    ("9" * 5000, "--dose-mcg: '999999999999'… (5,000 characters) is not a whole number (digits 0-9)"),
    ("1e3", "--dose-mcg: '1e3' is not a whole number (digits 0-9)"),
    ("-5", "--dose-mcg: must be from 100 to 1000 mcg, got -5"),
])
def test_schedule_refuses_odd_digits_with_exit_2_and_one_line(value, line):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err):
        code = main(["schedule", "--start", "2026-11-02", "--dose-mcg", value], out=out)
    assert code == 2 and out.getvalue() == "" and err.getvalue().splitlines() == [line]


def test_schedule_takes_a_plain_number_with_spaces_or_a_plus_sign():
    for value in (" 1000 ", "+1000", "100"):
        out = io.StringIO()
        assert main(["schedule", "--start", "2026-11-02", "--dose-mcg", value], out=out) == 0
        json.loads(out.getvalue())


@pytest.mark.parametrize("name", ["deep.json", "nan.json", "twice.json", "latin1.json"])
def test_convert_from_fhir_reads_its_case_file_as_assess_does(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(HOSTILE_CASES[name])
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err):
        code = main(["convert", str(path), "--from-fhir", "http://127.0.0.1:9", "--patient", "abc"], out=out)
    assert code == 2 and out.getvalue() == "" and len(err.getvalue().splitlines()) == 1
    assert err.getvalue().startswith(f"{path}: ") and "Traceback" not in err.getvalue()


@pytest.mark.parametrize(("label", "line"), [
    ("bed\r\nATTENDEE:someone", "--label: must be one line"),
    ("bed\t4", "--label: must be one line"),
    ("bed\x1f4", "--label: holds a control character (U+001F); remove it"),
    ("bed\udced", "--label: holds a lone surrogate (U+DCED)"),
])
def test_schedule_refuses_a_calendar_label_that_is_not_one_line_of_text(label, line):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err):
        code = main(["schedule", "--start", "2026-11-02", "--format", "ics", "--label", label], out=out)
    assert code == 2 and out.getvalue() == "" and len(err.getvalue().splitlines()) == 1
    assert err.getvalue().startswith(line)


# -- issue 11: unit slips and dates that can be true, on the command line ------------------------

def _case_file(tmp_path, **doc):
    path = tmp_path / "case.json"
    path.write_text(json.dumps({"observations": [], **doc}))
    return str(path)


@pytest.mark.parametrize(("value", "alerted"), [(35, True), (0.8, False)])
def test_assess_today_creatinine_35_mg_dl_alerts_unit_suspect_and_0_8_does_not(tmp_path, value, alerted):
    path = _case_file(tmp_path, observations=[
        {"date": "2026-11-20", "analyte": "creatinine", "value": value, "unit": "mg/dL"}])
    res = run_cli("assess", path, "--today", "2026-11-25")
    assert res.returncode == 0, res.stderr
    found = [a for a in json.loads(res.stdout)["alerts"] if a["id"] == "unit_suspect"]
    assert bool(found) is alerted
    if alerted:
        assert "Creatinine 35 mg/dL on 2026-11-20 (observation 0)" in found[0]["message"]


def test_assess_today_refuses_a_result_dated_2027_with_exit_2_and_a_line_naming_it(tmp_path):
    path = _case_file(tmp_path, observations=[
        {"date": "2026-11-20", "analyte": "platelets", "value": 62, "unit": "10^9/L"},
        {"date": "2027-03-01", "analyte": "platelets", "value": 64, "unit": "10^9/L"}])
    res = run_cli("assess", path, "--today", "2026-11-25")
    assert res.returncode == 2 and res.stdout == ""
    assert res.stderr.strip().splitlines() == [
        "observation 1 (platelets, 2027-03-01): a result dated 2027-03-01 is after today (2026-11-25); check the year"]


def test_assess_refuses_a_symptom_onset_after_the_treatment_start_with_exit_2(tmp_path):
    path = _case_file(tmp_path, treatment_start="2026-11-02", history={"symptom_onset": "2026-11-10"})
    for extra in ((), ("--today", "2026-11-25")):
        res = run_cli("assess", path, *extra)
        assert res.returncode == 2 and res.stdout == ""
        assert res.stderr.strip().splitlines() == [
            "history.symptom_onset: 2026-11-10 is after the treatment start (2026-11-02); symptoms begin before "
            "treatment: check both dates"]
