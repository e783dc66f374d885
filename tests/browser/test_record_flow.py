"""From the hospital record, in Chromium: a FHIR server (sekmet-fhir), the app launched with the
patient in the address, the preview, the import; the identifier is in neither the address, the
stored case nor the app's log."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from store import LOCAL, Store
from tests.browser.conftest import Server, _need_browser, shot, wait_idle
from tests.fhir_support import EXPECTED, MRN, WINDOW, FhirServer


def _set_date(page, key: str, value: str) -> None:
    box = page.locator(f".st-key-{key} input")
    box.fill(value)
    box.press("Enter")
    page.keyboard.press("Escape")
    wait_idle(page)


def test_results_come_from_the_record_with_their_source_and_no_identifier_is_kept(page):
    _need_browser()
    fhir = FhirServer().start().load_patient()
    data_dir = Path(tempfile.mkdtemp(prefix="cobalt-record-"))
    old = os.environ.get("COBALT_FHIR_BASE_URL")
    os.environ["COBALT_FHIR_BASE_URL"] = fhir.base_url
    try:
        app = Server(data_dir).start()
    finally:
        if old is None:
            os.environ.pop("COBALT_FHIR_BASE_URL")
        else:
            os.environ["COBALT_FHIR_BASE_URL"] = old
    pid = fhir.patient_id
    try:
        page.goto(f"{app.url}/record?patient={pid}")
        wait_idle(page)
        page.wait_for_function(f"() => !window.location.href.includes('{pid}')", timeout=10_000)
        assert pid not in page.url and "patient=" not in page.url
        # the address changes in the run that switches to the record page; the field is drawn by the next run
        page.wait_for_function(
            "(pid) => { const box = document.querySelector('.st-key-ehr_patient input');"
            " return box !== null && box.value === pid; }", arg=pid, timeout=30_000)
        wait_idle(page)
        assert page.locator(".st-key-ehr_patient input").input_value() == pid
        _set_date(page, "ehr_since", WINDOW[0])
        _set_date(page, "ehr_until", WINDOW[1])
        page.locator(".st-key-ehr_search button").click()
        page.get_by_text("result(s) found").wait_for(timeout=30_000)
        wait_idle(page)
        picks = page.locator("[class*='st-key-ehr_pick_'] input[type='checkbox']")
        assert picks.count() == len(EXPECTED)
        body = page.locator("[data-testid='stMain']").inner_text()
        assert "could not map" in body and "ukat/L" in body and "sample haemolysed" in body
        shot(page, "record-preview")
        page.locator(".st-key-ehr_add button").click()
        page.get_by_text("from the hospital record to the case").wait_for(timeout=30_000)
        wait_idle(page)
        assert f"Added {len(EXPECTED)} result(s)" in page.locator("[data-testid='stMain']").inner_text()
        assert page.locator(".st-key-ehr_patient input").input_value() == ""
        shot(page, "record-imported")
        assert pid not in page.url
    finally:
        app.stop()
        fhir.cleanup()
    try:
        store = Store.open(f"sqlite:///{data_dir / 'cobalt.sqlite3'}")
        docs = [store.load(s.id, actor=LOCAL).document for s in store.list_cases(actor=LOCAL)]
        store.close()
        imported = [o for d in docs for o in d["observations"] if "source" in o]
        assert sorted((o["analyte"], o["date"], o["value"], o.get("unit")) for o in imported) == EXPECTED
        assert {o["source"]["server"] for o in imported} == {fhir.base_url}
        for path in data_dir.rglob("*"):  # the database (and its WAL) and the app's log
            if path.is_file():
                raw = path.read_bytes()
                assert pid.encode() not in raw and MRN.encode() not in raw, path.name
        assert (data_dir / "server.log").stat().st_size > 0
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
