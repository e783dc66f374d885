"""The app's gate around Streamlit's own endpoints (ASGI middleware; serve.py mounts it with ``st.App``).

With sign-in on (ui/auth.py), Streamlit 1.67 serves ``/media/<file>`` (downloads included) to anyone
who has the address, takes uploads at ``/_stcore/upload_file/<session>/<file>`` from anyone who has a
session id and an XSRF pair of their own, and lets a copied sign-in cookie sign in for 30 days. Here,
before Streamlit sees the request:

- **Case files** (``/media/`` files of the *download* kind) are served only to the signed-in user they
  were made for, within a minute of the click that made them (ui/downloads.py); any other ``/media/``
  file but an image (the page icon) needs a valid sign-in. Refused: 403, nothing else said.
- **Uploads** need a valid sign-in that is the very sign-in of the session named in the address.
- **A sign-in that has ended** (signed out, or its shift is over: ui/signins.py) is taken off the
  request: the connection is made as a signed-out browser, which sees only the sign-in screen (with
  ``X-Cobalt-Sign-In`` saying why), and a page load is answered with the sign-in cookies deleted.
- **Sign-out** (``/auth/logout``) records the sign-in as ended, for every process, before Streamlit
  deletes the cookie in this browser.
- **The sign-in cookie** lasts a shift (Max-Age), not 30 days, and is Secure when the request came over
  TLS (``X-Forwarded-Proto: https`` from the proxy, which also sets Secure on every cookie).

Nothing here logs a path or an id (a sign-out the database could not record is logged as just that).
With sign-in off (the laptop default) the gate lets everything
through. Database look-ups run in a worker thread, never on the event loop.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from ui.signins import (
    STATE_COOKIE,
    STATE_HEADER,
    TOKENS_COOKIE,
    USER_COOKIE,
    SignInState,
    cookie_max_age,
    read_user_cookie,
    records,
    sign_in_id,
    sign_in_limit,
)

log = logging.getLogger("cobalt.gate")
Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]], Awaitable[None]]

_STATE = STATE_HEADER.encode()  # set here only (an incoming one is dropped): why the sign-in was taken off
_UPLOAD = re.compile(r"^/_stcore/upload_file/([^/]+)/[^/]+$")
_MEDIA = re.compile(r"^/media/([0-9A-Za-z_-]+)(?:\.[0-9A-Za-z]+)?$")
_NOT_PAGES = (
    "/static/", "/_stcore/", "/component/", "/media/", "/app/static/", "/favicon", "/auth/", "/oauth2callback",
)
_AUTH_COOKIES = (USER_COOKIE, TOKENS_COOKIE)


# -- what Streamlit holds (its runtime; fail closed if it cannot be asked) ----------------------------


def _runtime() -> Any:
    from streamlit.runtime import Runtime

    return Runtime.instance()


def media_file(file_id: str) -> Any:
    """Streamlit's stored ``/media/`` file (content, mimetype, kind), or None."""
    manager = _runtime().media_file_mgr
    if not manager.can_read_files:
        return None
    return manager.read_file(file_id)


def session_claims(session_id: str) -> dict[str, Any] | None:
    """The sign-in claims of the active browser session ``session_id`` (None: no such session, or unknown)."""
    try:
        info = _runtime()._session_mgr.get_active_session_info(session_id)
        user = dict(getattr(info.session, "_user_info", None) or {}) if info is not None else {}
    except Exception:  # noqa: BLE001 - Streamlit's internals moved: refuse rather than guess
        return None
    return user if user.get("is_logged_in") else None


# -- the rules ------------------------------------------------------------------------------------


def _is_page(path: str) -> bool:
    """A page load ("/", "/library", ...): not an asset, an endpoint of Streamlit's or the sign-in flow."""
    return not path.startswith(_NOT_PAGES)


def _cookies(scope: Scope) -> dict[str, str]:
    """The request's cookies, parsed as Starlette (and so Streamlit) parses them."""
    from starlette.requests import cookie_parser

    jar: dict[str, str] = {}
    for name, value in scope.get("headers", []):
        if name.lower() == b"cookie":
            jar.update(cookie_parser(value.decode("latin-1")))
    return jar


def _secret() -> str | None:
    from streamlit.web.server.server_util import get_cookie_secret

    try:
        return get_cookie_secret()
    except Exception:  # noqa: BLE001 - no secrets: nobody is signed in
        return None


async def _state(claims: dict[str, Any] | None) -> SignInState | None:
    if claims is None:
        return None
    return await asyncio.to_thread(records().state, claims)


def _without_auth_cookies(scope: Scope, why: SignInState | None) -> Scope:
    """The request as a signed-out browser's: no sign-in cookies, and a header saying why (if known)."""
    headers = []
    for name, value in scope.get("headers", []):
        if name.lower() == b"cookie":
            kept = [
                part for part in value.decode("latin-1").split(";")
                if not part.strip().split("=", 1)[0].startswith(_AUTH_COOKIES)
            ]
            if kept:
                headers.append((name, ";".join(kept).strip().encode("latin-1")))
        else:
            headers.append((name, value))
    if why is not None:
        headers.append((_STATE, why.value.encode()))
    return {**scope, "headers": headers}


def _over_tls(scope: Scope) -> bool:
    forwarded = dict((k.lower(), v) for k, v in scope.get("headers", [])).get(b"x-forwarded-proto", b"")
    return scope.get("scheme") in ("https", "wss") or forwarded.split(b",")[0].strip() == b"https"


def _rewrite_cookie(value: bytes, max_age: int, secure: bool) -> bytes:
    """A sign-in cookie that Streamlit sets lasts ``max_age`` seconds (not 30 days); Secure over TLS."""
    text = value.decode("latin-1")
    name = text.split("=", 1)[0].strip()
    if name.startswith(_AUTH_COOKIES) and not re.search(r"(?i);\s*max-age=0\b", text):
        text = re.sub(r"(?i)(;\s*)max-age=\d+", rf"\g<1>Max-Age={max_age}", text)
    if secure and not re.search(r"(?i);\s*secure\b", text):
        text += "; Secure"
    return text.encode("latin-1")


def _deletions(cookies: dict[str, str], why: SignInState | None) -> list[tuple[bytes, bytes]]:
    """Delete the sign-in cookies; say why for five minutes (the sign-in screen reads it: ui/auth.py)."""
    deleted = [
        (b"set-cookie", f"{name}=; Max-Age=0; Path=/; HttpOnly; SameSite=lax".encode())
        for name in cookies
        if name.startswith(_AUTH_COOKIES)
    ]
    if why is None:
        return deleted
    said = f"{STATE_COOKIE}={why.value}; Max-Age=300; Path=/; HttpOnly; SameSite=lax"
    return [*deleted, (b"set-cookie", said.encode())]


async def _refuse(send: Callable[[Message], Awaitable[None]], status: int = 403) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"cache-control", b"no-store")]})
    await send({"type": "http.response.body", "body": b"Refused: sign in to Cobalt first.\n"})


class AccessGate:
    """ASGI middleware: see the module docstring."""

    def __init__(self, app: ASGIApp):
        from ui.auth import sign_in_required

        self.app = app
        self._on = sign_in_required()  # from the environment, fixed for the process
        self._limit = sign_in_limit()  # a wrong $COBALT_SIGN_IN_HOURS stops the start, never a request

    async def __call__(self, scope: Scope, receive, send) -> None:
        kind = scope.get("type")
        if kind not in ("http", "websocket") or not self._on:
            await self.app(scope, receive, send)
            return
        # a header only the gate sets: one sent by the client is dropped
        scope = {**scope, "headers": [(k, v) for k, v in scope.get("headers", []) if k.lower() != _STATE]}
        path = scope.get("path", "")
        is_media, upload = kind == "http" and path.startswith("/media/"), kind == "http" and _UPLOAD.match(path)
        is_logout, is_entry = kind == "http" and path == "/auth/logout", kind == "websocket" or _is_page(path)
        cookies = _cookies(scope) if (is_media or upload or is_logout or is_entry) else {}
        claims = read_user_cookie(cookies, _secret()) if USER_COOKIE in cookies else None

        if is_media:
            if not await self._media_allowed(path, claims):
                await _refuse(send)
                return
        elif upload:
            if not await self._upload_allowed(upload.group(1), claims):
                await _refuse(send)
                return
        elif is_logout and claims is not None:
            try:
                await asyncio.to_thread(records().end, claims, self._limit)
            except Exception:  # noqa: BLE001 - the browser is signed out all the same; no id in the log
                log.warning("a sign-out could not be recorded in the case database; the sign-in ends with its shift")
        elif is_entry and USER_COOKIE in cookies:
            # a cookie that is not genuine (another secret, tampered with) is taken off without a reason
            state = await _state(claims) if claims is not None else None
            if state is not SignInState.VALID:
                scope = _without_auth_cookies(scope, state)
                if kind == "http":
                    send = self._deleting_cookies(send, cookies, state)

        if kind == "http":
            send = self._cookie_rewriter(send, _over_tls(scope))
        await self.app(scope, receive, send)

    async def _media_allowed(self, path: str, claims: dict[str, Any] | None) -> bool:
        from streamlit.runtime.media_file_storage import MediaFileKind

        match = _MEDIA.match(path)
        if match is None:
            return False
        try:
            found = media_file(match.group(1))
        except Exception:  # noqa: BLE001 - the runtime cannot say what the file is: refuse
            return False
        if found is None:
            return True  # Streamlit answers 404
        if found.kind == MediaFileKind.MEDIA and str(found.mimetype).startswith("image/"):
            return True  # the page icon (Cobalt draws no case figure as a /media/ image)
        if await _state(claims) is not SignInState.VALID:
            return False
        if found.kind != MediaFileKind.DOWNLOADABLE:
            return True
        from ui.downloads import grants

        return grants().allowed(hashlib.sha256(found.content).hexdigest(), sign_in_id(claims))

    async def _upload_allowed(self, session_id: str, claims: dict[str, Any] | None) -> bool:
        if await _state(claims) is not SignInState.VALID:
            return False
        owner = session_claims(session_id)
        return owner is not None and sign_in_id(owner) == sign_in_id(claims)

    @staticmethod
    def _deleting_cookies(send, cookies: dict[str, str], why: SignInState | None):
        async def wrapped(message: Message) -> None:
            if message.get("type") == "http.response.start":
                message["headers"] = [*message.get("headers", []), *_deletions(cookies, why)]
            await send(message)

        return wrapped

    def _cookie_rewriter(self, send, secure: bool):
        max_age = cookie_max_age(self._limit)

        async def wrapped(message: Message) -> None:
            if message.get("type") == "http.response.start":
                message["headers"] = [
                    (k, _rewrite_cookie(v, max_age, secure) if k.lower() == b"set-cookie" else v)
                    for k, v in message.get("headers", [])
                ]
            await send(message)

        return wrapped
