"""AppTest: the Hospital record page in a session opened from the record (a SMART launch), against the
test EHR (tests/smart_server.py) in front of a real FHIR server (sekmet-fhir).

The launch's verified context is redeemed with its one-time ticket, as ui/launch.py does on a session's
first run (the browser flow that gets it there is tests/browser/test_smart_launch_flow.py); a context put
in the session any other way is no sign-in. On arrival the patient's last 30 days are searched
with the clinician's access token and previewed; one click adds them with their provenance; the patient
is never named by an identifier; the clinician is the case's owner where sign-in is on; a ticket or a
session value that did not come from a verified launch opens nothing."""

from __future__ import annotations

import json
import time
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ehr.smart_store import HANDOVERS, TICKET_PARAM, browser_hash
from ehr.smart_token import LaunchContext
from store import Actor
from tests.fhir_support import MRN, FhirServer
from tests.page_session import opened
from tests.smart_server import SmartEHR
from tests.smart_support import OLD, PICTURE, load_launch_patient
from ui.database import get_store
from ui.launch import LAUNCH_KEY, TICKET_REFUSED

APP = str(Path(__file__).resolve().parents[1] / "app.py")
PAGE = "app_pages/record.py"
SCOPE = "launch openid fhirUser patient/Observation.rs"


@pytest.fixture(scope="module")
def record():
    fhir = FhirServer().start()
    ehr = SmartEHR(fhir.base_url).start()
    pid = load_launch_patient(fhir, date.today())
    yield ehr, pid
    ehr.stop()
    fhir.cleanup()


def _context(ehr: SmartEHR, pid: str, expires_in: float = 3600, login: str = "dr.grey") -> LaunchContext:
    """A verified launch, as the callback builds it, with a token the test EHR honours."""
    token = f"tok-{time.monotonic_ns()}"
    ehr.tokens[token] = {"patient": pid, "scope": SCOPE, "user": login, "expires_at": time.time() + expires_in}
    claims = {"sub": login, "name": "Dr Meredith Grey", "fhirUser": ehr.fhir_user(login)}
    return LaunchContext(ehr.iss, pid, token, ehr.fhir_user(login), claims, time.time() + expires_in, SCOPE)


BROWSER = "b" * 43  # the browser's cobalt_smart cookie, as /launch sets it


def _launched(context, monkeypatch, sign_in: bool = False) -> AppTest:
    """The launch redeemed with its one-time ticket by this browser, as app.py's first run does."""
    monkeypatch.delenv("COBALT_FHIR_BASE_URL", raising=False)  # the launch's iss is the server, not a setting
    if sign_in:
        monkeypatch.setenv("COBALT_REQUIRE_LOGIN", "1")
    monkeypatch.setattr("ui.launch.browser_cookie", lambda: BROWSER)
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params[TICKET_PARAM] = HANDOVERS.put(context, browser_hash(BROWSER))
    at.switch_page(PAGE)
    at.run()
    assert [e.message for e in at.exception] == []
    return at


def _everything(at: AppTest) -> str:
    parts = [*at.markdown, *at.caption, *at.error, *at.success, *at.info, *at.title, *at.subheader]
    return " ".join(str(e.value) for e in parts) + " ".join(str(t.value) for t in at.text_input)


def _picks(at: AppTest) -> list:
    return [c for c in at.checkbox if c.key and c.key.startswith("ehr_pick_")]


def test_on_arrival_the_patients_recent_results_are_previewed_without_their_identifier(record, monkeypatch):
    ehr, pid = record
    calls = len(ehr.fhir_calls)
    at = _launched(_context(ehr, pid), monkeypatch)
    assert [t.value for t in at.title] == ["Hospital record"]
    assert len(_picks(at)) == len(PICTURE)  # the old result (OLD) and the other patient's are not there
    assert all(c.value for c in _picks(at))
    text = _everything(at)
    assert "The patient opened from the record" in text and "Dr Meredith Grey" in text
    assert pid not in text and MRN not in text
    assert not [t for t in at.text_input if t.key == "ehr_patient"]  # nothing to type
    new_calls = ehr.fhir_calls[calls:]
    assert new_calls and all(c["token_ok"] and not c.get("other_patient") for c in new_calls)
    since = at.date_input(key="ehr_since").value
    assert (date.today() - since).days == 30 and OLD[0] > 30


def test_one_click_adds_the_results_with_their_provenance_and_the_leaning_shows(record, monkeypatch):
    ehr, pid = record
    at = _launched(_context(ehr, pid), monkeypatch)
    at.button(key="ehr_add").click().run()
    doc = opened(at).doc
    imported = [o for o in doc["observations"] if "source" in o]
    assert len(imported) == len(PICTURE)
    assert {o["source"]["server"] for o in imported} == {ehr.iss}
    assert all(o["source"]["resource"].startswith("Observation/") for o in imported)
    assert pid not in json.dumps(doc) and MRN not in json.dumps(doc)
    assert any(f"Added {len(PICTURE)} result(s)" in s.value.replace("\\", "") for s in at.success)
    at.switch_page("app_pages/ttp.py").run()
    assert [e.message for e in at.exception] == []
    leaning = " ".join(m.value for m in at.markdown)
    assert "Leans B12 pseudo-TMA" in leaning


def test_with_sign_in_on_the_launch_signs_the_clinician_in_and_owns_the_case(record, monkeypatch):
    ehr, pid = record
    at = _launched(_context(ehr, pid, login="dr.yang"), monkeypatch, sign_in=True)
    assert "Sign in with your hospital account" not in _everything(at)
    assert "Signed in as `Dr Meredith Grey`" in " ".join(c.value for c in at.sidebar.caption)
    at.button(key="ehr_add").click().run()
    case_id = opened(at).id
    assert case_id is not None
    owner = f"smart:{ehr.fhir_user('dr.yang')}"
    rec = get_store().load(case_id, actor=Actor(owner))
    assert rec.owner == owner


def test_an_expired_launch_reads_nothing_and_says_to_open_cobalt_again(record, monkeypatch):
    ehr, pid = record
    calls = len(ehr.fhir_calls)
    at = _launched(_context(ehr, pid, expires_in=-1), monkeypatch)
    assert "Open Cobalt again from the patient's record" in " ".join(e.value for e in at.error)
    assert not _picks(at) and ehr.fhir_calls[calls:] == []


def test_a_ticket_that_was_not_issued_opens_nothing_and_leaves_the_address(monkeypatch):
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["smart"] = "forged-ticket-" + "x" * 30
    at.run()
    assert "smart" not in at.query_params
    assert TICKET_REFUSED in " ".join(e.value for e in at.error)
    assert LAUNCH_KEY not in at.session_state


GENUINE = LaunchContext("https://ehr.example/fhir", "p1", "tok", "https://ehr.example/fhir/Practitioner/x",
                        {"sub": "x", "exp": time.time() + 3600}, time.time() + 3600)  # never redeemed: no sign-in


@pytest.mark.parametrize("forged", [{"patient": "p1", "fhir_user": "x"}, "Practitioner/evil", None, GENUINE])
def test_a_session_value_that_is_not_a_verified_launch_signs_nobody_in(forged, monkeypatch):
    monkeypatch.setenv("COBALT_REQUIRE_LOGIN", "1")
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["auth"] = {"redirect_uri": "http://localhost/oauth2callback", "cookie_secret": "s" * 64,
                          "client_id": "c", "client_secret": "s",
                          "server_metadata_url": "http://x/.well-known"}  # fmt: skip
    at.session_state[LAUNCH_KEY] = forged
    at.query_params[LAUNCH_KEY] = "Practitioner/evil"  # nor can the address set it
    at.user = {"is_logged_in": False}
    at.run()
    assert "Sign in with your hospital account" in _everything(at)
    assert [b.label for b in at.button] == ["Sign in"]


def test_an_access_token_the_record_no_longer_honours_says_to_open_cobalt_again(record, monkeypatch):
    ehr, pid = record
    context = _context(ehr, pid)
    del ehr.tokens[context.access_token]  # revoked at the record
    at = _launched(context, monkeypatch)
    message = " ".join(e.value for e in at.error).replace("\\", "")
    assert "401" in message and "Open Cobalt again from the patient's record" in message
    assert not _picks(at) and pid not in message
