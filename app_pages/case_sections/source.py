"""Where a case comes from: the teaching cases (neutral titles in teaching mode), a new blank case, a case file
opened or pasted, and the open case downloaded as a file."""

from __future__ import annotations

import json

import streamlit as st

from app_pages.case_sections.fields import Form, sync_widgets
from logic.case import CaseError, parse_case
from logic.case.limits import limit_text
from logic.case.parse import read_case_document
from logic.convert import MAX_UPLOAD_BYTES
from logic.reference import example_cases
from ui.banner import teaching_title
from ui.common import problem_list
from ui.downloads import download_button
from ui.session import current_doc, load_example, new_case, open_document, teaching_mode, today, verdicts_hidden

ss = st.session_state


def _example_id(value: str | None) -> str:
    """The teaching case the picker names. The picker's value is its id; but right after teaching mode changes
    the titles, the browser still sends the title it showed (a label, or "Teaching case 4"): read back to its id
    (issue 21: the first "Load example" after teaching mode was turned on loaded nothing, 3 of 3)."""
    examples = example_cases()
    if value in examples:
        return value
    by_title = {t: k for k, d in examples.items() for t in (d.get("label", k), teaching_title(k))}
    return by_title.get(value, next(iter(examples)))


def _load_example() -> None:
    ss["case_example"] = _example_id(ss.get("case_example"))
    load_example(ss["case_example"])
    ss["case_import_errors"] = []
    sync_widgets(force=True)


def _new_case() -> None:
    new_case()
    ss["case_import_errors"] = []
    sync_widgets(force=True)


def _import_text(data: str | bytes, source: str) -> None:
    """A case file's bytes or pasted text, read as ``assess`` reads one (logic.case.parse.read_case_document:
    the size limit, UTF-8 with one byte-order mark at most, strict JSON, the contract's dates and numbers)."""
    try:
        doc = read_case_document(data)
        parse_case(doc, today=today())
        open_document(doc)
    except CaseError as exc:
        ss["case_import_errors"] = [f"{source}: {p.message}" if p.field == "file" else f"{source}: {p}"
                                    for p in exc.problems]
        return
    except (ValueError, RecursionError) as exc:  # a safety net: every reader's problem is a CaseError
        ss["case_import_errors"] = [f"{source}: not a case document this app can read ({type(exc).__name__})"]
        return
    ss["case_import_errors"] = []
    ss["case_file_box"] = False  # loaded: the box folds, the case shows below
    sync_widgets(force=True)


def _on_upload() -> None:
    if (file := ss.get("case_upload")) is not None:
        _import_text(file.getvalue(), file.name)


def draw(form: Form) -> None:
    """The example picker, New blank case, and a case file in and out; what was refused, listed."""
    examples = example_cases()
    titles = {k: teaching_title(k) if teaching_mode() and verdicts_hidden(k) else d.get("label", k)
              for k, d in examples.items()}  # in teaching mode, no title gives a diagnosis away
    if ss.get("case_example") not in examples:  # a kept title: back to its id, never shown or loaded as it is
        ss["case_example"] = _example_id(ss.get("case_example"))
    with st.container(border=True):
        c1, c2, c3 = st.columns([3, 1, 1], vertical_alignment="bottom")
        c1.selectbox("Example case", list(examples), key="case_example", format_func=titles.get)
        c2.button("Load example", key="case_load_example", on_click=_load_example, icon=":material/upload_file:",
                  width="stretch")
        c3.button("New blank case", key="case_new", on_click=_new_case, icon=":material/note_add:", width="stretch")
        about = examples[ss["case_example"]].get("about", {})
        if about and verdicts_hidden(ss["case_example"]):
            st.caption("Teaching mode: the source and the teaching point are shown after the presenter reveals.")
        elif about:
            st.caption(f"{about.get('source', '').rstrip('.')}. {about.get('teaching_point', '')}")
        box = st.expander("Open or save a case file (JSON)", key="case_file_box", on_change="rerun")
        if box.open:  # drawn only while open (opening it reruns the page): four widgets less on every other run
            _file_box(box)
        problem_list(ss["case_import_errors"], "The case was not loaded; nothing was changed:")


def _file_box(box) -> None:
    """A case file opened or pasted, the open case downloaded as a file."""
    with box:
        u1, u2 = st.columns(2)
        u1.file_uploader("Open a case file", type=["json"], key="case_upload", on_change=_on_upload,
                         help=f"A b12-case/1 JSON document, up to {limit_text(MAX_UPLOAD_BYTES)}.")
        download_button("Download this case (JSON)",
                        lambda d=current_doc(): json.dumps(d, indent=2, ensure_ascii=False),
                        file_name="cobalt-case.json", mime="application/json", key="case_download",
                        audit="case-json", where=u2, icon=":material/download:")  # made on the click, audited
        st.text_area("Or paste a case document", key="case_paste", height=120)
        st.button("Load pasted case", key="case_load_paste",
                  on_click=lambda: _import_text(ss.get("case_paste", ""), "pasted text"))
