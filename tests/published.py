"""Published cases (../shared/clinical/published_cases.json) turned into case documents.

The file gives admission labs with units in the key names and censored values as strings
("<8.0"). Only numbers the authors reported are used: free-text values ("decreased (value not
given)") are left out, and values the curators flagged as derived are converted as noted.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared"
CASES_FILE = SHARED / "clinical" / "published_cases.json"
DAY0 = "2026-01-01"

# key in the file -> (analyte, unit)
LAB_KEYS = {
    "hemoglobin_g_dl": ("hemoglobin", "g/dL"),
    "mcv_fl": ("mcv", "fL"),
    "platelets_10e9_l": ("platelets", "10^9/L"),
    "wbc_10e9_l": ("wbc", "10^9/L"),
    "reticulocytes_pct": ("reticulocytes_pct", "%"),
    "ldh_u_l": ("ldh", "U/L"),
    "haptoglobin_mg_dl": ("haptoglobin", "mg/dL"),
    "total_bilirubin_mg_dl": ("bilirubin_total", "mg/dL"),
    "indirect_bilirubin_mg_dl": ("bilirubin_indirect", "mg/dL"),
    "creatinine_mg_dl": ("creatinine", "mg/dL"),
    "inr": ("inr", "1"),
    "b12_pg_ml": ("b12", "pg/mL"),
    "folate_ng_ml": ("folate", "ng/mL"),
    "homocysteine_umol_l": ("homocysteine", "umol/L"),
    "adamts13_activity_pct": ("adamts13_activity", "%"),
}
_NUM = re.compile(r"^\s*(<=|>=|<|>)?\s*([0-9]*\.?[0-9]+)\s*$")
_WITH_UNIT = re.compile(r"^\s*(<=|>=|<|>)?\s*([0-9]*\.?[0-9]+)\s*(nmol/L|umol/L)\s*$")


def _value(raw) -> tuple[float, str | None] | None:
    """(value, comparator) for a number or a censored string; None for free text."""
    if raw is None or isinstance(raw, bool):
        return None
    if isinstance(raw, (int, float)):
        return float(raw), None
    m = _NUM.match(str(raw))
    if m:
        return float(m.group(2)), m.group(1)
    return None


def shared_file(relpath: str) -> Path:
    """A file of the shared material beside the project (../shared/), or a clear error saying what is missing."""
    path = SHARED / relpath
    if not path.is_file():
        raise FileNotFoundError(
            f"The shared clinical material is missing: expected {path}. The tests read the published cases and "
            "the evidence from ../shared/ beside the project checkout (see README, 'Tests and speed')."
        )
    return path


@lru_cache(maxsize=1)
def raw_cases() -> list[dict]:
    return json.loads(shared_file("clinical/published_cases.json").read_text(encoding="utf-8"))["cases"]


def case_document(raw: dict) -> dict:
    """The case document for one published case (labs dated DAY0, no treatment start)."""
    obs = []
    for key, (analyte, unit) in LAB_KEYS.items():
        parsed = _value(raw["labs"].get(key))
        if parsed is None:
            continue
        value, comp = parsed
        o = {"date": DAY0, "analyte": analyte, "value": value, "unit": unit}
        if comp:
            o["comparator"] = comp
        obs.append(o)
    mma = raw["labs"].get("mma")
    if isinstance(mma, str) and _WITH_UNIT.match(mma):
        m = _WITH_UNIT.match(mma)
        o = {"date": DAY0, "analyte": "mma", "value": float(m.group(2)), "unit": m.group(3)}
        if m.group(1):
            o["comparator"] = m.group(1)
        obs.append(o)
    schisto = raw["labs"].get("schistocytes")
    if isinstance(schisto, str):
        pct = re.match(r"^\s*([0-9]*\.?[0-9]+)\s*%\s*$", schisto)
        if pct:
            obs.append({"date": DAY0, "analyte": "schistocytes_pct", "value": float(pct.group(1)), "unit": "%"})
        elif schisto.startswith("none"):
            obs.append({"date": DAY0, "analyte": "schistocytes_seen", "value": False})
        elif "schistocytes" in schisto.lower() or schisto.strip() == "present":
            if "not explicitly" not in schisto and "not reported" not in schisto:
                obs.append({"date": DAY0, "analyte": "schistocytes_seen", "value": True})
    hist = raw.get("history", {})
    sex = {"F": "female", "M": "male"}.get(raw.get("sex"))
    return {
        "format": "b12-case/1",
        "label": raw["id"],
        "patient": {"age_years": raw.get("age"), "sex": sex},
        "history": {k: hist.get(k) for k in ("pernicious_anemia", "active_cancer", "transplant")},
        "observations": obs,
    }


def by_id(case_id: str) -> dict:
    return next(c for c in raw_cases() if c["id"] == case_id)
