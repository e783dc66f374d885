"""Clinical numbers live in data/ and sentences quote them (style.md, habit 13).

- every threshold of every set is read by some code or data file;
- a threshold's unit is its analyte's canonical unit;
- no Python sentence writes a threshold's number (the scan below), so a laboratory's own set
  changes every sentence that quotes a cut-off (the second half proves it with a made-up set).
"""
from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from logic.case import parse_case
from logic.diagnosis import diagnose
from logic.reference import DATA_DIR, analytes, threshold_set, threshold_set_ids
from logic.reference import data as reference

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted((ROOT / "logic").rglob("*.py")) + sorted((ROOT / "app_pages").rglob("*.py")) + sorted(
    (ROOT / "ui").glob("*.py")
)
DATA_FILES = [p for p in DATA_DIR.rglob("*.json") if "thresholds" not in p.parts and "cases" not in p.parts]
#: threshold key prefix -> analyte; keys without an analyte carry their own unit (months, cm, index, x ULN)
KEY_ANALYTE = {
    "b12_": "b12", "holotc_": "holotc", "mma_": "mma", "homocysteine_": "homocysteine", "folate_": "folate",
    "platelets_": "platelets", "hb_": "hemoglobin", "wbc_": "wbc", "neutrophils_": "neutrophils", "mcv_": "mcv",
    "ldh_": "ldh", "haptoglobin_": "haptoglobin", "bilirubin_indirect_": "bilirubin_indirect",
    "reticulocytes_pct_": "reticulocytes_pct", "schistocytes_pct_": "schistocytes_pct", "ferritin_": "ferritin",
    "potassium_": "potassium", "creatinine_": "creatinine", "inr_": "inr", "fibrinogen_": "fibrinogen",
    "d_dimer_uln": "d_dimer",
}  # fmt: skip
OWN_UNITS = {"rpi_inadequate_below": "index", "delay_months": "months", "ileal_resection_lifelong_above_cm": "cm",
             "d_dimer_strong_multiple": "x ULN"}  # fmt: skip


def _all_keys() -> set[str]:
    return {k for set_id in threshold_set_ids() for k in threshold_set(set_id).values}


def _non_docstring_strings(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text())
    docs = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docs.add(id(first.value))
    return [
        (n.lineno, n.value)
        for n in ast.walk(tree)
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docs
    ]


@pytest.mark.parametrize("key", sorted(_all_keys()))
def test_every_threshold_is_read_by_some_code_or_data(key):
    quoted = (f'"{key}"', f"'{key}'", f"[{key}]", f"@{key}")
    texts = [p.read_text() for p in SOURCES] + [p.read_text() for p in DATA_FILES]
    assert any(q in text for text in texts for q in quoted), key


@pytest.mark.parametrize("key", sorted(_all_keys()))
def test_every_threshold_is_in_its_analytes_canonical_unit(key):
    for set_id in threshold_set_ids():
        th = threshold_set(set_id).get(key)
        if key in OWN_UNITS:
            assert th.unit == OWN_UNITS[key], (set_id, key)
            continue
        analyte = next(a for prefix, a in KEY_ANALYTE.items() if key.startswith(prefix))
        assert th.unit == analytes()[analyte]["canonical"], (set_id, key, th.unit)


def _cut_off_patterns() -> list[tuple[str, re.Pattern]]:
    """A number with its threshold's unit ("20 cm", "2 mg/dL"); for unitless thresholds (an index, the
    INR, a multiple) the number after a comparison word ("below 2")."""
    out = []
    for key in _all_keys():
        for set_id in threshold_set_ids():
            th = threshold_set(set_id).get(key)
            num = re.escape(f"{th.value:g}")
            if th.unit in ("1", "index", "x ULN"):
                words = r"(?i)\b(below|above|under|over|than|least)\s+"
                out.append((key, re.compile(rf"{words}{num}(?![\d.])(?!\s*[%a-zA-Z])")))
            else:
                unit = re.escape(th.unit).replace("\\ ", "\\s*")
                out.append((key, re.compile(rf"(?<![\d.]){num}\s*{unit}(?![\w])")))
    return out


def scan(text: str) -> list[str]:
    return sorted({key for key, pattern in _cut_off_patterns() if pattern.search(text)})


def test_the_scan_finds_a_cut_off_written_into_a_sentence():
    assert "bilirubin_indirect_hemolysis_above" in scan("Indirect bilirubin above 2 mg/dL counts as haemolysis")
    assert "rpi_inadequate_below" in scan("Below 2: the marrow is not responding")
    assert scan("at least 1 mg a day") == []
    assert "ileal_resection_lifelong_above_cm" in scan("More than 20 cm means lifelong B12.")
    assert scan("Below {t[rpi_inadequate_below]:g}: the marrow is not responding") == []


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_python_sentence_writes_a_threshold_number(path):
    found = [(line, text[:80], scan(text)) for line, text in _non_docstring_strings(path) if scan(text)]
    assert found == []


def test_no_statement_writes_a_threshold_number_instead_of_its_placeholder():
    found = []
    for path in sorted((DATA_DIR / "statements").glob("*.json")):
        for name, entry in json.loads(path.read_text())["statements"].items():
            keys = scan(re.sub(r"\{[^}]*\}", "", entry["text"]))
            if keys:
                found.append((path.name, name, keys))
    assert found == []


# -- a laboratory's own set changes every sentence that quotes a cut-off ---------------------------

LAB = {
    "id": "test_lab",
    "name": "Test laboratory",
    "about": "A made-up laboratory set for tests.",
    "values": {
        "rpi_inadequate_below": {"value": 1.7, "unit": "index", "label": "RPI", "refs": ["hillman_finch_rpi"]},
        "bilirubin_indirect_hemolysis_above": {"value": 1.9, "unit": "mg/dL", "label": "b", "refs": ["bendapudi_2017"]},
        "ileal_resection_lifelong_above_cm": {"value": 35, "unit": "cm", "label": "ileal", "refs": ["battat_ibd_2014"]},
        "platelets_lln": {"value": 140, "unit": "10^9/L", "label": "plt", "refs": ["ref_ranges_lab"]},
        "mcv_macrocytic_above": {"value": 98, "unit": "fL", "label": "mcv", "refs": ["kaferle_afp_2009"]},
        "b12_deficient_below": {"value": 145, "unit": "ng/L", "label": "b12", "refs": ["ruh_bath_lab"]},
    },
}


@pytest.fixture
def lab_set(monkeypatch):
    raw = dict(reference._raw_threshold_sets())
    raw["test_lab"] = LAB
    monkeypatch.setattr(reference, "_raw_threshold_sets", lambda: raw)
    reference.threshold_set.cache_clear()
    yield "test_lab"
    reference.threshold_set.cache_clear()


def _texts(d) -> str:
    notes = [n.text for n in (*d.b12.reasons, *d.lifelong_reasons, *d.route)]
    notes += [f.detail for f in d.findings] + [c.text for c in d.causes] + [n.reason for n in d.next_tests]
    notes += [a.message for a in d.alerts]
    return "\n".join(notes)


def test_a_laboratory_set_changes_every_sentence_that_quotes_its_cut_offs(lab_set):
    doc = {
        "history": {"ileal_resection_cm": 40, "crohns_ileal": True},
        "observations": [
            {"date": "2026-11-01", "analyte": "b12", "value": 140, "unit": "ng/L"},
            {"date": "2026-11-01", "analyte": "platelets", "value": 145, "unit": "10^9/L"},
            {"date": "2026-11-01", "analyte": "mcv", "value": 99, "unit": "fL"},
            {"date": "2026-11-01", "analyte": "reticulocytes_pct", "value": 1.0, "unit": "%"},
            {"date": "2026-11-01", "analyte": "hemoglobin", "value": 7.0, "unit": "g/dL"},
        ],
    }
    text = _texts(diagnose(parse_case(doc), lab_set))
    for new in ("below 145 ng/L", "below 1.7", "more than 35 cm", "above 98 fL", "Indirect bilirubin above 1.9"):
        assert new in text, new
    for old in ("below 180 ng/L", "Below 2:", "more than 20 cm", "above 100 fL", "above 2 mg/dL"):
        assert old not in text, old
    plt = diagnose(parse_case(doc), lab_set).finding("thrombocytopenia")
    assert "not below 140" in plt.detail
