"""Issue 21, item 2: every result page opens at its top. Streamlit keeps the main area's scroll position when
another page opens; after work low on the Case page (a value typed at the bottom, then a sidebar link at once),
TTP or B12? opened 2,000-2,800 px down in 5 of 15 runs, its leaning and critical alert out of view."""
from __future__ import annotations

from tests.browser.bedside import SIDEBAR, pick_example, settle
from tests.browser.conftest import wait_idle

HEIGHT = 800
# the answer each result page opens on: it must be in the first screen
ANSWER = {"Diagnosis": ".st-key-dx_verdict", "TTP or B12?": ".st-key-ttp_leaning", "Regimen": "h1",
          "Recovery": "h1"}


def _scroll_top(page) -> int:
    return page.evaluate("() => document.querySelector(\"[data-testid='stMain']\").scrollTop")


def _load_teaching_case_as_mine(page, title: str) -> None:
    pick_example(page, title)
    page.locator(".st-key-case_load_example button").click()
    settle(page)
    page.locator(".st-key-app_copy_case button").click()  # editable: values can be typed at the bottom
    settle(page)


def test_each_result_page_opens_at_its_top_after_work_at_the_bottom_of_the_case_page(page, app_server):
    page.set_viewport_size({"width": 1280, "height": HEIGHT})
    page.goto(app_server.url)
    wait_idle(page)
    _load_teaching_case_as_mine(page, "Immune TTP after gastric sleeve surgery")
    opened = []
    for round_ in range(3):
        for title in ANSWER:
            page.locator(SIDEBAR).get_by_role("link", name="Case", exact=True).click()
            settle(page)
            page.mouse.move(700, 400)
            page.mouse.wheel(0, 20_000)  # to the bottom of the Case page
            page.wait_for_timeout(200)
            assert _scroll_top(page) > 1000
            box = page.locator(".st-key-case_lab_schistocytes_pct input")  # the last result section
            box.click()
            box.fill(str(round_ + 1))  # typed, and the link clicked at once (the click guard holds it)
            page.locator(SIDEBAR).get_by_role("link", name=title, exact=True).click()
            page.wait_for_timeout(300)
            settle(page)
            page.wait_for_timeout(600)
            answer = page.locator(ANSWER[title]).first
            answer.wait_for()
            where = answer.bounding_box()
            opened.append((title, _scroll_top(page), where is not None and 0 <= where["y"] < HEIGHT - 40))
    assert opened == [(title, 0, True) for _ in range(3) for title in ANSWER]
