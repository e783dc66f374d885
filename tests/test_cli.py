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
