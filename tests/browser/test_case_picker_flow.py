"""The sidebar's "Switch case" lists saved cases only once it is opened; a saved case opens from it."""
from tests.browser.bedside import wait_saved
from tests.browser.conftest import shot, wait_idle


def type_into(page, key: str, value: str) -> None:
    box = page.locator(f".st-key-{key} input")
    box.fill(value)
    box.press("Enter")
    wait_idle(page)


def test_switch_case_lists_saved_cases_when_opened_and_opens_one(page, app_server):
    page.goto(app_server.url)
    wait_idle(page)
    type_into(page, "case_label", "Picker bed 9")
    type_into(page, "case_lab_b12", "150")
    wait_saved(page)  # saved a burst after the last edit; the picker lists saved cases
    sidebar = page.locator("[data-testid='stSidebar']")
    assert page.locator(".st-key-app_pick").count() == 0  # folded: nothing listed
    sidebar.get_by_text("Switch case").click()
    wait_idle(page)
    type_into(page, "app_search", "picker bed 9")
    assert page.locator(".st-key-app_pick input").input_value().startswith("Picker bed 9")
    page.locator(".st-key-app_new button").click()
    wait_idle(page)
    assert page.locator(".st-key-case_label input").input_value() == "New case"
    assert page.locator(".st-key-case_lab_b12 input").input_value() == ""
    page.locator(".st-key-app_open button").click()
    wait_idle(page)
    assert page.locator(".st-key-case_label input").input_value() == "Picker bed 9"
    assert page.locator(".st-key-case_lab_b12 input").input_value() == "150"
    shot(page, "case-picker-opened")
