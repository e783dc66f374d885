"""Create a case, enter labs, restart the server, reopen the case: it is all there."""
import shutil
import tempfile
from pathlib import Path

from playwright.sync_api import expect

from tests.browser.bedside import wait_saved
from tests.browser.conftest import Server, _need_browser, shot, wait_idle


def type_into(page, key: str, value: str) -> None:
    box = page.locator(f".st-key-{key} input")
    box.fill(value)
    box.press("Enter")
    wait_idle(page)


def test_case_survives_a_server_restart(page):
    _need_browser()
    data_dir = Path(tempfile.mkdtemp(prefix="cobalt-restart-"))
    server = Server(data_dir).start()
    try:
        page.goto(server.url)
        wait_idle(page)
        type_into(page, "case_label", "Bed 12 restart")
        type_into(page, "case_lab_b12", "150")
        type_into(page, "case_lab_platelets", "42")
        assert wait_saved(page) >= 1  # "Saved · version N" once the burst of edits is saved
    finally:
        server.stop()
    server = Server(data_dir)
    server.start()
    try:
        page.goto(server.url)  # a new session: blank case
        wait_idle(page)
        assert page.locator(".st-key-case_lab_b12 input").input_value() == ""
        page.get_by_role("link", name="Case library").click()
        wait_idle(page)
        page.locator(".st-key-lib_search input").fill("bed 12")
        page.locator(".st-key-lib_search input").press("Enter")
        wait_idle(page)
        page.locator(".st-key-lib_open button").click()
        wait_idle(page)
        # the Case page the library switches to may be read before its run has drawn the case: wait for it
        expect(page.locator(".st-key-case_label input")).to_have_value("Bed 12 restart", timeout=15_000)
        assert page.locator(".st-key-case_lab_b12 input").input_value() == "150"
        assert page.locator(".st-key-case_lab_platelets input").input_value() == "42"
        shot(page, "case-reopened-after-restart")
    finally:
        server.stop()
        shutil.rmtree(data_dir, ignore_errors=True)
