"""Issue 21, item 9: half a character (a lone surrogate, U+D800) pasted into a text field. Streamlit's server
cannot decode a message holding it and refused every message of the session from then on: every widget froze
and later edits were never saved, under "Saved · version 1". The browser makes the text well formed before it
leaves (ui/browser.py); the label refuses it with a message, and the session lives on."""
from __future__ import annotations

from tests.browser.bedside import SIDEBAR, settle, wait_for_text, wait_saved
from tests.browser.conftest import wait_idle

MAIN = "[data-testid='stMain']"


def _paste(page, selector: str, text_js: str) -> None:
    """Insert text as a paste does (``text_js``: a JavaScript string literal, so it can hold half a character:
    Playwright's own typing would carry it as U+FFFD already)."""
    page.locator(selector).click()
    page.evaluate(f"() => document.execCommand('insertText', false, {text_js})")


def test_a_lone_surrogate_pasted_into_the_label_is_refused_and_the_session_keeps_saving(page, app_server):
    page.goto(app_server.url)
    wait_idle(page)
    page.locator(".st-key-case_new button").click()
    settle(page)
    label = ".st-key-case_label input"
    page.locator(label).fill("")
    _paste(page, label, "'Bed 4 \\ud800 pasted'")
    page.locator(label).press("Enter")
    settle(page)
    wait_for_text(page, "could not be read", where=MAIN)
    box = page.locator(".st-key-case_lab_platelets input")  # the session still answers: a later edit is applied
    box.fill("62")
    box.press("Enter")
    settle(page)
    text = wait_for_text(page, "Platelets 62", where=SIDEBAR)
    assert "Bed 4" not in text  # the damaged label was not applied
    wait_saved(page)
    page.locator(label).fill("Bed 4 retyped")
    page.locator(label).press("Enter")
    settle(page)
    wait_for_text(page, "Bed 4 retyped", where=SIDEBAR)


def test_a_lone_surrogate_in_a_result_field_is_refused_there_and_the_session_lives_on(page, app_server):
    page.goto(app_server.url)
    wait_idle(page)
    page.locator(".st-key-case_new button").click()
    settle(page)
    field = ".st-key-case_lab_mcv input"
    _paste(page, field, "'10\\udc001'")  # a lone low half inside a number
    page.locator(field).press("Tab")
    settle(page)
    wait_for_text(page, "is not a number", where=MAIN)
    page.locator(field).fill("101")
    page.locator(field).press("Enter")
    settle(page)
    wait_for_text(page, "MCV 101", where=SIDEBAR)

