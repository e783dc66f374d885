"""Above every page: the read-only teaching case, a save conflict and its choices, a store that is down; and
teaching mode's titles and gate (no verdict of a teaching case before the presenter reveals it)."""

from __future__ import annotations

import streamlit as st

from logic.case import Case
from ui.database import get_store
from ui.session import current_case, pending_errors, reload_saved, reveal, save_as_new, state, verdicts_hidden


def teaching_title(example_id: str | None) -> str:
    """A neutral title for a teaching case ("Teaching case 4"): its number in the library, no diagnosis."""
    from logic.reference import example_cases

    ids = list(example_cases())
    return f"Teaching case {ids.index(example_id) + 1}" if example_id in ids else "Teaching case"


def case_title(case: Case | None = None) -> str:
    """The open case's title as every page shows it: neutral for a teaching case until it is revealed."""
    if verdicts_hidden():
        return teaching_title(state().source)
    case = case or current_case()
    return case.label or "Unnamed case"


def status_banner(address_problem: str | None = None) -> None:
    """At the top of every page: read-only teaching case, save conflict, or a store that is down. In a container
    that is always there, so a message appearing here (a conflict while typing) does not redraw the page's fields
    below it (a field drawn anew loses the focus)."""
    with st.container():
        _status_banner(address_problem)


def _status_banner(address_problem: str | None) -> None:
    if address_problem:  # said once, on the run that read the address
        st.error(address_problem, icon=":material/link_off:")
    if st.session_state.pop("app_pick_failed", False):
        st.warning("That case could not be opened (deleted, or the database is not available).")
    now = state()
    if now.conflict:
        st.error(now.conflict, icon=":material/sync_problem:")
        c1, c2, _ = st.columns([1, 1, 3])
        if c1.button("Reload the saved case", key="app_conflict_reload"):
            try:
                reload_saved()
            except Exception:  # noqa: BLE001 - the database is down: the edits stay, say so
                st.warning("The saved case could not be loaded now; your edits stay on screen. Try again shortly.")
            else:
                st.rerun()
        if c2.button("Save mine as a new case", key="app_conflict_new"):
            save_as_new("Edited copy of")
            st.rerun()
    elif now.read_only:  # one line (on a phone, two): the page's answer keeps the first screen (issue 21)
        row = st.container(horizontal=True, vertical_alignment="center", key="app_read_only")
        row.markdown(":blue-background[:material/school: Teaching case: read-only]", width="content")
        if row.button("Copy to my cases", key="app_copy_case", icon=":material/content_copy:"):
            save_as_new("Copy of", case_title() if verdicts_hidden() else None)  # no diagnosis in the copy's label
            st.rerun()
    store = get_store()
    if isinstance(store, str):
        st.warning(
            f"Cases are not being saved: the database could not be opened ({store}). What you type is kept "
            "in this browser session only.",
            icon=":material/cloud_off:",
        )


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


#: What the Case page calls a field that is not one of the results or the history checklist.
_FIELD_NAMES = {
    "label": "Case label", "age": "Age", "sex": "Sex", "symptom_onset": "Symptom onset",
    "treatment_start": "B12 treatment started", "adamts13_sent": "ADAMTS13 sent on",
    "draw_date": "Date of these results", "units": "Units", "ileal_resection_cm": "Ileal resection",
}


def field_name(field: str) -> str:
    """A Case page field as the page names it (a result by its label, a history item by its question)."""
    from logic.case import HISTORY_LABELS
    from logic.reference import analytes

    spec = analytes().get(field)
    return spec["label"] if spec else _FIELD_NAMES.get(field) or HISTORY_LABELS.get(field) or field


def pending_notice(page: str) -> None:
    """On every page that reads the case, near its answer: the Case page's entries that are not applied (kept as
    typed there, with their messages), so an answer that leaves them out says so (issue 21: PLASMIC moved from
    3-5 to 2-5 with nothing on the TTP page saying why). Nothing when every entry is applied."""
    pending = pending_errors()
    if not pending:
        return
    n = len(pending)
    names = ", ".join(sorted(field_name(f) for f in pending))
    with st.container(key=f"{page}_pending"):
        st.warning(
            f"{n} entr{'y' if n == 1 else 'ies'} on the Case page ({names}) {'is' if n == 1 else 'are'} not "
            "applied: this page leaves them out until they are corrected there.",
            icon=":material/edit_off:",
        )
        st.page_link("app_pages/case.py", label="Correct them on the Case page", icon=":material/edit:")
