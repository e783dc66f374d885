"""Each ``python -m logic`` command loads only what it needs (issue 13: the command line as a whole
process within 2x ``import json`` plus its own work). Checked by the modules a command adds to
``sys.modules`` in a fresh interpreter, never by a time."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CASE = ROOT / "data" / "cases" / "b12_drawn_after_injection.json"
CSV = "date,analyte,value,unit,comparator\n2026-11-01,platelets,23,10^9/L,\n"

#: Never needed by any command line: the app, the store, plotting and data frames, the network.
NEVER = ("streamlit", "plotly", "pandas", "numpy", "pyarrow", "sqlalchemy", "alembic", "httpx", "requests",
         "store", "ui", "app_pages", "logic.figures", "logic.reports")


def loaded_by(args: list[str], stdin: str | None = None) -> tuple[int, set[str]]:
    """(exit status, modules added to ``sys.modules``) by ``logic.__main__.main(args)`` in a fresh
    interpreter, counted from before ``logic`` is imported (site's own imports are not the command's)."""
    probe = (
        "import io, json, sys\n"
        "before = set(sys.modules)\n"
        "from logic.__main__ import main\n"
        f"rc = main({args!r}, out=io.StringIO())\n"
        "print(json.dumps([rc, sorted(set(sys.modules) - before)]))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, input=stdin, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    rc, modules = json.loads(done.stdout.strip().splitlines()[-1])
    return rc, set(modules)


def under(modules: set[str], names: tuple[str, ...]) -> list[str]:
    """The modules of ``modules`` that are one of ``names`` or inside one of them."""
    return sorted(m for m in modules if any(m == n or m.startswith(n + ".") for n in names))


def test_assess_loads_no_schedule_convert_calendar_fhir_or_pathlib():
    rc, modules = loaded_by(["assess", str(CASE)])
    assert rc == 0
    assert "logic.assess" in modules  # the probe sees what the command loads
    assert under(modules, NEVER) == []
    assert under(modules, ("icalendar", "fhir", "pydantic", "logic.regimen", "logic.cli.schedule", "logic.convert",
                           "logic.cli.convert", "logic.regimen.exports", "uuid", "decimal", "pathlib", "shutil")) == []


def test_schedule_as_json_loads_no_calendar_library_and_no_converter():
    rc, modules = loaded_by(["schedule", "--start", "2026-11-02"])
    assert rc == 0
    assert "logic.regimen" in modules
    assert under(modules, NEVER) == []
    assert under(modules, ("icalendar", "fhir", "pydantic", "logic.convert", "logic.cli.convert", "logic.assess",
                           "pathlib", "shutil")) == []


def test_schedule_as_ics_loads_the_calendar_library_it_needs():
    rc, modules = loaded_by(["schedule", "--start", "2026-11-02", "--format", "ics"])
    assert rc == 0
    assert "icalendar" in modules


def test_convert_of_a_csv_loads_no_regimen_fhir_models_or_calendar():
    rc, modules = loaded_by(["convert", "-"], stdin=CSV)
    assert rc == 0
    assert "logic.convert" in modules
    assert under(modules, NEVER) == []
    assert under(modules, ("icalendar", "fhir", "pydantic", "logic.regimen", "logic.cli.schedule", "logic.assess",
                           "uuid", "decimal", "pathlib", "shutil")) == []


@pytest.mark.parametrize("args", [["--help"], ["nonsense"]], ids=["help", "unknown command"])
def test_help_and_a_usage_error_still_name_every_command(args):
    done = subprocess.run([sys.executable, "-m", "logic", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    text = done.stdout + done.stderr
    assert all(name in text for name in ("assess", "schedule", "convert")), text


@pytest.mark.parametrize("command", ["schedule", "convert"])
def test_each_command_still_has_its_full_help(command):
    done = subprocess.run([sys.executable, "-m", "logic", command, "--help"], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0
    assert ("--start" if command == "schedule" else "--to") in done.stdout


def test_reference_data_dir_is_still_a_path_to_data():
    from logic import reference

    assert isinstance(reference.DATA_DIR, Path)
    assert reference.DATA_DIR == ROOT / "data"
    assert (reference.DATA_DIR / "analytes.json").is_file()
    with pytest.raises(AttributeError):
        reference.NO_SUCH_NAME  # noqa: B018 - the module's __getattr__ still refuses unknown names
