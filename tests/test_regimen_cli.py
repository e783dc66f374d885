"""``python -m logic schedule`` against the contract (shared/design/case-format.md)."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from logic.__main__ import main
from logic.cli.schedule import injection_doc
from logic.regimen import schedule
from logic.regimen.exports import from_csv, from_ics

ROOT = Path(__file__).resolve().parents[1]


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    rc = main(["schedule", *argv], out=out)
    return rc, out.getvalue()


def test_schedule_prints_the_contract_keys_and_exits_0():
    rc, text = run("--start", "2026-11-02")
    assert rc == 0
    doc = json.loads(text)
    assert {"injections", "count", "total_mcg"} <= set(doc)
    assert all(set(i) == {"date", "dose_mcg", "route", "phase"} for i in doc["injections"])
    assert doc["count"] == len(doc["injections"])
    assert doc["total_mcg"] == sum(i["dose_mcg"] for i in doc["injections"])
    assert doc["injections"][0] == {"date": "2026-11-02", "dose_mcg": 1000, "route": "IM", "phase": "daily"}
    phases = list(dict.fromkeys(i["phase"] for i in doc["injections"]))
    assert phases == ["daily", "alternate", "interval", "maintenance"]
    assert doc["preset"] == "fda_label_1000" and doc["refs"] and doc["checkpoints"][0]["date"] == "2026-11-10"


def test_schedule_options_reach_the_schedule():
    rc, text = run("--start", "2026-11-02", "--dose-mcg", "100", "--daily-doses", "6", "--alternate-doses", "7",
                   "--interval-days", "4", "--interval-weeks", "3", "--maintenance-months", "24")  # fmt: skip
    assert rc == 0
    doc = json.loads(text)
    expected = schedule(date(2026, 11, 2), dose_mcg=100, daily_doses=6, interval_days=4, interval_weeks=3,
                        maintenance_months=24)  # fmt: skip
    assert doc["injections"] == [injection_doc(i) for i in expected.injections]
    assert sum(i["phase"] == "daily" for i in doc["injections"]) == 6
    assert doc["total_mcg"] == 100 * doc["count"]


@pytest.mark.parametrize("preset_id", ["fda_label_100", "bnf_hydroxo", "bnf_hydroxo_neuro", "oral_maintenance"])
def test_schedule_preset_option_selects_the_preset(preset_id):
    rc, text = run("--start", "2026-11-02", "--preset", preset_id)
    assert rc == 0
    doc = json.loads(text)
    assert doc["preset"] == preset_id
    assert doc["injections"] == [injection_doc(i) for i in schedule(date(2026, 11, 2), preset_id).injections]


def test_schedule_csv_format_holds_the_same_doses_as_json():
    _rc, text = run("--start", "2026-11-02", "--format", "csv")
    _rc, js = run("--start", "2026-11-02")
    assert [injection_doc(i) for i in from_csv(text)] == json.loads(js)["injections"]


def test_schedule_ics_format_holds_the_same_dates_as_json():
    rc, text = run("--start", "2026-11-02", "--format", "ics", "--label", "Bed 12")
    assert rc == 0 and text.startswith("BEGIN:VCALENDAR")
    _rc, js = run("--start", "2026-11-02")
    assert [i.date.isoformat() for i in from_ics(text)] == [i["date"] for i in json.loads(js)["injections"]]


@pytest.mark.parametrize(
    ("argv", "lines"),
    [
        ([], 1),  # --start is required
        (["--start", "2026-02-30"], 1),
        (["--start", "2026-11-02", "--daily-doses", "5"], 1),
        (["--start", "2026-11-02", "--interval-days", "5"], 1),
        (["--start", "2026-11-02", "--interval-weeks", "1"], 1),
        (["--start", "2026-11-02", "--dose-mcg", "50"], 1),
        (["--start", "2026-11-02", "--dose-mcg", "lots"], 1),
        (["--start", "2026-11-02", "--maintenance-months", "-3"], 1),
        (["--start", "2026-11-02", "--preset", "homeopathy"], 1),
        (["--start", "2026-11-02", "--format", "pdf"], 1),
        (["--start", "2026-11-02", "--preset", "bnf_hydroxo", "--dose-mcg", "500"], 1),
        (["--start", "2026-11-02", "--label", "Bed 12"], 1),
        (["--start", "2026-11-02", "--unknown-option", "1"], 1),
        (["--daily-doses", "5", "--interval-days", "9", "--format", "xml"], 4),
    ],
)
def test_schedule_rejects_bad_options_with_exit_2_one_line_each_and_empty_stdout(argv, lines, capsys):
    rc, text = run(*argv)
    err = capsys.readouterr().err.strip().splitlines()
    assert rc == 2
    assert text == ""
    assert len(err) == lines and all(line.strip() for line in err)


def test_schedule_names_the_option_in_its_message(capsys):
    run("--start", "2026-11-02", "--daily-doses", "5")
    assert capsys.readouterr().err.startswith("--daily-doses:")


def test_schedule_runs_as_a_module_with_nothing_on_stdout_when_invalid():
    proc = subprocess.run(
        [sys.executable, "-m", "logic", "schedule", "--start", "not-a-date"],
        cwd=ROOT, capture_output=True, text=True, timeout=60, env={"PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.strip().startswith("--start:")


def test_schedule_json_names_each_dose_by_its_own_route():
    _rc, text = run("--start", "2026-11-02", "--preset", "oral_maintenance", "--maintenance-months", "1")
    routes = [i["route"] for i in json.loads(text)["injections"]]
    assert routes[:19] == ["IM"] * 19 and set(routes[19:]) == {"oral"}
    assert {p["route"] for p in json.loads(text)["phases"]} == {"IM", "oral"}
