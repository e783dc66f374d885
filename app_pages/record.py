"""Hospital record page: lab results from the hospital's FHIR R4 server, previewed, added as ticked.

The server is configured, never typed here: ``COBALT_FHIR_BASE_URL`` (and ``COBALT_FHIR_TOKEN``) or
the ``[fhir]`` table of ``.streamlit/secrets.toml``. The patient identifier is typed, or passed at
launch as ``?patient=ID`` on any page, which app.py reads and removes from the address at once
(``ui/launch.py``) before opening this page. It is used for
the query only: never stored in the case, logged or kept in the address, and the field is emptied
once results are added. The search, paging and mapping are :mod:`ehr.fhir`.

Opened from the record (a SMART EHR launch, :mod:`ehr.smart`): the server is the launch's ``iss``, the
search runs with the clinician's access token, and the patient is the one the record put in context,
shown as "the patient opened from the record" and never as an identifier. The results of the last
``days`` days (``COBALT_SMART_DAYS``, default 30) are searched on arrival.
"""

from __future__ import annotations

import os
import time
from datetime import UTC, date, datetime, timedelta

import streamlit as st

from ehr.fhir import Failure, Fetch, ServerError, ServerSettings, add_to_case, fetch_results, settings_from
from ehr.smart import DEFAULT_DAYS, SmartError, smart_settings
from logic.case import CaseError
from logic.case.parse import parse_observation
from ui.common import DISCLAIMER, esc
from ui.launch import launch_context
from ui.session import current_doc, is_read_only, set_doc

ss = st.session_state
today = date.today()

def _secrets() -> dict:
    try:
        return st.secrets.to_dict()
    except Exception:  # noqa: BLE001 - no secrets.toml is the usual case
        return {}


def _forget_preview() -> None:
    """Another patient or window: the results shown belong to the last search, so they go."""
    ss["ehr_fetch"] = None
    ss["ehr_message"] = None


def _search(settings) -> None:
    launched = launch_context()
    if launched is not None and launched.expired(time.time()):
        ss["ehr_fetch"] = None
        ss["ehr_message"] = ("error", "The record's permission for this session has ended. Open Cobalt again "
                                      "from the patient's record to read their results.")  # fmt: skip
        return
    patient = launched.patient if launched is not None else ss.get("ehr_patient", "")
    try:
        ss["ehr_fetch"] = fetch_results(settings, patient, ss["ehr_since"], ss["ehr_until"], datetime.now(UTC))
        ss["ehr_message"] = None
    except ServerError as exc:
        again = " Open Cobalt again from the patient's record." if launched is not None and exc.kind in (
            Failure.UNAUTHORIZED, Failure.FORBIDDEN) else ""  # fmt: skip
        ss["ehr_fetch"] = None
        ss["ehr_message"] = ("error", exc.message + again)


def _add(fetch: Fetch) -> None:
    chosen = [f.resource for f in fetch.mapped if ss.get(f"ehr_pick_{f.resource}")]
    result = add_to_case(current_doc(), fetch, chosen)
    try:
        set_doc(result.doc)
    except CaseError as exc:
        ss["ehr_message"] = ("error", "; ".join(str(p) for p in exc.problems))
        return
    skipped = f"; {len(result.problems)} not added (listed below)" if result.problems else ""
    ss["ehr_message"] = ("success", f"Added {result.imported} result(s) from the hospital record to the case{skipped}.")
    ss["ehr_skipped"] = [str(p) for p in result.problems]
    ss["ehr_fetch"] = None
    ss["ehr_patient"] = ""  # used for the query only


def _launch_days() -> int:
    """The window searched on arrival from the record (``COBALT_SMART_DAYS`` or ``[smart] days``)."""
    try:
        found = smart_settings(os.environ, _secrets())
    except SmartError:
        return DEFAULT_DAYS
    return found.days if found is not None else DEFAULT_DAYS


def _opened_from_record(launched) -> ServerSettings:
    """The header of a SMART-launched session: who and what, never the patient's identifier."""
    st.markdown(
        f"**The patient opened from the record**, by {esc(launched.clinician)}. Server: `{launched.iss}`  \n"
        ":small[:gray[Cobalt reads their results with your access from the record; it never shows, keeps or "
        "logs the patient's identifier.]]"
    )
    days = _launch_days()
    c2, c3 = st.columns(2)
    c2.date_input("Results from", value=today - timedelta(days=days), key="ehr_since", on_change=_forget_preview,
                  format="YYYY-MM-DD", help=f"On arrival Cobalt shows the last {days} days.")  # fmt: skip
    c3.date_input("to", value=today, key="ehr_until", on_change=_forget_preview, format="YYYY-MM-DD")
    settings = ServerSettings(launched.iss, launched.access_token)
    if not ss.get("ehr_smart_searched"):  # on arrival: the patient's recent results, without a click
        ss["ehr_smart_searched"] = True
        _search(settings)
    st.button("Search the record again", key="ehr_search", icon=":material/search:", on_click=_search,
              args=(settings,))  # fmt: skip
    return settings


def _configured_server() -> ServerSettings:
    """The configured server and the typed patient id (or ``?patient=``)."""
    try:
        settings = settings_from(os.environ, _secrets())
    except ServerError as exc:
        st.error(exc.message, icon=":material/settings:")
        st.stop()
    if settings is None:
        st.info(
            "No hospital FHIR server is configured. Set `COBALT_FHIR_BASE_URL` (and `COBALT_FHIR_TOKEN` if the "
            "server needs one), or a `[fhir]` table with `base_url` in `.streamlit/secrets.toml`, then restart.",
            icon=":material/link_off:",
        )
        st.stop()
    st.markdown(f"Server: `{settings.base_url}`")
    c1, c2, c3 = st.columns([2, 1, 1])
    c1.text_input(
        "Patient's FHIR id on that server",
        key="ehr_patient",
        on_change=_forget_preview,
        autocomplete="off",
        help="Used for the search only: never saved in the case, logged or put in the address.",
    )
    c2.date_input("Results from", value=today - timedelta(days=90), key="ehr_since", on_change=_forget_preview,
                  format="YYYY-MM-DD")  # fmt: skip
    c3.date_input("to", value=today, key="ehr_until", on_change=_forget_preview, format="YYYY-MM-DD")
    st.button("Search the record", key="ehr_search", icon=":material/search:", on_click=_search, args=(settings,),
              type="primary")  # fmt: skip
    return settings


st.title("Hospital record")
st.caption("Laboratory results from the hospital's FHIR server, checked before they join the case.")
launched = launch_context()
settings = _opened_from_record(launched) if launched is not None else _configured_server()

message = ss.get("ehr_message")
if message:
    kind, text = message
    (st.error if kind == "error" else st.success)(esc(text), icon=":material/error:" if kind == "error" else None)
    if kind == "error":
        st.caption("Nothing was added to the case.")
for line in ss.get("ehr_skipped") or []:
    st.caption(esc(line))

fetch: Fetch | None = ss.get("ehr_fetch")
if fetch is not None:
    st.subheader(f"{len(fetch.found)} result(s) found")
    st.caption(f"Fetched {fetch.fetched_at} from {fetch.server}, {fetch.pages} page(s).")
    in_case = {(o.get("date"), o.get("analyte"), o.get("value")) for o in current_doc().get("observations", [])}
    if fetch.mapped:
        head = st.columns([1, 2, 3, 3, 3, 4])
        for col, name in zip(head, ("Add", "Date", "Result", "Cobalt reads", "In the record", "Record id"),
                             strict=True):  # fmt: skip
            col.markdown(f"**{name}**")
        for f in fetch.mapped:
            there = (f.obs["date"], f.obs["analyte"], f.obs["value"]) in in_case
            row = st.columns([1, 2, 3, 3, 3, 4])
            row[0].checkbox("add", key=f"ehr_pick_{f.resource}", value=not there, label_visibility="collapsed")
            row[1].markdown(f.date)
            row[2].markdown(esc(f.label) + (" · already in the case" if there else ""))
            row[3].markdown(esc(parse_observation(f.obs).display()))  # as the case shows it: 1.1, not "1.1 1"; seen
            row[4].markdown(esc(f"{f.value} (LOINC {f.code})"))
            row[5].caption(esc(f.resource))
        ticked = sum(bool(ss.get(f"ehr_pick_{f.resource}")) for f in fetch.mapped)
        st.button(
            f"Add {ticked} ticked result(s) to the case",
            key="ehr_add",
            icon=":material/add:",
            on_click=_add,
            args=(fetch,),
            disabled=ticked == 0 or is_read_only(),
        )
        if is_read_only():
            st.caption("This teaching case is read-only: copy it to your cases (sidebar) or start a new case first.")
    if fetch.unmapped:
        st.subheader(f"{len(fetch.unmapped)} result(s) Cobalt could not map")
        with st.container(key="ehr_unmapped"):
            for f in fetch.unmapped:
                st.markdown(
                    esc(f"{f.date} · {f.label} · {f.value} (LOINC {f.code}): {f.problem}") + f" · `{f.resource}`"
                )
    if not fetch.found:
        st.info("No laboratory result with a LOINC code Cobalt knows in this window.", icon=":material/info:")

with st.expander("How this works"):
    st.markdown(
        "Cobalt searches `Observation?patient=…&code=http://loinc.org|…` for every LOINC code it knows "
        "(`data/loinc.json`) in the date window, follows every page, and shows each result with what Cobalt "
        "reads it as. Only ticked results are added; each keeps where it came from (server, record id, time "
        "fetched). A result already in the case is not added twice."
    )
st.caption(DISCLAIMER)
