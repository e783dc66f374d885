"""Whether a sign-in still holds: Streamlit's sign-in cookie, the end of a shift, and ended sign-ins.

Streamlit's ``st.login`` keeps the ID token's claims in a signed cookie (``_streamlit_user``, 30 days)
and checks only the signature: a copy of the cookie taken before a sign-out still signs in, and so does
one whose ID token expired long ago. Cobalt adds three rules, checked on every run of every session
(ui/auth.py), on every case file, upload and new connection (ui/gate.py) and on every download click
(ui/downloads.py):

- **A sign-in ends when its ID token expires** (``exp``), by default. A deployment whose provider issues
  short ID tokens (most last 5 to 60 minutes, and Streamlit cannot renew them, so clinicians would be
  signed out mid-task) sets a shift instead: ``$COBALT_SIGN_IN_HOURS`` hours after the sign-in was made
  (the ID token's ``iat``, else ``auth_time``), or ``shift`` for 12 hours; the ward files in deploy/ do.
  A token that names no expiry (or, with a shift, no time of sign-in) is refused.
- **A sign-out ends the sign-in everywhere.** Signing out records the sign-in, by a digest of its
  claims (:func:`sign_in_id`, nothing readable about the user), in the case database
  (``ended_sign_ins``); every process refuses it from then on.
- **No answer, no access.** When the database cannot say whether a sign-in has ended, the last answer
  of the past minute stands; without one the sign-in is refused.

The rules are pure functions of the claims, the clock and the environment (tested without a server);
the record is the store's (store/signins.py). No Streamlit here: the middleware uses it outside runs.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

HOURS_ENV = "COBALT_SIGN_IN_HOURS"
DEFAULT_HOURS = 12.0  # a shift, when a shift is configured (``shift``); also the sign-in cookie's Max-Age
ID_TOKEN = "id-token"
SHIFT = "shift"
#: At most this many hours may be configured (Streamlit's own cookie lasts 30 days).
MAX_HOURS = 24.0 * 30
#: The request header ui/gate.py sets (and only it) when it took an ended sign-in off a connection, and the
#: short-lived cookie it sets when it deletes the sign-in cookies of a page load: why the sign-in screen is back.
STATE_HEADER = "x-cobalt-sign-in"
STATE_COOKIE = "cobalt_sign_in"
USER_COOKIE = "_streamlit_user"
TOKENS_COOKIE = "_streamlit_user_tokens"
#: Streamlit accepts its signed cookies for 30 days and a day's grace (starlette_app_utils).
COOKIE_MAX_AGE_S = 31 * 24 * 3600
#: How long a "not ended" answer from the database is reused, and how long it stands in for an answer
#: when the database does not reply (a sign-out made in this process is seen at once).
RECHECK_S = 2.0
OUTAGE_GRACE_S = 60.0
#: The claims that together name one sign-in (the same in the cookie and in ``st.user``).
IDENTITY_CLAIMS = ("provider", "iss", "sub", "aud", "iat", "auth_time", "nonce", "exp", "sid")
_CHUNKS = re.compile(r"chunks-(\d+)")  # as streamlit.auth_util writes a split cookie


class SignInState(StrEnum):
    VALID = "valid"
    ENDED = "ended"  # signed out (here or in another process)
    EXPIRED = "expired"  # the shift (or the ID token) is over, or the token names no time of sign-in
    UNCHECKED = "unchecked"  # the database gave no answer and none is known from the past minute


WHY = {
    SignInState.ENDED: "You signed out, so this sign-in has ended.",
    SignInState.EXPIRED: "Your sign-in has expired (a sign-in lasts as long as the hospital sets, at most one "
    "shift). Sign in again to go on.",
    SignInState.UNCHECKED: (
        "Your sign-in cannot be checked now (the case database does not answer). Try again in a minute."
    ),
}


# -- pure rules ---------------------------------------------------------------------------------


def sign_in_id(claims: Mapping[str, Any]) -> str:
    """A digest naming one sign-in (64 hex characters): the same for a copy of its cookie, different
    for the next sign-in of the same user (a new ``iat`` and ``nonce``)."""
    named = {k: claims.get(k) for k in IDENTITY_CLAIMS}
    if named["provider"] is None:
        named["provider"] = "default"
    return hashlib.sha256(json.dumps(named, sort_keys=True, default=str).encode()).hexdigest()


def sign_in_limit(environ: Mapping[str, str] | None = None) -> float | str:
    """``"id-token"`` (the default: a sign-in ends at its ID token's ``exp``), or the hours of a shift
    (``$COBALT_SIGN_IN_HOURS``: a number, or ``shift`` for 12). A value that is none of these, or not a
    number of hours in (0, 720], is refused at start-up, never silently replaced."""
    env = os.environ if environ is None else environ
    raw = (env.get(HOURS_ENV) or "").strip().lower()
    if not raw or raw == ID_TOKEN:
        return ID_TOKEN
    if raw == SHIFT:
        return DEFAULT_HOURS
    try:
        hours = float(raw)
    except ValueError:
        raise ValueError(f"{HOURS_ENV} is a number of hours, {SHIFT!r} or {ID_TOKEN!r}, not {raw!r}") from None
    if not 0 < hours <= MAX_HOURS:
        raise ValueError(f"{HOURS_ENV} must be more than 0 and at most {MAX_HOURS:g} hours, not {hours:g}")
    return hours


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def ends_at(claims: Mapping[str, Any], limit: float | str) -> float | None:
    """When the sign-in ends (seconds since the epoch), or None if the claims cannot tell (refused)."""
    if limit == ID_TOKEN:
        return _number(claims.get("exp"))
    made = _number(claims.get("iat"))
    if made is None:
        made = _number(claims.get("auth_time"))
    return None if made is None else made + float(limit) * 3600.0


def expired(claims: Mapping[str, Any], now: float, limit: float | str) -> bool:
    end = ends_at(claims, limit)
    return end is None or now >= end


def cookie_max_age(limit: float | str) -> int:
    """The Max-Age Cobalt gives the sign-in cookie (seconds): the shift, not Streamlit's 30 days."""
    return int((DEFAULT_HOURS if limit == ID_TOKEN else float(limit)) * 3600)


def read_user_cookie(cookies: Mapping[str, str], secret: str | None) -> dict[str, Any] | None:
    """The claims in Streamlit's ``_streamlit_user`` cookie (its chunks joined) if its signature holds
    for ``secret``; None if there is no such cookie or it is not genuine."""
    if not secret:
        return None
    raw = cookies.get(USER_COOKIE)
    if not raw:
        return None
    from itsdangerous import BadSignature, URLSafeTimedSerializer

    def one(name: str) -> str | None:
        value = cookies.get(name)
        if value is None:
            return None
        try:
            decoded = URLSafeTimedSerializer(secret, salt=name).loads(value, max_age=COOKIE_MAX_AGE_S)
        except (BadSignature, UnicodeError, ValueError):
            return None
        return decoded if isinstance(decoded, str) else None

    first = one(USER_COOKIE)
    if first is None:
        return None
    chunked = _CHUNKS.match(first)
    if chunked:
        parts = [one(f"{USER_COOKIE}_{i + 1}") for i in range(int(chunked.group(1)))]
        if any(p is None for p in parts):
            return None
        first = "".join(parts)  # type: ignore[arg-type]
    try:
        claims = json.loads(first)
    except ValueError:
        return None
    return claims if isinstance(claims, dict) and claims.get("is_logged_in") else None


# -- the record of ended sign-ins ------------------------------------------------------------------


class SignIns:
    """Ended sign-ins as this process knows them, backed by the store (thread-safe)."""

    def __init__(self, open_store: Callable[[], Any], clock: Callable[[], float] = time.monotonic):
        self._open_store = open_store
        self._store: Any = None
        self._clock = clock
        self._lock = threading.Lock()
        self._known: dict[str, tuple[float, bool]] = {}  # sign-in -> (when checked, ended)

    def _db(self) -> Any:
        with self._lock:
            if self._store is None:
                self._store = self._open_store()
            return self._store

    def ended(self, sign_in: str) -> bool | None:
        """Whether ``sign_in`` has ended; None when the database does not answer and nothing recent is known."""
        now = self._clock()
        with self._lock:
            known = self._known.get(sign_in)
        if known is not None and (known[1] or now - known[0] < RECHECK_S):
            return known[1]
        try:
            answer = bool(self._db().sign_in_ended(sign_in))
        except Exception:  # noqa: BLE001 - an unreachable database: the last answer of the past minute, else None
            if known is not None and now - known[0] < OUTAGE_GRACE_S:
                return known[1]
            return None
        with self._lock:
            self._known[sign_in] = (now, answer)
            if len(self._known) > 10_000:  # bounded: drop the oldest answers
                for key in sorted(self._known, key=lambda k: self._known[k][0])[:5_000]:
                    del self._known[key]
        return answer

    def end(self, claims: Mapping[str, Any], limit: float | str) -> None:
        """Record that the sign-in of ``claims`` has ended (a sign-out)."""
        sign_in = sign_in_id(claims)
        end = ends_at(claims, limit)
        until = datetime.fromtimestamp(end, UTC) if end is not None else None
        self._db().end_sign_in(sign_in, str(claims.get("sub") or "?")[:255], until)
        with self._lock:
            self._known[sign_in] = (self._clock(), True)

    def state(self, claims: Mapping[str, Any], now: float | None = None,
              environ: Mapping[str, str] | None = None) -> SignInState:
        """Whether the sign-in of ``claims`` still holds (see the module docstring)."""
        moment = time.time() if now is None else now
        if expired(claims, moment, sign_in_limit(environ)):
            return SignInState.EXPIRED
        ended = self.ended(sign_in_id(claims))
        if ended is None:
            return SignInState.UNCHECKED
        return SignInState.ENDED if ended else SignInState.VALID


def _open_store() -> Any:
    from store import Store

    return Store.open()  # upgrades a schema behind head (the first run may come before the pages' store)


_RECORDS = SignIns(_open_store)


def records() -> SignIns:
    """This process's view of ended sign-ins."""
    return _RECORDS
