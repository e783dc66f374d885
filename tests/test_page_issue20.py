"""AppTest of the pages for issue 20's cases (tests/cases/issue20): TTP or B12?, Diagnosis, Regimen.

The pages read the case as of its latest result (S9: day 10), as the command line does with
``--today``; what they show must agree with ``assess`` (tests/test_issue20_cases.py).
"""
import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.md_tables import md_tables
from tests.page_session import open_doc

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
CASES = ROOT / "tests" / "cases" / "issue20"


def open_page(name: str, page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    open_doc(at, json.loads((CASES / f"{name}.json").read_text()))
    at.run()
    at.switch_page(f"app_pages/{page}.py").run()
    assert [e.message for e in at.exception] == []
    return at


def heading(at: AppTest) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("### "))


def errors(at: AppTest) -> str:
    return "\n".join(e.value for e in at.error)


LEANS = {"S1": "Leans TTP", "S2": "Leans TTP", "S3": "Leans TTP", "S5": "Leans B12 pseudo-TMA",
         "S7": "Leans B12 pseudo-TMA", "S9": "Leans TTP", "S6": "Not enough to lean either way"}  # fmt: skip


@pytest.mark.parametrize("name", sorted(LEANS))
def test_ttp_or_b12_leans_as_assess_does(name):
    at = open_page(name, "ttp")
    assert LEANS[name] in heading(at)


@pytest.mark.parametrize("name", ["S1", "S2", "S3"])
def test_ttp_or_b12_shows_the_missing_items_alert_and_the_isth_statements(name):
    at = open_page(name, "ttp")
    text = errors(at)
    assert "High risk of TTP is not excluded" in text and "MCV" in text and "INR" in text
    assert any("ISTH 2020 guideline says" in m.value for m in at.markdown)


def test_s1_balance_holds_the_reticulocytes_back_until_b12_is_measured():
    at = open_page("S1", "ttp")
    table = next(t for t in md_tables(at) if "Pull" in t.columns)
    pull = table.set_index("Feature").loc["Reticulocytes", "Pull"]
    assert "held back until B12 deficiency is shown" in pull
    bars = json.loads(at.get("plotly_chart")[0].proto.spec)["data"][0]
    assert any(y.endswith("(held)") for y in bars["y"])


def test_s7_lists_the_checks_still_open_and_when_to_doubt():
    at = open_page("S7", "ttp")
    body = "\n".join(m.value for m in at.markdown)
    assert "**Checks still open**" in body and "Creatinine" in body and "Clotting screen" in body
    assert "**When to doubt it**" in body and "first week" in body


def test_s9_shows_the_collapse_as_a_critical_alert():
    at = open_page("S9", "ttp")
    assert "Collapsing platelets under B12" in errors(at)
    rec = open_page("S9", "recovery")
    assert "Collapsing platelets under B12" in errors(rec)
    assert any("not read as a response" in w.value for w in rec.warning)


@pytest.mark.parametrize("name", ["S1", "S2", "S3", "S9"])
def test_diagnosis_puts_the_critical_ttp_alerts_first(name):
    at = open_page(name, "diagnosis")
    assert at.error and ("not excluded" in at.error[0].value or "Collapsing" in at.error[0].value
                         or "leans TTP" in at.error[0].value)  # fmt: skip


def test_diagnosis_of_s6_reads_the_antibodies_lifelong_and_asks_nothing_about_them():
    at = open_page("S6", "diagnosis")
    body = "\n".join(m.value for m in at.markdown)
    assert "Lifelong treatment: yes" in body
    assert "**Pernicious anaemia** (present)" in body and "Intrinsic-factor antibodies are positive" in body
    assert "**Intrinsic-factor antibodies**" not in body  # not in "What to test next"
    assert any("Not recorded yet" in e.label for e in at.expander)


def test_diagnosis_and_ttp_read_the_reticulocytes_in_the_same_words():
    dx = open_page("S1", "diagnosis")
    ttp = open_page("S1", "ttp")
    finding = next(m.value for m in dx.markdown if "Low reticulocyte response" in m.value)
    reading = md_tables(ttp)[-1].set_index("Feature").loc["Reticulocytes", "Why"]
    sentence = reading.split("; held back")[0]
    assert sentence in finding


@pytest.mark.parametrize("name", sorted(LEANS))
def test_regimen_suggests_the_bnf_schedule_for_a_uk_set(name):
    at = open_page(name, "regimen")
    assert at.selectbox(key="reg_preset").value == "bnf_hydroxo"


def test_regimen_of_s6_says_for_life_as_the_exports_do():
    at = open_page("S6", "regimen")
    assert any("for life (permanent cause)" in c.value for c in at.caption)


def test_regimen_with_neurological_signs_only_suggests_the_neurological_schedule():
    doc = json.loads((CASES / "S6.json").read_text())
    doc["history"]["neurological_signs"] = True
    at = AppTest.from_file(APP, default_timeout=60)
    open_doc(at, doc)
    at.run()
    at.switch_page("app_pages/regimen.py").run()
    assert [e.message for e in at.exception] == []
    assert at.selectbox(key="reg_preset").value == "bnf_hydroxo_neuro"
