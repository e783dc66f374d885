"""``python -m logic convert PRINTOUT.txt --from printout``: the results on stdout, every line not read on
stderr, exit 2 (nothing on stdout) when nothing could be read (issue 23)."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from logic.__main__ import main
from logic.case import parse_case
from tests.test_cli_imports import NEVER, loaded_by, under

FIXTURES = Path(__file__).resolve().parent / "printouts"
UK = FIXTURES / "nhs_itk3_uk_pseudo_tma.txt"
US = FIXTURES / "vista_us_ttp.txt"


def run(capsys, *argv, stdin: str | None = None, monkeypatch=None):
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin.encode("utf-8")), encoding="utf-8"))
    out = io.StringIO()
    code = main(["convert", *map(str, argv)], out=out)
    return code, out.getvalue(), capsys.readouterr().err


def test_printout_cli_prints_the_case_document_and_lists_the_lines_not_read(capsys):
    code, out, err = run(capsys, UK, "--from", "printout", "--unit-system", "si")
    assert code == 0
    doc = json.loads(out)
    assert len(doc["observations"]) == 15 and set(doc) == {"format", "observations"}
    parse_case(doc)
    lines = err.splitlines()
    assert len(lines) == 13 and all(line.startswith("line ") for line in lines)
    assert lines[0] == "line 2: not read: no test name Cobalt reads: 'Full Blood Count'"


def test_printout_cli_never_prints_a_withheld_line(capsys):
    code, out, err = run(capsys, US, "--from", "printout", "--unit-system", "conventional")
    assert code == 0 and "CLINICIAN" not in err and "CLINICIAN" not in out
    assert "line 10: not read and not shown" in err


def test_printout_cli_takes_the_unit_system_of_a_reference_set(capsys):
    code, out, _ = run(capsys, FIXTURES / "letter_uk.txt", "--from", "printout", "--thresholds", "ruh_bath")
    by = {o["analyte"]: o for o in json.loads(out)["observations"]}
    assert code == 0 and by["creatinine"]["unit"] == "umol/L" and by["b12"]["unit"] == "ng/L"


def test_printout_cli_exits_2_with_nothing_on_stdout_when_nothing_is_read(capsys, tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("Seen in clinic today.\nFeels tired.\n", encoding="utf-8")
    code, out, err = run(capsys, path, "--from", "printout", "--unit-system", "si", "--date", "2026-12-06")
    assert code == 2 and out == ""
    assert err.splitlines()[-1] == f"nothing could be read from {path} (2 lines with text)"


def test_printout_cli_without_a_date_line_needs_date(capsys):
    path = FIXTURES / "hl7_fhir_au_cbc.txt"
    code, out, _ = run(capsys, path, "--from", "printout", "--unit-system", "si")
    assert code == 2 and out == ""
    code, out, _ = run(capsys, path, "--from", "printout", "--unit-system", "si", "--date", "2026-12-06")
    assert code == 0 and {o["date"] for o in json.loads(out)["observations"]} == {"2026-12-06"}


def test_printout_cli_writes_other_formats(capsys):
    code, out, _ = run(capsys, UK, "--from", "printout", "--unit-system", "si", "--to", "csv")
    assert code == 0 and out.splitlines()[0].startswith("date,analyte,value,unit") and len(out.splitlines()) == 16


def test_printout_cli_reads_standard_input(capsys, monkeypatch):
    code, out, err = run(capsys, "-", "--from", "printout", "--unit-system", "si",
                         stdin="Collected: 06/12/2026\nHb 68 g/L\n", monkeypatch=monkeypatch)  # fmt: skip
    assert code == 0 and err == ""
    assert json.loads(out)["observations"] == [{"date": "2026-12-06", "analyte": "hemoglobin", "value": 68,
                                                "unit": "g/L"}]  # fmt: skip


@pytest.mark.parametrize("argv,message", [
    (["--unit-system", "si"], "usage: --unit-system is read only with --from printout"),
    (["--from", "printout", "--date", "6/12/2026"], "--date: '6/12/2026' is not a date (YYYY-MM-DD)"),
    (["--from", "printout", "--unit-system", "metric"], "usage: argument --unit-system: invalid choice"),
])  # fmt: skip
def test_printout_cli_usage_mistakes_exit_2(capsys, argv, message):
    code, out, err = run(capsys, UK, *argv)
    assert code == 2 and out == "" and err.startswith(message)


def test_printout_cli_file_not_text_exits_2(capsys, tmp_path):
    path = tmp_path / "binary.txt"
    path.write_bytes(b"Hb 68 g/L\n\xff\xfe")
    code, out, err = run(capsys, path, "--from", "printout", "--unit-system", "si")
    assert code == 2 and out == "" and "UTF-8" in err


def test_printout_cli_today_refuses_a_date_line_after_it(capsys, tmp_path):
    path = tmp_path / "p.txt"
    path.write_text("Collected: 2026-12-07\nHb 68 g/L\n", encoding="utf-8")
    code, out, err = run(capsys, path, "--from", "printout", "--today", "2026-12-06")
    assert code == 2 and out == "" and "after today" in err


def test_printout_cli_loads_no_app_store_network_regimen_or_fhir_library():
    rc, modules = loaded_by(["convert", "-", "--from", "printout", "--unit-system", "si"],
                            stdin="Collected: 06/12/2026\nHb 68 g/L\n")  # fmt: skip
    assert rc == 0
    assert "logic.convert.printout" in modules
    assert under(modules, NEVER) == []
    assert under(modules, ("icalendar", "fhir", "pydantic", "logic.regimen", "logic.cli.schedule", "logic.assess",
                           "uuid", "decimal", "pathlib", "shutil")) == []  # fmt: skip


def test_printout_cli_help_names_the_printout_options(capsys):
    assert main(["convert", "--help"], out=io.StringIO()) == 0
    shown = capsys.readouterr().out
    assert all(flag in shown for flag in ("printout", "--unit-system", "--thresholds", "--date", "--today"))
