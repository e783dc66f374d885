"""The history lists' chips show their whole item at 1280 and 390 px: cut with an ellipsis, "Neurological symptoms
(neuropathy, ataxia, cognitive …" hid what the item was (ui/browser._NARROW wraps them)."""
from __future__ import annotations

from tests.browser.bedside import settle
from tests.browser.conftest import SHOTS, wait_idle

CHIPS = "[class*='st-key-case_hist_'] [data-tag] > span"


def test_each_history_chip_shows_its_whole_item_on_a_desktop_and_a_phone(page, app_server):
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(app_server.url)
        wait_idle(page)
        page.locator(".st-key-case_load_example button").click()  # the first example: 3 history items answered
        settle(page)
        chips = page.locator(CHIPS)
        chips.first.wait_for()
        assert chips.count() >= 3
        chips.first.scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / f"history-chips-{width}.png"))
        for chip in chips.all():
            whole = chip.get_attribute("title")
            cut = chip.evaluate("e => e.scrollWidth > e.clientWidth + 1")
            assert chip.inner_text() == whole and not cut, (width, whole)
