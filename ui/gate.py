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
- **A session opened from the record** (a SMART launch) has no sign-in cookie: its sign-in is the launch's
  (ehr/smart_signins.py), recognised by the browser's ``cobalt_smart`` cookie while the launch holds (its
  access token not expired, not signed out) and its session is connected. It counts as a sign-in for case
  files granted to it and for uploads into that very session; a ``cobalt_smart`` cookie bound to no live
  launch here is no sign-in at all. Sign-out in that browser ends every launch there (and deletes the
  cookie), and a connection may resume a launched session only from the browser that launched it.
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
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from ehr.smart_signins import VALID, LaunchSignIn, launch_sign_ins
from ehr.smart_store import BROWSER_COOKIE, browser_hash
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


def session_active(session_id: str) -> bool:
    """Whether the browser session ``session_id`` is connected to this process (False if unknown)."""
    try:
        return _runtime()._session_mgr.get_active_session_info(session_id) is not None
    except Exception:  # noqa: BLE001 - Streamlit's internals moved: refuse rather than guess
        return False


def live_launches(browser: str | None) -> list[LaunchSignIn]:
    """The launched sessions of this browser (its ``cobalt_smart`` cookie's hash) whose sign-in holds and
    whose session is connected here: none for a cookie bound to no live launch (treated as signed out)."""
    held = launch_sign_ins()
    return [e for e in held.of_browser(browser) if held.state(e) == VALID and session_active(e.session)]


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


def _resumed_only_by_its_browser(scope: Scope, browser: str | None) -> Scope:
    """A websocket asking to resume a launched session (the third entry of ``Sec-WebSocket-Protocol``) from
    another browser gets a new session instead: Streamlit binds a session to its sign-in cookie's claims,
    and a launched session has none, so its id alone would otherwise take it over."""
    headers = scope.get("headers", [])
    raw = next((v for k, v in headers if k.lower() == b"sec-websocket-protocol"), None)
    if raw is None:
        return scope
    entries = [e.strip() for e in raw.decode("latin-1").split(",")]
    launched = launch_sign_ins().of_session(entries[2]) if len(entries) >= 3 and entries[2] else None
    if launched is None or (browser is not None and secrets.compare_digest(launched.browser, browser)):
        return scope
    kept = ", ".join(entries[:2]).encode("latin-1")
    return {**scope, "headers": [(k, kept if k.lower() == b"sec-websocket-protocol" else v) for k, v in headers]}


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
        browser = browser_hash(cookies.get(BROWSER_COOKIE))  # a launch from the record (ehr/smart_signins.py)

        if kind == "websocket":
            scope = _resumed_only_by_its_browser(scope, browser)
        if is_media:
            if not await self._media_allowed(path, claims, browser):
                await _refuse(send)
                return
        elif upload:
            if not await self._upload_allowed(upload.group(1), claims, browser):
                await _refuse(send)
                return
        elif is_logout:
            if claims is not None:
                try:
                    await asyncio.to_thread(records().end, claims, self._limit)
                except Exception:  # noqa: BLE001 - the browser is signed out all the same; no id in the log
                    log.warning("a sign-out could not be recorded in the case database; the sign-in ends with its "
                                "shift")  # fmt: skip
            if BROWSER_COOKIE in cookies:  # every launch of this browser ends here, and its cookie goes
                ended = launch_sign_ins().end_browser(browser)
                send = self._ending_launches(send, bool(ended))
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

    async def _media_allowed(self, path: str, claims: dict[str, Any] | None, browser: str | None = None) -> bool:
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
        signed_in = claims is not None and await _state(claims) is SignInState.VALID
        launches = live_launches(browser)
        if not signed_in and not launches:
            return False
        if found.kind != MediaFileKind.DOWNLOADABLE:
            return True
        from ui.downloads import grants

        digest = hashlib.sha256(found.content).hexdigest()
        holders = [sign_in_id(claims)] if signed_in and claims is not None else []
        return any(grants().allowed(digest, holder) for holder in holders + [e.sign_in for e in launches])

    async def _upload_allowed(self, session_id: str, claims: dict[str, Any] | None, browser: str | None = None
                              ) -> bool:  # fmt: skip
        launched = launch_sign_ins().of_session(session_id)
        if launched is not None:  # a launched session: only from its own browser, while the launch holds
            return (browser is not None and secrets.compare_digest(launched.browser, browser)
                    and launch_sign_ins().state(launched) == VALID and session_active(session_id))  # fmt: skip
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

    @staticmethod
    def _ending_launches(send, said: bool):
        """Sign-out's answer deletes the launch cookie; when a live launch ended, the sign-in screen says so."""
        gone = [(b"set-cookie", f"{BROWSER_COOKIE}=; Max-Age=0; Path=/; HttpOnly; SameSite=lax".encode())]
        if said:
            text = f"{STATE_COOKIE}={SignInState.ENDED.value}; Max-Age=300; Path=/; HttpOnly; SameSite=lax"
            gone.append((b"set-cookie", text.encode()))

        async def wrapped(message: Message) -> None:
            if message.get("type") == "http.response.start":
                message["headers"] = [*message.get("headers", []), *gone]
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
