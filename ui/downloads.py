"""Every download button of the app, in one place: the file is made on the click, only for a sign-in that
still holds, and goes in the open case's audit trail.

``download_button(label, make, ...)`` draws Streamlit's button with *deferred* data: nothing of the case
is sent, or stored under ``/media/``, when a page is merely opened; ``make`` runs when the button is
clicked (in a worker thread of Streamlit's, outside the script run: it gets the values it needs from
the page, never reads session state). On that click:

1. the sign-in the page was drawn for must still hold (not signed out, shift not over: ui/signins.py);
2. the file is made;
3. the download is written to the open case's audit trail (``export`` with ``audit`` as its detail)
   when the case is a saved one; if the trail cannot be written, no file is given;
4. the file's digest is granted to this sign-in for :data:`GRANT_S` seconds: ui/gate.py serves the
   file at its ``/media/`` address to that sign-in only, and to nobody after that.

A failure at any step gives no file (Streamlit shows "Failed to generate file for download"); nothing
about the case or the user is logged. With sign-in off (the laptop, one user) steps 1 and 4 fall away.

In a session opened from the record (a SMART launch) the sign-in is the launch's (:mod:`ehr.smart_signins`):
step 1 asks whether it still holds (the record's access not expired, the browser not signed out), the trail
names the launch's clinician (``smart:<fhirUser>``), and the grant is to that launch's sign-in, which the
gate recognises by the browser's ``cobalt_smart`` cookie.

The click does not rerun the page (``on_click="ignore"``): with a rerun, Streamlit 1.67 may drop the
button's deferred callable (the rerun draws a new one) before the browser asks for the file, and the
download then fails now and then.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from typing import Any

import streamlit as st

from ehr.smart_signins import VALID, LaunchSignIn, launch_sign_ins
from ui.signins import SignInState, records, sign_in_id

#: Seconds after the click during which the made file may be fetched (the browser fetches it at once).
GRANT_S = 60.0


class Grants:
    """Which sign-in may fetch which made file (by the SHA-256 of its bytes), for a minute (thread-safe)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self._clock = clock
        self._lock = threading.Lock()
        self._by_digest: dict[str, dict[str, float]] = {}  # digest -> {sign-in: until}

    def grant(self, digest: str, sign_in: str) -> None:
        now = self._clock()
        with self._lock:
            for key in [k for k, held in self._by_digest.items() if all(t <= now for t in held.values())]:
                del self._by_digest[key]
            self._by_digest.setdefault(digest, {})[sign_in] = now + GRANT_S

    def allowed(self, digest: str, sign_in: str) -> bool:
        with self._lock:
            until = self._by_digest.get(digest, {}).get(sign_in)
        return until is not None and self._clock() < until


_GRANTS = Grants()


def grants() -> Grants:
    return _GRANTS


def holds(sign_in: dict[str, Any] | LaunchSignIn) -> bool:
    """Whether a sign-in still holds: a launch's (ehr/smart_signins.py) or a sign-in cookie's claims."""
    if isinstance(sign_in, LaunchSignIn):
        return launch_sign_ins().state(sign_in) == VALID
    return records().state(sign_in) is SignInState.VALID


def grant_key(sign_in: dict[str, Any] | LaunchSignIn) -> str:
    """The sign-in id a made file is granted to."""
    return sign_in.sign_in if isinstance(sign_in, LaunchSignIn) else sign_in_id(sign_in)


def _who() -> tuple[Any, dict[str, Any] | LaunchSignIn | None, Any, Callable[[], str | None]]:
    """The acting user, their sign-in (a launch's, or the sign-in cookie's claims; None with sign-in off),
    the store, and how to learn the open case's id at the click: from its saver, since a background save
    may give a new case its id after the page was drawn (a teaching case has no saver, and no trail)."""
    from ui.auth import current_actor, sign_in_required
    from ui.database import store_or_none
    from ui.launch import launch_context, launch_sign_in
    from ui.session import _saver

    sign_in: dict[str, Any] | LaunchSignIn | None = None
    if sign_in_required():  # a launched session's sign-in is its launch's, and only that (none once it ended)
        sign_in = (launch_sign_in() or {}) if launch_context() is not None else st.user.to_dict()
    saver = _saver()
    return current_actor(), sign_in, store_or_none(), (lambda: saver.case_id) if saver is not None else (lambda: None)


def make_on_click(make: Callable[[], bytes | str], audit: str, who: tuple) -> Callable[[], bytes]:
    """The deferred data of a download button: steps 1 to 4 of the module docstring around ``make``."""
    actor, sign_in, store, open_case = who

    def build() -> bytes:
        if sign_in is not None and not holds(sign_in):
            raise PermissionError("the sign-in this page was drawn for has ended")
        made = make()
        data = made.encode("utf-8") if isinstance(made, str) else bytes(made)
        case_id = open_case() if callable(open_case) else open_case
        if case_id is not None:
            if store is None or actor is None:
                raise PermissionError("the download cannot be written to the case's audit trail")
            store.record_export(case_id, audit, actor=actor)
        if sign_in is not None:
            grants().grant(hashlib.sha256(data).hexdigest(), grant_key(sign_in))
        return data

    return build


def download_button(label: str, make: Callable[[], bytes | str], *, file_name: str, mime: str, key: str,
                    audit: str, where: Any = None, icon: str | None = None, help: str | None = None) -> None:
    """Streamlit's download button whose file ``make`` makes on the click (see the module docstring);
    ``audit`` names the download in the case's audit trail (at most 64 characters)."""
    (where or st).download_button(label, make_on_click(make, audit, _who()), file_name=file_name, mime=mime,
                                  key=key, icon=icon, help=help, on_click="ignore")
