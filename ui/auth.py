"""Who is using the app: sign-in through Streamlit's ``st.login`` (OpenID Connect) when the store is
shared, the local actor when it is not.

Sign-in is ON when the case database is a server (a PostgreSQL ``$COBALT_DATABASE_URL``) or when
``$COBALT_REQUIRE_LOGIN`` is set to 1/true/yes/on; it is OFF for the laptop default (the SQLite
file, one user), where every case belongs to :data:`store.LOCAL` as before. With PostgreSQL it
cannot be switched off. The identity provider is configured in ``.streamlit/secrets.toml`` (``[auth]``,
see ``deploy/secrets.example.toml``); a case's owner is the ID token's ``sub`` claim, and an optional
claim named by ``$COBALT_TEAM_CLAIM`` (e.g. ``ward``) puts the user in a team that shares its cases.

A sign-in that the provider refused (or that was cancelled) comes back to the app without a user;
Streamlit then leaves the unfinished sign-in's state in its session cookie (Authlib removes it only
when a sign-in completes), which is how the sign-in screen knows to say so.

Streamlit trusts its signed cookie for 30 days; Cobalt asks more on every run (ui/signins.py): a sign-in
lasts one shift, and one that was signed out (in any process) is over. Either way the sign-in screen
comes back and says why; the store is never called for that session again.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import time
from collections.abc import Mapping
from typing import Any

import streamlit as st

from store import LOCAL, Actor, StoreError, is_shared
from ui.launch import end_launch, ended_launch, launch_context, launch_state
from ui.signins import STATE_COOKIE, STATE_HEADER, WHY, SignInState, records

REQUIRE_ENV = "COBALT_REQUIRE_LOGIN"
TEAM_CLAIM_ENV = "COBALT_TEAM_CLAIM"
SESSION_COOKIE = "_streamlit_session"  # Streamlit's signed session cookie (Starlette SessionMiddleware)
STATE_PREFIX = "_state_"  # Authlib's key for an unfinished sign-in in that session
DEFAULT_PROVIDER = "default"
PROVIDER_KEYS = frozenset({"client_id", "client_secret", "server_metadata_url"})
SHARED_KEYS = frozenset({"redirect_uri", "cookie_secret"})

REFUSED_MESSAGE = (
    "Sign-in did not complete: the hospital's identity provider refused it, or it was cancelled. "
    "Nothing was opened. Try again; if it keeps failing, ask the ward's IT contact whether your "
    "account may use Cobalt."
)


# -- pure rules (tested without a browser) --------------------------------------------------


def sign_in_required(environ: Mapping[str, str] | None = None) -> bool:
    """Sign-in is on for a shared (PostgreSQL) store, or when ``$COBALT_REQUIRE_LOGIN`` says so."""
    env = os.environ if environ is None else environ
    if env.get(REQUIRE_ENV, "").strip().lower() in {"1", "true", "yes", "on"}:
        return True
    return is_shared(env.get("COBALT_DATABASE_URL") or None)


def providers(auth: Mapping[str, Any] | None) -> list[str]:
    """The providers ``[auth]`` configures: ``default`` for keys directly in ``[auth]``, else each
    ``[auth.NAME]`` section; empty when the shared keys (redirect_uri, cookie_secret) are missing."""
    if not auth or not SHARED_KEYS <= set(auth):
        return []
    if PROVIDER_KEYS <= set(auth):
        return [DEFAULT_PROVIDER]
    return sorted(k for k, v in auth.items() if isinstance(v, Mapping) and PROVIDER_KEYS <= set(v))


def actor_from_claims(claims: Mapping[str, Any], team_claim: str | None = None) -> Actor | None:
    """The store's actor for a signed-in user's ID-token claims (None without a ``sub``).

    The owner is ``sub`` (prefixed by the provider's name for a provider other than the default,
    so that two providers' subjects never meet); the name shown is the e-mail, else the name.
    A team claim that holds a list gives its first value.
    """
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub.strip():
        return None
    provider = claims.get("provider")
    subject = sub if provider in (None, DEFAULT_PROVIDER) else f"{provider}:{sub}"
    team = claims.get(team_claim) if team_claim else None
    if isinstance(team, list):
        team = team[0] if team else None
    if team is not None:
        team = str(team).strip()[:120] or None
    name = claims.get("email") or claims.get("name") or claims.get("preferred_username")
    name = str(name)[:255] if name else None
    try:
        return Actor(subject, team, name)
    except StoreError:
        return None


def unfinished_sign_in(cookie: str | None, secret: str | None, now: float | None = None) -> bool:
    """Whether Streamlit's session cookie holds a sign-in that was started and never completed.

    The cookie is ``base64(json)``, a timestamp and a signature (itsdangerous); a cookie whose
    signature does not match ``secret`` is ignored.
    """
    if not cookie or not secret:
        return False
    import itsdangerous

    try:
        payload = itsdangerous.TimestampSigner(str(secret)).unsign(cookie.encode("utf-8"))
        session = json.loads(base64.b64decode(payload))
    except (itsdangerous.BadSignature, binascii.Error, ValueError, UnicodeError):
        return False
    if not isinstance(session, dict):
        return False
    moment = time.time() if now is None else now
    return any(
        key.startswith(STATE_PREFIX) and isinstance(value, dict) and float(value.get("exp") or 0) > moment
        for key, value in session.items()
    )


# -- the app's side -------------------------------------------------------------------------


def _auth_section() -> dict[str, Any]:
    try:
        auth = st.secrets.get("auth")
    except Exception:  # noqa: BLE001 - no secrets file at all: sign-in is not configured
        return {}
    return auth.to_dict() if hasattr(auth, "to_dict") else dict(auth or {})


def _user() -> dict[str, Any]:
    return st.user.to_dict()


def _sign_in_state() -> SignInState | None:
    """This session's sign-in: None if nobody is signed in, else whether it still holds."""
    user = _user()
    if not user.get("is_logged_in"):
        return None
    return records().state(user)


def signed_in() -> bool:
    """Signed in, and the sign-in still holds (not signed out, shift not over)."""
    return _sign_in_state() is SignInState.VALID


def current_actor() -> Actor | None:
    """Who calls the store in this session: the signed-in user, LOCAL with sign-in off, else None
    (every store call then fails closed)."""
    if not sign_in_required():
        return LOCAL
    launched = launch_context()  # opened from the record (SMART): the verified fhirUser, see ui/launch.py
    if launched is not None:  # while the launch's sign-in holds (ehr/smart_signins.py), else nobody
        if launch_state() is not SignInState.VALID:
            return None
        return actor_from_claims(launched.actor_claims(), os.environ.get(TEAM_CLAIM_ENV) or None)
    if not signed_in():
        return None
    return actor_from_claims(_user(), os.environ.get(TEAM_CLAIM_ENV) or None)


def shown_name() -> str | None:
    """How the sidebar names the signed-in user (None with sign-in off)."""
    actor = current_actor()
    if not sign_in_required() or actor is None:
        return None
    return actor.shown


def _ended_reason(state: SignInState | None) -> str | None:
    """Why this browser is signed out although it was signed in: this session's sign-in has ended, or the
    gate took an ended sign-in off the connection (its header) or out of the browser (its cookie)."""
    if state is not None and state is not SignInState.VALID:
        return WHY[state]
    said = st.context.headers.get(STATE_HEADER) or st.context.cookies.get(STATE_COOKIE)
    try:
        return WHY.get(SignInState(said)) if said else None
    except ValueError:
        return None


def _sign_in_screen(names: list[str], state: SignInState | None = None, record_said: str | None = None) -> None:
    st.title("Cobalt")
    st.markdown("**B12 deficiency with thrombocytopenia.** Sign in with your hospital account to see your cases.")
    auth = _auth_section()
    if unfinished_sign_in(st.context.cookies.get(SESSION_COOKIE), auth.get("cookie_secret")):
        st.error(REFUSED_MESSAGE, icon=":material/block:")
    elif ended := _ended_reason(state) or record_said:
        st.warning(ended, icon=":material/lock_clock:")
    for name in names:
        label = "Sign in" if name == DEFAULT_PROVIDER else f"Sign in with {name}"
        if st.button(label, key=f"app_sign_in_{name}", type="primary", icon=":material/login:"):
            st.login(name)
    st.caption("Cases are kept on the ward's server: each clinician sees the cases they (or their team) made.")


def _launch_ended_screen(said: str) -> None:
    """A browser whose session opened from the record has ended, where Cobalt has no sign-in of its own."""
    st.title("Cobalt")
    ended = _ended_reason(None)  # a sign-out (the gate's cookie) says so first
    if said or ended:
        st.warning(ended or said, icon=":material/lock_clock:")
    st.markdown("**B12 deficiency with thrombocytopenia.** Open Cobalt from the patient's record to go on.")


def _not_configured(reason: str) -> None:
    st.title("Cobalt")
    st.error(
        f"Sign-in is required here (the case database is shared) but {reason}. Ask whoever runs this "
        "server to follow README, 'Sign-in'; an example is in deploy/secrets.example.toml.",
        icon=":material/lock:",
    )


def require_sign_in() -> Actor:
    """The acting user; with sign-in on and nobody signed in, show the sign-in screen and stop the run."""
    if not sign_in_required():
        return LOCAL
    smart = launch_state()  # opened from the record (SMART launch, ui/launch.py): signed in at the record
    if smart is SignInState.VALID and (launched := current_actor()) is not None:
        return launched
    if smart is not None:  # its access has expired, or it was signed out: forgotten, and said why
        end_launch(smart)
    names = providers(_auth_section())
    record_said = ended_launch()
    if not names and (record_said is not None or _ended_reason(None)):  # opened from the record only, and over
        _launch_ended_screen(record_said or "")
        st.stop()
    if not names:
        _not_configured("no identity provider is set in .streamlit/secrets.toml ([auth])")
        st.stop()
    import importlib.util

    if importlib.util.find_spec("authlib") is None:
        _not_configured("Authlib is not installed (pip install -r requirements.txt)")
        st.stop()
    state = _sign_in_state()
    if state is not SignInState.VALID:
        _sign_in_screen(names, state, record_said)
        st.stop()
    actor = current_actor()
    if actor is None:
        st.title("Cobalt")
        st.error("Your sign-in gave no user id (sub claim), so no case can be shown.", icon=":material/block:")
        if st.button("Sign out", key="app_sign_out_bad"):
            st.logout()
        st.stop()
    return actor
