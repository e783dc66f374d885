"""Property tests of the TTP-or-B12 leaning (hypothesis): safety is asymmetric and monotone.

Over generated microangiopathic pictures (thrombocytopenia with schistocytes, any mix of the
other features, ADAMTS13 often missing):

- adding a value that fits TTP never moves the leaning away from TTP;
- adding a value that fits B12 pseudo-TMA never moves it towards TTP;
- a lower platelet count never moves it away from TTP.

Leanings are ranked on the TTP axis: b12_pseudo_tma 0, indeterminate / other_tma 1, ttp 2. A value
that fits TTP may only raise the rank, one that fits B12 may only lower it. Each property runs over
at least 2,000 generated cases under ``make fuzz`` (the ``clinical`` profile of tests/conftest.py:
2,500 valid examples each; ``make test`` runs 300); a case an example cannot use is rejected
with ``assume`` and does not count. ``COUNTS`` tallies the cases each property really checked.
"""
from __future__ import annotations

import os
from collections import Counter

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from logic.case import parse_case
from logic.diagnosis import diagnose
from logic.tma import tma
from logic.tma.plasmic import plasmic
from tests.conftest import CLINICAL_PROFILE

pytestmark = pytest.mark.fuzz
DAY = "2026-03-01"
RANK = {"b12_pseudo_tma": 0, "indeterminate": 1, "other_tma": 1, "not_tma": 1, "ttp": 2}
SETTINGS = settings(settings.get_profile(CLINICAL_PROFILE))
EXAMPLES = SETTINGS.max_examples
COUNTS: Counter[str] = Counter()


@pytest.fixture(scope="module", autouse=True)
def _print_counts():
    yield
    if os.environ.get("COBALT_FUZZ"):
        print(f"\nTTP-or-B12 properties: cases checked (profile {CLINICAL_PROFILE}):")
        for name, n in sorted(COUNTS.items()):
            print(f"  {name:<60} {n:>7,}")


def o(analyte: str, value, unit: str | None = None) -> dict:
    out = {"date": DAY, "analyte": analyte, "value": value}
    if unit:
        out["unit"] = unit
    return out


def num(lo: float, hi: float) -> st.SearchStrategy[float]:
    return st.floats(min_value=lo, max_value=hi, allow_nan=False, allow_infinity=False).map(lambda x: round(x, 1))


OPTIONAL = {
    "ldh": num(300, 12000).map(lambda v: o("ldh", v, "U/L")),
    "reticulocytes_abs": num(2, 500).map(lambda v: o("reticulocytes_abs", v, "10^9/L")),
    "reticulocytes_pct": num(0.2, 20).map(lambda v: o("reticulocytes_pct", v, "%")),
    "hemoglobin": num(3, 14).map(lambda v: o("hemoglobin", v, "g/dL")),
    "hematocrit": num(10, 45).map(lambda v: o("hematocrit", v, "%")),
    "mcv": num(70, 130).map(lambda v: o("mcv", v, "fL")),
    "neutrophils": num(0.3, 15).map(lambda v: o("neutrophils", v, "10^9/L")),
    "b12": num(30, 1500).map(lambda v: o("b12", v, "pg/mL")),
    "mma": num(0.1, 10).map(lambda v: o("mma", v, "umol/L")),
    "hypersegmented_neutrophils": st.booleans().map(lambda v: o("hypersegmented_neutrophils", v)),
    "adamts13_activity": num(1, 120).map(lambda v: o("adamts13_activity", v, "%")),
    "creatinine": num(0.5, 6).map(lambda v: o("creatinine", v, "mg/dL")),
    "inr": num(0.9, 2.5).map(lambda v: o("inr", v)),
    "haptoglobin": num(5, 200).map(lambda v: o("haptoglobin", v, "mg/dL")),
    "dat_positive": st.just(o("dat_positive", False)),
}


@st.composite
def pictures(draw, platelets: st.SearchStrategy[float] | None = None) -> dict:
    """A case document: thrombocytopenia with schistocytes, plus any subset of the other features."""
    plt = draw(platelets if platelets is not None else num(2, 149))
    chosen = draw(st.sets(st.sampled_from(sorted(OPTIONAL))))
    obs = [o("platelets", plt, "10^9/L"), o("schistocytes_seen", True)]
    obs += [draw(OPTIONAL[name]) for name in sorted(chosen)]
    history = {
        "active_cancer": draw(st.sampled_from([False, None])),
        "transplant": draw(st.sampled_from([False, None])),
    }
    return {"history": history, "observations": obs}


def present(doc: dict) -> set[str]:
    return {x["analyte"] for x in doc["observations"]}


# value additions that fit TTP, and that fit B12 pseudo-TMA, each with the analytes that must be absent
TTP_FITS = [
    ("reticulocytes_abs", {"reticulocytes_abs"}, num(150, 600).map(lambda v: o("reticulocytes_abs", v, "10^9/L"))),
    ("reticulocytes_pct", {"reticulocytes_pct", "reticulocytes_abs"},
     num(5, 25).map(lambda v: o("reticulocytes_pct", v, "%"))),
    ("mcv", {"mcv"}, num(65, 89.9).map(lambda v: o("mcv", v, "fL"))),
    ("ldh", {"ldh"}, num(1000, 2003).map(lambda v: o("ldh", v, "U/L"))),
    ("neutrophils", {"neutrophils"}, num(5.1, 20).map(lambda v: o("neutrophils", v, "10^9/L"))),
    ("adamts13_activity", {"adamts13_activity"}, num(0.5, 9.9).map(lambda v: o("adamts13_activity", v, "%"))),
    ("b12", {"b12", "mma"}, num(400, 1500).map(lambda v: o("b12", v, "pg/mL"))),
    ("dat_positive", {"dat_positive"}, st.just(o("dat_positive", False))),
    ("hypersegmented_neutrophils", {"hypersegmented_neutrophils"}, st.just(o("hypersegmented_neutrophils", False))),
]  # fmt: skip
B12_FITS = [
    ("reticulocytes_abs", {"reticulocytes_abs"}, num(2, 49.9).map(lambda v: o("reticulocytes_abs", v, "10^9/L"))),
    ("reticulocytes_pct", {"reticulocytes_pct", "reticulocytes_abs"},
     num(0.1, 2.5).map(lambda v: o("reticulocytes_pct", v, "%"))),
    ("mcv", {"mcv"}, num(100.1, 135).map(lambda v: o("mcv", v, "fL"))),
    ("ldh", {"ldh"}, num(3910, 15000).map(lambda v: o("ldh", v, "U/L"))),
    ("neutrophils", {"neutrophils"}, num(0.2, 1.4).map(lambda v: o("neutrophils", v, "10^9/L"))),
    ("adamts13_activity", {"adamts13_activity"}, num(20.1, 120).map(lambda v: o("adamts13_activity", v, "%"))),
    ("b12", {"b12"}, num(20, 179).map(lambda v: o("b12", v, "pg/mL"))),
    ("mma", {"mma"}, num(0.8, 20).map(lambda v: o("mma", v, "umol/L"))),
    ("hypersegmented_neutrophils", {"hypersegmented_neutrophils"}, st.just(o("hypersegmented_neutrophils", True))),
]  # fmt: skip


def leaning(doc: dict) -> str:
    case = parse_case(doc)
    return str(tma(case, diagnose(case), plasmic(case)).leaning)


def _with(doc: dict, extra: dict) -> dict:
    return {**doc, "observations": [*doc["observations"], extra]}


@st.composite
def additions(draw, fits) -> tuple[dict, dict]:
    doc = draw(pictures())
    options = [(name, strategy) for name, absent, strategy in fits if not (absent & present(doc))]
    if not options:
        return doc, None
    name, strategy = draw(st.sampled_from(options))
    return doc, draw(strategy)


@SETTINGS
@given(additions(TTP_FITS))
def test_adding_a_value_that_fits_ttp_never_moves_the_leaning_away_from_ttp(pair):
    doc, extra = pair
    assume(extra is not None)
    COUNTS["adding a value that fits TTP"] += 1
    before, after = leaning(doc), leaning(_with(doc, extra))
    assert RANK[after] >= RANK[before], (before, after, extra)
    if before == "ttp":
        assert after == "ttp"


@SETTINGS
@given(additions(B12_FITS))
def test_adding_a_value_that_fits_b12_never_moves_the_leaning_towards_ttp(pair):
    doc, extra = pair
    assume(extra is not None)
    COUNTS["adding a value that fits B12"] += 1
    before, after = leaning(doc), leaning(_with(doc, extra))
    assert RANK[after] <= RANK[before], (before, after, extra)
    if before != "ttp":
        assert after != "ttp"


@SETTINGS
@given(pictures(platelets=num(2, 149)), num(0.5, 147))
def test_a_lower_platelet_count_never_moves_the_leaning_away_from_ttp(doc, drop):
    COUNTS["a lower platelet count"] += 1
    higher = doc["observations"][0]["value"]
    lower = round(max(1.0, higher - drop), 1)
    doc_low = {**doc, "observations": [o("platelets", lower, "10^9/L"), *doc["observations"][1:]]}
    assert RANK[leaning(doc_low)] >= RANK[leaning(doc)]
