"""SMART App Launch 2.x, EHR launch: the hospital record opens Cobalt with the patient in context.

The record opens ``/launch?iss=…&launch=…`` (:mod:`ehr.smart_routes`). Cobalt then

1. refuses an ``iss`` that is not on the configured allow-list (:func:`allowed_iss`), before any request;
2. reads ``{iss}/.well-known/smart-configuration`` (:func:`discover`): it must offer the EHR launch,
   PKCE with S256 and OpenID Connect (``issuer``, ``jwks_uri``), on https (http only on the loopback);
3. sends the browser to the record's authorisation endpoint (:func:`begin`): authorisation code with
   PKCE (S256), ``state``, ``nonce``, ``aud=iss``, ``launch`` and the scopes of :data:`DEFAULT_SCOPE`;
4. back at the redirect URI, exchanges the code with its PKCE verifier (:func:`exchange`) and reads
   the token response (:func:`ehr.smart_token.launch_context`): the patient is the response's
   ``patient``, the clinician the ``fhirUser`` of the ID token, whose signature (the record's JWKS),
   issuer, audience, expiry and nonce are checked. Neither ever comes from the address.

The OAuth client is Authlib's (``authlib.integrations.httpx_client.OAuth2Client``); the ID token is
verified with joserfc (Authlib's JOSE library). Every refusal is a :class:`SmartError` whose message a
clinician can act on and which quotes no identifier. The clock is passed in (``now``, seconds since the
epoch) where a decision depends on it.
"""

from __future__ import annotations

import re
import secrets
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from logic.case.json_input import InputError, loads

#: The scopes Cobalt asks for: the launch context, who the clinician is (OpenID Connect, ``fhirUser``)
#: and reading the patient's Observations (SMART v2 ``.rs``: read and search).
DEFAULT_SCOPE = "launch openid fhirUser patient/Observation.rs"
DEFAULT_DAYS = 30
MAX_DAYS = 3650
ISS_ENV = "COBALT_SMART_ISS"
CLIENT_ID_ENV = "COBALT_SMART_CLIENT_ID"
CLIENT_SECRET_ENV = "COBALT_SMART_CLIENT_SECRET"
REDIRECT_URI_ENV = "COBALT_SMART_REDIRECT_URI"
DAYS_ENV = "COBALT_SMART_DAYS"
SCOPE_ENV = "COBALT_SMART_SCOPE"
#: A FHIR logical id: what the token response's ``patient`` must be.
FHIR_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")
#: The resource types a clinician's ``fhirUser`` may name (Cobalt is for clinicians, not patients).
CLINICIAN_TYPES = ("Practitioner", "PractitionerRole")
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
ID_TOKEN_ALGS = ("RS256", "RS384", "RS512", "PS256", "ES256", "ES384")
CLOCK_LEEWAY_S = 60
NOTHING_DONE = "Nothing was opened or saved."


class Refusal(StrEnum):
    """Why a launch was refused."""

    NOT_CONFIGURED = "not_configured"
    BAD_REQUEST = "bad_request"
    ISS_NOT_ALLOWED = "iss_not_allowed"
    DISCOVERY = "discovery"
    STATE = "state"
    DENIED = "denied"
    PROVIDER = "provider"
    TOKEN = "token"
    NO_PATIENT = "no_patient"
    IDENTITY = "identity"
    TICKET = "ticket"


#: HTTP status of the page that says so.
STATUS = {
    Refusal.NOT_CONFIGURED: 503, Refusal.BAD_REQUEST: 400, Refusal.ISS_NOT_ALLOWED: 403, Refusal.DISCOVERY: 502,
    Refusal.STATE: 400, Refusal.DENIED: 403, Refusal.PROVIDER: 403, Refusal.TOKEN: 502, Refusal.NO_PATIENT: 400,
    Refusal.IDENTITY: 403, Refusal.TICKET: 400,
}  # fmt: skip


class SmartError(Exception):
    """A refused launch: ``kind`` says which step, ``message`` what happened and what to do."""

    def __init__(self, kind: Refusal, message: str):
        self.kind = kind
        self.message = message
        super().__init__(message)

    @property
    def status(self) -> int:
        return STATUS[self.kind]


# -- settings -------------------------------------------------------------------------------------


def normal_url(url: str) -> str:
    """A base URL as compared and stored: stripped, without a trailing slash."""
    return str(url).strip().rstrip("/")


def is_http_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and not parts.fragment


def _secure(url: str) -> bool:
    """https, or http on the loopback (a test server on this machine)."""
    parts = urlsplit(url)
    return parts.scheme == "https" or (parts.scheme == "http" and (parts.hostname or "") in LOOPBACK)


@dataclass(frozen=True)
class SmartSettings:
    """How this Cobalt is registered with the record systems that may launch it (README, "Opening
    Cobalt from the hospital record")."""

    issuers: tuple[str, ...]
    client_id: str
    redirect_uri: str
    client_secret: str | None = field(default=None, repr=False)
    scope: str = DEFAULT_SCOPE
    days: int = DEFAULT_DAYS
    timeout_s: float = 10.0

    @property
    def app_url(self) -> str:
        """Where the app's pages live: the redirect URI's folder's parent (``…/launch/callback`` → ``…/``)."""
        from urllib.parse import urljoin

        return urljoin(self.redirect_uri, "../")


def _split(value: Any) -> list[str]:
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return [v for v in re.split(r"[\s,]+", str(value or "")) if v]


def smart_settings(env: Mapping[str, str], secrets_table: Mapping[str, Any] | None = None) -> SmartSettings | None:
    """The SMART settings from the environment (``COBALT_SMART_*``) or the secrets' ``[smart]`` table
    (``iss``, ``client_id``, ``client_secret``, ``redirect_uri``, ``days``, ``scope``); the environment
    wins key by key. None when no ``iss`` is allowed (the launch is then off); :class:`SmartError` when
    the settings are incomplete or malformed."""
    table = (secrets_table or {}).get("smart") or {}

    def get(env_name: str, key: str) -> Any:
        return env.get(env_name) or table.get(key)

    issuers = tuple(dict.fromkeys(normal_url(i) for i in _split(get(ISS_ENV, "iss"))))
    if not issuers:
        return None
    problems = []
    bad = [i for i in issuers if not is_http_url(i) or urlsplit(i).query]
    if bad:
        problems.append(f"an allowed iss is not an http(s) base URL ({bad[0][:80]!r})")
    client_id = str(get(CLIENT_ID_ENV, "client_id") or "").strip()
    if not client_id:
        problems.append(f"no client id ({CLIENT_ID_ENV} or client_id)")
    redirect_uri = str(get(REDIRECT_URI_ENV, "redirect_uri") or "").strip()
    if not is_http_url(redirect_uri) or urlsplit(redirect_uri).query:
        problems.append(f"no http(s) redirect URI ({REDIRECT_URI_ENV} or redirect_uri)")
    days_raw = get(DAYS_ENV, "days")
    try:
        days = DEFAULT_DAYS if days_raw in (None, "") else int(days_raw)
    except (TypeError, ValueError):
        days = 0
    if not 1 <= days <= MAX_DAYS:
        problems.append(f"the window of days must be a whole number from 1 to {MAX_DAYS}")
    if problems:
        raise SmartError(Refusal.NOT_CONFIGURED, "The SMART launch is set up incompletely: " + "; ".join(problems)
                         + ". Ask whoever runs Cobalt to follow README, 'Opening Cobalt from the hospital record'.")
    secret = get(CLIENT_SECRET_ENV, "client_secret")
    scope = " ".join(_split(get(SCOPE_ENV, "scope"))) or DEFAULT_SCOPE
    return SmartSettings(issuers, client_id, redirect_uri, str(secret) if secret else None, scope, days)


def allowed_iss(settings: SmartSettings, iss: str) -> str:
    """``iss`` as configured, or :class:`SmartError` (no request is made to an iss not on the list)."""
    wanted = normal_url(iss or "")
    if wanted in settings.issuers:
        return wanted
    host = urlsplit(wanted).netloc[:80] or "an unnamed system"
    raise SmartError(
        Refusal.ISS_NOT_ALLOWED,
        f"The record system that sent you here ({host}) is not one this Cobalt is set up to trust, so nothing "
        f"was asked of it. {NOTHING_DONE} If it is your hospital's record, ask whoever runs Cobalt to add it.",
    )


# -- discovery ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SmartServer:
    """What the record's ``.well-known/smart-configuration`` says Cobalt needs."""

    iss: str
    authorization_endpoint: str
    token_endpoint: str
    issuer: str
    jwks_uri: str


def _discovery_error(why: str) -> SmartError:
    return SmartError(
        Refusal.DISCOVERY,
        f"The record system's SMART settings could not be used ({why}). {NOTHING_DONE} "
        "Try again from the record; if it keeps failing, tell the hospital's IT team.",
    )


def parse_configuration(iss: str, body: Any) -> SmartServer:
    """Check a smart-configuration document: EHR launch, S256 PKCE, OpenID Connect, secure endpoints."""
    if not isinstance(body, dict):
        raise _discovery_error("its smart-configuration is not a JSON object")
    capabilities = body.get("capabilities")
    if not isinstance(capabilities, list) or "launch-ehr" not in capabilities:
        raise _discovery_error("it does not offer the EHR launch (capability launch-ehr)")
    methods = body.get("code_challenge_methods_supported")
    if not isinstance(methods, list) or "S256" not in methods:
        raise _discovery_error("it does not offer PKCE with S256")
    found = {}
    for key in ("authorization_endpoint", "token_endpoint", "issuer", "jwks_uri"):
        value = body.get(key)
        if not isinstance(value, str) or not is_http_url(value):
            what = "sign-in (OpenID Connect)" if key in ("issuer", "jwks_uri") else "an OAuth endpoint"
            raise _discovery_error(f"it names no {key}, which Cobalt needs for {what}")
        if not _secure(value):
            raise _discovery_error(f"its {key} is not on https")
        found[key] = value
    return SmartServer(iss=iss, **found)


def get_json(client: Any, url: str, what: str) -> Any:
    import httpx

    try:
        response = client.get(url, headers={"Accept": "application/json"})
    except httpx.TimeoutException:
        raise _discovery_error(f"its {what} did not answer in time") from None
    except httpx.HTTPError as exc:
        raise _discovery_error(f"its {what} could not be reached: {type(exc).__name__}") from None
    if response.status_code != 200:
        raise _discovery_error(f"its {what} answered with HTTP status {response.status_code}")
    try:
        return loads(response.text)
    except InputError:
        raise _discovery_error(f"its {what} is not valid JSON") from None


def http_client(settings: SmartSettings, client: Any) -> tuple[Any, bool]:
    if client is not None:
        return client, False
    import httpx

    return httpx.Client(timeout=settings.timeout_s, follow_redirects=False), True


def discover(settings: SmartSettings, iss: str, client: Any = None) -> SmartServer:
    """Read and check ``{iss}/.well-known/smart-configuration`` (``iss`` must be allowed already)."""
    http, own = http_client(settings, client)
    try:
        body = get_json(http, f"{iss}/.well-known/smart-configuration", "smart-configuration")
    finally:
        if own:
            http.close()
    return parse_configuration(iss, body)


# -- the authorisation request --------------------------------------------------------------------


@dataclass(frozen=True)
class Pending:
    """A launch between the authorisation request and the redirect back: kept on the server, keyed
    by ``state`` and bound to the browser that started it (:mod:`ehr.smart_store`)."""

    server: SmartServer
    verifier: str = field(repr=False)
    nonce: str = field(repr=False)


def _oauth(settings: SmartSettings, **kwargs: Any) -> Any:
    import authlib.deprecate  # noqa: F401 - its own "always" filter first, so that the one below wins

    with warnings.catch_warnings():  # Authlib prefers httpx2 and warns when it falls back on httpx (pinned)
        warnings.simplefilter("ignore", DeprecationWarning)
        from authlib.integrations.httpx_client import OAuth2Client
    return OAuth2Client(
        client_id=settings.client_id,
        client_secret=settings.client_secret,
        token_endpoint_auth_method="client_secret_basic" if settings.client_secret else "none",
        scope=settings.scope,
        redirect_uri=settings.redirect_uri,
        code_challenge_method="S256",
        **{"timeout": settings.timeout_s, "follow_redirects": False, **kwargs},
    )


def begin(settings: SmartSettings, server: SmartServer, launch: str) -> tuple[str, Pending, str]:
    """``(state, pending, url)``: a fresh state, nonce and PKCE verifier, and the address of the record's
    authorisation endpoint to send the browser to."""
    from authlib.common.security import generate_token

    verifier = generate_token(64)  # RFC 7636: 43 to 128 unreserved characters
    state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    with _oauth(settings) as oauth:
        url, _ = oauth.create_authorization_url(
            server.authorization_endpoint, state=state, code_verifier=verifier, aud=server.iss, launch=launch,
            nonce=nonce,
        )  # fmt: skip
    return state, Pending(server, verifier, nonce), url


# -- the redirect back and the token --------------------------------------------------------------


def provider_refusal(error: str, description: str | None) -> SmartError:
    """The record's ``error`` (and ``error_description``) on the redirect back, as a page says it."""
    code = re.sub(r"[^A-Za-z0-9_.\- ]", "", error or "")[:60] or "unknown_error"
    if code == "access_denied":
        return SmartError(
            Refusal.DENIED,
            f"The sign-in at the record was refused or cancelled, so Cobalt may not read the record. {NOTHING_DONE} "
            "To use Cobalt for this patient, open it again from the record and allow it.",
        )
    said = re.sub(r"[^\w .,:;'()/\-]", "", description or "")[:200]
    return SmartError(
        Refusal.PROVIDER,
        f"The record system refused to open Cobalt ({code}{': ' + said if said else ''}). {NOTHING_DONE} "
        "Open Cobalt again from the patient's record; a launch is valid only for a few minutes and once.",
    )


def exchange(settings: SmartSettings, pending: Pending, code: str, client_kwargs: Mapping[str, Any] | None = None
             ) -> dict[str, Any]:  # fmt: skip
    """The token response for ``code``, with the PKCE verifier; :class:`SmartError` if refused."""
    import httpx
    from authlib.integrations.base_client.errors import OAuthError
    try:
        with _oauth(settings, **dict(client_kwargs or {})) as oauth:
            token = oauth.fetch_token(
                pending.server.token_endpoint, grant_type="authorization_code", code=code,
                code_verifier=pending.verifier, redirect_uri=settings.redirect_uri,
            )  # fmt: skip
    except OAuthError as exc:
        raise SmartError(Refusal.TOKEN, f"The record system did not give Cobalt access ({exc.error}). "
                         f"{NOTHING_DONE} Open Cobalt again from the record.") from None  # fmt: skip
    except httpx.HTTPStatusError as exc:
        raise SmartError(Refusal.TOKEN, f"The record system's token service answered with HTTP status "
                         f"{exc.response.status_code}. {NOTHING_DONE} Try again.") from None  # fmt: skip
    except (httpx.HTTPError, ValueError) as exc:
        raise SmartError(Refusal.TOKEN, f"The record system's token service failed ({type(exc).__name__}). "
                         f"{NOTHING_DONE} Try again from the record.") from None  # fmt: skip
    return dict(token)
