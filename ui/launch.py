"""Launches from the hospital record, read from the address at once and never kept there.

- ``?patient=ID`` on any page: moved into the Hospital record page's field, which opens.
- ``?smart=TICKET``: the one-time ticket of a SMART EHR launch (:mod:`ehr.smart_routes` sends the browser
  to ``record?smart=…`` once the record has authorised Cobalt). :func:`claim_launch` takes it out of the
  address and redeems it, for this browser only (its ``cobalt_smart`` cookie), for the verified launch:
  the patient in context and the clinician's access token stay in this session's memory
  (:func:`launch_context`), never in the address, the case or a log. Its clinician (the verified
  ``fhirUser``) is the session's actor where sign-in is on (``ui.auth.current_actor``).

A redeemed launch is a sign-in (:mod:`ehr.smart_signins`): bound to this browser and this session, it holds
until the record's access token expires or the browser signs out (:func:`launch_sign_in`, :func:`launch_state`);
the gate (ui/gate.py) and the downloads (ui/downloads.py) recognise it as they do a sign-in cookie.

Called from app.py before the page runs (:func:`claim_launch` before sign-in is required).
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from ehr.smart_signins import LaunchSignIn, launch_ends_at, launch_sign_ins
from ehr.smart_store import BROWSER_COOKIE, HANDOVERS, TICKET_PARAM, browser_hash
from ehr.smart_token import LaunchContext
from ui.signins import ID_TOKEN, SignInState, sign_in_limit

RECORD_PAGE = Path(__file__).resolve().parents[1] / "app_pages" / "record.py"
LAUNCH_KEY = "ehr_smart"  # the verified launch (an ehr.smart.LaunchContext); no widget has this key
SIGN_IN_KEY = "ehr_smart_sign_in"  # its sign-in (an ehr.smart_signins.LaunchSignIn)
ENDED_KEY = "ehr_smart_ended"  # why this session's launch ended (a SignInState), for the screen that says so
REFUSED = "refused"  # ...or that its ticket was refused (said at once)
TICKET_REFUSED = (
    "This link from the hospital record has already been used, has expired, or was opened in another browser, "
    "so no patient was opened. Open Cobalt again from the patient's record."
)
NO_END = (
    "The record did not say how long its permission lasts, so Cobalt opened nothing. Open Cobalt again from "
    "the patient's record; if it keeps failing, tell the hospital's IT team."
)
AGAIN = "Open Cobalt again from the patient's record; the cases you saved are in the Case library."
ENDED = {
    SignInState.EXPIRED: "The record's permission for this session has ended (it lasts as long as the record "
    "allows). " + AGAIN,
    SignInState.ENDED: "The session opened from the hospital record has ended (Sign out, a reload, or a restart "
    "of the server ends it; an edit made in the last seconds before a restart may not have been saved). " + AGAIN,
}
OTHER_TAB = (
    "This tab was not opened from the hospital record: the patient opened from the record is in the tab Cobalt "
    "opened then. To open another patient, open Cobalt from their record."
)


def browser_cookie() -> str | None:
    """This browser's ``cobalt_smart`` cookie (random, set at ``/launch``), if it sent one."""
    return st.context.cookies.get(BROWSER_COOKIE)


def patient_at_launch() -> None:
    """Move ``?patient=`` from the address into the record page's field (never kept in the address)."""
    if "patient" not in st.query_params:
        return
    st.session_state["ehr_patient"] = st.query_params["patient"]
    st.session_state["ehr_fetch"] = None
    del st.query_params["patient"]
    st.switch_page(st.Page(RECORD_PAGE, url_path="record"))


def claim_launch() -> None:
    """Redeem ``?smart=TICKET`` (and take it out of the address): the verified launch joins this session;
    a ticket that is unknown, used, expired or another browser's opens nothing and says so."""
    if TICKET_PARAM not in st.query_params:
        return
    ticket = st.query_params[TICKET_PARAM]
    del st.query_params[TICKET_PARAM]
    browser = browser_hash(browser_cookie())
    context = HANDOVERS.take(ticket, browser)
    if not isinstance(context, LaunchContext) or browser is None:
        st.error(TICKET_REFUSED, icon=":material/block:")
        st.session_state[ENDED_KEY] = REFUSED
        return
    limit = sign_in_limit()
    ends = launch_ends_at(context.expires_at, context.claims, None if limit == ID_TOKEN else float(limit))
    run = get_script_run_ctx()
    if ends is None or run is None:
        st.error(NO_END, icon=":material/block:")
        st.session_state[ENDED_KEY] = REFUSED
        return
    st.session_state[SIGN_IN_KEY] = launch_sign_ins().add(run.session_id, browser, ends)
    st.session_state.pop(ENDED_KEY, None)
    st.session_state[LAUNCH_KEY] = context
    st.session_state["ehr_fetch"] = None  # the record page searches this patient's results on arrival
    st.session_state["ehr_message"] = None
    st.session_state["ehr_smart_searched"] = False


def launch_context() -> LaunchContext | None:
    """This session's verified SMART launch, if it was opened from the record."""
    context = st.session_state.get(LAUNCH_KEY)
    return context if isinstance(context, LaunchContext) else None


def launch_state() -> SignInState | None:
    """None without a launch in this session; else whether its sign-in still holds (a launch without its
    sign-in, or whose sign-in names another session, has ended: a session value is no sign-in)."""
    if launch_context() is None:
        return None
    entry, run = st.session_state.get(SIGN_IN_KEY), get_script_run_ctx()
    if not isinstance(entry, LaunchSignIn) or run is None or entry.session != run.session_id:
        return SignInState.ENDED
    return SignInState(launch_sign_ins().state(entry))


def launch_sign_in() -> LaunchSignIn | None:
    """The sign-in of this session's launch while it holds (None: no launch, or it has ended)."""
    return st.session_state.get(SIGN_IN_KEY) if launch_state() is SignInState.VALID else None


def end_launch(why: SignInState) -> None:
    """Forget this session's launch (the patient and the access token go with it) and remember why."""
    for key in (LAUNCH_KEY, SIGN_IN_KEY, "ehr_fetch"):
        st.session_state.pop(key, None)
    st.session_state[ENDED_KEY] = why


def ended_launch() -> str | None:
    """What to tell a browser whose launch has ended: why this session's did, or that this browser's did (it
    sends its ``cobalt_smart`` cookie, and no live launch is in this session), or that its live launch is in
    another tab; "" after a refused ticket (said already); None for a browser never opened from the record."""
    why = st.session_state.get(ENDED_KEY)
    if why == REFUSED:
        return ""
    if isinstance(why, SignInState) and why in ENDED:
        return ENDED[why]
    browser = browser_hash(browser_cookie())
    if browser is None:
        return None
    held = launch_sign_ins()
    live_elsewhere = any(held.state(e) == SignInState.VALID for e in held.of_browser(browser))
    return OTHER_TAB if live_elsewhere else ENDED[SignInState.ENDED]
