"""The patient (label, age, sex) and the case's dates: symptom onset, B12 treatment started, ADAMTS13 sent."""

from __future__ import annotations

import streamlit as st

from app_pages.case_sections.fields import DATES, SEX, Form, commit, doc_copy, field_error, set_error, sync_widgets
from logic.case.entry import day_words, parse_day
from ui.callbacks import kept
from ui.session import current_case, verdicts_hidden

ss = st.session_state


BROKEN = "\ufffd"  # what the browser puts for half a character (ui/browser.py): the text was damaged


@kept
def _on_patient(field: str) -> None:
    doc, value = doc_copy(), ss[f"case_{field}"]
    if field == "label" and BROKEN in (value or ""):
        set_error(field, "The label holds a character that could not be read (shown as \ufffd: text pasted with "
                  "a broken character); retype the label", f"case_{field}")
        return
    if field == "label":
        doc["label"] = value.strip() or None
    elif field == "age":
        doc.setdefault("patient", {})["age_years"] = value
    elif field == "sex":
        doc.setdefault("patient", {})["sex"] = {"Female": "female", "Male": "male"}.get(value)
    elif field == "ileal_resection_cm":
        doc.setdefault("history", {})["ileal_resection_cm"] = value
    commit(doc, field, f"case_{field}")


@kept
def _on_date(name: str) -> None:
    key = f"case_date_{name}"
    try:
        day = parse_day(ss[key])
    except ValueError as exc:
        set_error(name, str(exc), key)
        return
    doc = doc_copy()
    target = doc.setdefault("history", {}) if DATES[name] == "history" else doc
    target[name] = day.isoformat() if day else None
    if commit(doc, name, key) and name == "treatment_start":
        sync_widgets(results_only=True)  # the baseline moves with the treatment start


def _date_field(form: Form, col, name: str, label: str) -> None:
    with col:  # no help button on the field: it would sit in the Tab order between two dates
        st.text_input(label, key=f"case_date_{name}", on_change=_on_date, args=(name,), disabled=form.read_only,
                      placeholder="2026-11-02 or 2/11/2026")
        if name not in form.errors and (day := getattr(current_case().history, name, current_case().treatment_start)):
            st.caption(day_words(day))  # the date read back, so a day/month mix-up shows
        field_error(form, name)


def draw(form: Form) -> None:
    st.subheader("Patient")
    p1, p2, p3 = st.columns([3, 1, 2])
    p1.text_input("Case label", key="case_label", on_change=_on_patient, args=("label",), max_chars=120,
                  disabled=form.read_only or verdicts_hidden())
    p2.number_input("Age (years)", key="case_age", min_value=0, max_value=125, step=1, on_change=_on_patient,
                    args=("age",), disabled=form.read_only)
    p3.radio("Sex", SEX, key="case_sex", horizontal=True, on_change=_on_patient, args=("sex",),
             disabled=form.read_only)
    for col, key in ((p1, "label"), (p2, "age"), (p3, "sex")):
        with col:  # under its field: nothing below moves
            field_error(form, key)
    d1, d2, d3 = st.columns(3)
    _date_field(form, d1, "symptom_onset", "Symptom onset")
    _date_field(form, d2, "treatment_start", "B12 treatment started")
    _date_field(form, d3, "adamts13_sent", "ADAMTS13 sent on")
    if (sent := current_case().history.adamts13_sent) is not None:
        result = [o for o in current_case().series("adamts13_activity") if o.date >= sent]
        d3.caption(f"Result on file: {result[-1].dated()}" if result else f"ADAMTS13 pending since {sent.isoformat()}")
    st.caption(f"Symptom onset warns when deficiency has gone untreated for more than {form.t['delay_months']:g} "
               "months. Results on or before the treatment start are the baseline; later ones are the recovery course. "
               "An ADAMTS13 sample sent is pending until an ADAMTS13 activity dated on or after it.")
