"""The SMART EHR launch over HTTP, without a browser: Cobalt's /launch and /launch/callback routes
(ehr/smart_routes.py, in a Starlette test client) against the test EHR (tests/smart_server.py, Authlib's
OAuth 2.0 server on 127.0.0.1). The happy path, PKCE enforced, and every refusal: an iss not configured,
a state that is unknown, replayed or from another browser, the user denying, an unknown, expired or used
launch, a token without a patient, a record whose SMART settings Cobalt cannot use."""

from __future__ import annotations

import base64
import hashlib
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from ehr.smart import SmartSettings
from ehr.smart_store import BROWSER_COOKIE, Expiring, browser_hash
from tests.smart_server import CLIENT_ID, SmartEHR

pytestmark = pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`")  # it prefers httpx2

APP = "http://testserver"
REDIRECT = f"{APP}/launch/callback"
PATIENT = "pat-smart-0042"


@pytest.fixture(scope="module")
def ehr():
    server = SmartEHR(None, (REDIRECT,)).start()
    yield server
    server.stop()


class Cobalt:
    """Cobalt's two routes with their own stores, and a browser (a test client keeping cookies)."""

    def __init__(self, settings: SmartSettings | None):
        from starlette.applications import Starlette

        from ehr.smart_routes import smart_routes

        self.pending: Expiring = Expiring(600)
        self.handovers: Expiring = Expiring(120)
        self.app = Starlette(routes=smart_routes(lambda: settings, self.pending, self.handovers))
        self.browser = self.new_browser()
        self.addresses: list[str] = []

    def new_browser(self):
        from starlette.testclient import TestClient

        return TestClient(self.app, base_url=APP, follow_redirects=False)

    def get(self, url: str, browser=None):
        self.addresses.append(url)
        return (browser or self.browser).get(url.removeprefix(APP))

    @property
    def cookie(self) -> str | None:
        return self.browser.cookies.get(BROWSER_COOKIE)


def _settings(ehr: SmartEHR) -> SmartSettings:
    return SmartSettings((ehr.iss,), CLIENT_ID, REDIRECT)


def _at_record(ehr: SmartEHR, cobalt: Cobalt, url: str, decision: str = "allow") -> str:
    """The browser at the record's authorisation page: it answers, the clinician allows or denies; the
    address the record sends the browser back to."""
    cobalt.addresses.append(url)
    with httpx.Client(follow_redirects=False) as browser:
        page = browser.get(url)
        if page.status_code == 302:  # refused before the sign-in page: straight back to Cobalt
            return page.headers["location"]
        assert page.status_code == 200 and "Test EHR: sign in" in page.text
        answer = browser.post(url, data={"login": "dr.grey", "decision": decision})
    assert answer.status_code == 302
    return answer.headers["location"]


def _launch(ehr: SmartEHR, cobalt: Cobalt, launch: str, decision: str = "allow", iss: str | None = None):
    """From the record's launch to Cobalt's answer at the redirect URI."""
    first = cobalt.get(ehr.launch_url(APP, launch, iss))
    if first.status_code != 302:
        return first
    back = _at_record(ehr, cobalt, first.headers["location"], decision)
    assert back.startswith(REDIRECT + "?")
    return cobalt.get(back)


def _refusal(response, kind: str, status: int) -> str:
    assert response.status_code == status, response.text[:400]
    assert f'data-refusal="{kind}"' in response.text
    assert response.headers["cache-control"] == "no-store"
    return response.text


def test_a_launch_hands_over_the_patient_and_clinician_through_a_one_time_ticket(ehr):
    cobalt = Cobalt(_settings(ehr))
    answer = _launch(ehr, cobalt, ehr.new_launch(PATIENT))
    assert answer.status_code == 302
    target = urlsplit(answer.headers["location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == f"{APP}/record"
    ticket = parse_qs(target.query)["smart"][0]
    assert all(PATIENT not in a for a in cobalt.addresses + [answer.headers["location"]])
    context = cobalt.handovers.take(ticket, browser_hash(cobalt.cookie))
    assert context.patient == PATIENT and context.iss == ehr.iss
    assert context.fhir_user == ehr.fhir_user("dr.grey") and context.clinician == "Dr Meredith Grey"
    assert context.access_token in ehr.tokens
    assert cobalt.handovers.take(ticket, browser_hash(cobalt.cookie)) is None  # once only
    assert len(cobalt.pending) == 0


def test_the_browser_cookie_is_httponly_and_samesite_lax(ehr):
    cobalt = Cobalt(_settings(ehr))
    first = cobalt.get(ehr.launch_url(APP, ehr.new_launch(PATIENT)))
    cookie = first.headers["set-cookie"].lower()
    assert cookie.startswith(f"{BROWSER_COOKIE}=") and "httponly" in cookie and "samesite=lax" in cookie
    assert "path=/" in cookie


# -- the test record enforces PKCE (S256) -----------------------------------------------------------


def _authorize_params(ehr: SmartEHR, **changes) -> dict:
    verifier = "v" * 50
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    params = {"response_type": "code", "client_id": CLIENT_ID, "redirect_uri": REDIRECT, "scope": "launch openid",
              "state": "s1", "aud": ehr.iss, "launch": ehr.new_launch(PATIENT), "code_challenge": challenge,
              "code_challenge_method": "S256"}  # fmt: skip
    params.update(changes)
    return {k: v for k, v in params.items() if v is not None}


@pytest.mark.parametrize("change", [{"code_challenge": None, "code_challenge_method": None},
                                    {"code_challenge_method": "plain"}])  # fmt: skip
def test_the_record_refuses_an_authorisation_without_s256_pkce(ehr, change):
    answer = httpx.get(f"{ehr.url}/authorize", params=_authorize_params(ehr, **change))
    query = parse_qs(urlsplit(answer.headers["location"]).query)
    assert query["error"] == ["invalid_request"] and query["state"] == ["s1"]


@pytest.mark.parametrize(("verifier", "error"), [("w" * 50, "invalid_grant"), (None, "invalid_request")])
def test_the_record_refuses_a_code_without_its_pkce_verifier(ehr, verifier, error):
    url = f"{ehr.url}/authorize?" + httpx.QueryParams(_authorize_params(ehr)).__str__()
    with httpx.Client() as browser:
        back = browser.post(url, data={"login": "dr.grey", "decision": "allow"}).headers["location"]
    code = parse_qs(urlsplit(back).query)["code"][0]
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT, "client_id": CLIENT_ID}
    if verifier:
        form["code_verifier"] = verifier
    answer = httpx.post(f"{ehr.url}/token", data=form)
    assert answer.status_code == 400 and answer.json()["error"] == error


# -- refusals: each a page of its own, nothing handed over -------------------------------------------


def test_an_iss_that_is_not_configured_is_refused_before_any_request_to_it(ehr):
    cobalt = Cobalt(_settings(ehr))
    before = len(ehr.seen)
    other = f"{ehr.url}/other-fhir"
    text = _refusal(_launch(ehr, cobalt, ehr.new_launch(PATIENT), iss=other), "iss_not_allowed", 403)
    assert "not one this Cobalt is set up to trust" in text
    assert ehr.seen[before:] == []
    assert len(cobalt.pending) == 0


def test_a_callback_with_a_state_cobalt_did_not_start_is_refused(ehr):
    cobalt = Cobalt(_settings(ehr))
    cobalt.get(ehr.launch_url(APP, ehr.new_launch(PATIENT)))  # a real launch in this browser
    text = _refusal(cobalt.get(f"{REDIRECT}?code=abc&state=forged-state"), "state", 400)
    assert "not one Cobalt started in this browser" in text
    assert len(cobalt.handovers) == 0


def test_a_callback_opened_in_another_browser_is_refused_and_cannot_be_retried(ehr):
    cobalt = Cobalt(_settings(ehr))
    first = cobalt.get(ehr.launch_url(APP, ehr.new_launch(PATIENT)))
    back = _at_record(ehr, cobalt, first.headers["location"])
    _refusal(cobalt.get(back, browser=cobalt.new_browser()), "state", 400)  # no cookie: another browser
    _refusal(cobalt.get(back), "state", 400)  # the state was spent
    assert len(cobalt.handovers) == 0


def test_a_callback_replayed_is_refused(ehr):
    cobalt = Cobalt(_settings(ehr))
    first = cobalt.get(ehr.launch_url(APP, ehr.new_launch(PATIENT)))
    back = _at_record(ehr, cobalt, first.headers["location"])
    assert cobalt.get(back).status_code == 302
    _refusal(cobalt.get(back), "state", 400)
    assert len(cobalt.handovers) == 1


def test_the_clinician_denying_at_the_record_is_refused_clearly(ehr):
    cobalt = Cobalt(_settings(ehr))
    text = _refusal(_launch(ehr, cobalt, ehr.new_launch(PATIENT), decision="deny"), "denied", 403)
    assert "refused or cancelled" in text and "Nothing was opened or saved." in text
    assert len(cobalt.handovers) == 0


@pytest.mark.parametrize(("make", "words"), [
    (lambda ehr: "L-never-issued", "unknown launch"),
    (lambda ehr: ehr.new_launch(PATIENT, ttl_s=-1), "launch expired"),
])  # fmt: skip
def test_an_unknown_or_expired_launch_is_refused_by_the_record_and_said_so(ehr, make, words):
    cobalt = Cobalt(_settings(ehr))
    text = _refusal(_launch(ehr, cobalt, make(ehr)), "provider", 403)
    assert words in text and "Open Cobalt again from the patient" in text
    assert len(cobalt.handovers) == 0


def test_a_launch_used_once_cannot_open_cobalt_again(ehr):
    cobalt = Cobalt(_settings(ehr))
    launch = ehr.new_launch(PATIENT)
    assert _launch(ehr, cobalt, launch).status_code == 302
    assert "launch already used" in _refusal(_launch(ehr, cobalt, launch), "provider", 403)


def test_a_token_without_a_patient_is_refused(ehr):
    cobalt = Cobalt(_settings(ehr))
    text = _refusal(_launch(ehr, cobalt, ehr.new_launch(None)), "no_patient", 400)
    assert "without a patient in context" in text
    assert len(cobalt.handovers) == 0


def test_a_record_without_pkce_s256_in_its_smart_configuration_is_refused(ehr):
    cobalt = Cobalt(_settings(ehr))
    ehr.smart_configuration_override = {"capabilities": ["launch-ehr"], "code_challenge_methods_supported": ["plain"]}
    try:
        text = _refusal(cobalt.get(ehr.launch_url(APP, ehr.new_launch(PATIENT))), "discovery", 502)
    finally:
        ehr.smart_configuration_override = None
    assert "PKCE with S256" in text


def test_without_smart_settings_the_launch_says_it_is_not_set_up(ehr):
    cobalt = Cobalt(None)
    text = _refusal(cobalt.get(ehr.launch_url(APP, ehr.new_launch(PATIENT))), "not_configured", 503)
    assert "not set up to be opened from a hospital record" in text
    _refusal(cobalt.get(f"{REDIRECT}?code=a&state=b"), "not_configured", 503)


@pytest.mark.parametrize("query", ["", "?iss=x", "?launch=y", "?iss=a&iss=b&launch=y"])
def test_a_launch_address_without_one_iss_and_one_launch_is_refused(ehr, query):
    _refusal(Cobalt(_settings(ehr)).get(f"{APP}/launch{query}"), "bad_request", 400)


def test_a_refusal_page_escapes_what_the_address_brought(ehr):
    cobalt = Cobalt(_settings(ehr))
    text = _refusal(cobalt.get(f"{APP}/launch?iss=https://<script>x</script>.example/fhir&launch=1"),
                    "iss_not_allowed", 403)  # fmt: skip
    assert "<script>" not in text
