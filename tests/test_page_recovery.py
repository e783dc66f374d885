"""AppTest for the Recovery page."""
import json
from pathlib import Path

from streamlit.testing.v1 import AppTest

from tests.page_session import open_doc, opened

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")


def open_recovery(example: str | None, as_of: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    if example:
        open_doc(at, json.loads((ROOT / f"data/cases/{example}.json").read_text()))
    at.run()
    at.switch_page("app_pages/recovery.py").run()
    if as_of:
        import datetime

        at.date_input(key="rec_as_of").set_value(datetime.date.fromisoformat(as_of)).run()
    assert [e.message for e in at.exception] == []
    return at


def metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


def test_without_a_treatment_start_the_page_asks_for_one():
    at = open_recovery("pseudo_tma_composite")
    assert any("no treatment start" in i.value for i in at.info)
    at.text_input(key="rec_start").set_value("2099-01-01").run()  # a text field: applied on Enter or Tab
    assert opened(at).doc.get("treatment_start") is None
    assert any("after today" in e.value for e in at.error)
    at.text_input(key="rec_start").set_value("2/11/2026").run()  # day first, as on the Case page
    assert opened(at).doc["treatment_start"] == "2026-11-02"


def test_manabe_day_7_shows_no_failure_and_day_35_shows_recovery():
    at = open_recovery("manabe_course", "2026-03-09")
    assert metric(at, "Day of treatment") == "7"
    assert not any("not rising" in w.value or "falling" in w.value for w in at.warning)
    at.date_input(key="rec_as_of").set_value(__import__("datetime").date(2026, 4, 6)).run()
    assert any("back in the reference range" in i.value for i in at.info)


def test_lagging_case_gets_both_lag_alerts_and_iron_is_named():
    at = open_recovery("lagging_iron_deficiency", "2026-09-28")
    warnings = [w.value for w in at.warning]
    assert any("No reticulocyte response" in w and "iron" in w for w in warnings)
    assert any("platelets" in w.lower() and "after the second week" in w and "TTP" in w for w in warnings)


def test_chart_has_doses_platelets_and_reticulocytes():
    at = open_recovery("lagging_iron_deficiency", "2026-09-28")
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    names = [t["name"] for t in spec["data"]]
    assert "dose given" in names and "dose planned" in names
    assert "Platelets (10^9/L)" in names and "Reticulocytes (%)" in names
    plt = next(t for t in spec["data"] if t["name"] == "Platelets (10^9/L)")
    assert plt["y"] == [70, 72, 74, 71]


def test_recording_the_next_dose_adds_it_to_the_case():
    at = open_recovery("lagging_iron_deficiency", "2026-09-28")
    before = len(opened(at).doc["doses"])
    at.button(key="rec_give_next").click().run()
    assert len(opened(at).doc["doses"]) == before + 1


def test_next_injection_follows_the_last_given_dose():
    at = open_recovery("lagging_iron_deficiency", "2026-09-14")
    # seven daily doses given (7-13 Sep); the alternate-day phase starts two days after the last
    assert metric(at, "Next injection") == "2026-09-15"


def test_only_a_dose_already_due_can_be_recorded_as_given():
    at = open_recovery("lagging_iron_deficiency", "2026-09-14")  # next dose 15 Sep is in the future
    assert not [b for b in at.button if b.key == "rec_give_next"]
    at = open_recovery("lagging_iron_deficiency", "2026-09-28")
    assert at.button(key="rec_give_next").label == "Record the 2026-09-15 dose as given"


def test_teaching_case_without_start_cannot_be_edited_from_recovery():
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.selectbox(key="case_example").set_value("pseudo_tma_composite")
    at.button(key="case_load_example").click().run()
    at.switch_page("app_pages/recovery.py").run()
    assert at.text_input(key="rec_start").disabled
    assert [e.message for e in at.exception] == []
