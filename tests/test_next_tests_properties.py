"""Less noise (issue 20): no "What to test next" item, on Diagnosis or on TTP or B12?, asks for a test
already entered or one whose purpose is already met, over generated cases (hypothesis).

Met means: haptoglobin and indirect bilirubin once haemolysis is shown (and indirect bilirubin once a
total at or below PLASMIC's cut-off decides its criterion); intrinsic-factor antibodies once they or
pernicious anaemia are recorded; ADAMTS13 once a sample is sent (Diagnosis) or a result is in; the
history item once active cancer and transplant are both recorded. At least 2,000 cases under
``make fuzz`` (profile ``clinical``), 300 in ``make test``.
"""
from __future__ import annotations

import os
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logic.case import bands, parse_case
from logic.diagnosis import diagnose
from logic.reference import threshold_set
from logic.tma import tma
from logic.tma.plasmic import plasmic
from tests.conftest import CLINICAL_PROFILE
from tests.test_tma_properties import DAY, num, o

pytestmark = pytest.mark.fuzz
SETTINGS = settings(settings.get_profile(CLINICAL_PROFILE))
COUNTS: Counter[str] = Counter()
TRI = st.sampled_from([True, False, None])


@pytest.fixture(scope="module", autouse=True)
def _print_counts():
    yield
    if os.environ.get("COBALT_FUZZ"):
        print(f"\nWhat to test next: cases checked (profile {CLINICAL_PROFILE}):")
        for name, n in sorted(COUNTS.items()):
            print(f"  {name:<60} {n:>7,}")

VALUES = {
    "platelets": num(2, 400).map(lambda v: o("platelets", v, "10^9/L")),
    "hemoglobin": num(3, 16).map(lambda v: o("hemoglobin", v, "g/dL")),
    "mcv": num(70, 130).map(lambda v: o("mcv", v, "fL")),
    "wbc": num(0.5, 15).map(lambda v: o("wbc", v, "10^9/L")),
    "neutrophils": num(0.3, 12).map(lambda v: o("neutrophils", v, "10^9/L")),
    "reticulocytes_pct": num(0.2, 15).map(lambda v: o("reticulocytes_pct", v, "%")),
    "reticulocytes_abs": num(2, 400).map(lambda v: o("reticulocytes_abs", v, "10^9/L")),
    "ldh": num(150, 9000).map(lambda v: o("ldh", v, "U/L")),
    "haptoglobin": num(5, 200).map(lambda v: o("haptoglobin", v, "mg/dL")),
    "bilirubin_total": num(0.2, 8).map(lambda v: o("bilirubin_total", v, "mg/dL")),
    "bilirubin_indirect": num(0.1, 6).map(lambda v: o("bilirubin_indirect", v, "mg/dL")),
    "schistocytes_seen": st.booleans().map(lambda v: o("schistocytes_seen", v)),
    "schistocytes_pct": num(0, 10).map(lambda v: o("schistocytes_pct", v, "%")),
    "b12": num(30, 1200).map(lambda v: o("b12", v, "pg/mL")),
    "holotc": num(5, 150).map(lambda v: o("holotc", v, "pmol/L")),
    "mma": num(0.1, 5).map(lambda v: o("mma", v, "umol/L")),
    "homocysteine": num(5, 60).map(lambda v: o("homocysteine", v, "umol/L")),
    "folate": num(1, 20).map(lambda v: o("folate", v, "ng/mL")),
    "ferritin": num(3, 400).map(lambda v: o("ferritin", v, "ng/mL")),
    "potassium": num(2.5, 5.5).map(lambda v: o("potassium", v, "mmol/L")),
    "creatinine": num(0.4, 6).map(lambda v: o("creatinine", v, "mg/dL")),
    "inr": num(0.9, 3).map(lambda v: o("inr", v)),
    "fibrinogen": num(50, 500).map(lambda v: o("fibrinogen", v, "mg/dL")),
    "dat_positive": st.booleans().map(lambda v: o("dat_positive", v)),
    "adamts13_activity": num(1, 120).map(lambda v: o("adamts13_activity", v, "%")),
}
FLAGS = ("pernicious_anemia", "intrinsic_factor_antibodies", "parietal_cell_antibodies", "active_cancer",
         "transplant", "neurological_symptoms", "nitrous_oxide")  # fmt: skip


@st.composite
def cases(draw) -> dict:
    chosen = draw(st.sets(st.sampled_from(sorted(VALUES)), min_size=1))
    history = {f: draw(TRI) for f in FLAGS}
    if draw(st.booleans()):
        history["adamts13_sent"] = DAY
    return {"history": history, "observations": [draw(VALUES[a]) for a in sorted(chosen)]}


#: Diagnosis: test id -> analytes any one of which, entered, means the test is done.
DX_ENTERED = {
    "b12": {"b12", "holotc"}, "mma": {"mma"}, "homocysteine": {"homocysteine"}, "folate": {"folate"},
    "differential": {"wbc", "neutrophils"}, "reticulocytes": {"reticulocytes_pct", "reticulocytes_abs"},
    "blood_film": {"schistocytes_seen", "schistocytes_pct"}, "ldh": {"ldh"}, "haptoglobin": {"haptoglobin"},
    "bilirubin": {"bilirubin_indirect"}, "ferritin": {"ferritin"}, "potassium": {"potassium"},
    "adamts13": {"adamts13_activity"}, "creatinine": {"creatinine"}, "inr": {"inr"},
}  # fmt: skip
TMA_ENTERED = {
    "ldh": {"ldh"}, "haptoglobin": {"haptoglobin"}, "bilirubin": {"bilirubin_indirect"},
    "blood_film": {"schistocytes_seen", "schistocytes_pct"}, "adamts13": {"adamts13_activity"},
    "b12": {"b12", "holotc"}, "mma": {"mma"}, "reticulocytes": {"reticulocytes_pct", "reticulocytes_abs"},
    "cbc": {"neutrophils"}, "creatinine": {"creatinine"}, "dat": {"dat_positive"},
}  # fmt: skip


@SETTINGS
@given(cases())
def test_no_test_to_do_next_is_already_entered_or_met(doc):
    case = parse_case(doc)
    d = diagnose(case)
    t = threshold_set()
    entered = {x["analyte"] for x in doc["observations"]}
    h = case.history
    COUNTS["what to test next: never entered, never met"] += 1
    for n in d.next_tests:
        assert not (DX_ENTERED.get(n.id, set()) & entered), (n.id, entered)
        if n.id == "cbc":
            assert not {"hemoglobin", "platelets", "mcv"} <= entered
        if n.id in ("haptoglobin", "bilirubin"):
            assert d.hemolysis is not True, n.id
        if n.id == "bilirubin":
            total = case.baseline().get("bilirubin_total")
            assert not bands.at_or_below(total, t["bilirubin_indirect_hemolysis_above"])
        if n.id == "intrinsic_factor_antibodies":
            assert h.intrinsic_factor_antibodies is None and h.pernicious_anemia is None
        if n.id == "adamts13":
            assert h.adamts13_sent is None
    r = tma(case, d, plasmic(case))
    for n in r.deciding_tests:
        assert not (TMA_ENTERED.get(n.id, set()) & entered), (n.id, entered)
        if n.id == "coagulation":
            assert not {"inr", "fibrinogen"} <= entered
            assert ("INR" in n.label) == ("inr" not in entered) and ("fibrinogen" in n.label) == (
                "fibrinogen" not in entered
            )
            assert ("PLASMIC needs the INR" in n.reason) == ("inr" not in entered)
        if n.id == "history":
            assert h.active_cancer is None or h.transplant is None
