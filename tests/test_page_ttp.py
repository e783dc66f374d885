"""AppTest for the "TTP or B12?" page."""
import json
from pathlib import Path

from streamlit.testing.v1 import AppTest

from tests.md_tables import md_tables
from tests.page_session import open_doc, opened

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")


def open_ttp(example: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    if example:
        open_doc(at, json.loads((ROOT / f"data/cases/{example}.json").read_text()))
    at.run()
    at.switch_page("app_pages/ttp.py").run()
    assert [e.message for e in at.exception] == []
    return at


def heading(at: AppTest) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("### "))


def chart(at: AppTest) -> dict:
    return json.loads(at.get("plotly_chart")[0].proto.spec)


def test_composite_pseudo_tma_leans_b12_with_plasmic_5():
    at = open_ttp("pseudo_tma_composite")
    assert "Leans B12 pseudo-TMA" in heading(at)
    assert any("PLASMIC 5" in m.value and "intermediate" in m.value for m in at.markdown)


def test_ttp_example_leans_ttp_and_shows_the_plasmic_range():
    at = open_ttp("ttp_after_sleeve")
    assert "Leans TTP" in heading(at)
    assert any("PLASMIC 3 to 6" in m.value for m in at.markdown)


def test_plasmic_table_has_seven_rows_with_unknowns_marked():
    at = open_ttp("ttp_after_sleeve")
    table = md_tables(at)[0]
    assert len(table) == 7
    assert list(table["Point"]) == ["1", "?", "1", "1", "?", "?", "0"]


def test_balance_chart_shows_each_feature_pull_and_the_sum():
    spec = chart(open_ttp("pseudo_tma_composite"))
    bars = spec["data"][0]
    pulls = dict(zip(bars["y"], bars["x"], strict=True))
    assert pulls["LDH 7310 U/L"] == 2
    assert pulls["Platelets 73 10^9/L"] == 1
    title = spec["layout"]["title"]["text"]
    assert "towards TTP" in title and f"Sum {sum(pulls.values()):+g}" in title


def test_balance_chart_hatches_an_estimated_index_and_names_it():
    doc = {"history": {"active_cancer": False, "transplant": False}, "observations": [
        {"date": "2026-11-01", "analyte": a, "value": v, **({"unit": u} if u else {})}
        for a, v, u in (("platelets", 60, "10^9/L"), ("schistocytes_seen", True, None), ("b12", 90, "pg/mL"),
                        ("reticulocytes_pct", 1.0, "%"), ("hemoglobin", 6.0, "g/dL"))]}  # fmt: skip
    at = AppTest.from_file(APP, default_timeout=60)
    open_doc(at, doc)
    at.run()
    at.switch_page("app_pages/ttp.py").run()
    bars = chart(at)["data"][0]
    estimated = [y for y in bars["y"] if y.endswith("(estimated)")]
    assert estimated == ["Reticulocytes 1 % (estimated)"]
    shape = bars["marker"]["pattern"]["shape"]
    assert shape[bars["y"].index(estimated[0])] == "/"


def test_a_ttp_leaning_shows_its_critical_alert_and_the_isth_statements():
    doc = {"history": {"active_cancer": False, "transplant": False}, "observations": [
        {"date": "2026-11-01", "analyte": a, "value": v, **({"unit": u} if u else {})}
        for a, v, u in (("platelets", 9, "10^9/L"), ("schistocytes_seen", True, None), ("ldh", 1240, "U/L"),
                        ("haptoglobin", 8, "mg/dL"))]}  # fmt: skip
    at = AppTest.from_file(APP, default_timeout=60)
    open_doc(at, doc)
    at.run()
    at.switch_page("app_pages/ttp.py").run()
    assert "Leans TTP" in heading(at)
    assert any("haematological emergency" in e.value for e in at.error)
    assert any("ISTH 2020 guideline says" in m.value for m in at.markdown)


def test_ttp_mimic_alert_is_shown_for_the_pseudo_tma_picture():
    at = open_ttp("pseudo_tma_composite")
    assert any("easily mistaken" in e.value for e in at.error)
    texts = [e.value.lower() for e in at.error] + [w.value.lower() for w in at.warning]
    assert texts and not any("withhold" in t or "do not start plasma" in t for t in texts)


def test_quick_plasmic_scores_seven_typed_inputs_without_touching_the_case():
    at = open_ttp()
    at.segmented_control(key="ttp_mode").set_value("Quick PLASMIC").run()
    for key, value in {"platelets": "12", "reticulocytes_pct": "4", "mcv": "88", "inr": "1.1",
                       "creatinine": "1.0", "haptoglobin": "<8", "bilirubin_indirect": "3"}.items():
        at.text_input(key=f"ttp_q_{key}").set_value(value)
    at.radio(key="ttp_q_cancer").set_value("No")
    at.radio(key="ttp_q_transplant").set_value("No").run()
    assert [e.message for e in at.exception] == []
    assert any("PLASMIC 7" in m.value and "high" in m.value for m in at.markdown)
    assert opened(at).doc["observations"] == []


def test_quick_plasmic_with_unknowns_gives_a_range():
    at = open_ttp()
    at.segmented_control(key="ttp_mode").set_value("Quick PLASMIC").run()
    at.text_input(key="ttp_q_platelets").set_value("20").run()
    assert any("PLASMIC 1 to 7" in m.value for m in at.markdown)


def test_quick_plasmic_bad_entry_names_the_field():
    at = open_ttp()
    at.segmented_control(key="ttp_mode").set_value("Quick PLASMIC").run()
    at.text_input(key="ttp_q_mcv").set_value("ninety").run()
    assert any("mcv" in e.value and "not a number" in e.value for e in at.error)


def test_quick_plasmic_values_survive_switching_modes():
    at = open_ttp()
    at.segmented_control(key="ttp_mode").set_value("Quick PLASMIC").run()
    at.text_input(key="ttp_q_platelets").set_value("20").run()
    at.segmented_control(key="ttp_mode").set_value("Current case").run()
    at.segmented_control(key="ttp_mode").set_value("Quick PLASMIC").run()
    assert at.text_input(key="ttp_q_platelets").value == "20"
