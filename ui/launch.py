"""Launches from the hospital record, read from the address at once and never kept there.

- ``?patient=ID`` on any page: moved into the Hospital record page's field, which opens.
- ``?smart=TICKET``: the one-time ticket of a SMART EHR launch (:mod:`ehr.smart_routes` sends the browser
  to ``record?smart=…`` once the record has authorised Cobalt). :func:`claim_launch` takes it out of the
  address and redeems it, for this browser only (its ``cobalt_smart`` cookie), for the verified launch:
  the patient in context and the clinician's access token stay in this session's memory
  (:func:`launch_context`), never in the address, the case or a log. Its clinician (the verified
  ``fhirUser``) is the session's actor where sign-in is on (``ui.auth.current_actor``).

Called from app.py before the page runs (:func:`claim_launch` before sign-in is required).
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from ehr.smart_store import BROWSER_COOKIE, HANDOVERS, TICKET_PARAM, browser_hash
from ehr.smart_token import LaunchContext

RECORD_PAGE = Path(__file__).resolve().parents[1] / "app_pages" / "record.py"
LAUNCH_KEY = "ehr_smart"  # the verified launch (an ehr.smart.LaunchContext); no widget has this key
TICKET_REFUSED = (
    "This link from the hospital record has already been used, has expired, or was opened in another browser, "
    "so no patient was opened. Open Cobalt again from the patient's record."
)


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
    context = HANDOVERS.take(ticket, browser_hash(st.context.cookies.get(BROWSER_COOKIE)))
    if not isinstance(context, LaunchContext):
        st.error(TICKET_REFUSED, icon=":material/block:")
        return
    st.session_state[LAUNCH_KEY] = context
    st.session_state["ehr_fetch"] = None  # the record page searches this patient's results on arrival
    st.session_state["ehr_message"] = None
    st.session_state["ehr_smart_searched"] = False


def launch_context() -> LaunchContext | None:
    """This session's verified SMART launch, if it was opened from the record."""
    context = st.session_state.get(LAUNCH_KEY)
    return context if isinstance(context, LaunchContext) else None
