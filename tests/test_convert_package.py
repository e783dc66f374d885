"""The shape of logic/convert/ (style.md, habit 14): rooms under 500 lines, one import path, FHIR loaded lazily.

tests/test_architecture.py checks logic/*.py only; the package's modules are checked here by the
same house rules. The FHIR library (fhir.resources, with pydantic under it) is heavy: it is loaded
only when a FHIR file is read or written, never by assessing a case or reading CSV.
"""

import ast
import importlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

import logic.convert

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = sorted((ROOT / "logic" / "convert").glob("*.py"))
CASE_FILE = ROOT / "data" / "cases" / "classic_pa_pancytopenia.json"

LONG_CSV = "date,analyte,value,unit\n2026-11-01,platelets,62,10^9/L\n"
WIDE_CSV = "date,platelets (10^9/L),B12 [pg/mL]\n2026-11-01,62,<100\n"
BUNDLE = json.dumps({"resourceType": "Bundle", "type": "collection", "entry": [{"resource": {
    "resourceType": "Observation", "status": "final", "effectiveDateTime": "2026-11-01",
    "code": {"coding": [{"system": "http://loinc.org", "code": "777-3"}]},
    "valueQuantity": {"value": 62, "system": "http://unitsofmeasure.org", "code": "10*9/L"}}}]})


def imports_of(tree: ast.AST) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def fhir_loaded_after(code: str) -> list[str]:
    """The ``fhir`` modules in ``sys.modules`` after running ``code`` in a fresh interpreter."""
    probe = code + (
        "\nimport json, sys\n"
        "print(json.dumps(sorted(m for m in sys.modules if m == 'fhir' or m.startswith('fhir.'))))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


# -- rooms -----------------------------------------------------------------------------------------


def test_the_package_has_a_module_per_format():
    names = {p.stem for p in PACKAGE}
    assert {"__init__", "common", "loinc", "json_doc", "csv_long", "csv_wide", "fhir", "writers"} <= names


@pytest.mark.parametrize("path", PACKAGE, ids=lambda p: p.name)
def test_every_module_of_the_package_is_under_500_lines(path):
    assert len(path.read_text().splitlines()) < 500


@pytest.mark.parametrize("path", PACKAGE, ids=lambda p: p.name)
def test_the_package_keeps_the_house_rules_of_logic(path):
    text = path.read_text()
    imported = imports_of(ast.parse(text))
    assert "streamlit" not in imported and "plotly" not in imported
    assert not re.search(r"\b(date|datetime)\.(today|now|utcnow)\(", text)


@pytest.mark.parametrize("path", PACKAGE, ids=lambda p: p.name)
def test_no_module_imports_the_fhir_library_at_its_top(path):
    tree = ast.parse(path.read_text())
    top_level = ast.Module(body=[n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))], type_ignores=[])
    assert "fhir" not in imports_of(top_level)


def test_only_the_fhir_room_imports_the_fhir_library():
    users = [p.name for p in PACKAGE if "fhir" in imports_of(ast.parse(p.read_text()))]
    assert users == ["fhir.py"]


# -- one import path ----------------------------------------------------------------------------------


def test_every_public_name_of_the_rooms_is_importable_from_logic_convert():
    for path in PACKAGE:
        if path.stem == "__init__":
            continue
        module = importlib.import_module(f"logic.convert.{path.stem}")
        tree = ast.parse(path.read_text())
        defined = {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
        defined |= {t.id for n in tree.body if isinstance(n, ast.Assign) for t in n.targets if isinstance(t, ast.Name)}
        for name in sorted(n for n in defined if not n.startswith("_")):
            assert name in logic.convert.__all__, f"{path.stem}.{name} is not re-exported"
            assert getattr(logic.convert, name) is getattr(module, name)


def test_the_names_callers_import_are_there():
    for name in ("MAX_UPLOAD_BYTES", "ConvertError", "ImportResult", "detect_format", "read_any", "write_as",
                 "to_csv_long", "to_csv_wide", "to_fhir_bundle", "loinc_map", "analyte_for_loinc", "loinc_for",
                 "ucum_for", "resolve_analyte", "FORMATS", "CSV_LONG_COLUMNS", "FHIR_STATUSES", "BUNDLE_TYPES"):
        assert name in logic.convert.__all__ and hasattr(logic.convert, name), name


# -- the FHIR library is loaded only for FHIR ------------------------------------------------------------


def test_importing_logic_convert_and_reading_csv_does_not_load_the_fhir_library():
    code = (
        "from logic.convert import read_any, to_csv_long, to_csv_wide\n"
        f"long = read_any({LONG_CSV!r})\n"
        f"wide = read_any({WIDE_CSV!r})\n"
        "assert long.format == 'csv_long' and long.imported == 1 and not long.problems, long\n"
        "assert wide.format == 'csv_wide' and wide.imported == 2 and not wide.problems, wide\n"
        "to_csv_long(long.doc); to_csv_wide(wide.doc)\n"
    )
    assert fhir_loaded_after(code) == []


def test_assess_and_convert_to_csv_on_the_command_line_do_not_load_the_fhir_library():
    code = (
        "import io\n"
        "from logic.__main__ import main\n"
        f"assert main(['assess', {str(CASE_FILE)!r}], out=io.StringIO()) == 0\n"
        f"assert main(['convert', {str(CASE_FILE)!r}, '--to', 'csv'], out=io.StringIO()) == 0\n"
    )
    assert fhir_loaded_after(code) == []


def test_reading_or_writing_fhir_loads_the_library_so_the_probe_can_see_it():
    read = f"from logic.convert import read_any\nassert read_any({BUNDLE!r}).imported == 1\n"
    write = "from logic.convert import to_fhir_bundle\nto_fhir_bundle({'observations': []})\n"
    assert "fhir.resources" in fhir_loaded_after(read)
    assert "fhir.resources" in fhir_loaded_after(write)
