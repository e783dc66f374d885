"""The pieces of the SMART EHR launch (ehr/smart.py, ehr/smart_store.py), without a browser or a server:
settings and the iss allow-list, discovery and its refusals, PKCE and the authorisation request, the token
exchange, the ID token's checks, the launch context, and the bounded one-time stores with their expiry."""

from __future__ import annotations

import base64
import hashlib
import re
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from joserfc import jwt
from joserfc.jwk import RSAKey

from ehr.smart import (
    CLOCK_LEEWAY_S,
    DEFAULT_DAYS,
    DEFAULT_SCOPE,
    Pending,
    Refusal,
    SmartError,
    SmartServer,
    SmartSettings,
    allowed_iss,
    begin,
    discover,
    exchange,
    parse_configuration,
    provider_refusal,
    smart_settings,
)
from ehr.smart_store import Expiring, browser_hash
from ehr.smart_token import LaunchContext, absolute_fhir_user, launch_context

ISS = "https://ehr.hospital.example/fhir"
ISSUER = "https://login.hospital.example"
SETTINGS = SmartSettings((ISS,), "cobalt", "https://cobalt.hospital.example/launch/callback")
SERVER = SmartServer(ISS, f"{ISSUER}/authorize", f"{ISSUER}/token", ISSUER, f"{ISSUER}/jwks")
KEY = RSAKey.generate_key(2048, parameters={"kid": "k1"}, private=True)
OTHER_KEY = RSAKey.generate_key(2048, parameters={"kid": "k1"}, private=True)
JWKS = {"keys": [KEY.as_dict(private=False)]}
NOW = 1_800_000_000.0
NONCE = "nonce-123"
PENDING = Pending(SERVER, "v" * 64, NONCE)


def _config(**changes) -> dict:
    body = {
        "issuer": ISSUER, "jwks_uri": f"{ISSUER}/jwks", "authorization_endpoint": f"{ISSUER}/authorize",
        "token_endpoint": f"{ISSUER}/token", "capabilities": ["launch-ehr", "sso-openid-connect"],
        "code_challenge_methods_supported": ["S256"],
    }  # fmt: skip
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


def _id_token(key=KEY, **changes) -> str:
    claims = {"iss": ISSUER, "aud": "cobalt", "sub": "u1", "exp": int(NOW) + 300, "iat": int(NOW), "nonce": NONCE,
              "fhirUser": f"{ISS}/Practitioner/p17", "name": "Dr Ada Byron"}  # fmt: skip
    claims.update(changes)
    return jwt.encode({"alg": "RS256", "kid": "k1"}, {k: v for k, v in claims.items() if v is not None}, key)


def _token(**changes) -> dict:
    token = {"access_token": "at-1", "token_type": "Bearer", "expires_in": 3600, "scope": DEFAULT_SCOPE,
             "patient": "pat-77", "id_token": _id_token()}  # fmt: skip
    token.update(changes)
    return {k: v for k, v in token.items() if v is not None}


def _refused(kind: Refusal, fn, *args, **kwargs) -> SmartError:
    with pytest.raises(SmartError) as err:
        fn(*args, **kwargs)
    assert err.value.kind == kind
    assert "pat-77" not in err.value.message
    return err.value


# -- settings and the allow-list ------------------------------------------------------------------


def test_without_an_allowed_iss_the_launch_is_off():
    assert smart_settings({}, {}) is None
    assert smart_settings({"COBALT_SMART_CLIENT_ID": "cobalt"}, {"smart": {"client_id": "x"}}) is None


def test_settings_come_from_the_environment_or_the_smart_table_and_the_environment_wins():
    table = {"smart": {"iss": [ISS + "/", "https://b.example/fhir"], "client_id": "from-file",
                       "redirect_uri": SETTINGS.redirect_uri}}  # fmt: skip
    from_file = smart_settings({}, table)
    assert from_file.issuers == (ISS, "https://b.example/fhir")
    assert (from_file.client_id, from_file.days, from_file.scope) == ("from-file", DEFAULT_DAYS, DEFAULT_SCOPE)
    env = smart_settings({"COBALT_SMART_CLIENT_ID": "from-env", "COBALT_SMART_DAYS": "14"}, table)
    assert (env.client_id, env.days) == ("from-env", 14)
    listed = smart_settings({"COBALT_SMART_ISS": f"{ISS}, https://b.example/fhir", "COBALT_SMART_CLIENT_ID": "c",
                             "COBALT_SMART_REDIRECT_URI": SETTINGS.redirect_uri}, {})  # fmt: skip
    assert listed.issuers == (ISS, "https://b.example/fhir")


@pytest.mark.parametrize(("days", "ok"), [("0", False), ("1", True), ("3650", True), ("3651", False), ("ten", False)])
def test_the_window_of_days_is_one_to_3650(days, ok):
    env = {"COBALT_SMART_ISS": ISS, "COBALT_SMART_CLIENT_ID": "c", "COBALT_SMART_REDIRECT_URI": SETTINGS.redirect_uri,
           "COBALT_SMART_DAYS": days}  # fmt: skip
    if ok:
        assert smart_settings(env).days == int(days)
    else:
        assert "days" in _refused(Refusal.NOT_CONFIGURED, smart_settings, env).message


def test_incomplete_settings_say_what_is_missing():
    message = _refused(Refusal.NOT_CONFIGURED, smart_settings, {"COBALT_SMART_ISS": ISS}).message
    assert "client id" in message and "redirect URI" in message


def test_an_allowed_iss_is_accepted_with_or_without_a_trailing_slash():
    assert allowed_iss(SETTINGS, ISS + "/") == ISS
    assert allowed_iss(SETTINGS, " " + ISS) == ISS


@pytest.mark.parametrize("iss", ["https://evil.example/fhir", ISS + ".evil.example", ISS + "/other",
                                 "http://ehr.hospital.example/fhir", "", "javascript:alert(1)"])  # fmt: skip
def test_an_iss_that_is_not_configured_is_refused(iss):
    error = _refused(Refusal.ISS_NOT_ALLOWED, allowed_iss, SETTINGS, iss)
    assert error.status == 403 and "not one this Cobalt is set up to trust" in error.message


# -- discovery ------------------------------------------------------------------------------------


def _discover(handler) -> SmartServer:
    return discover(SETTINGS, ISS, httpx.Client(transport=httpx.MockTransport(handler)))


def test_discovery_reads_the_smart_configuration_at_the_iss():
    seen = []

    def handler(request):
        seen.append(str(request.url))
        return httpx.Response(200, json=_config())

    assert _discover(handler) == SERVER
    assert seen == [f"{ISS}/.well-known/smart-configuration"]


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (_config(capabilities=["launch-standalone"]), "EHR launch"),
        (_config(code_challenge_methods_supported=["plain"]), "S256"),
        (_config(code_challenge_methods_supported=None), "S256"),
        (_config(jwks_uri=None), "jwks_uri"),
        (_config(issuer=None), "issuer"),
        (_config(token_endpoint="http://login.hospital.example/token"), "not on https"),
        (_config(authorization_endpoint="ftp://x/authorize"), "authorization_endpoint"),
        ([1, 2], "not a JSON object"),
    ],
)
def test_a_smart_configuration_cobalt_cannot_use_is_refused(body, words):
    assert words in _refused(Refusal.DISCOVERY, parse_configuration, ISS, body).message


def test_http_endpoints_are_accepted_only_on_the_loopback():
    local = "http://127.0.0.1:8080"
    body = _config(issuer=local, jwks_uri=f"{local}/jwks", authorization_endpoint=f"{local}/a",
                   token_endpoint=f"{local}/t")
    assert parse_configuration(ISS, body).token_endpoint == f"{local}/t"


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        (lambda r: httpx.Response(404, text="no"), "HTTP status 404"),
        (lambda r: httpx.Response(200, text="<html>login</html>"), "not valid JSON"),
        (lambda r: httpx.Response(200, text='{"a": 1, "a": 2}'), "not valid JSON"),
    ],
)
def test_a_smart_configuration_that_cannot_be_read_is_refused(answer, words):
    assert words in _refused(Refusal.DISCOVERY, _discover, answer).message


def test_an_unreachable_or_slow_record_is_refused_clearly():
    def down(request):
        raise httpx.ConnectError("refused", request=request)

    def slow(request):
        raise httpx.ReadTimeout("slow", request=request)

    assert "could not be reached" in _refused(Refusal.DISCOVERY, _discover, down).message
    assert "did not answer in time" in _refused(Refusal.DISCOVERY, _discover, slow).message


# -- the authorisation request: PKCE, state, nonce, aud, launch --------------------------------------


def test_the_authorisation_request_carries_pkce_s256_state_nonce_aud_and_launch():
    state, pending, url = begin(SETTINGS, SERVER, "launch-abc")
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == SERVER.authorization_endpoint
    q = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert q["response_type"] == "code" and q["client_id"] == "cobalt" and q["redirect_uri"] == SETTINGS.redirect_uri
    assert q["scope"].split() == ["launch", "openid", "fhirUser", "patient/Observation.rs"]
    assert q["aud"] == ISS and q["launch"] == "launch-abc"
    assert q["state"] == state and q["nonce"] == pending.nonce
    assert q["code_challenge_method"] == "S256"
    digest = base64.urlsafe_b64encode(hashlib.sha256(pending.verifier.encode()).digest()).rstrip(b"=").decode()
    assert q["code_challenge"] == digest
    assert 43 <= len(pending.verifier) <= 128 and re.fullmatch(r"[A-Za-z0-9\-._~]+", pending.verifier)
    assert pending.verifier not in url


def test_every_launch_has_its_own_state_nonce_and_verifier():
    a, b = begin(SETTINGS, SERVER, "l"), begin(SETTINGS, SERVER, "l")
    assert a[0] != b[0] and a[1].verifier != b[1].verifier and a[1].nonce != b[1].nonce
    assert len(a[0]) >= 32


# -- the token exchange ---------------------------------------------------------------------------


def _exchange(handler) -> dict:
    return exchange(SETTINGS, PENDING, "code-1", {"transport": httpx.MockTransport(handler)})


def test_the_code_is_exchanged_with_the_pkce_verifier_and_the_redirect_uri():
    sent = []

    def handler(request):
        sent.append(parse_qs(request.content.decode()))
        return httpx.Response(200, json=_token())

    token = _exchange(handler)
    assert token["patient"] == "pat-77"
    body = {k: v[0] for k, v in sent[0].items()}
    assert body == {"grant_type": "authorization_code", "code": "code-1", "code_verifier": "v" * 64,
                    "redirect_uri": SETTINGS.redirect_uri, "client_id": "cobalt"}  # fmt: skip


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        (httpx.Response(400, json={"error": "invalid_grant", "error_description": "Code challenge failed."}),
         "invalid_grant"),
        (httpx.Response(200, text="<html/>"), "failed"),
        (httpx.Response(500, text="down"), "HTTP status 500"),
    ],
)  # fmt: skip
def test_a_refused_or_failed_token_request_is_a_clear_refusal(answer, words):
    assert words in _refused(Refusal.TOKEN, _exchange, lambda r: answer).message


# -- the token response: patient and clinician ------------------------------------------------------


def _context(token=None, jwks=JWKS, now=NOW) -> LaunchContext:
    return launch_context(SETTINGS, PENDING, _token() if token is None else token, jwks, now)


def test_the_patient_comes_from_the_token_and_the_clinician_from_the_verified_id_token():
    context = _context()
    assert context.patient == "pat-77" and context.access_token == "at-1" and context.iss == ISS
    assert context.fhir_user == f"{ISS}/Practitioner/p17" and context.clinician == "Dr Ada Byron"
    assert context.expires_at == NOW + 3600
    assert context.actor_claims()["sub"] == context.fhir_user and context.actor_claims()["provider"] == "smart"
    assert "pat-77" not in repr(context) and "at-1" not in repr(context)


@pytest.mark.parametrize("patient", [None, ""])
def test_a_token_without_a_patient_is_refused(patient):
    error = _refused(Refusal.NO_PATIENT, _context, _token(patient=patient))
    assert "without a patient in context" in error.message


@pytest.mark.parametrize("patient", ["Patient/1", "a b", "x" * 65, 42])
def test_a_patient_that_is_not_a_fhir_id_is_refused(patient):
    _refused(Refusal.NO_PATIENT, _context, _token(patient=patient))


@pytest.mark.parametrize("change", [{"access_token": None}, {"token_type": "mac"}, {"access_token": ""}])
def test_a_token_response_without_a_bearer_token_is_refused(change):
    _refused(Refusal.TOKEN, _context, _token(**change))


@pytest.mark.parametrize(
    "id_token",
    [
        None,
        _id_token(key=OTHER_KEY),  # not signed by the record
        _id_token(aud="someone-else"),
        _id_token(iss="https://other.example"),
        _id_token(nonce="replayed"),
        _id_token(nonce=None),
        _id_token(fhirUser=None),
        _id_token(fhirUser=f"{ISS}/Patient/pat-77"),  # a patient, not a clinician
        _id_token(exp=None),
        "not.a.jwt",
    ],
)
def test_an_id_token_that_fails_a_check_is_refused(id_token):
    _refused(Refusal.IDENTITY, _context, _token(id_token=id_token))


def test_an_id_token_is_accepted_until_its_expiry_plus_the_leeway_and_refused_after():
    exp = int(NOW) + 300
    token = _token(id_token=_id_token(exp=exp))
    assert _context(token, now=exp + CLOCK_LEEWAY_S - 1).patient == "pat-77"
    _refused(Refusal.IDENTITY, _context, token, now=exp + CLOCK_LEEWAY_S + 1)


def test_a_relative_fhir_user_is_made_absolute_against_the_iss():
    assert absolute_fhir_user(ISS, "Practitioner/p17") == f"{ISS}/Practitioner/p17"
    assert absolute_fhir_user(ISS, "PractitionerRole/r1") == f"{ISS}/PractitionerRole/r1"
    _refused(Refusal.IDENTITY, absolute_fhir_user, ISS, "RelatedPerson/x")
    _refused(Refusal.IDENTITY, absolute_fhir_user, ISS, "Practitioner/bad id")


def test_the_launch_expires_with_its_access_token():
    context = _context()
    assert not context.expired(NOW + 3599) and context.expired(NOW + 3600)
    assert _context(_token(expires_in=None)).expires_at is None


def test_the_record_refusing_or_the_user_denying_is_said_in_cobalts_words():
    denied = provider_refusal("access_denied", "user said no")
    assert denied.kind == Refusal.DENIED and "refused or cancelled" in denied.message
    other = provider_refusal("invalid_request<script>", "launch expired <b>now</b>")
    assert other.kind == Refusal.PROVIDER and "<" not in other.message and "launch expired" in other.message


# -- the stores: one-time, bounded, expiring, bound to the browser -----------------------------------


class Clock:
    def __init__(self):
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


BROWSER = browser_hash("c" * 43)


def test_an_entry_is_taken_once_and_only_by_its_browser():
    store: Expiring = Expiring(60)
    key = store.put("launch", BROWSER)
    assert store.take(key, browser_hash("d" * 43)) is None  # another browser: refused, and the entry is gone
    assert store.take(key, BROWSER) is None
    key = store.put("launch", BROWSER)
    assert store.take(key, BROWSER) == "launch"
    assert store.take(key, BROWSER) is None  # once only
    assert store.take(store.put("x", BROWSER), None) is None  # no cookie, nothing


def test_an_entry_expires_after_its_time_to_live():
    clock = Clock()
    store: Expiring = Expiring(600, clock=clock)
    kept, gone = store.put("a", BROWSER), store.put("b", BROWSER)
    clock.t += 599.9
    assert store.take(kept, BROWSER) == "a"
    clock.t += 0.1
    assert store.take(gone, BROWSER) is None
    assert len(store) == 0


def test_the_store_is_bounded_and_drops_the_oldest_first():
    store: Expiring = Expiring(600, max_entries=3)
    keys = [store.put(i, BROWSER) for i in range(5)]
    assert len(store) == 3
    assert [store.take(k, BROWSER) for k in keys] == [None, None, 2, 3, 4]


def test_keys_are_opaque_and_random():
    store: Expiring = Expiring(60)
    keys = {store.put(i, BROWSER) for i in range(50)}
    assert len(keys) == 50 and all(len(k) >= 43 for k in keys)


@pytest.mark.parametrize("cookie", [None, "", "short", "x" * 101])
def test_a_missing_or_malformed_browser_cookie_binds_nothing(cookie):
    assert browser_hash(cookie) is None


@pytest.mark.parametrize(("redirect", "app"), [
    ("https://cobalt.hospital.example/launch/callback", "https://cobalt.hospital.example/"),
    ("https://hospital.example/cobalt/launch/callback", "https://hospital.example/cobalt/"),
])
def test_the_app_is_reached_beside_the_redirect_uri(redirect, app):
    assert SmartSettings((ISS,), "c", redirect).app_url == app


# -- total: whatever the address or the record sends, a launch or a refusal, never a crash ----------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=30), inner, max_size=6),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_any_iss_but_the_configured_one_is_refused(iss):
    try:
        assert allowed_iss(SETTINGS, iss) == ISS
    except SmartError as exc:
        assert exc.kind == Refusal.ISS_NOT_ALLOWED


@settings(max_examples=200, deadline=None)
@given(st.one_of(JSON, st.fixed_dictionaries({}, optional={k: JSON | st.just(v) for k, v in _config().items()})))
def test_any_smart_configuration_gives_a_server_or_a_refusal(body):
    try:
        server = parse_configuration(ISS, body)
    except SmartError as exc:
        assert exc.kind == Refusal.DISCOVERY
    else:
        assert server.token_endpoint.startswith("https://") and server.iss == ISS


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300), st.none() | st.text(max_size=2000))
def test_any_error_from_the_record_is_said_without_markup(error, description):
    refusal = provider_refusal(error, description)
    assert refusal.kind in (Refusal.DENIED, Refusal.PROVIDER)
    assert "<" not in refusal.message and ">" not in refusal.message and len(refusal.message) < 600


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.sampled_from(["access_token", "token_type", "patient", "id_token", "expires_in", "scope"]),
                       JSON, max_size=6))  # fmt: skip
def test_any_token_response_gives_a_launch_or_a_refusal(token):
    try:
        context = _context(token)
    except SmartError:
        return
    assert isinstance(context.patient, str) and context.fhir_user.startswith(ISS)
