"""A laboratory printout pasted as one block: every result read is previewed with the line it came from, its unit
and its conversion; lines not read are listed with why; nothing is added until the clinician confirms. Then the
answer (B12 verdict, leaning, critical alerts) shows here. The reading is :func:`logic.convert.read_printout`."""

from __future__ import annotations

import streamlit as st

from app_pages.case_sections.fields import Form, draw_day, set_error, sync_widgets
from logic.case import CaseError
from logic.convert import ConvertError, read_printout
from ui.answer import answer_strip, scroll_to
from ui.common import esc, md_table
from ui.session import current_case, current_doc, set_doc, thresholds_id, today, unit_system, verdicts_hidden

MAX_PASTE_CHARS = 50_000  # a long cumulative report is a few thousand characters; the reading is linear
ss = st.session_state


def _reading():
    text = ss.get("case_printout") or ""
    return read_printout(text, unit_system=unit_system(), thresholds=thresholds_id(), day=draw_day(), today=today())


def _on_read() -> None:
    ss["case_printout_shown"] = ss.get("case_printout") or ""  # the text the preview is of
    ss["case_printout_added"] = None


def _on_add() -> None:
    reading = _reading()
    if not reading.ok:
        return
    try:
        doc, present = reading.merge_into(current_doc())
        set_doc(doc)
    except (CaseError, ConvertError) as exc:
        set_error("printout", "; ".join(str(p) for p in exc.problems))
        return
    set_error("printout", None)
    ss["case_printout_added"] = (len(reading.results) - len(present), len(present))
    ss["case_printout_scroll"] = True
    ss["case_printout_shown"] = None
    ss["case_printout"] = ""
    sync_widgets(force=True)  # the fields show the results added


def _results(reading) -> None:
    rows = []
    for r in reading.results:
        value = "seen" if r.value is True else "not seen" if r.value is False else (
            f"{r.comparator or ''}{r.value:g} {r.unit or ''}".strip())
        notes = list(r.notes)
        if r.unit_source == "unit_system":
            notes.insert(0, "no unit printed: read in the case's unit")
        notes.append(f"dated from line {r.date_line}" if r.date_source == "printout" else "no date line: the date of "
                     "these results below")
        rows.append({"Line": r.line, "As pasted": r.segment or r.line_text, "Read as": r.label, "Value": value,
                     "Other units": r.conversion or None, "Date": r.date.isoformat(), "Note": "; ".join(notes)})
    st.markdown(md_table(rows, ["Line", "As pasted", "Read as", "Value", "Other units", "Date", "Note"],
                         right=("Line",)))


def _unread(reading) -> None:
    unread = [u for u in reading.unread if not u.withheld]
    withheld = len(reading.unread) - len(unread)
    if unread:
        with st.expander(f"{len(unread)} line{'s' if len(unread) != 1 else ''} not read", expanded=True,
                         key="case_printout_unread"):
            shown = unread[:40]
            st.markdown("\n".join(f"- {esc(str(u))}" for u in shown)
                        + (f"\n- … and {len(unread) - len(shown)} more" if len(unread) > len(shown) else ""))
    if withheld:
        st.caption(f"{withheld} line{'s' if withheld != 1 else ''} that look like a patient or clinician identifier "
                   "were not read and are not shown.")


def _paste_box(form: Form) -> None:
    """The paste box's contents: the text, Read printout, the preview and Add."""
    st.text_area("Results as copied from the laboratory system or a letter", key="case_printout", height=160,
                 max_chars=MAX_PASTE_CHARS, disabled=form.read_only,
                 placeholder="Haemoglobin 68 g/L (130-170) L\nPLT 38 x10^9/L\nB12 <50 ng/L\nRetic 1.1 %")
    st.caption("Nothing is added until you confirm. A value printed without a unit is read in the case's unit "
               f"system; results without a date line are dated {draw_day().isoformat()} (the date of these "
               "results, below).")
    st.button("Read printout", key="case_printout_read", on_click=_on_read, icon=":material/preview:",
              disabled=form.read_only)
    shown = ss.get("case_printout_shown")
    if shown and shown == (ss.get("case_printout") or ""):
        reading = _reading()
        for problem in reading.problems:
            st.error(esc(str(problem)), icon=":material/error:")
        if reading.results:
            _results(reading)
            _unread(reading)
            st.button(f"Add {len(reading.results)} result{'s' if len(reading.results) != 1 else ''} to the case",
                      key="case_printout_add", on_click=_on_add, type="primary", icon=":material/add_task:")
        elif not reading.problems:
            st.warning("No result could be read from this text; the lines not read are listed below.",
                       icon=":material/search_off:")
            _unread(reading)
    if "printout" in form.errors:
        st.error(esc(form.errors["printout"]), icon=":material/error:")


def draw(form: Form) -> None:
    """The paste box: open while the case has no results (or text is waiting), folded otherwise."""
    case = current_case()
    waiting = bool(ss.get("case_printout") or ss.get("case_printout_shown") or ss.get("case_printout_added"))
    box = st.expander("Paste a lab printout", icon=":material/content_paste:", key="case_printout_box",
                      expanded=not case.observations or waiting, on_change="rerun")
    if box.open:  # folded: nothing in it is drawn (unfolding it reruns the page)
        with box:
            _paste_box(form)
    added = ss.get("case_printout_added")
    if added:
        new, present = added
        with st.container(key="case_printout_done"):
            st.success(f"Added {new} result{'s' if new != 1 else ''} from the printout"
                       + (f" ({present} already on file, not added twice)." if present else "."),
                       icon=":material/check:")
            if not verdicts_hidden():
                answer_strip(case, form.tid, key="case_answer")
        if ss.pop("case_printout_scroll", False):
            scroll_to("case_printout_done")  # the Add button was far down the preview: the answer is up here
