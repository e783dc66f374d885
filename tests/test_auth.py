"""Sign-in (ui/auth.py): when it is on, who the store's actor is, what the app shows before and after
sign-in, and that one user's case is refused to another (AppTest; the real browser flow against an
OpenID provider is in tests/browser/test_auth_flow.py)."""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path

import itsdangerous
import pytest
from streamlit.testing.v1 import AppTest

from store import LOCAL, Actor
from tests.page_session import opened
from ui.auth import REFUSED_MESSAGE, actor_from_claims, providers, sign_in_required, unfinished_sign_in
from ui.database import get_store

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
SECRET = "0123456789abcdef" * 4
AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": SECRET,
    "client_id": "cobalt",
    "client_secret": "not-a-real-secret",
    "server_metadata_url": "http://127.0.0.1:9400/.well-known/openid-configuration",
}
NOW = int(time.time())  # an ID token names when the sign-in was made (iat): a sign-in lasts one shift
ADA = {"is_logged_in": True, "sub": "dr.ada", "email": "ada@ward.example", "iat": NOW, "exp": NOW + 3600}
BOB = {"is_logged_in": True, "sub": "dr.bob", "email": "bob@ward.example", "iat": NOW, "exp": NOW + 3600}


# -- when sign-in is on -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "on"),
    [
        ({}, False),  # the laptop default: the SQLite file
        ({"COBALT_DATABASE_URL": "sqlite:////tmp/x.sqlite3"}, False),
        ({"COBALT_REQUIRE_LOGIN": "0"}, False),
        ({"COBALT_REQUIRE_LOGIN": "no"}, False),
        ({"COBALT_REQUIRE_LOGIN": ""}, False),
        ({"COBALT_REQUIRE_LOGIN": "1"}, True),
        ({"COBALT_REQUIRE_LOGIN": " TRUE "}, True),
        ({"COBALT_REQUIRE_LOGIN": "yes"}, True),
        ({"COBALT_REQUIRE_LOGIN": "on"}, True),
        ({"COBALT_DATABASE_URL": "postgresql://cobalt@db/cobalt"}, True),
        ({"COBALT_DATABASE_URL": "postgres://cobalt@db/cobalt", "COBALT_REQUIRE_LOGIN": "0"}, True),
    ],
)
def test_sign_in_is_on_for_a_shared_store_or_when_required(env, on):
    assert sign_in_required(env) is on


def test_providers_need_the_shared_keys_and_a_complete_provider():
    assert providers(AUTH) == ["default"]
    assert providers({k: v for k, v in AUTH.items() if k != "cookie_secret"}) == []
    assert providers({k: v for k, v in AUTH.items() if k != "client_id"}) == []
    shared = {"redirect_uri": AUTH["redirect_uri"], "cookie_secret": SECRET}
    named = {k: AUTH[k] for k in ("client_id", "client_secret", "server_metadata_url")}
    assert providers({**shared, "hospital": named, "lab": {"client_id": "x"}}) == ["hospital"]
    assert providers(None) == providers({}) == []


# -- who the actor is ----------------------------------------------------------------------------


def test_the_actor_is_the_sub_claim_named_by_the_email():
    assert actor_from_claims(ADA) == Actor("dr.ada", None, "ada@ward.example")
    assert actor_from_claims({"sub": "x1", "name": "Dr Cy"}) == Actor("x1", None, "Dr Cy")
    assert actor_from_claims({"sub": "x1"}).shown == "x1"


def test_a_named_providers_subjects_are_kept_apart_from_the_default_ones():
    assert actor_from_claims({**ADA, "provider": "default"}).subject == "dr.ada"
    assert actor_from_claims({**ADA, "provider": "lab"}).subject == "lab:dr.ada"


def test_the_team_comes_from_the_configured_claim():
    assert actor_from_claims({**ADA, "ward": "ward-7"}, "ward").team == "ward-7"
    assert actor_from_claims({**ADA, "groups": ["ward-9", "ward-7"]}, "groups").team == "ward-9"
    assert actor_from_claims({**ADA, "groups": []}, "groups").team is None
    assert actor_from_claims({**ADA, "ward": "  "}, "ward").team is None
    assert actor_from_claims({**ADA, "ward": "ward-7"}).team is None  # no claim configured
    assert actor_from_claims({**ADA, "ward": "w" * 200}, "ward").team == "w" * 120


@pytest.mark.parametrize("claims", [{}, {"sub": ""}, {"sub": "  "}, {"sub": 7}, {"sub": "s" * 256}])
def test_no_usable_sub_gives_no_actor(claims):
    assert actor_from_claims({**claims, "email": "x@y"}) is None


# -- a sign-in that did not complete ------------------------------------------------------------


def session_cookie(session: dict, secret: str = SECRET) -> str:
    """Streamlit's session cookie as Starlette's SessionMiddleware writes it."""
    payload = base64.b64encode(json.dumps(session).encode("utf-8"))
    return itsdangerous.TimestampSigner(secret).sign(payload).decode("utf-8")


def test_an_unfinished_sign_in_is_seen_in_the_session_cookie():
    now = 1_800_000_000.0
    started = {"_state_default_abc": {"data": {"redirect_uri": "x"}, "exp": now + 3600}}
    assert unfinished_sign_in(session_cookie(started), SECRET, now)
    assert unfinished_sign_in(session_cookie({"_state_default_abc": {"exp": now + 1}}), SECRET, now)
    assert not unfinished_sign_in(session_cookie({"_state_default_abc": {"exp": now}}), SECRET, now)  # expired
    assert not unfinished_sign_in(session_cookie({}), SECRET, now)  # it completed: Authlib removed it
    assert not unfinished_sign_in(session_cookie({"other": {"exp": now + 60}}), SECRET, now)
    assert not unfinished_sign_in(session_cookie(started, "another secret of 64 chars........"), SECRET, now)
    for junk in (None, "", "garbage", "a.b.c", session_cookie(started)[:-3]):
        assert not unfinished_sign_in(junk, SECRET, now)
    assert not unfinished_sign_in(session_cookie(started), None, now)


# -- the app with sign-in on (AppTest) -------------------------------------------------------------


def app(user: dict | None, query: dict | None = None, auth: dict | None = AUTH) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    if auth is not None:
        at.secrets["auth"] = auth
    if user is not None:
        at.user = user
    for k, v in (query or {}).items():
        at.query_params[k] = v
    return at.run()


def texts(at: AppTest) -> str:
    return " ".join(str(e.value) for e in [*at.markdown, *at.caption, *at.error, *at.title])


@pytest.fixture
def sign_in_on(monkeypatch):
    """Sign-in on (it needs Authlib, from streamlit[auth] in requirements.txt: under CI=true a missing
    Authlib fails these tests, elsewhere it skips them)."""
    import importlib.util
    import os

    if importlib.util.find_spec("authlib") is None:
        reason = "Authlib is not installed: pip install -r requirements.txt (streamlit[auth])"
        if os.environ.get("CI") == "true":
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    monkeypatch.setenv("COBALT_REQUIRE_LOGIN", "1")


def test_signed_out_the_app_shows_only_the_sign_in_screen(sign_in_on):
    at = app({"is_logged_in": False})
    assert [e.message for e in at.exception] == []
    assert [b.label for b in at.button] == ["Sign in"]
    assert "Sign in with your hospital account" in texts(at)
    assert "Current case" not in texts(at) and not at.sidebar.markdown
    assert REFUSED_MESSAGE not in texts(at)


def test_sign_in_on_but_not_configured_says_what_is_missing(sign_in_on):
    at = app({"is_logged_in": False}, auth=None)
    assert "Sign-in is required here" in texts(at) and "deploy/secrets.example.toml" in texts(at)
    assert not at.button


def test_signed_in_the_sidebar_names_the_user_and_offers_sign_out(sign_in_on):
    at = app(ADA)
    assert [e.message for e in at.exception] == []
    assert "Signed in as `ada@ward.example`" in " ".join(c.value for c in at.sidebar.caption)
    assert "Sign out" in [b.label for b in at.sidebar.button]
    at.sidebar.button(key="app_sign_out").click().run()
    assert at.user == {"is_logged_in": False}  # st.logout ran


def test_with_sign_in_off_there_is_no_sign_in_and_no_signed_in_line():
    at = app(None, auth=None)
    assert "Sign in" not in [b.label for b in at.button]
    assert "Signed in as" not in " ".join(c.value for c in at.sidebar.caption)
    assert "Current case" in texts(at)


def test_one_users_case_is_neither_listed_nor_opened_by_address_for_another(sign_in_on):
    ada = app(ADA)
    ada.text_input(key="case_label").set_value("Ada's bed 12").run()
    case_id = opened(ada).id
    store = get_store()
    rec = store.load(case_id, actor=Actor("dr.ada"))
    assert (rec.owner, rec.label) == ("dr.ada", "Ada's bed 12")
    assert case_id not in {c.id for c in store.list_cases(actor=LOCAL)}  # not the laptop user's either

    bob = app(BOB, {"case": case_id})
    assert opened(bob).id is None  # nothing opened
    assert any("No case at that address" in e.value for e in bob.error)
    assert "Ada's bed 12" not in texts(bob)
    bob.switch_page("app_pages/library.py").run()
    assert [e.message for e in bob.exception] == []
    assert "Ada's bed 12" not in json.dumps([str(d.value) for d in bob.dataframe])
    assert any("No saved cases" in c.value for c in bob.caption)

    again = app(ADA, {"case": case_id})  # the owner opens it by its address
    assert opened(again).id == case_id and not again.error
    trail = store.audit(case_id, actor=Actor("dr.ada"))
    assert [(e.action, e.actor) for e in trail] == [
        ("create", "dr.ada"),
        ("view", "dr.ada"),  # this test's own load above
        ("denied", "dr.bob"),  # the address tried by another user
        ("view", "dr.ada"),  # the owner opening it by its address
    ]


def test_a_junk_address_opens_nothing(sign_in_on):
    at = app(ADA, {"case": "../../etc/passwd"})
    assert opened(at).id is None
    assert any("No case at that address" in e.value for e in at.error)


def test_the_library_shows_the_open_cases_audit_trail_and_its_address(sign_in_on):
    at = app(ADA)
    at.text_input(key="case_label").set_value("Ada's audit case").run()
    case_id = opened(at).id
    at.session_state["lib_trail"] = True  # the audit trail is read while its expander is open
    at.switch_page("app_pages/library.py").run()
    assert [e.message for e in at.exception] == []
    trail = next(d for d in at.dataframe if "what" in d.value.columns)
    assert list(trail.value["who"]) == ["ada@ward.example"]
    assert list(trail.value["what"]) == ["made the case"]
    assert any(f"?case={case_id}" in c.value for c in at.code)
