"""AppTest: the Hospital record page against a real FHIR server (sekmet-fhir on 127.0.0.1)."""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.fhir_support import EXPECTED, MRN, WINDOW, FhirServer
from tests.page_session import open_doc, opened
from ui.session import SESSION_KEY, OpenCase

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
PAGE = "app_pages/record.py"
BASE_DOC = {"format": "b12-case/1", "label": "Bed 9 record", "observations": [
    {"date": "2026-10-29", "analyte": "hemoglobin", "value": 7.9, "unit": "g/dL"}]}  # fmt: skip


@pytest.fixture(scope="module")
def server():
    srv = FhirServer().start().load_patient()
    yield srv
    srv.cleanup()


def _page(monkeypatch, base_url: str | None, patient: str | None = None, doc=None) -> AppTest:
    if base_url:
        monkeypatch.setenv("COBALT_FHIR_BASE_URL", base_url)
    else:
        monkeypatch.delenv("COBALT_FHIR_BASE_URL", raising=False)
    at = AppTest.from_file(APP, default_timeout=60)
    open_doc(at, copy.deepcopy(doc or BASE_DOC))
    at.run()
    at.switch_page(PAGE)
    if patient is not None:
        at.query_params["patient"] = patient
    at.run()
    assert [e.message for e in at.exception] == []
    return at


def _window(at: AppTest) -> AppTest:
    at.date_input(key="ehr_since").set_value(date.fromisoformat(WINDOW[0]))
    at.date_input(key="ehr_until").set_value(date.fromisoformat(WINDOW[1]))
    return at.run()


def _picks(at: AppTest) -> list:
    return [c for c in at.checkbox if c.key and c.key.startswith("ehr_pick_")]


def test_without_a_configured_server_the_page_says_how_to_configure_one(monkeypatch):
    at = _page(monkeypatch, None)
    assert "COBALT_FHIR_BASE_URL" in at.info[0].value
    assert not [b for b in at.button if b.key == "ehr_search"]


def test_a_patient_passed_at_launch_is_read_and_taken_out_of_the_address(monkeypatch, server):
    at = _page(monkeypatch, server.base_url, patient=server.patient_id)
    assert "patient" not in at.query_params
    assert at.text_input(key="ehr_patient").value == server.patient_id


def test_a_patient_passed_at_launch_on_any_page_opens_the_record_page_and_leaves_the_address(monkeypatch, server):
    monkeypatch.setenv("COBALT_FHIR_BASE_URL", server.base_url)
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["patient"] = server.patient_id  # the default page (Case) is asked for
    at.run()
    assert [e.message for e in at.exception] == []
    assert [t.value for t in at.title] == ["Hospital record"]
    assert "patient" not in at.query_params
    assert at.text_input(key="ehr_patient").value == server.patient_id


def test_search_previews_every_result_and_adds_exactly_the_ticked_ones(monkeypatch, server):
    at = _window(_page(monkeypatch, server.base_url, patient=server.patient_id))
    at.button(key="ehr_search").click().run()
    assert not at.error
    picks = _picks(at)
    assert len(picks) == len(EXPECTED) and all(c.value for c in picks)
    unmapped = [
        m.value for m in at.markdown if "could not" in m.value or "not accepted" in m.value or "no value" in m.value
    ]
    assert sorted(m.rsplit("`", 2)[1] for m in unmapped) == sorted(server.unmapped)
    assert before_add_untouched(at)
    picks[0].uncheck().run()  # the clinician leaves one out
    at.button(key="ehr_add").click().run()
    doc = opened(at).doc
    added = doc["observations"][1:]
    assert len(added) == len(EXPECTED) - 1
    assert set(map(_key, added)) < set(EXPECTED)
    assert all(o["source"]["server"] == server.base_url for o in added)
    text = json.dumps(doc)
    assert server.patient_id not in text and MRN not in text
    assert at.text_input(key="ehr_patient").value == ""  # used for the query only
    assert any(f"Added {len(EXPECTED) - 1} result(s)" in s.value.replace("\\", "") for s in at.success)


def before_add_untouched(at: AppTest) -> bool:
    return opened(at).doc == BASE_DOC


def _key(o: dict) -> tuple:
    return (o["analyte"], o["date"], o["value"], o.get("unit"))


def test_a_stopped_server_gives_a_clear_message_and_leaves_the_case_untouched(monkeypatch):
    srv = FhirServer().start().load_patient()
    try:
        at = _window(_page(monkeypatch, srv.base_url, patient=srv.patient_id))
        at.button(key="ehr_search").click().run()
        assert len(_picks(at)) == len(EXPECTED)
        srv.stop()  # the server goes down between the preview and a new search
        at.button(key="ehr_search").click().run()
        assert "could not be reached" in at.error[0].value.replace("\\", "")
        assert not _picks(at)  # the old preview is gone: nothing from it can be added
        assert opened(at).doc == BASE_DOC
    finally:
        srv.cleanup()


def test_a_read_only_teaching_case_cannot_receive_results(monkeypatch, server):
    monkeypatch.setenv("COBALT_FHIR_BASE_URL", server.base_url)
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state[SESSION_KEY] = OpenCase(doc=copy.deepcopy(BASE_DOC), read_only=True, source="teaching")
    at.run()
    at.switch_page(PAGE)
    at.query_params["patient"] = server.patient_id
    _window(at.run()).button(key="ehr_search").click().run()
    assert _picks(at) and at.button(key="ehr_add").disabled
    assert opened(at).doc == BASE_DOC
