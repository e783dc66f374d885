"""The two HTTP routes of the SMART EHR launch, served beside the app by ``st.App(routes=…)`` (serve.py).

- ``GET /launch?iss=…&launch=…``: the record opens Cobalt here. The iss must be allowed, its
  smart-configuration is read, a pending launch is kept (:data:`ehr.smart_store.PENDING`) and the
  browser is sent to the record's authorisation endpoint. A random ``cobalt_smart`` cookie (HttpOnly,
  SameSite=Lax) binds the launch to this browser.
- ``GET /launch/callback`` (the registered redirect URI): the state is taken once for this browser, the
  code exchanged, the ID token verified, and the verified launch handed to the app through a one-time
  ticket: the browser goes to ``record?smart=TICKET``, which the app reads and removes at once
  (:func:`ui.launch.claim_launch`). The patient's identifier never enters an address.

Every refusal is a page of its own that says what happened and what to do, and stores nothing. Only
the kind of a refusal is logged, never an identifier. Sync endpoints: Starlette runs them in its
thread pool.
"""

from __future__ import annotations

import html
import logging
import os
import time
from collections.abc import Callable, Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from ehr.smart import (
    NOTHING_DONE,
    Refusal,
    SmartError,
    SmartSettings,
    allowed_iss,
    begin,
    discover,
    exchange,
    provider_refusal,
    smart_settings,
)
from ehr.smart_store import BROWSER_COOKIE, HANDOVERS, PENDING, TICKET_PARAM, Expiring, browser_hash, new_id
from ehr.smart_token import fetch_jwks, launch_context

LAUNCH_PATH = "/launch"
CALLBACK_PATH = "/launch/callback"
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
log = logging.getLogger("cobalt.smart")


def settings_from_deployment() -> SmartSettings | None:
    """The settings as deployed: the environment, then ``[smart]`` in Streamlit's secrets."""
    try:
        import streamlit as st

        table = st.secrets.to_dict()
    except Exception:  # noqa: BLE001 - no secrets file is the usual case
        table = {}
    return smart_settings(os.environ, table)


PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Cobalt: the record could not be opened</title>
<style>body{{font-family:system-ui,sans-serif;max-width:42rem;margin:3rem auto;padding:0 1rem;color:#1f2933}}
.box{{border-left:4px solid #c0392b;background:#fdf2f1;padding:1rem 1.25rem;border-radius:4px}}
h1{{font-size:1.4rem}} a{{color:#1a5fb4}}</style></head>
<body><h1>Cobalt could not open the record</h1>
<div class="box" role="alert" data-refusal="{kind}"><p>{message}</p></div>
<p><a href="{home}">Open Cobalt without the record</a></p></body></html>"""


def refusal_page(error: SmartError, home: str = "/") -> HTMLResponse:
    """The page that says why a launch was refused (fixed sentences, every part escaped)."""
    log.info("SMART launch refused: %s", error.kind.value)
    body = PAGE.format(kind=html.escape(error.kind.value), message=html.escape(error.message),
                       home=html.escape(home, quote=True))  # fmt: skip
    return HTMLResponse(body, status_code=error.status, headers=NO_STORE)


def _not_configured() -> SmartError:
    return SmartError(
        Refusal.NOT_CONFIGURED,
        "This Cobalt is not set up to be opened from a hospital record. Ask whoever runs it to follow README, "
        f"'Opening Cobalt from the hospital record'. {NOTHING_DONE}",
    )


def _param(request: Request, name: str, longest: int = 2000) -> str | None:
    values = request.query_params.getlist(name)
    if len(values) != 1 or not values[0] or len(values[0]) > longest:
        return None
    return values[0]


def smart_routes(
    load: Callable[[], SmartSettings | None] = settings_from_deployment,
    pending: Expiring = PENDING,
    handovers: Expiring = HANDOVERS,
    http: Mapping[str, Any] | None = None,
    clock: Callable[[], float] = time.time,
) -> list[Route]:
    """The ``/launch`` and ``/launch/callback`` routes. Tests pass their own settings, stores, httpx
    client arguments (``http``, e.g. a transport) and clock (seconds since the epoch)."""

    def client():
        import httpx

        return httpx.Client(**{"timeout": 10.0, "follow_redirects": False, **dict(http or {})})

    def launch(request: Request) -> Response:
        home = "/"
        try:
            settings = load()
            if settings is None:
                raise _not_configured()
            home = settings.app_url
            iss, launch_id = _param(request, "iss"), _param(request, "launch")
            if iss is None or launch_id is None:
                raise SmartError(
                    Refusal.BAD_REQUEST,
                    "This address is for the hospital record to open Cobalt with (it needs iss and launch). "
                    f"Open Cobalt from the patient's record. {NOTHING_DONE}",
                )
            iss = allowed_iss(settings, iss)
            with client() as http_client:
                server = discover(settings, iss, http_client)
            cookie = request.cookies.get(BROWSER_COOKIE)
            if browser_hash(cookie) is None:
                cookie = new_id()
            state, entry, url = begin(settings, server, launch_id)
            pending.put(entry, browser_hash(cookie), key=state)
        except SmartError as exc:
            return refusal_page(exc, home)
        response = RedirectResponse(url, status_code=302, headers=NO_STORE)
        response.set_cookie(BROWSER_COOKIE, cookie, httponly=True, samesite="lax", path="/",
                            secure=settings.redirect_uri.startswith("https:"))  # fmt: skip
        return response

    def callback(request: Request) -> Response:
        home = "/"
        try:
            settings = load()
            if settings is None:
                raise _not_configured()
            home = settings.app_url
            browser = browser_hash(request.cookies.get(BROWSER_COOKIE))
            entry = pending.take(_param(request, "state", 200), browser)
            if entry is None:
                raise SmartError(
                    Refusal.STATE,
                    "This sign-in is not one Cobalt started in this browser, or it took longer than ten minutes. "
                    f"{NOTHING_DONE} Open Cobalt again from the patient's record.",
                )
            error = _param(request, "error", 200)
            if error is not None:
                raise provider_refusal(error, _param(request, "error_description", 1000))
            code = _param(request, "code")
            if code is None:
                raise SmartError(Refusal.PROVIDER, f"The record sent Cobalt back without an authorisation code. "
                                 f"{NOTHING_DONE} Open Cobalt again from the record.")  # fmt: skip
            token = exchange(settings, entry, code, http)
            with client() as http_client:
                jwks = fetch_jwks(settings, entry.server, http_client)
            context = launch_context(settings, entry, token, jwks, clock())
            ticket = handovers.put(context, browser)
        except SmartError as exc:
            return refusal_page(exc, home)
        log.info("SMART launch accepted")
        return RedirectResponse(f"{settings.app_url}record?{TICKET_PARAM}={ticket}", status_code=302, headers=NO_STORE)

    return [
        Route(LAUNCH_PATH, launch, methods=["GET"], name="smart_launch"),
        Route(CALLBACK_PATH, callback, methods=["GET"], name="smart_callback"),
    ]
