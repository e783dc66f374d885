"""Rendering helpers: sources ("Why?"), alerts, the sidebar, safe text."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import streamlit as st

from logic import statements
from logic.case import Case
from logic.reference import reference, threshold_set, threshold_set_ids
from logic.results import Alert
from logic.units import from_canonical
from store import SEARCH_MAX
from ui.auth import current_actor, shown_name
from ui.session import (
    THRESHOLDS_KEY,
    SaveStatus,
    current_case,
    get_store,
    new_case,
    open_by_address,
    open_case,
    reload_saved,
    reveal,
    save_as_new,
    state,
    store_or_none,
    store_stamp,
    verdicts_hidden,
)

if TYPE_CHECKING:
    from store import CaseSummary

DISCLAIMER = statements.text("common.disclaimer")
ADDRESS_KEY = "case"  # ?case=ID in the address opens that case, if it is the user's to open
ADDRESS_REFUSED_KEY = "app_address_refused"
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")
SEVERITY_ICON = {"critical": ":material/error:", "warning": ":material/warning:", "info": ":material/info:"}


def esc(text: str | None) -> str:
    """User-entered text made inert for st.markdown (no links, images or formatting)."""
    return _MD_SPECIAL.sub(r"\\\1", text or "")


def ref_markdown(ref_id: str) -> str:
    ref = reference(ref_id)
    line = ref["citation"]
    ids = []
    if ref.get("doi"):
        ids.append(f"[doi:{ref['doi']}](https://doi.org/{ref['doi']})")
    if ref.get("pmid"):
        ids.append(f"[PMID {ref['pmid']}](https://pubmed.ncbi.nlm.nih.gov/{ref['pmid']}/)")
    if ref.get("url") and not ids:
        ids.append(f"[link]({ref['url']})")
    if ids:
        line += " " + " · ".join(ids)
    if ref.get("kind") == "cobalt-default":
        line = ":orange-badge[no primary source] " + line
    out = f"- {line}"
    if ref.get("note"):
        out += f"\n\n  *{ref['note']}*"
    return out


def why(refs, key: str, label: str = "Why?", extra: str | None = None) -> None:
    """A small popover listing the sources behind a statement."""
    refs = list(dict.fromkeys(refs))
    if not refs and not extra:
        return
    with st.popover(label, icon=":material/menu_book:", key=key):
        if extra:
            st.markdown(extra)
        st.markdown("\n".join(ref_markdown(r) for r in refs))


def alert_box(alert: Alert, key: str) -> None:
    """One alert, coloured by severity, with its sources."""
    box = {"critical": st.error, "warning": st.warning}.get(alert.severity, st.info)
    with st.container():
        box(alert.message, icon=SEVERITY_ICON[alert.severity])
        why(alert.refs, key=f"why_{key}_{alert.id}")


def _baseline_line(case: Case, analyte: str, label: str, fmt: str = "{:g}", si: str | None = None) -> str | None:
    obs = case.baseline().get(analyte)
    if obs is None:
        return None
    text = f"**{label}** {obs.display()}"
    if si and obs.unit and obs.unit != si and not isinstance(obs.canonical, bool):
        text += f" ({obs.comparator or ''}{fmt.format(from_canonical(analyte, float(obs.canonical), si))} {si})"
    return text


def _set_thresholds() -> None:
    st.session_state[THRESHOLDS_KEY] = st.session_state[THRESHOLDS_KEY + "_widget"]


def _open_picked() -> None:
    picked = st.session_state.get("app_pick")
    if picked:
        open_case(picked)


def _duplicate_from_sidebar() -> None:
    save_as_new("Copy of")


@st.cache_data(ttl=30, max_entries=32, show_spinner=False)
def saved_cases(search: str | None, stamp: int, subject: str, team: str | None) -> list[CaseSummary]:
    """The picker's list: ``list_cases`` for the user ``subject`` (and ``team``: part of the cache key,
    so one user's list is never served to another) cached on the search text and ``stamp``
    (``store_stamp()``, which every save in this process moves on); other processes' saves show
    within the ttl."""
    from store import Actor

    store = store_or_none()
    return [] if store is None else store.list_cases(search, limit=20, actor=Actor(subject, team))


def _case_picker() -> None:
    """Switch case: search saved cases by label, open one, start a new one or duplicate this one.

    The saved cases are listed only while the expander is open (it reruns the app when toggled).
    """
    store = store_or_none()
    box = st.expander("Switch case", icon=":material/swap_horiz:", key="app_switch", on_change="rerun")
    with box:
        if store is None:
            st.caption("The case database is not available.")
            return
        search = st.text_input("Find by label", key="app_search", placeholder="e.g. bed 12", max_chars=SEARCH_MAX)
        actor = current_actor()
        if box.open and actor is not None:
            found = saved_cases(search or None, store_stamp(), actor.subject, actor.team)
            labels = {c.id: f"{c.label or '(no label)'} · {c.updated_at:%d %b %H:%M}" for c in found}
            if labels:
                st.selectbox("Saved cases", list(labels), key="app_pick", format_func=labels.get)
                st.button("Open", key="app_open", on_click=_open_picked, icon=":material/folder_open:")
            else:
                st.caption("No saved case" + (" matches." if search else " yet."))
        c1, c2 = st.columns(2)
        c1.button("New", key="app_new", on_click=new_case, icon=":material/note_add:")
        c2.button(
            "Duplicate",
            key="app_duplicate",
            on_click=_duplicate_from_sidebar,
            icon=":material/content_copy:",
            help="A what-if copy of the open case",
        )


def sidebar() -> None:
    """Current case label, key baseline numbers and the threshold set, on every page."""
    case = current_case()
    with st.sidebar:
        _signed_in_as()
        st.markdown("#### Current case")
        hidden = verdicts_hidden()
        st.markdown("*Teaching case (label hidden until reveal)*" if hidden else (esc(case.label) or "*Unnamed case*"))
        lines = [
            _baseline_line(case, "b12", "B12", "{:.0f}", "pmol/L"),
            _baseline_line(case, "platelets", "Platelets"),
            _baseline_line(case, "hemoglobin", "Hb"),
            _baseline_line(case, "mcv", "MCV"),
            _baseline_line(case, "ldh", "LDH"),
        ]
        lines = [x for x in lines if x]
        if lines:
            st.markdown("  \n".join(lines))
            st.caption("Baseline: last value on or before the treatment start.")
        else:
            st.caption("No results yet. Enter them on the Case page or load an example.")
        if case.treatment_start:
            st.caption(f"Treatment started {case.treatment_start.isoformat()}")
        now = state()
        if now.status == SaveStatus.TEACHING:
            st.caption(":material/school: Teaching case (read-only)")
        elif now.status == SaveStatus.SAVED:
            st.caption(f":material/cloud_done: Saved · version {now.version}")
        else:
            st.caption(":material/edit_note: Not saved yet: saved on the first change")
        _case_picker()
        st.toggle(
            "Teaching mode",
            key="app_teaching",
            on_change=_teaching_toggled,
            help="Hide the verdicts of teaching cases until you reveal them.",
        )
        ids = threshold_set_ids()
        # the choice lives in a plain session key so that it survives page switches
        st.session_state[THRESHOLDS_KEY + "_widget"] = st.session_state.get(THRESHOLDS_KEY, ids[0])
        st.selectbox(
            "Reference set",
            ids,
            key=THRESHOLDS_KEY + "_widget",
            format_func=lambda i: threshold_set(i).name,
            on_change=_set_thresholds,
            help="Which cut-offs are in use. A laboratory can add its own set in data/thresholds/.",
        )
        st.caption(DISCLAIMER)


def _signed_in_as() -> None:
    """'Signed in as …' and a sign-out button (nothing with sign-in off)."""
    who = shown_name()
    if who is None:
        return
    shown = who.replace("`", "'")  # as code: inert, and an e-mail address is not made a link
    st.caption(f":material/account_circle: Signed in as `{shown}`")
    if st.button("Sign out", key="app_sign_out", icon=":material/logout:"):
        st.logout()


def _teaching_toggled() -> None:
    reveal(False)


def status_banner() -> None:
    """At the top of every page: read-only teaching case, save conflict, or a store that is down."""
    now = state()
    if now.conflict:
        st.error(now.conflict, icon=":material/sync_problem:")
        c1, c2, _ = st.columns([1, 1, 3])
        if c1.button("Reload the saved case", key="app_conflict_reload"):
            reload_saved()
            st.rerun()
        if c2.button("Save mine as a new case", key="app_conflict_new"):
            save_as_new("Edited copy of")
            st.rerun()
    elif now.read_only:
        c1, c2 = st.columns([4, 1], vertical_alignment="center")
        c1.info("Teaching case: read-only. Copy it to your cases to edit it.", icon=":material/school:")
        if c2.button("Copy to my cases", key="app_copy_case", icon=":material/content_copy:"):
            save_as_new("Copy of")
            st.rerun()
    if st.session_state.pop(ADDRESS_REFUSED_KEY, False):  # said once
        st.error(
            "No case at that address among the cases you can open. It may belong to another clinician, "
            "or the address is wrong.",
            icon=":material/link_off:",
        )
    store = get_store()
    if isinstance(store, str):
        st.warning(
            f"Cases are not being saved: the database could not be opened ({store}).", icon=":material/cloud_off:"
        )


def open_from_address() -> None:
    """Open the case named by ``?case=ID``, once (the parameter is then removed); a case that is not the
    user's is refused by the store and the banner says so, without telling whether it exists."""
    wanted = st.query_params.get(ADDRESS_KEY)
    if wanted is None:
        return
    del st.query_params[ADDRESS_KEY]
    st.session_state[ADDRESS_REFUSED_KEY] = not open_by_address(str(wanted))


def teaching_gate(page: str) -> None:
    """In teaching mode, hold back the verdicts of a teaching case until the presenter reveals them."""
    if not verdicts_hidden():
        return
    st.info(
        "Teaching mode: the verdicts and the final diagnosis are hidden. Look at the Case page, discuss, then reveal.",
        icon=":material/visibility_off:",
    )
    if st.button("Reveal", key=f"teach_reveal_{page}", icon=":material/visibility:"):
        reveal()
        st.rerun()
    st.stop()
