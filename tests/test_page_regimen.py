"""AppTest for the Regimen page."""
import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.md_tables import md_tables
from tests.page_session import open_doc, opened

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")


def open_regimen(example: str | None = None, query: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    if example:
        open_doc(at, json.loads((ROOT / f"data/cases/{example}.json").read_text()))
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    at.switch_page("app_pages/regimen.py").run()
    assert [e.message for e in at.exception] == []
    return at


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def dates_table(at: AppTest):
    return md_tables(at)[-1]


def test_a_uk_reference_set_suggests_bnf_hydroxocobalamin():
    at = open_regimen()  # the default reference set (NICE NG239) is a UK set: the BNF schedule (issue 20)
    assert at.selectbox(key="reg_preset").value == "bnf_hydroxo"
    assert any("UK reference set" in m.value for m in at.markdown)


LABEL = {"preset": "fda_label_1000"}


def test_the_1000_mcg_label_schedule_has_31_injections():
    at = open_regimen(query=LABEL)
    assert at.selectbox(key="reg_preset").value == "fda_label_1000"
    assert metric(at, "Injections") == "31"
    assert metric(at, "Total dose") == "31 mg"


def test_changing_a_knob_changes_the_schedule():
    at = open_regimen(query=LABEL)
    before = list(dates_table(at)["date"])
    at.segmented_control(key="reg_fda_label_1000_daily_doses").set_value(6).run()
    after = list(dates_table(at)["date"])
    assert metric(at, "Injections") == "30"
    assert len(after) == len(before) - 1
    assert list(dates_table(at)["phase"]).count("daily") == 6


def test_dose_knob_changes_the_total():
    at = open_regimen(query=LABEL)
    at.slider(key="reg_fda_label_1000_dose_mcg").set_value(100).run()
    assert metric(at, "Total dose") == "3.1 mg"


def test_oral_maintenance_is_refused_for_pernicious_anaemia_with_the_reason():
    at = open_regimen("classic_pa_pancytopenia")
    at.selectbox(key="reg_preset").set_value("oral_maintenance").run()
    assert any("not offered" in e.value and "pernicious anaemia" in e.value for e in at.error)
    assert not at.metric  # no plan drawn for a refused preset


def test_neurological_symptoms_suggest_the_bnf_neurological_schedule():
    at = open_regimen("pseudo_tma_composite")
    assert at.selectbox(key="reg_preset").value == "bnf_hydroxo_neuro"


def test_pinning_a_plan_shows_a_comparison_table():
    at = open_regimen(query=LABEL)
    at.button(key="reg_pin").click().run()
    at.segmented_control(key="reg_fda_label_1000_interval_weeks").set_value(3).run()
    table = md_tables(at, numeric=("injections",))[0].set_index("plan")
    assert list(table.index) == ["this plan", "pinned"]
    assert table.loc["this plan", "injections"] > table.loc["pinned", "injections"]
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert any("(pinned)" in t["name"] for t in spec["data"])


def test_shared_link_sets_the_knobs_and_the_page_mirrors_them():
    at = open_regimen(query={"preset": "fda_label_1000", "daily_doses": "6", "interval_days": "4"})
    assert at.segmented_control(key="reg_fda_label_1000_daily_doses").value == 6
    assert at.query_params["interval_days"] == ["4"] or at.query_params["interval_days"] == "4"
    assert "label" not in at.query_params and "b12" not in at.query_params  # no patient data


def test_bad_shared_link_values_are_ignored():
    at = open_regimen(query={"preset": "fda_label_1000", "daily_doses": "99"})
    assert at.segmented_control(key="reg_fda_label_1000_daily_doses").value == 7


def test_chart_has_injections_by_phase_and_the_store_estimate():
    at = open_regimen(query=LABEL)
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    names = {t["name"] for t in spec["data"]}
    assert {"daily", "alternate", "interval", "maintenance"} <= names
    assert any(n.startswith("estimated stores") for n in names)


def test_exports_are_offered():
    at = open_regimen()
    labels = {b.label for b in at.get("download_button")} if at.get("download_button") else set()
    keys = {b.proto.id for b in at.get("download_button")}
    assert keys and len(keys) == 4, labels  # calendar, CSV, printable sheet, patient PDF (issue 15)
    assert "Patient schedule (PDF)" in labels


def test_keeping_injections_off_weekends_moves_doses_by_at_most_two_days():
    import pandas as pd

    at = open_regimen("manabe_course", query=LABEL)
    before = pd.to_datetime(dates_table(at)["date"]).dt.date.tolist()
    at.toggle(key="reg_no_weekends").set_value(True).run()
    after = pd.to_datetime(dates_table(at)["date"]).dt.date.tolist()
    assert len(after) == len(before) and after != before
    assert all(abs((a - b).days) <= 2 for a, b in zip(after, before, strict=True))
    assert sum(d.weekday() >= 5 for d in after) < sum(d.weekday() >= 5 for d in before)
    assert any("stay on a weekend" in w.value for w in at.warning)  # the daily doses cannot move


def test_a_plan_without_established_b12_deficiency_says_so_first():
    at = AppTest.from_file(APP, default_timeout=60)
    open_doc(at, {"observations": [{"date": "2026-11-01", "analyte": "platelets", "value": 90, "unit": "10^9/L"}]})
    at.run()
    at.switch_page("app_pages/regimen.py").run()
    assert [e.message for e in at.exception] == []
    assert any("not established" in w.value for w in at.warning)


def test_a_ttp_leaning_says_a_b12_regimen_does_not_treat_it():
    at = AppTest.from_file(APP, default_timeout=60)
    open_doc(at, json.loads((ROOT / "data/cases/ttp_after_sleeve.json").read_text()))
    at.run()
    at.switch_page("app_pages/regimen.py").run()
    assert any("leans TTP" in w.value for w in at.warning)


# -- issue 11: the chosen plan is part of the case; issue 12: an address that does not parse -----

@pytest.mark.parametrize("raw", ["²", "9" * 5000, "１０００", "-", "1e3"])
def test_a_shared_link_with_a_number_that_does_not_parse_shows_a_message_not_a_traceback(raw):
    at = open_regimen(query={"preset": "fda_label_1000", "dose_mcg": raw})  # asserts no exception
    assert any("not understood" in w.value and "mcg" in w.value for w in at.warning)
    assert metric(at, "Total dose") == "31 mg"  # the knob kept its default


def test_an_unknown_preset_in_the_address_is_named_in_a_message():
    at = open_regimen(query={"preset": "x" * 300})
    assert any("is not a schedule this app knows" in w.value for w in at.warning)


def test_a_changed_knob_saves_the_plan_in_the_case_document():
    at = open_regimen(query=LABEL)
    assert "regimen" not in opened(at).doc  # looking at the suggestion chooses nothing
    at.slider(key="reg_fda_label_1000_dose_mcg").set_value(100).run()
    assert opened(at).doc["regimen"]["preset"] == "fda_label_1000"
    assert opened(at).doc["regimen"]["knobs"]["dose_mcg"] == 100


def test_use_this_plan_saves_the_suggestion_and_a_reopened_case_shows_it():
    at = open_regimen("pseudo_tma_composite")
    at.selectbox(key="reg_preset").set_value("fda_label_1000").run()
    at.segmented_control(key="reg_fda_label_1000_daily_doses").set_value(6).run()
    doc = opened(at).doc
    assert doc["regimen"] == {"preset": "fda_label_1000", "knobs": {**doc["regimen"]["knobs"], "daily_doses": 6},
                              "start": doc["regimen"]["start"]}
    again = AppTest.from_file(APP, default_timeout=60)  # a new session with the saved document
    open_doc(again, doc)
    again.run()
    again.switch_page("app_pages/regimen.py").run()
    assert again.selectbox(key="reg_preset").value == "fda_label_1000"
    assert again.segmented_control(key="reg_fda_label_1000_daily_doses").value == 6
    assert metric(again, "Injections") == "30"
