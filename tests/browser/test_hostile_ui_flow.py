"""Issue 12, the UI half, in a real browser: nothing typed is lost, a save that fails is never reported as
saved, an address or a file name cannot break the page, and every response carries the security headers."""
from __future__ import annotations

import shutil
import sqlite3
import tempfile
import time
import urllib.request
from pathlib import Path

from tests.browser.bedside import (
    SIDEBAR,
    case_id,
    field,
    go,
    settle,
    sidebar_text,
    type_into,
    wait_for_text,
    wait_saved,
)
from tests.browser.conftest import Server, _need_browser, shot, wait_idle

MAIN = "[data-testid='stMain']"


def test_type_then_click_a_sidebar_link_at_once_keeps_the_value_and_navigates_10_of_10(page, app_server):
    page.goto(app_server.url)
    wait_idle(page)
    kept = navigated = 0
    for i in range(10):
        value = str(41 + i)
        page.locator(".st-key-case_lab_platelets input").fill(value)  # typed, no Enter, no Tab, no pause
        page.locator(SIDEBAR).get_by_role("link", name="Case library", exact=True).click()
        settle(page)
        deadline = time.monotonic() + 10
        while "/library" not in page.url and time.monotonic() < deadline:
            page.wait_for_timeout(100)
        navigated += "/library" in page.url
        kept += f"Platelets {value} 10^9/L" in wait_for_text(page, f"Platelets {value}", timeout_s=10)
        go(page, "Case")
        assert field(page, "case_lab_platelets") == value
    assert (kept, navigated) == (10, 10)


def test_a_locked_database_says_not_saved_while_held_and_saves_the_value_once_released(page):
    _need_browser()
    data_dir = Path(tempfile.mkdtemp(prefix="cobalt-lock-"))
    server = Server(data_dir).start()
    try:
        page.goto(server.url)
        wait_idle(page)
        type_into(page, "case_label", "Bed 6 locked")
        version = wait_saved(page)
        lock = sqlite3.connect(data_dir / "cobalt.sqlite3", timeout=5, isolation_level=None)
        lock.execute("BEGIN EXCLUSIVE")  # a backup or another program holds the file for 10 s
        held = time.monotonic()
        try:
            type_into(page, "case_lab_platelets", "55")
            status = wait_for_text(page, r"Not saved", timeout_s=8)
            assert "Saved ·" not in status
            shot(page, "case-not-saved-while-locked")
            assert field(page, "case_lab_platelets") == "55"  # what is on screen stays
            time.sleep(max(0.0, 10 - (time.monotonic() - held)))
        finally:
            lock.execute("ROLLBACK")
            lock.close()
        assert wait_saved(page, timeout_s=30) > version
        from store import LOCAL, Store

        store = Store.open(f"sqlite:///{data_dir / 'cobalt.sqlite3'}")
        doc = store.load(case_id(page), actor=LOCAL).document
        store.close()
        assert [o["value"] for o in doc["observations"] if o["analyte"] == "platelets"] == [55]
    finally:
        server.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


def test_two_tabs_on_one_case_the_refused_tab_does_not_say_saved(page, app_server):
    page.goto(app_server.url)
    wait_idle(page)
    type_into(page, "case_label", "Bed 11 two tabs")
    wait_saved(page)
    other = page.context.new_page()
    other.goto(page.url)
    wait_for_text(other, "Bed 11 two tabs")
    type_into(page, "case_lab_platelets", "50")
    wait_saved(page)
    type_into(other, "case_lab_platelets", "60")
    status = wait_for_text(other, r"Not saved: changed in another session")
    assert "Saved ·" not in status
    assert "changed in another session" in other.locator(MAIN).inner_text()
    assert field(other, "case_lab_platelets") == "60"  # the refused tab keeps its edit on screen
    other.close()


def test_a_regimen_address_with_a_number_that_does_not_parse_shows_a_message(page, app_server):
    for raw in ("²", "9" * 5000):
        page.goto(f"{app_server.url}/regimen?preset=fda_label_1000&dose_mcg={raw}")
        wait_idle(page)
        text = wait_for_text(page, "not understood", where=MAIN)
        assert "Traceback" not in text and page.locator("[data-testid='stException']").count() == 0


def test_an_uploaded_file_with_a_refused_row_adds_nothing_and_its_name_is_text(page, app_server, tmp_path):
    page.goto(app_server.url)
    wait_idle(page)
    type_into(page, "case_label", "Bed 2 upload")
    go(page, "Case library")
    page.get_by_role("tab", name="Lab files in and out").click()
    name = "![x](http://127.0.0.1:9/x.png).csv"
    path = tmp_path / "labs.csv"
    path.write_text("date,analyte,value,unit\n2026-11-01,platelets,62,10^9/L\n2026-11-01,platelets,lots,10^9/L\n")
    page.locator("[data-testid='stFileUploaderDropzoneInput']").first.set_input_files(
        {"name": name, "mimeType": "text/csv", "buffer": path.read_bytes()})
    text = wait_for_text(page, "Nothing from", where=MAIN)
    assert name in text  # shown as typed, not as an image
    assert page.locator("img[src*='127.0.0.1:9']").count() == 0
    assert page.locator(".st-key-lib_import_apply").count() == 0
    assert "Platelets" not in sidebar_text(page)


def test_every_response_carries_the_security_headers(app_server):
    with urllib.request.urlopen(app_server.url) as response:
        headers = {k.lower(): v for k, v in response.headers.items()}
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY" and headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
