"""Issue 10's acceptance through the command line: the textbook TTP leans TTP with a critical alert,
whatever reticulocytes, B12 or neutrophils add; Evans syndrome leans neither TTP nor B12."""
from __future__ import annotations

import io
import json

import pytest

from logic.__main__ import main

DAY = "2026-11-20"


def o(analyte, value, unit=None, comparator=None):
    out = {"date": DAY, "analyte": analyte, "value": value}
    if unit:
        out["unit"] = unit
    if comparator:
        out["comparator"] = comparator
    return out


TEXTBOOK_TTP = [
    o("platelets", 9, "10^9/L"), o("hemoglobin", 8.1, "g/dL"), o("mcv", 84, "fL"), o("ldh", 1240, "U/L"),
    o("haptoglobin", 10, "mg/dL", "<"), o("bilirubin_indirect", 3.1, "mg/dL"), o("creatinine", 0.9, "mg/dL"),
    o("inr", 1.1), o("schistocytes_pct", 4, "%"),
]  # fmt: skip
VARIANTS = {
    "as_presented": [],
    "with_reticulocytes_6_8": [o("reticulocytes_pct", 6.8, "%")],
    "with_b12_150": [o("b12", 150, "pg/mL")],
    "with_neutrophils_6_2": [o("neutrophils", 6.2, "10^9/L")],
    "with_all_three": [o("reticulocytes_pct", 6.8, "%"), o("b12", 150, "pg/mL"), o("neutrophils", 6.2, "10^9/L")],
}


def run(doc: dict, tmp_path) -> dict:
    path = tmp_path / "case.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    out = io.StringIO()
    assert main(["assess", str(path), "--today", DAY], out=out) == 0
    return json.loads(out.getvalue())


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_textbook_ttp_scores_plasmic_7_leans_ttp_and_raises_a_critical_alert(variant, tmp_path):
    doc = {
        "patient": {"age_years": 25, "sex": "female"},
        "history": {"active_cancer": False, "transplant": False, "adamts13_sent": DAY},
        "observations": TEXTBOOK_TTP + VARIANTS[variant],
    }
    out = run(doc, tmp_path)
    assert out["plasmic"]["score"] == 7
    assert out["tma"]["leaning"] == "ttp"
    assert any(a["severity"] == "critical" for a in out["alerts"])
    assert out["tma"]["adamts13"]["status"] == "pending"
    assert out["tma"]["guidance"]  # the ISTH statements while ADAMTS13 is awaited


def test_evans_syndrome_leans_neither_ttp_nor_b12(tmp_path):
    doc = {"observations": [
        o("platelets", 4, "10^9/L"), o("hemoglobin", 6.9, "g/dL"), o("reticulocytes_pct", 11.5, "%"),
        o("haptoglobin", 10, "mg/dL", "<"), o("schistocytes_seen", False), o("dat_positive", True),
        o("b12", 420, "pg/mL"),
    ]}  # fmt: skip
    out = run(doc, tmp_path)
    assert out["tma"]["leaning"] not in ("ttp", "b12_pseudo_tma")
