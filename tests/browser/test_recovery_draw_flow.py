"""Issue 21, item 4: Recovery's table moves a draw whole; its treatment start takes effect on Tab; the sidebar
never says "No results yet" while results are on file; an empty cell is empty."""
from __future__ import annotations

import json
from datetime import date, timedelta

from tests.browser.bedside import SIDEBAR, case_id, go, settle, type_into, wait_for_text, wait_saved
from tests.browser.conftest import shot, wait_idle

D0 = date.today() - timedelta(days=20)
DRAW = [("platelets", 12, "10^9/L"), ("ldh", 2900, "U/L"), ("b12", 80, "ng/L"), ("haptoglobin", 0.1, "g/L")]
DOC = {"label": "Bed 3 draw", "observations": [
    *({"date": D0.isoformat(), "analyte": a, "value": v, "unit": u} for a, v, u in DRAW),
    {"date": D0.isoformat(), "analyte": "schistocytes_seen", "value": True}]}


def _stored(app_server, page) -> dict:
    from store import LOCAL, Store

    store = Store.open(f"sqlite:///{app_server.data_dir / 'cobalt.sqlite3'}")
    try:
        return store.load(case_id(page), actor=LOCAL).document
    finally:
        store.close()


def test_a_draw_moves_whole_and_the_treatment_start_takes_effect_on_tab(page, app_server):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(app_server.url)
    wait_idle(page)
    page.get_by_text("Open or save a case file (JSON)").click()
    page.locator(".st-key-case_paste textarea").fill(json.dumps(DOC))
    page.locator(".st-key-case_load_paste button").click()
    settle(page)
    go(page, "Recovery")
    start = page.locator(".st-key-rec_start input")
    start.fill((D0 - timedelta(days=5)).isoformat())  # before every result: none is the baseline
    start.press("Tab")  # no click elsewhere: Tab applies it
    settle(page)
    page.get_by_text("Day of treatment").wait_for()
    text = wait_for_text(page, "No baseline results", where=SIDEBAR)
    assert "5 results after it" in text and "No results yet" not in text
    go(page, "Case")
    type_into(page, "case_date_treatment_start", (D0 + timedelta(days=1)).isoformat())
    go(page, "Recovery")
    grid = page.locator(".st-key-rec_apply").locator("xpath=preceding::*[@data-testid='stDataFrame'][1]")
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    page.mouse.dblclick(box["x"] + 40, box["y"] + 35 + 17)  # the first row's date cell, opened for editing
    page.wait_for_function("() => document.activeElement && document.activeElement.tagName === 'TEXTAREA'")
    page.keyboard.press("Control+A")
    page.keyboard.type((D0 - timedelta(days=1)).isoformat(), delay=20)
    page.keyboard.press("Enter")
    settle(page)
    grid.screenshot(path=str(shot(page, "recovery-draw-moved").with_name("recovery-draw-grid.png")))
    page.locator(".st-key-rec_apply button").click()
    settle(page)
    moved = wait_for_text(page, "The whole draw of", where="[data-testid='stMain']")
    assert f"{D0.isoformat()} moved to {(D0 - timedelta(days=1)).isoformat()}" in moved
    wait_saved(page)
    dates = {o["analyte"]: o["date"] for o in _stored(app_server, page)["observations"]}
    assert set(dates.values()) == {(D0 - timedelta(days=1)).isoformat()}  # B12, film, haptoglobin went with it
    assert "B12 80 ng/L" in page.locator(SIDEBAR).inner_text()  # still the baseline
