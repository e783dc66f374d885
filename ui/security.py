"""Security headers for every HTTP response, as ASGI middleware (serve.py mounts it with ``st.App``).

Streamlit (1.67) has no setting for response headers; its ``st.App`` takes Starlette middleware, which is
the one place the app itself can add them. What is set, and why:

- ``Content-Security-Policy``: ``frame-ancestors 'none'`` (no clickjacking in a frame), ``object-src
  'none'``, ``base-uri 'self'``, ``form-action 'self'``, and ``default-src 'self'`` with what Streamlit's
  own front end needs: inline styles (emotion), inline and eval'd scripts (its bundles and the two
  small scripts of ui/browser.py), ``data:``/``blob:`` images and fonts, and websockets to the same
  host. No third-party origin is allowed: the app loads nothing from a CDN (see app.py, the icon).
- ``X-Frame-Options: DENY`` for browsers that predate ``frame-ancestors``.
- ``X-Content-Type-Options: nosniff``.
- ``Referrer-Policy: no-referrer``: the address holds the open case's id; a link to a source (doi.org,
  PubMed) must not carry it away.
- ``Permissions-Policy``: no camera, microphone, geolocation or payment.

TLS (and with it ``Strict-Transport-Security``) belongs to the proxy in front of the app (README, deploy).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]], Awaitable[None]]

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self' 'unsafe-inline' 'unsafe-eval'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self' ws: wss:",
    "worker-src 'self' blob:",
    "frame-src 'self' blob: data:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CSP.encode()),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=()"),
)


class SecurityHeaders:
    """ASGI middleware adding :data:`HEADERS` to every HTTP response (not to the websocket)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive, send) -> None:
        if scope.get("type") != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message.get("type") == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []), *(h for h in HEADERS if h[0] not in names)]
            await send(message)

        await self.app(scope, receive, send_with_headers)
