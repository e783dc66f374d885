"""Issue 21, item 3: an entry refused on the Case page is said, near the answer, on every page that reads the
case (Diagnosis said it; TTP or B12? said nothing while its PLASMIC changed from 3-5 to 2-5)."""
from __future__ import annotations

from tests.browser.bedside import go, settle, type_into
from tests.browser.conftest import wait_idle

MAIN = "[data-testid='stMain']"


def test_a_refused_haemoglobin_is_pending_on_diagnosis_ttp_regimen_and_recovery(page, app_server):
    page.goto(app_server.url)
    wait_idle(page)
    page.locator(".st-key-case_new button").click()
    settle(page)
    type_into(page, "case_lab_platelets", "12")
    type_into(page, "case_lab_hemoglobin", "680")  # refused: kept on the Case page with its message
    for title, key in (("Diagnosis", "dx"), ("TTP or B12?", "ttp"), ("Regimen", "reg"), ("Recovery", "rec")):
        go(page, title)
        notice = page.locator(f".st-key-{key}_pending")
        notice.wait_for()
        text = notice.inner_text()
        assert "1 entry on the Case page (Haemoglobin) is not applied" in text, title
        assert notice.bounding_box()["y"] < 600, title  # near the top, before the answer
    notice.get_by_role("link", name="Correct them on the Case page").click()
    settle(page)
    assert page.locator(".st-key-case_lab_hemoglobin input").input_value() == "680"
    type_into(page, "case_lab_hemoglobin", "68")
    go(page, "TTP or B12?")
    assert page.locator(".st-key-ttp_pending").count() == 0
