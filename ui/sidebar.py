"""The sidebar on every page: who is signed in, the open case and its key baseline numbers, the save status,
switching case, teaching mode and the reference set."""

from __future__ import annotations

from typing import TYPE_CHECKING

import streamlit as st

from logic.case import Case
from logic.case.units import from_canonical
from logic.reference import threshold_set, threshold_set_ids
from store import SEARCH_MAX
from ui.auth import current_actor, shown_name
from ui.banner import case_title
from ui.common import DISCLAIMER, esc
from ui.database import store_or_none, store_stamp
from ui.saver import SaveState
from ui.session import (
    TEACHING_KEY,
    THRESHOLDS_KEY,
    current_case,
    new_case,
    open_case,
    reveal,
    save_as_new,
    save_status,
    state,
    sync_saved,
    teaching_mode,
    thresholds_id,
    unit_system,
    verdicts_hidden,
)

if TYPE_CHECKING:
    from store import CaseSummary


def _baseline_line(case: Case, analyte: str, label: str, fmt: str = "{:g}", si: str | None = None) -> str | None:
    """The baseline value in the case's unit system (as its fields show it), and in ``si`` if that differs."""
    from logic.case.entry import convert_entry, display_unit, printed_unit

    obs = case.baseline().get(analyte)
    if obs is None:
        return None
    want = printed_unit(analyte, unit_system(), thresholds_id())
    numeric = obs.unit and not isinstance(obs.canonical, bool)
    if numeric and want and want != obs.unit:
        value = convert_entry(analyte, float(obs.value), obs.unit, want)
        text = f"**{label}** {obs.comparator or ''}{value:g} {display_unit(want)}"
    else:
        text = f"**{label}** {obs.display()}"
    shown = want if numeric and want else obs.unit
    if si and numeric and shown != si:
        text += f" ({obs.comparator or ''}{fmt.format(from_canonical(analyte, float(obs.canonical), si))} {si})"
    return text


def _no_baseline_line(case: Case) -> str:
    """What the sidebar says when it has no baseline number to show: never "no results" while results are on
    file (issue 21: "No results yet" beside 16 results after the treatment start)."""
    if not case.observations:
        return "No results yet. Enter them on the Case page or load an example."
    start = case.treatment_start
    after = sum(1 for o in case.observations if start is not None and o.date > start)
    if after == len(case.observations):
        return (f"No baseline results (on or before the treatment start); {after} result{'s' if after != 1 else ''} "
                "after it, on the Recovery page.")
    n = len(case.observations)
    return f"No baseline B12, platelets, Hb, MCV or LDH; {n} other result{'s' if n != 1 else ''} on the Case page."


def _set_thresholds() -> None:
    st.session_state[THRESHOLDS_KEY] = st.session_state[THRESHOLDS_KEY + "_widget"]


def _open_picked() -> None:
    picked = st.session_state.get("app_pick")
    if picked:
        try:
            open_case(picked)
        except Exception:  # noqa: BLE001 - deleted meanwhile, or the database is down: say so
            st.session_state["app_pick_failed"] = True


def _duplicate_from_sidebar() -> None:
    save_as_new("Copy of")


@st.cache_data(ttl=30, max_entries=8, show_spinner=False, scope="session")
def saved_cases(search: str | None, stamp: int, subject: str, team: str | None) -> list[CaseSummary]:
    """The picker's list: ``list_cases`` for the user ``subject`` (and ``team``: part of the cache key,
    so one user's list is never served to another) cached on the search text and ``stamp``
    (``store_stamp()``, which every save in this process moves on); other processes' saves show
    within the ttl. Cached per browser session: the list goes with the session."""
    from store import Actor

    store = store_or_none()
    return [] if store is None else store.list_cases(search, limit=20, actor=Actor(subject, team))


def _case_picker() -> None:
    """Switch case: search saved cases by label, open one, start a new one or duplicate this one.

    Nothing in it is drawn while the expander is folded (it reruns the app when toggled): its search, list and
    buttons would be four widgets more on every run of every page.
    """
    store = store_or_none()
    box = st.expander("Switch case", icon=":material/swap_horiz:", key="app_switch", on_change="rerun")
    if not box.open:
        return
    with box:
        if store is None:
            st.caption("The case database is not available.")
            return
        search = st.text_input("Find by label", key="app_search", placeholder="e.g. bed 12", max_chars=SEARCH_MAX)
        actor = current_actor()
        if actor is not None:
            found = saved_cases(search or None, store_stamp(), actor.subject, actor.team)
            labels = {c.id: f"{c.label or '(no label)'} · {c.updated_at:%d %b %H:%M}" for c in found}
            if labels:
                st.selectbox("Saved cases", list(labels), key="app_pick", format_func=labels.get)
                st.button("Open", key="app_open", on_click=_open_picked, icon=":material/folder_open:")
            else:
                st.caption("No saved case" + (" matches." if search else " yet."))
        _picker_buttons()


def _picker_buttons() -> None:
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
        if verdicts_hidden():
            title = f"*{case_title(case)} · label hidden until reveal*"
        else:
            title = esc(case.label) or "*Unnamed case*"
        lines = [
            _baseline_line(case, "b12", "B12", "{:.0f}", "pmol/L"),
            _baseline_line(case, "platelets", "Platelets"),
            _baseline_line(case, "hemoglobin", "Hb"),
            _baseline_line(case, "mcv", "MCV"),
            _baseline_line(case, "ldh", "LDH"),
        ]
        lines = [x for x in lines if x]
        # one block for the heading, the label and the numbers, one for the notes: every element is drawn anew by
        # the browser on every run of every page
        st.markdown("#### Current case\n\n" + title + ("\n\n" + "  \n".join(lines) if lines else ""))
        notes = ["Baseline: last value on or before the treatment start." if lines else _no_baseline_line(case)]
        if case.treatment_start:
            notes.append(f"Treatment started {case.treatment_start.isoformat()}")
        st.caption("  \n".join(notes))
        _save_line()
        _case_picker()
        # like the reference set: the mode lives in a plain session key, the toggle is seeded from it, so a
        # page switch (st.switch_page drops the state of widgets the new page has not drawn yet) cannot turn it off
        st.session_state[TEACHING_KEY + "_widget"] = teaching_mode()
        st.toggle(
            "Teaching mode",
            key=TEACHING_KEY + "_widget",
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


def _save_line() -> None:
    """The save status; while edits wait to be saved (or the database is busy) it looks again every second,
    until the next full run after they are saved. It reruns the whole app only when a save is refused (a
    conflict): a rerun it asked for could land after a click on a link and take the user back to the page
    they left, so not for every save."""
    snap = save_status()
    if snap is not None and snap.busy:
        st.fragment(run_every=1.0)(_save_status)()
    else:  # nothing to wait for: drawn as part of the run (a fragment that never reruns costs its setup)
        _save_status()


def _save_status() -> None:
    from ui.address import write_address

    known = state().conflict
    snap = sync_saved()
    write_address()  # a new case has its id now: the address names it at once
    if snap is not None and snap.state == SaveState.CONFLICT and not known:
        st.rerun()  # once: the conflict and its choices show above the page (a rare event, unlike a save)
    if state().read_only:
        st.caption(":material/school: Teaching case (read-only)")
    elif snap is None:
        st.caption(":material/cloud_off: Not saved: the case database is not available")
    elif snap.state == SaveState.SAVED:
        st.caption(f":material/cloud_done: Saved · version {snap.version}")
    elif snap.state == SaveState.NEW:
        st.caption(":material/edit_note: Not saved yet: saved on the first change")
    elif snap.state == SaveState.CONFLICT:
        st.caption(":material/sync_problem: Not saved: changed in another session (see above)")
    elif snap.state == SaveState.FAILED:
        st.caption(f":material/cloud_off: Not saved: {esc(snap.message)}. Retrying; your edits stay on screen.")
    elif snap.message:
        st.caption(f":material/cloud_off: Not saved yet: {esc(snap.message)}")
    else:
        st.caption(":material/cloud_sync: Saving…")


def _teaching_toggled() -> None:
    st.session_state[TEACHING_KEY] = bool(st.session_state.get(TEACHING_KEY + "_widget"))
    reveal(False)
