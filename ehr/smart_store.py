"""Short-lived server-side state of SMART launches, in this process's memory.

Two stores, each keyed by an opaque random id, bounded in size and age, and thread-safe (the launch
routes run in Starlette's thread pool, the app's sessions in Streamlit's script threads):

- :data:`PENDING`: a launch between the authorisation request and the redirect back, keyed by the
  OAuth ``state`` (the PKCE verifier, the nonce, the record's endpoints, the browser it belongs to);
- :data:`HANDOVERS`: a verified launch between the redirect back and the app's session, keyed by a
  one-time ticket that the address carries for one request (never the patient's identifier).

Each entry is taken once (:meth:`Expiring.take`) and is bound to the browser that started the launch:
a hash of the random ``cobalt_smart`` cookie set at ``/launch``. With several app processes behind a
proxy, the proxy's stickiness keeps a browser on the process that holds its entries (README).
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")

#: The app's query parameter that carries the one-time ticket (``record?smart=TICKET``).
TICKET_PARAM = "smart"
#: The browser-binding cookie (random, HttpOnly, SameSite=Lax; its hash is kept, never its value).
BROWSER_COOKIE = "cobalt_smart"
PENDING_TTL_S = 600.0  # the sign-in at the record: ten minutes
HANDOVER_TTL_S = 120.0  # from the redirect back to the app's first run
MAX_ENTRIES = 1000


def new_id() -> str:
    """An opaque random id (256 bits, URL-safe)."""
    return secrets.token_urlsafe(32)


def browser_hash(cookie: str | None) -> str | None:
    """The hash kept for a browser's ``cobalt_smart`` cookie; None without a usable cookie."""
    if not cookie or not 20 <= len(cookie) <= 100:
        return None
    return hashlib.sha256(cookie.encode("utf-8", "replace")).hexdigest()


class Expiring(Generic[T]):
    """At most ``max_entries`` values, each taken once, for ``ttl_s`` seconds (the oldest go first
    when it is full). ``clock`` is monotonic seconds (tests pass their own)."""

    def __init__(self, ttl_s: float, max_entries: int = MAX_ENTRIES, clock: Callable[[], float] = time.monotonic):
        self.ttl_s = ttl_s
        self.max_entries = max_entries
        self.clock = clock
        self._items: OrderedDict[str, tuple[float, str, T]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            self._expire(self.clock())
            return len(self._items)

    def _expire(self, now: float) -> None:
        while self._items:
            key, (born, _, _) = next(iter(self._items.items()))
            if now - born < self.ttl_s:
                break
            del self._items[key]

    def put(self, value: T, browser: str, key: str | None = None) -> str:
        """Keep ``value`` for the browser whose cookie hash is ``browser``; its key."""
        key = key or new_id()
        with self._lock:
            now = self.clock()
            self._expire(now)
            while len(self._items) >= self.max_entries:
                self._items.popitem(last=False)
            self._items[key] = (now, browser, value)
        return key

    def take(self, key: str | None, browser: str | None) -> T | None:
        """The value kept under ``key`` for this browser, removed; None when unknown, expired, already
        taken or kept for another browser (which then cannot be tried again with the right one)."""
        if not key or not isinstance(key, str) or len(key) > 100:
            return None
        with self._lock:
            self._expire(self.clock())
            entry = self._items.pop(key, None)
        if entry is None or browser is None or not secrets.compare_digest(entry[1], browser):
            return None
        return entry[2]


PENDING: Expiring = Expiring(PENDING_TTL_S)
HANDOVERS: Expiring = Expiring(HANDOVER_TTL_S)
