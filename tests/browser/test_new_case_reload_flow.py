"""Issue 21, item 10: a new case is reopened by an early reload. Its id reached the address about 2.2 s after
its first edit (the first background save), so a reload 0.5 s after typing a label opened "New case" (3 of 3)
although the case was saved. A new case is now saved, and named in the address, on its first edit."""
from __future__ import annotations

import re

from tests.browser.bedside import settle, wait_field
from tests.browser.conftest import wait_idle


def test_a_reload_half_a_second_after_typing_a_label_reopens_the_new_case(page, app_server):
    page.goto(app_server.url)
    wait_idle(page)
    for i in range(3):
        page.locator(".st-key-case_new button").click()
        settle(page)
        assert "case=" not in page.url  # a new case has no id until its first edit
        label = f"Bed 10 early reload {i}"
        box = page.locator(".st-key-case_label input")
        box.fill(label)
        box.press("Enter")
        page.wait_for_timeout(500)
        assert re.search(r"[?&]case=[0-9a-f]{32}", page.url), page.url
        page.reload()
        wait_idle(page)
        assert wait_field(page, "case_label", label) == label
