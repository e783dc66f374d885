"""Case library: my saved cases (open, duplicate, delete with undo, versions, the audit trail), the
teaching library, and lab files in and out (case JSON, CSV, FHIR R4).

Every store call names the signed-in user (``ui.auth.current_actor``): the store itself refuses
another user's case, so this page lists and changes only the user's own (and their team's).
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pandas as pd
import streamlit as st

from logic.case import CaseError
from logic.case.changes import changes, describe
from logic.case.limits import limit_text
from logic.convert import MAX_UPLOAD_BYTES, read_any, write_as
from logic.reference import example_cases
from store import SEARCH_MAX
from ui.auth import current_actor
from ui.banner import teaching_title
from ui.common import esc, problem_list
from ui.database import note_store_change, store_or_none
from ui.downloads import download_button
from ui.session import (
    current_doc,
    flush_saves,
    is_read_only,
    load_example,
    new_case,
    open_case,
    save_as_new,
    set_doc,
    state,
    verdicts_hidden,
)
from ui.versions import library_cases, open_case_versions

ss = st.session_state
store = store_or_none()
actor = current_actor()
AUDIT_WORDS = {
    "create": "made the case",
    "view": "opened it",
    "save": "saved",
    "revert": "restored an old version",
    "copy": "made a copy",
    "export": "downloaded it",
    "delete": "deleted it",
    "restore": "restored it from the deleted cases",
    "denied": "was refused (not their case)",
}


st.title("Case library")
st.caption("Cases are saved as you work, every change as a new version. Labels only: no names or record numbers.")

# only the open tab is drawn (each tab click reruns the page): the other two cost nothing on a rerun
tab_mine, tab_teach, tab_files = st.tabs(["My cases", "Teaching library", "Lab files in and out"], key="lib_tab",
                                         on_change="rerun")

if tab_mine.open is not False:
    with tab_mine:
        if store is None:
            st.warning("The case database is not available, so cases cannot be listed or reopened.")
        else:
            c1, c2, c3 = st.columns([3, 1, 1], vertical_alignment="bottom")
            search = c1.text_input("Find by label", key="lib_search", placeholder="e.g. bed 12", max_chars=SEARCH_MAX)
            show_deleted = c2.toggle("Show deleted", key="lib_show_deleted")
            if c3.button("New case", key="lib_new", icon=":material/note_add:"):
                new_case()
                st.switch_page("app_pages/case.py")
            cases = library_cases(search or None, show_deleted, actor)
            if not cases:
                st.caption("No saved cases" + (" match." if search else " yet."))
            else:
                table = pd.DataFrame(
                    [
                        {
                            "label": c.label or "(no label)",
                            "saved": c.updated_at.strftime("%Y-%m-%d %H:%M"),
                            "version": c.version,
                            "treatment start": c.treatment_start,
                            "latest result": c.last_observation,
                            "status": "deleted" if c.deleted else ("open" if c.id == state().id else ""),
                        }
                        for c in cases
                    ]
                )
                st.dataframe(table, hide_index=True, width="stretch", height=min(38 + 35 * len(cases), 320))
                labels = {c.id: f"{c.label or '(no label)'} · saved {c.updated_at:%Y-%m-%d %H:%M}" for c in cases}
                chosen = st.selectbox("Case", list(labels), key="lib_pick", format_func=labels.get)
                pick = next(c for c in cases if c.id == chosen)
                b1, b2, b3 = st.columns(3)
                if pick.deleted:
                    if b1.button("Restore", key="lib_restore", icon=":material/restore_from_trash:"):
                        store.restore(pick.id, actor=actor)
                        note_store_change()
                        st.rerun()
                else:
                    if b1.button("Open", key="lib_open", icon=":material/folder_open:"):
                        open_case(pick.id)
                        st.switch_page("app_pages/case.py", query_params={"case": pick.id})
                    if b2.button("Duplicate (what-if copy)", key="lib_duplicate", icon=":material/content_copy:"):
                        rec = store.duplicate(pick.id, f"Copy of {pick.label or 'case'}"[:120], actor=actor)
                        note_store_change()
                        open_case(rec.id)
                        st.rerun()
                    if b3.button("Delete", key="lib_delete", icon=":material/delete:"):
                        store.delete(pick.id, actor=actor)
                        note_store_change()
                        ss["lib_undo_delete"] = pick.id
                        if pick.id == state().id:  # the open case is closed, not edited after deletion
                            new_case()
                        st.rerun()
            undo = ss.get("lib_undo_delete")
            if undo:
                u1, u2 = st.columns([4, 1], vertical_alignment="center")
                u1.info("Case deleted. It can be restored at any time under 'Show deleted'.", icon=":material/delete:")
                if u2.button("Undo", key="lib_undo", icon=":material/undo:"):
                    store.restore(undo, actor=actor)
                    note_store_change()
                    ss["lib_undo_delete"] = None
                    st.rerun()

            open_now = state()
            if open_now.id:
                st.subheader("Versions of the open case")
                flush_saves()  # the list includes the edits of the last few seconds
                open_now = state()
                rows = open_case_versions(open_now.id, open_now.version, actor)
                vt = pd.DataFrame(
                    [
                        {
                            "version": r.info.version,
                            "saved": r.info.saved_at.strftime("%Y-%m-%d %H:%M:%S"),
                            "how": r.info.action + (f" of {r.info.source_version}" if r.info.source_version else ""),
                            "by": r.info.saved_by_name or r.info.saved_by,
                            "what changed": describe(r.changes),
                        }
                        for r in rows
                    ]
                )
                st.dataframe(vt, hide_index=True, width="stretch", height=min(38 + 35 * len(vt), 250),
                             column_config={"what changed": st.column_config.TextColumn(width="large")})
                older = [r.info.version for r in rows if r.info.version != open_now.version]
                if older:
                    back = st.selectbox("Go back to version", older, key="lib_version")
                    old_doc = {r.info.version: r.info.document for r in rows}[back]  # read with the list
                    undo = changes(current_doc(), old_doc)
                    st.markdown(f"Restoring version {back} changes the case now open like this:")
                    st.markdown("\n".join(f"- {esc(str(c))}" for c in undo[:20]) or "- no change")
                    if len(undo) > 20:
                        st.caption(f"and {len(undo) - 20} more")
                    if st.button(f"Restore version {back}", key="lib_revert", icon=":material/history:",
                                 disabled=not undo):
                        rec = store.revert(open_now.id, back, expected_version=open_now.version, actor=actor)
                        note_store_change()
                        open_case(rec.id)
                        st.rerun()
                    st.caption("Restoring saves a new version that copies the old one; nothing is lost.")
                trail_box = st.expander("Audit trail: who opened, saved, restored, downloaded or deleted this case",
                                        icon=":material/policy:", key="lib_trail", on_change="rerun")
                if trail_box.open is not False:  # read only while it is open
                  with trail_box:
                    trail = store.audit(open_now.id, actor=actor)
                    at = pd.DataFrame(
                        [
                            {
                                "when (UTC)": e.at.strftime("%Y-%m-%d %H:%M:%S"),
                                "who": e.actor_name or e.actor,
                                "what": AUDIT_WORDS.get(e.action, e.action),
                                "version": e.version,
                                "detail": e.detail or "",
                            }
                            for e in reversed(trail)
                        ]
                    )
                    st.dataframe(at, hide_index=True, width="stretch", height=min(38 + 35 * len(at), 300),
                                 key="lib_audit")
                    st.caption("The trail is kept with the case's versions and cannot be edited or removed.")
                parts = urlsplit(st.context.url or "")
                st.caption("Address of this case (it opens only for you, and your team if you have one):")
                st.code(
                    f"{parts.scheme}://{parts.netloc}/?case={open_now.id}" if parts.netloc else f"/?case={open_now.id}",
                    language=None,
                )

if tab_teach.open is not False:
    with tab_teach:
        st.caption(
            "Published cases and clearly labelled teaching composites, each with its source. They open "
            "read-only; 'Copy to my cases' makes an editable copy. Turn on Teaching mode in the sidebar to hide "
            "the verdicts until you reveal them."
        )
        for ex_id, doc in example_cases().items():
            about = doc.get("about", {})
            hidden = verdicts_hidden(ex_id)  # teaching mode: a neutral title; no source, diagnosis or point
            with st.container(border=True):
                t1, t2 = st.columns([5, 1], vertical_alignment="center")
                t1.markdown(f"**{esc(teaching_title(ex_id) if hidden else doc.get('label', ex_id))}**")
                t1.caption("Source, diagnosis and teaching point shown after the reveal." if hidden
                           else about.get("source", ""))
                if not hidden:
                    t1.markdown(f"*{about.get('final_diagnosis', '')}.* {about.get('teaching_point', '')}")
                if t2.button("Open", key=f"lib_teach_{ex_id}"):
                    load_example(ex_id)
                    st.switch_page("app_pages/case.py")

if tab_files.open is not False:
    with tab_files:
        st.subheader("Import lab results into the open case")
        st.caption(
            f"Case JSON, CSV (long: date, analyte, value, unit; or wide: one row per draw with the unit in each "
            f"column header) or a FHIR R4 Bundle of LOINC-coded Observations, up to "
            f"{limit_text(MAX_UPLOAD_BYTES)}. Every row that cannot be read is listed, and nothing is added "
            "until the whole file reads."
        )
        up = st.file_uploader("Lab file", type=["csv", "json", "txt"], key=f"lib_upload_{ss.get('lib_upload_rev', 0)}")
        if up is not None:
            if is_read_only():
                st.info("This teaching case is read-only: copy it to your cases first, or start a new case.")
            result = read_any(up.getvalue(), filename=up.name, base=current_doc())
            st.markdown(
                f"**{esc(up.name)}** ({result.format or 'not recognised'}): {result.imported} result(s) ready to add, "
                f"{result.rejected} not imported."
            )  # the file name as text, never Markdown
            problem_list(result.problems)  # one box: a junk file's thousands of rows counted by kind
            if result.rejected:  # the contract: a file with any refused part is not partly applied
                st.warning(f"Nothing from {esc(up.name)} is added while a row is refused: correct the rows named above "
                           "and upload the file again.", icon=":material/block:")
            elif (
                result.imported
                and not is_read_only()
                and st.button(f"Add {result.imported} result(s) to the case", key="lib_import_apply",
                              icon=":material/add:")
            ):
                try:
                    set_doc(result.doc)
                except CaseError as exc:  # e.g. a result dated after today: nothing is added
                    ss["lib_import_refused"] = [str(p) for p in exc.problems]
                else:
                    ss["lib_upload_rev"] = ss.get("lib_upload_rev", 0) + 1
                    ss["lib_added"] = result.imported
                    st.rerun()
            for p in ss.pop("lib_import_refused", []):
                st.error(f"Nothing was added: {esc(p)}", icon=":material/error:")
        if ss.get("lib_added"):
            st.success(f"Added {ss.pop('lib_added')} result(s) to the case.")
        st.subheader("Export the open case")
        doc = current_doc()
        e = st.columns(4)
        for col, (fmt, name, mime) in zip(
            e,
            (
                ("json", "case.json", "application/json"),
                ("csv", "labs-long.csv", "text/csv"),
                ("csv-wide", "labs-wide.csv", "text/csv"),
                ("fhir", "labs-fhir.json", "application/fhir+json"),
            ),
            strict=True,
        ):
            download_button(f"{fmt.upper()}", lambda fmt=fmt: write_as(doc, fmt), file_name=f"cobalt-{name}", mime=mime,
                            key=f"lib_export_{fmt}", audit=fmt, where=col, icon=":material/download:")  # ui/downloads
        st.caption(
            "Only the case document (JSON) carries the history checklist; CSV and FHIR carry the lab results. "
            "Exports contain the case label and nothing else that identifies a patient."
        )
        if not is_read_only() and st.button("Save a copy as a new case", key="lib_save_copy"):
            save_as_new("Copy of")
            st.rerun()
