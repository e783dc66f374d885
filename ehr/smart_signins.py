"""A session opened from the record (a SMART launch) as a sign-in, in this process's memory.

A launched session has no Streamlit sign-in cookie: its clinician is the launch's verified ``fhirUser`` and
the session is bound to the browser by the random HttpOnly ``cobalt_smart`` cookie (:mod:`ehr.smart_store`).
When the app's session redeems the launch's ticket (``ui.launch.claim_launch``) the launch becomes a sign-in
here, :class:`LaunchSignIn`:

- named by a digest (:func:`launch_sign_in_id`) of the browser cookie's hash and a random id made for this
  launch: never the patient, the access token or anything about the clinician. The next launch in the same
  browser is another sign-in; a copy of the id is worth nothing without the cookie;
- bound to the browser (the cookie's hash) and to the one Streamlit session that redeemed the ticket;
- holding until :attr:`LaunchSignIn.ends_at` (``launch_ends_at``: the record's access token's expiry), or
  until it is ended (:meth:`LaunchSignIns.end_browser`: Sign out in that browser ends every launch there).

ui/gate.py recognises it for case files and uploads, ui/downloads.py grants files to it, ui/auth.py checks it
on every run. Like the launch itself, it lives only in the process that answered ``/launch`` (the proxy's
stickiness keeps the browser there): any other process knows no live launch for that browser and refuses.
Bounded, thread-safe, no Streamlit (the gate asks outside script runs). States are the strings of
``ui.signins.SignInState`` (``valid``, ``ended``, ``expired``).
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

#: At most this many launched sessions are remembered per process (the oldest go first: refused from then on).
MAX_SIGN_INS = 10_000
VALID, ENDED, EXPIRED = "valid", "ended", "expired"
_SALT = b"cobalt smart sign-in\x00"


def launch_sign_in_id(browser: str, launch_nonce: str) -> str:
    """The sign-in id of one launch in one browser (64 hex characters): a digest of the browser cookie's
    hash and a random id made for the launch."""
    return hashlib.sha256(_SALT + browser.encode() + b"\x00" + launch_nonce.encode()).hexdigest()


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def launch_ends_at(expires_at: float | None, id_claims: Mapping[str, Any], shift_hours: float | None) -> float | None:
    """When a launched session's sign-in ends (seconds since the epoch): when the record's access token
    expires (the token response's ``expires_in``, as ``expires_at``), or, from a record that gives none, when
    the ID token does (its ``exp``); with a shift configured, no later than the shift after the sign-in at the
    record (the ID token's ``iat``). None when nothing says (the launch is then refused)."""
    end = _number(expires_at)
    if end is None:
        end = _number(id_claims.get("exp"))
    if end is None:
        return None
    if shift_hours is not None:
        made = _number(id_claims.get("iat"))
        if made is None:
            made = _number(id_claims.get("auth_time"))
        if made is None:
            return None
        end = min(end, made + float(shift_hours) * 3600.0)
    return end


@dataclass(frozen=True)
class LaunchSignIn:
    """One launched session's sign-in: its id, the browser's cookie hash, the Streamlit session, when it ends."""

    sign_in: str
    browser: str
    session: str
    ends_at: float

    def __repr__(self) -> str:  # no ids in a log or an error
        return f"LaunchSignIn(ends_at={self.ends_at:.0f})"


class LaunchSignIns:
    """The launched sessions of this process (thread-safe, bounded)."""

    def __init__(self, max_entries: int = MAX_SIGN_INS, clock: Callable[[], float] = time.time):
        self.max_entries = max_entries
        self.clock = clock
        self._lock = threading.Lock()
        self._by_session: OrderedDict[str, LaunchSignIn] = OrderedDict()
        self._ended: set[str] = set()  # sign-in ids ended by a sign-out (kept while their entry is)

    def __len__(self) -> int:
        with self._lock:
            return len(self._by_session)

    def _forget_over(self, now: float) -> None:
        for session in [s for s, e in self._by_session.items() if e.ends_at <= now]:
            self._ended.discard(self._by_session.pop(session).sign_in)
        while len(self._by_session) >= self.max_entries:
            _, oldest = self._by_session.popitem(last=False)
            self._ended.discard(oldest.sign_in)

    def add(self, session: str, browser: str, ends_at: float) -> LaunchSignIn:
        """The launch that ``session`` redeemed in the browser whose cookie hash is ``browser`` is a sign-in
        until ``ends_at``. A session holds one launch: a second one replaces the first, which ends."""
        if not session or not browser:
            raise ValueError("a launched session needs its session and its browser")
        entry = LaunchSignIn(launch_sign_in_id(browser, secrets.token_urlsafe(32)), browser, session, float(ends_at))
        with self._lock:
            self._forget_over(self.clock())
            previous = self._by_session.pop(session, None)
            if previous is not None:
                self._ended.discard(previous.sign_in)
            self._by_session[session] = entry
        return entry

    def of_session(self, session: str | None) -> LaunchSignIn | None:
        """The launch the Streamlit session ``session`` redeemed (live or not), if this process knows one."""
        if not session:
            return None
        with self._lock:
            return self._by_session.get(session)

    def of_browser(self, browser: str | None) -> list[LaunchSignIn]:
        """The launches of the browser whose cookie hash is ``browser`` (live or not)."""
        if not browser:
            return []
        with self._lock:
            return [e for e in self._by_session.values() if secrets.compare_digest(e.browser, browser)]

    def state(self, entry: LaunchSignIn | None, now: float | None = None) -> str:
        """``expired`` (its end has come), ``ended`` (signed out, replaced, or not known here: refused) or ``valid``."""
        if entry is None:
            return ENDED
        if (self.clock() if now is None else now) >= entry.ends_at:
            return EXPIRED
        with self._lock:
            known = self._by_session.get(entry.session) is entry and entry.sign_in not in self._ended
        return VALID if known else ENDED

    def end_browser(self, browser: str | None) -> list[LaunchSignIn]:
        """Sign-out: every launch of this browser ends, here and for good. The launches that were live."""
        ended = []
        now = self.clock()
        with self._lock:
            for entry in self._by_session.values():
                if browser and secrets.compare_digest(entry.browser, browser) and entry.sign_in not in self._ended:
                    self._ended.add(entry.sign_in)
                    if now < entry.ends_at:
                        ended.append(entry)
        return ended


_SIGN_INS = LaunchSignIns()


def launch_sign_ins() -> LaunchSignIns:
    """This process's launched sessions."""
    return _SIGN_INS
