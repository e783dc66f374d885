"""The token response of a SMART EHR launch, checked: whose record and who opened it.

The patient is the token response's ``patient`` (a FHIR id); the clinician is the ``fhirUser`` of the ID
token, once its signature (the record's ``jwks_uri``), issuer, audience, expiry and nonce check out
(joserfc, Authlib's JOSE library). :class:`LaunchContext` is the verified launch; its patient and access
token are never shown, logged (they are left out of its ``repr``) or stored. The clock is passed in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ehr.smart import (
    CLINICIAN_TYPES,
    CLOCK_LEEWAY_S,
    FHIR_ID,
    ID_TOKEN_ALGS,
    NOTHING_DONE,
    Pending,
    Refusal,
    SmartError,
    SmartServer,
    SmartSettings,
    get_json,
    http_client,
    is_http_url,
)


@dataclass(frozen=True)
class LaunchContext:
    """A verified launch: whose record (never shown, logged or stored) and who opened it.

    ``iss`` is the FHIR server the results are read from, with ``access_token`` (the clinician's).
    ``fhir_user`` is the ID token's ``fhirUser`` made absolute; ``claims`` the verified ID token.
    """

    iss: str
    patient: str = field(repr=False)
    access_token: str = field(repr=False)
    fhir_user: str
    claims: Mapping[str, Any] = field(repr=False, compare=False)
    expires_at: float | None = None
    scope: str = ""

    @property
    def clinician(self) -> str:
        """How the clinician is named: the ID token's name (or e-mail), else their record reference."""
        name = self.claims.get("name") or self.claims.get("email")
        return str(name)[:255] if name else "/".join(self.fhir_user.rsplit("/", 2)[-2:])

    def actor_claims(self) -> dict[str, Any]:
        """The claims the store's actor is made of (``ui.auth.actor_from_claims``): ``sub`` is the verified
        ``fhirUser`` under the provider ``smart`` (so the owner is ``smart:<fhirUser>``), named as shown."""
        claims = {k: v for k, v in self.claims.items() if k not in ("sub", "email", "provider")}
        return {**claims, "sub": self.fhir_user, "provider": "smart", "name": self.clinician}

    def expired(self, now: float) -> bool:
        return self.expires_at is not None and now >= self.expires_at


def _identity_error(why: str) -> SmartError:
    return SmartError(
        Refusal.IDENTITY,
        f"The record did not say verifiably who you are ({why}), so Cobalt opened nothing. {NOTHING_DONE} "
        "Open Cobalt again from the record; if it keeps failing, tell the hospital's IT team.",
    )


def absolute_fhir_user(iss: str, fhir_user: Any) -> str:
    """``fhirUser`` as an absolute reference to a clinician (``Practitioner`` or ``PractitionerRole``)."""
    if not isinstance(fhir_user, str) or not fhir_user.strip() or len(fhir_user) > 240:
        raise _identity_error("its sign-in named no fhirUser")
    ref = fhir_user.strip()
    if not is_http_url(ref):
        ref = f"{iss}/{ref.lstrip('/')}"
    parts = ref.rstrip("/").rsplit("/", 2)
    if len(parts) != 3 or parts[1] not in CLINICIAN_TYPES or not FHIR_ID.fullmatch(parts[2]):
        raise _identity_error("its fhirUser is not a Practitioner or PractitionerRole")
    return ref.rstrip("/")


def verify_id_token(server: SmartServer, settings: SmartSettings, id_token: Any, jwks: Any, nonce: str,
                    now: float) -> dict[str, Any]:  # fmt: skip
    """The ID token's claims once its signature (``jwks``), issuer, audience, expiry and nonce check out."""
    from joserfc import jwt
    from joserfc.errors import JoseError
    from joserfc.jwk import KeySet

    if not isinstance(id_token, str) or not id_token:
        raise _identity_error("no ID token came with the access")
    try:
        keys = KeySet.import_key_set(jwks)
        token = jwt.decode(id_token, keys, algorithms=list(ID_TOKEN_ALGS))
        registry = jwt.JWTClaimsRegistry(
            now=int(now), leeway=CLOCK_LEEWAY_S, iss={"essential": True, "value": server.issuer},
            aud={"essential": True, "value": settings.client_id}, exp={"essential": True},
            sub={"essential": True}, nonce={"essential": True, "value": nonce},
        )  # fmt: skip
        registry.validate(token.claims)
    except (JoseError, ValueError, TypeError, KeyError) as exc:
        raise _identity_error(f"its ID token failed the check: {type(exc).__name__}") from None
    return dict(token.claims)


def launch_context(settings: SmartSettings, pending: Pending, token: Mapping[str, Any], jwks: Any, now: float
                   ) -> LaunchContext:  # fmt: skip
    """Check the token response and build the launch: the patient from ``patient``, the clinician from
    the verified ID token's ``fhirUser``."""
    access = token.get("access_token")
    if not isinstance(access, str) or not access or str(token.get("token_type", "")).lower() != "bearer":
        raise SmartError(Refusal.TOKEN, f"The record system gave no bearer access token. {NOTHING_DONE}")
    patient = token.get("patient")
    if patient is None or patient == "":
        raise SmartError(
            Refusal.NO_PATIENT,
            f"The record opened Cobalt without a patient in context, so there is nothing to show. {NOTHING_DONE} "
            "Open Cobalt from within a patient's record.",
        )
    if not isinstance(patient, str) or not FHIR_ID.fullmatch(patient):
        raise SmartError(Refusal.NO_PATIENT, f"The record named its patient in a form Cobalt cannot use. "
                         f"{NOTHING_DONE}")  # fmt: skip
    claims = verify_id_token(pending.server, settings, token.get("id_token"), jwks, pending.nonce, now)
    fhir_user = absolute_fhir_user(pending.server.iss, claims.get("fhirUser"))
    expires_in = token.get("expires_in")
    counts = isinstance(expires_in, int | float) and not isinstance(expires_in, bool) and 0 < expires_in < 1e9
    expires_at = now + float(expires_in) if counts else None
    scope = str(token.get("scope", ""))
    return LaunchContext(pending.server.iss, patient, access, fhir_user, claims, expires_at, scope)


def fetch_jwks(settings: SmartSettings, server: SmartServer, client: Any = None) -> Any:
    """The record's signing keys (``jwks_uri``)."""
    http, own = http_client(settings, client)
    try:
        body = get_json(http, server.jwks_uri, "signing keys (jwks_uri)")
    except SmartError:
        raise _identity_error("its signing keys could not be read") from None
    finally:
        if own:
            http.close()
    if not isinstance(body, dict) or not isinstance(body.get("keys"), list):
        raise _identity_error("its signing keys are not a JSON Web Key Set")
    return body
