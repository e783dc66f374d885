"""Issue 21, item 6: the unit system is shown at the top of the Case page and chosen per case: a new case starts
in the reference set's units, not the last case's; a teaching case's fields never show a value in one unit
beside another unit's label (``6.2 g/dL`` beside ``g/L``)."""
from __future__ import annotations

from tests.browser.bedside import pick_example, settle
from tests.browser.conftest import shot, wait_idle

UNITS = ".st-key-case_units"


def _checked(page) -> str:
    return page.locator(f"{UNITS} label:has(input:checked)").inner_text().strip()


def _beside(page, name: str) -> str:
    """The field's row: its label, its value's unit beside it."""
    return page.locator(f".st-key-case_lab_{name}").locator("xpath=..").inner_text()


def test_units_at_the_top_per_case_and_a_new_case_starts_in_the_reference_sets(page, app_server):
    page.goto(app_server.url)
    wait_idle(page)
    units = page.locator(UNITS)
    assert units.bounding_box()["y"] < page.locator(".st-key-case_load_example").bounding_box()["y"]  # at the top
    assert "SI" in _checked(page)  # the UK reference set's units
    units.get_by_text("Conventional (US)").click()  # a US case
    settle(page)
    assert "Conventional" in _checked(page)
    page.locator(".st-key-case_new button").click()
    settle(page)
    assert "SI" in _checked(page)  # the new case does not keep the last case's units
    assert "g/L" in _beside(page, "hemoglobin")


def test_a_teaching_case_printed_in_us_units_shows_each_value_in_the_unit_beside_it(page, app_server):
    page.goto(app_server.url)
    wait_idle(page)
    pick_example(page, "Immune TTP after gastric sleeve surgery")
    page.locator(".st-key-case_load_example button").click()
    settle(page)
    page.locator(".st-key-case_grp_other summary").click()
    settle(page)
    assert page.locator(".st-key-case_lab_hemoglobin input").input_value() == "62"  # 6.2 g/dL, in g/L
    row = _beside(page, "hemoglobin")
    assert "g/L" in row and "g/dL" not in row
    assert page.locator(".st-key-case_lab_creatinine input").input_value() == "362.4"  # 4.1 mg/dL in µmol/L
    assert "µmol/L" in _beside(page, "creatinine")
    main = page.locator("[data-testid='stMain']").inner_text()
    assert "entered as 6.2 g/dL" in main and "entered as 4.1 mg/dL" in main
    shot(page, "case-teaching-us-values-in-si")
    page.locator(UNITS).get_by_text("Conventional (US)").click()  # a read-only case: for this session
    settle(page)
    assert page.locator(".st-key-case_lab_hemoglobin input").input_value() == "6.2"
    assert "g/dL" in _beside(page, "hemoglobin")
