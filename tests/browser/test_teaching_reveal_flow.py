"""Issue 21, item 5: teaching mode. The first "Load example" after teaching mode is turned on loads the case (it
did nothing, 3 of 3); a teaching case hides the results marked as its answer (ADAMTS13 <5 % in teaching case 12)
on every page until the presenter reveals them."""
from __future__ import annotations

from logic.reference import example_cases
from tests.browser.bedside import SIDEBAR, go, pick_example, settle, wait_for_text
from tests.browser.conftest import shot, wait_idle

MAIN = "[data-testid='stMain']"


def test_the_first_load_after_teaching_mode_loads_and_the_answer_stays_hidden_until_the_reveal(page, app_server):
    ids = list(example_cases())
    page.goto(app_server.url)
    wait_idle(page)
    page.locator(".st-key-app_teaching_widget label").click()
    settle(page)
    page.locator(".st-key-case_load_example button").click()  # at once: the picker still shows case 1
    settle(page)
    wait_for_text(page, "Teaching case 1 · label hidden until reveal", where=SIDEBAR)
    assert page.locator(".st-key-case_label input").input_value() == "Teaching case 1"
    number = ids.index("ttp_after_sleeve") + 1
    pick_example(page, f"Teaching case {number}")
    page.locator(".st-key-case_load_example button").click()
    settle(page)
    wait_for_text(page, f"Teaching case {number} ·", where=SIDEBAR)
    page.locator(".st-key-case_grp_other summary").click()
    settle(page)
    assert page.locator(".st-key-case_lab_adamts13_activity input").input_value() == ""  # <5 % hidden
    assert page.locator(".st-key-case_lab_creatinine input").input_value() != ""  # the rest is there
    assert "<5" not in page.locator(MAIN).inner_text()
    shot(page, "teaching-case-12-before-reveal")
    go(page, "Diagnosis")
    page.locator(".st-key-teach_reveal_dx button").click()
    settle(page)
    go(page, "Case")
    page.locator(".st-key-case_grp_other summary").click()
    settle(page)
    assert page.locator(".st-key-case_lab_adamts13_activity input").input_value() == "<5"  # revealed
