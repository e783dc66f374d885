"""A test EHR that speaks the SMART App Launch (2.x) in front of sekmet-fhir: test-only.

Built on a maintained OAuth 2.0 server, Authlib's Flask integration (``AuthorizationServer``, the
authorisation-code grant, PKCE from RFC 7636 and OpenID Connect's ID token), served by Werkzeug in a
thread on 127.0.0.1 and a free port. What it is, in one process:

- ``iss`` = ``http://127.0.0.1:PORT/fhir``: the record's FHIR base. ``/fhir/.well-known/smart-configuration``
  is answered here; every other ``/fhir/…`` request is checked (the bearer token it issued, not expired,
  and an Observation search limited to the token's patient) and passed on to sekmet-fhir, whose own
  addresses in the answer (``link.next``) are rewritten to the iss. sekmet itself supports only SMART
  backend services; this server adds the clinician launch in front of it (README, "What is tested here").
- ``/authorize``: the authorisation endpoint. It refuses (back to the app, with ``state``) an ``aud`` that
  is not the iss, a launch it did not issue, an expired or used launch, a missing or non-S256 PKCE
  challenge; else it shows the "sign-in at the provider": the clinician allows or denies.
- ``/token``: the code with its PKCE verifier gives an access token, ``patient`` (when the launch had
  one) and an ID token (RS256, ``fhirUser``) signed with a key published at ``/jwks``.
- :meth:`SmartEHR.new_launch`: what the record does when a clinician opens Cobalt from a patient's
  chart: a launch id bound to that patient (or to none, for the refusal test), valid for ``ttl_s``.

Every request is recorded (:attr:`SmartEHR.seen`) so tests can check what Cobalt asked for.
"""

from __future__ import annotations

import html
import secrets
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749 import InvalidRequestError
from authlib.oauth2.rfc6749.grants import AuthorizationCodeGrant
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core.grants import OpenIDCode
from flask import Flask, Response, request
from joserfc.jwk import RSAKey
from werkzeug.serving import make_server

CLIENT_ID = "cobalt-test"
SCOPES = ("launch", "openid", "fhirUser", "profile", "patient/Observation.rs", "patient/Observation.read")
#: The clinicians who can sign in at this record: login -> (name, Practitioner id)
CLINICIANS = {"dr.grey": ("Dr Meredith Grey", "pract-grey-17"), "dr.yang": ("Dr Cristina Yang", "pract-yang-4")}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Launch:
    patient: str | None
    expires_at: float
    used: bool = False


@dataclass
class Code:
    """An authorisation code as Authlib's grant needs it (AuthorizationCodeMixin and the PKCE fields)."""

    code: str
    client_id: str
    redirect_uri: str
    scope: str
    user: str
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    patient: str | None
    expires_at: float
    auth_time: int = field(default_factory=lambda: int(time.time()))

    def get_redirect_uri(self):
        return self.redirect_uri

    def get_scope(self):
        return self.scope

    def get_nonce(self):
        return self.nonce

    def get_auth_time(self):
        return self.auth_time

    def get_acr(self):
        return None

    def get_amr(self):
        return None


@dataclass
class Client:
    """Cobalt as registered at this record: a public client (PKCE, no secret)."""

    client_id: str
    redirect_uris: list[str]

    def get_client_id(self):
        return self.client_id

    def get_default_redirect_uri(self):
        return self.redirect_uris[0]

    def get_allowed_scope(self, scope):
        return " ".join(s for s in (scope or "").split() if s in SCOPES)

    def check_redirect_uri(self, redirect_uri):
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret):
        return False

    def check_endpoint_auth_method(self, method, endpoint):
        return method == "none"

    def check_response_type(self, response_type):
        return response_type == "code"

    def check_grant_type(self, grant_type):
        return grant_type == "authorization_code"


class S256Only(CodeChallenge):
    """PKCE enforced: a challenge is required, and only S256 is accepted."""

    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]

    def validate_code_challenge(self, grant, redirect_uri):
        data = grant.request.payload.data
        if not data.get("code_challenge") or data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("PKCE with S256 is required", redirect_uri=redirect_uri)
        super().validate_code_challenge(grant, redirect_uri)


class SmartEHR:
    """The test record: OAuth server, OpenID provider and FHIR front for sekmet (``fhir_base``)."""

    def __init__(self, fhir_base: str | None = None, redirect_uris: tuple[str, ...] = (), token_ttl_s: int = 3600):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.iss = f"{self.url}/fhir"
        self.fhir_base = fhir_base.rstrip("/") if fhir_base else None
        self.client = Client(CLIENT_ID, list(redirect_uris))
        self.token_ttl_s = token_ttl_s
        self.key = RSAKey.generate_key(2048, parameters={"kid": "ehr-key-1", "use": "sig", "alg": "RS256"},
                                       private=True)  # fmt: skip
        self.launches: dict[str, Launch] = {}
        self.codes: dict[str, Code] = {}
        self.tokens: dict[str, dict[str, Any]] = {}
        self.seen: list[str] = []  # "METHOD /path?query" of every request
        self.fhir_calls: list[dict[str, Any]] = []
        self.smart_configuration_override: dict[str, Any] | None = None
        self.app = self._build()
        self._server = None
        self._thread: threading.Thread | None = None

    # -- the record's side --------------------------------------------------------------------------

    def new_launch(self, patient: str | None, ttl_s: float = 300) -> str:
        """A launch id bound to ``patient`` (None: a launch without a patient), valid ``ttl_s`` seconds
        (negative: already expired)."""
        launch = "L-" + secrets.token_urlsafe(16)
        self.launches[launch] = Launch(patient, time.time() + ttl_s)
        return launch

    def launch_url(self, app_url: str, launch: str, iss: str | None = None) -> str:
        """The address the record opens: Cobalt's launch URL with ``iss`` and ``launch``."""
        from urllib.parse import urlencode

        return f"{app_url.rstrip('/')}/launch?" + urlencode({"iss": iss or self.iss, "launch": launch})

    def fhir_user(self, login: str) -> str:
        return f"{self.iss}/Practitioner/{CLINICIANS[login][1]}"

    # -- running ------------------------------------------------------------------------------------

    def start(self) -> SmartEHR:
        self._server = make_server("127.0.0.1", self.port, self.app, threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    # -- the Flask application ----------------------------------------------------------------------

    def _build(self) -> Flask:
        ehr = self
        app = Flask("cobalt-test-ehr")
        app.config["OAUTH2_TOKEN_EXPIRES_IN"] = {"authorization_code": self.token_ttl_s}

        def save_token(token, req):
            code = req.authorization_code
            ehr.tokens[token["access_token"]] = {
                "patient": code.patient, "scope": token.get("scope", ""), "user": code.user,
                "expires_at": time.time() + token.get("expires_in", 0),
            }  # fmt: skip

        server = AuthorizationServer(app, query_client=lambda cid: ehr.client if cid == ehr.client.client_id else None,
                                     save_token=save_token)  # fmt: skip

        class Grant(AuthorizationCodeGrant):
            TOKEN_ENDPOINT_AUTH_METHODS = ["none"]

            def save_authorization_code(self, code, req):
                data = req.payload.data
                launch = ehr.launches[data["launch"]]
                launch.used = True
                ehr.codes[code] = Code(
                    code, req.client.client_id, req.payload.redirect_uri, req.payload.scope, req.user,
                    data.get("nonce"), data.get("code_challenge"), data.get("code_challenge_method"),
                    launch.patient, time.time() + 60,
                )  # fmt: skip

            def query_authorization_code(self, code, client):
                found = ehr.codes.get(code)
                if found and found.client_id == client.client_id and time.time() < found.expires_at:
                    return found
                return None

            def delete_authorization_code(self, authorization_code):
                ehr.codes.pop(authorization_code.code, None)

            def authenticate_user(self, authorization_code):
                return authorization_code.user

        class SmartOpenID(OpenIDCode):
            def exists_nonce(self, nonce, req):
                return False

            def resolve_client_private_key(self, client):
                return ehr.key.as_dict(private=True)

            def get_client_algorithm(self, client):
                return "RS256"

            def get_encode_header(self, client):
                return {"alg": "RS256", "kid": "ehr-key-1"}

            def get_client_claims(self, client):
                return {"iss": ehr.url, "aud": [client.get_client_id()]}

            def generate_user_info(self, user, scope):
                name, _ = CLINICIANS[user]
                return {"sub": user, "name": name, "fhirUser": ehr.fhir_user(user)}

        def check_launch(grant, redirect_uri):
            data = grant.request.payload.data
            if data.get("aud", "").rstrip("/") != ehr.iss:
                raise InvalidRequestError("aud is not this FHIR server", redirect_uri=redirect_uri)
            launch = ehr.launches.get(data.get("launch", ""))
            if launch is None:
                raise InvalidRequestError("unknown launch", redirect_uri=redirect_uri)
            if time.time() >= launch.expires_at:
                raise InvalidRequestError("launch expired", redirect_uri=redirect_uri)
            if launch.used:
                raise InvalidRequestError("launch already used", redirect_uri=redirect_uri)

        def add_patient(grant, result):
            _, token, _ = result
            code = grant.request.authorization_code
            if code.patient is not None:
                token["patient"] = code.patient

        def smart_launch(grant):
            grant.register_hook("after_validate_authorization_request_payload", check_launch)
            grant.register_hook("after_create_token_response", add_patient)

        server.register_grant(Grant, [S256Only(required=True), SmartOpenID(require_nonce=False), smart_launch])

        @app.before_request
        def record():
            ehr.seen.append(f"{request.method} {request.full_path.rstrip('?')}")

        @app.get("/fhir/.well-known/smart-configuration")
        def smart_configuration():
            body = {
                "issuer": ehr.url,
                "jwks_uri": f"{ehr.url}/jwks",
                "authorization_endpoint": f"{ehr.url}/authorize",
                "token_endpoint": f"{ehr.url}/token",
                "token_endpoint_auth_methods_supported": ["none"],
                "grant_types_supported": ["authorization_code"],
                "scopes_supported": list(SCOPES),
                "response_types_supported": ["code"],
                "code_challenge_methods_supported": ["S256"],
                "capabilities": ["launch-ehr", "client-public", "context-ehr-patient", "sso-openid-connect",
                                 "permission-v2", "permission-patient"],
            }  # fmt: skip
            return ehr.smart_configuration_override or body

        @app.get("/jwks")
        def jwks():
            return {"keys": [ehr.key.as_dict(private=False)]}

        @app.route("/authorize", methods=["GET", "POST"])
        def authorize():
            login = request.form.get("login") if request.method == "POST" else None
            try:
                grant = server.get_consent_grant(end_user=login)
            except OAuth2Error as error:
                return server.handle_error_response(None, error)
            if request.method == "GET":
                return _consent_page(grant.request.payload.scope)
            user = login if request.form.get("decision") == "allow" and login in CLINICIANS else None
            return server.create_authorization_response(grant=grant, grant_user=user)

        @app.post("/token")
        def token():
            return server.create_token_response()

        @app.get("/fhir/<path:rest>")
        def fhir(rest):
            return ehr._proxy(rest)

        return app

    def _proxy(self, rest: str) -> Response:
        """A FHIR request: the token checked, the search kept to the token's patient, passed to sekmet."""
        import httpx

        auth = request.headers.get("Authorization", "")
        grant = self.tokens.get(auth[7:]) if auth.startswith("Bearer ") else None
        call = {"path": rest, "token_ok": grant is not None}
        self.fhir_calls.append(call)
        if grant is None or time.time() >= grant["expires_at"]:
            return _outcome(401, "a valid bearer token is required")
        if rest != "Observation":
            return _outcome(403, "this test record serves Observation searches only")
        if not any(s in grant["scope"].split() for s in ("patient/Observation.rs", "patient/Observation.read")):
            return _outcome(403, "the token's scope does not allow reading Observations")
        if request.args.getlist("patient") != [grant["patient"]]:
            call["other_patient"] = True
            return _outcome(403, "the search is outside the token's patient")
        answer = httpx.get(f"{self.fhir_base}/{rest}", params=list(request.args.items(multi=True)), timeout=20)
        body = answer.text.replace(self.fhir_base, self.iss)
        return Response(body, status=answer.status_code, content_type="application/fhir+json")


def _outcome(status: int, text: str) -> Response:
    import json

    body = {"resourceType": "OperationOutcome", "issue": [{"severity": "error", "code": "forbidden",
                                                           "diagnostics": text}]}  # fmt: skip
    return Response(json.dumps(body), status=status, content_type="application/fhir+json")


def _consent_page(scope: str) -> str:
    """The sign-in at the provider: choose the clinician, allow or deny."""
    options = "".join(f'<option value="{html.escape(k)}">{html.escape(v[0])}</option>' for k, v in CLINICIANS.items())
    return (
        "<!doctype html><html><head><title>Test EHR sign-in</title></head><body>"
        "<h1>Test EHR: sign in</h1><form method='post'>"
        f"<label>Clinician <select name='login'>{options}</select></label>"
        f"<p>Cobalt asks to: <code>{html.escape(scope)}</code></p>"
        "<button type='submit' name='decision' value='allow' id='allow'>Allow</button> "
        "<button type='submit' name='decision' value='deny' id='deny'>Deny</button>"
        "</form></body></html>"
    )
