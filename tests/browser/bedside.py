"""Helpers for the bedside browser tests (issues 11 and 12): typing as a clinician does, the sidebar, saving."""
from __future__ import annotations

import re
import time

from tests.browser.conftest import wait_idle

SIDEBAR = "[data-testid='stSidebar']"


RUNNING = "[data-testid='stApp'][data-test-script-state='running']"


def settle(page) -> None:
    """Wait for the rerun an action starts (if it has not already finished), then for the page to be idle."""
    try:
        page.wait_for_selector(RUNNING, timeout=1_000)
    except Exception:  # noqa: BLE001 - a quick rerun may be over before it is seen
        pass
    wait_idle(page)


def type_into(page, key: str, value: str, then: str = "Enter") -> None:
    """Type ``value`` into the text field ``key`` and commit it with Enter (or Tab)."""
    box = page.locator(f".st-key-{key} input").first
    box.fill(value)
    box.press(then)
    settle(page)


def click(page, selector: str) -> None:
    page.locator(selector).first.click()
    settle(page)


def field(page, key: str) -> str:
    return page.locator(f".st-key-{key} input").first.input_value()


def wait_field(page, key: str, expected: str, timeout_s: float = 15) -> str:
    """Poll a text field until it shows ``expected`` (a new session's first run takes a moment); its value."""
    deadline = time.monotonic() + timeout_s
    value = None
    while time.monotonic() < deadline:
        box = page.locator(f".st-key-{key} input")
        value = box.first.input_value() if box.count() else None
        if value == expected:
            return value
        page.wait_for_timeout(200)
    return value


def sidebar_text(page) -> str:
    return page.locator(SIDEBAR).inner_text()


def wait_for_text(page, pattern: str, where: str = SIDEBAR, timeout_s: float = 20) -> str:
    """Poll the page (the sidebar by default) until ``pattern`` (a regular expression) shows; its text."""
    deadline = time.monotonic() + timeout_s
    text = ""
    while time.monotonic() < deadline:
        text = page.locator(where).inner_text()
        if re.search(pattern, text):
            return text
        page.wait_for_timeout(200)
    raise AssertionError(f"{pattern!r} did not show within {timeout_s} s; the text was: {text[-600:]}")


def wait_saved(page, timeout_s: float = 20) -> int:
    """Wait for 'Saved · version N' in the sidebar (a burst of edits is saved about 1.5 s after it ends)."""
    text = wait_for_text(page, r"Saved · version \d+", timeout_s=timeout_s)
    return int(re.search(r"Saved · version (\d+)", text).group(1))


def go(page, title: str) -> None:
    """Follow a sidebar link, as a user does (a new address would start a new session)."""
    page.locator(SIDEBAR).get_by_role("link", name=title, exact=True).click()
    settle(page)


def case_id(page) -> str:
    match = re.search(r"[?&]case=([0-9a-f]{32})", page.url)
    assert match, f"no case id in the address {page.url}"
    return match.group(1)


def pick_example(page, title: str) -> None:
    """Choose a case in the Case page's example picker by its title (the list is long and virtualised: one
    word is typed to filter it, with no space, as a space in the open list picks the option it is on)."""
    for attempt in range(3):
        page.locator(".st-key-case_example").click()
        try:
            page.get_by_role("listbox").wait_for(timeout=5_000)
            page.keyboard.type(title.split()[-1] if title.startswith("Teaching case") else title.split()[0])
            page.get_by_role("option", name=title, exact=True).click(timeout=5_000)
            break
        except Exception:  # noqa: BLE001 - the list opened before the page was ready: close it and try again
            page.keyboard.press("Escape")
            if attempt == 2:
                raise
    settle(page)
