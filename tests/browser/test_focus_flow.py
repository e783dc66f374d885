"""Issue 21, item 1: typing never lands in the wrong field. A refused value keeps its text and its message, and
the focus stays where the user went next (Tab, a click): what they type next lands there, at human speed."""
from __future__ import annotations

from datetime import date, timedelta

from tests.browser.bedside import SIDEBAR, wait_for_text
from tests.browser.conftest import shot, wait_idle

KEY_DELAY_MS = 20  # a quick typist: 50 keys a second
MAIN = "[data-testid='stMain']"


def _human(page, text: str, then: str = "Tab") -> None:
    page.keyboard.type(text, delay=KEY_DELAY_MS)
    page.keyboard.press(then)


def _value(page, key: str) -> str:
    return page.locator(f".st-key-{key} input").first.input_value()


def _new_case(page, url: str) -> None:
    page.goto(url)
    wait_idle(page)
    page.locator(".st-key-case_new button").click()
    wait_idle(page)


def test_a_refused_haemoglobin_keeps_its_text_and_every_later_field_holds_what_was_typed(page, app_server):
    _new_case(page, app_server.url)
    page.locator(".st-key-case_lab_hemoglobin input").click()
    _human(page, "680")  # g/L: beyond what a living patient can have, refused at the field
    page.wait_for_timeout(1500)  # the refusal is on screen by now (the reviewer's pause)
    later = {"hematocrit": "0.35", "mcv": "112", "platelets": "62", "wbc": "3.1", "neutrophils": "1.2",
             "reticulocytes_pct": "0.8", "reticulocytes_abs": "40"}
    for text in later.values():
        _human(page, text)
    wait_idle(page)
    page.wait_for_timeout(500)
    wait_idle(page)
    assert _value(page, "case_lab_hemoglobin") == "680"  # kept as typed, not applied
    assert {k: _value(page, f"case_lab_{k}") for k in later} == later
    main = page.locator(MAIN).inner_text()
    assert "outside what a living patient can have" in main and "1 entry is not applied" in main
    text = wait_for_text(page, r"MCV 112", where=SIDEBAR)  # the later values are applied too
    assert "Platelets 62" in text and "Hb" not in text
    shot(page, "case-focus-after-refused-hb")


def test_after_a_refused_treatment_date_the_adamts13_date_typed_next_lands_whole_in_its_field(page, app_server):
    _new_case(page, app_server.url)
    sent = date.today() - timedelta(days=3)
    typed = f"{sent.day}/{sent.month}/{sent.year}"  # the UK order, as the reviewer typed it
    page.locator(".st-key-case_date_treatment_start input").click()
    _human(page, "2099-01-01")  # after today: refused
    page.wait_for_timeout(300)
    _human(page, typed)
    wait_idle(page)
    page.wait_for_timeout(500)
    wait_idle(page)
    assert _value(page, "case_date_treatment_start") == "2099-01-01"
    assert _value(page, "case_date_adamts13_sent") == typed
    wait_for_text(page, f"ADAMTS13 pending since {sent.isoformat()}", where=MAIN)
    assert "is after today" in page.locator(MAIN).inner_text()


def test_an_accepted_treatment_date_does_not_overwrite_the_field_typed_next(page, app_server):
    _new_case(page, app_server.url)
    start = date.today() - timedelta(days=5)
    sent = date.today() - timedelta(days=6)
    page.locator(".st-key-case_date_treatment_start input").click()
    _human(page, start.isoformat())  # accepted: the results move with the baseline, the next field is left alone
    _human(page, sent.isoformat())
    wait_idle(page)
    page.wait_for_timeout(500)
    wait_idle(page)
    assert _value(page, "case_date_treatment_start") == start.isoformat()
    assert _value(page, "case_date_adamts13_sent") == sent.isoformat()
    wait_for_text(page, f"ADAMTS13 pending since {sent.isoformat()}", where=MAIN)
