"""Issue 23 in a real browser: a laboratory printout pasted as one block, previewed, confirmed, and the leaning
on screen, in at most three interactions (paste, read, add); nothing is added before the confirmation."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.bedside import settle, wait_for_text
from tests.browser.conftest import shot, wait_idle

PRINTOUTS = Path(__file__).resolve().parents[1] / "printouts"
MAIN = "[data-testid='stMain']"


class Interactions:
    """Counts what the clinician does: a paste or a click is one interaction."""

    def __init__(self, page):
        self.page, self.count = page, 0

    def paste(self, key: str, text: str) -> None:
        box = self.page.locator(f".st-key-{key} textarea").first
        box.click()
        self.page.keyboard.insert_text(text)  # as a paste: the whole block at once
        self.count += 1

    def click(self, selector: str) -> None:
        self.page.locator(selector).first.click()
        self.count += 1
        settle(self.page)


def sidebar_results(page) -> str:
    return page.locator("[data-testid='stSidebar']").inner_text()


@pytest.mark.parametrize(
    ("printout", "leaning", "critical"),
    [
        ("nhs_itk3_uk_pseudo_tma.txt", "Leans B12 pseudo-TMA", None),
        ("vista_us_ttp.txt", "Leans TTP", "ADAMTS13"),
    ],
    ids=["uk_printout_b12_pseudo_tma", "us_printout_ttp"],
)
def test_a_pasted_printout_reaches_the_leaning_in_three_interactions(page, app_server, printout, leaning, critical):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(app_server.url)
    wait_idle(page)
    text = (PRINTOUTS / printout).read_text()
    user = Interactions(page)
    user.paste("case_printout", text)
    user.click(".st-key-case_printout_read button")
    preview = page.locator(".st-key-case_printout_box").inner_text()
    assert "Platelets" in preview and "Read as" in preview  # every result previewed with its line
    assert "No results yet" in sidebar_results(page)  # nothing applied before the confirmation
    user.click(".st-key-case_printout_add button")
    answer = wait_for_text(page, leaning, where=".st-key-case_answer")
    assert user.count <= 3
    if critical:
        assert critical in answer  # a TTP leaning shows its critical alert in full, not folded
    assert "No results yet" not in sidebar_results(page)
    page.wait_for_timeout(400)  # the scroll to the answer (after the rerun)
    box = page.locator(".st-key-case_answer").bounding_box()
    assert box is not None and 0 <= box["y"] < 900, box  # the answer is in view, not above the scrolled page
    shot(page, f"printout-{printout.removesuffix('.txt')}")


def test_lines_not_read_are_listed_and_an_identifier_is_never_shown_back(page, app_server):
    page.goto(app_server.url)
    wait_idle(page)
    user = Interactions(page)
    user.paste("case_printout", "Name: SMITH, JOHN\nPlatelets 38 x10^9/L\nSomething odd 12\n")
    user.click(".st-key-case_printout_read button")
    box = page.locator(".st-key-case_printout_box").inner_text()
    assert "1 line not read" in box and "Something odd" in box
    assert "withheld" in box or "identifier" in box
    assert "SMITH" not in box  # the box's own text is its value, not part of the page's text
