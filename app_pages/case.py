"""Case page: the patient, the history checklist and the baseline labs.

Every edit is validated as a whole case document; an entry that does not validate is kept on
screen with its message and is not applied (nothing is partly applied).
"""

from __future__ import annotations

import json
from datetime import date, timedelta

import pandas as pd
import streamlit as st

from logic.case import HISTORY_FLAGS, HISTORY_LABELS, CaseError, parse_case
from logic.convert import MAX_UPLOAD_BYTES
from logic.entry import convert_entry, format_entry, parse_entry, set_observation, system_unit
from logic.reference import analytes, example_cases, threshold_set
from logic.units import allowed_units, is_boolean, listed_unit
from ui.common import esc
from ui.session import (
    current_case,
    current_doc,
    is_read_only,
    load_example,
    new_case,
    open_document,
    pending_errors,
    save_as_new,
    set_doc,
    set_pending_errors,
    state,
    thresholds_id,
    verdicts_hidden,
)

TRI = ("Unknown", "Yes", "No")
TRI_VALUE = {"Unknown": None, "Yes": True, "No": False}
FILM = ("Not examined", "Seen", "Not seen")
FILM_VALUE = {"Not examined": None, "Seen": True, "Not seen": False}
SEX = ("Not recorded", "Female", "Male")
LAB_GROUPS = {
    "b12": "B12 and folate",
    "cbc": "Blood count",
    "hemolysis": "Haemolysis",
    "other": "Kidney, clotting and other",
}
ss = st.session_state
_T = threshold_set(thresholds_id())  # the set in use: its cut-offs are quoted in the help texts
ss.setdefault("case_drafts", {})
ss.setdefault("case_import_errors", [])


def _tri_label(value: bool | None) -> str:
    return {None: "Unknown", True: "Yes", False: "No"}[value]


# -- widget <-> document -----------------------------------------------------------


def _sync_widgets(force: bool = False) -> None:
    """Set widget state from the current case (all of it when ``force``, else only missing keys)."""
    case = current_case()
    doc = current_doc()
    base = case.baseline()
    values = {
        "case_label": doc.get("label") or "",
        "case_age": case.patient.age_years,
        "case_sex": {None: "Not recorded", "female": "Female", "male": "Male"}[case.patient.sex],
        "case_treatment_start": case.treatment_start,
        "case_symptom_onset": case.history.symptom_onset,
        "case_hist_ileal_resection_cm": case.history.ileal_resection_cm,
        # results typed in go to this date: the latest baseline draw, else the day before treatment, else today
        "case_draw_date": max((o.date for o in base.values()), default=None)
        or (case.treatment_start - timedelta(days=1) if case.treatment_start else date.today()),
    }
    for flag in HISTORY_FLAGS:
        values[f"case_hist_{flag}"] = _tri_label(case.history.flag(flag))
    for name in analytes():
        obs = base.get(name)
        if is_boolean(name):
            values[f"case_film_{name}"] = FILM[0] if obs is None else ("Seen" if obs.value else "Not seen")
            continue
        draft = ss["case_drafts"].get(name)
        if draft is not None and not force:
            values[f"case_lab_{name}"], values[f"case_unit_{name}"] = draft
            continue
        if obs is None:
            values[f"case_lab_{name}"] = ""
            values[f"case_unit_{name}"] = system_unit(name, ss.get("case_units", "Conventional"))
        else:
            values[f"case_lab_{name}"] = format_entry(obs.value, obs.comparator)
            values[f"case_unit_{name}"] = obs.unit or system_unit(name, "Conventional")
    source = state().source
    if source in example_cases():
        values["case_example"] = source  # the picker shows the teaching case that is open
    for key, value in values.items():
        if force or key not in ss:
            ss[key] = value
    if force:
        ss["case_drafts"] = {}
        set_pending_errors({})
        ss["case_opened"] = state().opened  # the fields now show the case opened last


def _set_error(field: str, message: str | None) -> None:
    """Record (or, with None, clear) the problem of an entry that is not applied."""
    errors = pending_errors()
    if message is None:
        errors.pop(field, None)
    else:
        errors[field] = message
    set_pending_errors(errors)


def _commit(doc: dict, field: str) -> bool:
    """Make ``doc`` the case if it validates; otherwise record the problems against ``field``."""
    try:
        set_doc(doc)
    except CaseError as exc:
        _set_error(field, "; ".join(p.message for p in exc.problems))
        return False
    _set_error(field, None)
    return True


def _on_patient(field: str) -> None:
    doc = json.loads(json.dumps(current_doc()))
    value = ss[f"case_{field}"]
    if field == "label":
        doc["label"] = value.strip() or None
    elif field == "age":
        doc.setdefault("patient", {})["age_years"] = value
    elif field == "sex":
        doc.setdefault("patient", {})["sex"] = {"Female": "female", "Male": "male"}.get(value)
    elif field == "treatment_start":
        doc["treatment_start"] = value.isoformat() if value else None
    elif field == "symptom_onset":
        doc.setdefault("history", {})["symptom_onset"] = value.isoformat() if value else None
    elif field == "ileal_resection_cm":
        doc.setdefault("history", {})["ileal_resection_cm"] = value
    if _commit(doc, field) and field == "treatment_start":
        _sync_widgets(force=True)  # the baseline moves with the treatment start


def _on_history(flag: str) -> None:
    doc = json.loads(json.dumps(current_doc()))
    doc.setdefault("history", {})[flag] = TRI_VALUE[ss[f"case_hist_{flag}"]]
    _commit(doc, flag)


def _draw_date() -> date:
    return ss.get("case_draw_date") or date.today()


def _on_lab(name: str) -> None:
    text, unit = ss[f"case_lab_{name}"], ss.get(f"case_unit_{name}")
    try:
        parsed = parse_entry(text)
    except ValueError as exc:
        _set_error(name, str(exc))
        ss["case_drafts"][name] = (text, unit)
        return
    value, comp = parsed if parsed else (None, None)
    if value is not None and value.is_integer():
        value = int(value)
    doc = set_observation(current_doc(), _draw_date(), name, value, unit, comp)
    if _commit(doc, name):
        ss["case_drafts"].pop(name, None)
    else:
        ss["case_drafts"][name] = (text, unit)


def _on_film(name: str) -> None:
    doc = set_observation(current_doc(), _draw_date(), name, FILM_VALUE[ss[f"case_film_{name}"]])
    _commit(doc, name)


def _on_unit_system() -> None:
    """Re-express every baseline value in the chosen system (same quantity, other unit)."""
    system = ss["case_units"]
    doc = current_doc()
    for name, obs in current_case().baseline().items():
        if is_boolean(name):
            continue
        target = system_unit(name, system)
        if target is None or obs.unit == target or (obs.unit and listed_unit(name, obs.unit) == target):
            continue
        new_value = convert_entry(name, float(obs.value), obs.unit, target)
        doc = set_observation(doc, obs.date, name, new_value, target, obs.comparator)
    drafts, errors = dict(ss["case_drafts"]), pending_errors()
    if _commit(doc, "units"):
        _sync_widgets(force=True)
        for name, (text, unit) in drafts.items():  # entries not yet valid are kept as typed
            ss[f"case_lab_{name}"], ss[f"case_unit_{name}"] = text, unit
        ss["case_drafts"] = drafts
        set_pending_errors({k: v for k, v in errors.items() if k in drafts})


def _load_example() -> None:
    load_example(ss["case_example"])
    ss["case_import_errors"] = []
    _sync_widgets(force=True)


def _new_case() -> None:
    new_case()
    ss["case_import_errors"] = []
    _sync_widgets(force=True)


def _copy_to_mine() -> None:
    save_as_new("Copy of")
    _sync_widgets(force=True)


def _import_text(text: str, source: str) -> None:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        ss["case_import_errors"] = [f"{source}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"]
        return
    try:
        parse_case(doc)
    except CaseError as exc:
        ss["case_import_errors"] = [f"{source}: {p}" for p in exc.problems]
        return
    open_document(doc)
    ss["case_import_errors"] = []
    _sync_widgets(force=True)


def _on_upload() -> None:
    file = ss.get("case_upload")
    if file is None:
        return
    if file.size > MAX_UPLOAD_BYTES:
        ss["case_import_errors"] = [f"{file.name}: {file.size // 1024} KB is over the 2 MB limit for a case file"]
        return
    try:
        text = file.getvalue().decode("utf-8")
    except UnicodeDecodeError:
        ss["case_import_errors"] = [f"{file.name}: not UTF-8 text"]
        return
    _import_text(text, file.name)


def _on_paste() -> None:
    _import_text(ss.get("case_paste", ""), "pasted text")


# -- page ---------------------------------------------------------------------------

_sync_widgets(force=ss.get("case_opened") != state().opened)  # all fields anew when another case was opened
examples = example_cases()
RO = is_read_only()

st.title("Case")
st.caption("Pseudonymous: give a label such as a bed or teaching number, never a name, record number or birth date.")

with st.container(border=True):
    c1, c2, c3 = st.columns([3, 1, 1], vertical_alignment="bottom")
    c1.selectbox("Example case", list(examples), key="case_example", format_func=lambda k: examples[k].get("label", k))
    c2.button(
        "Load example", key="case_load_example", on_click=_load_example, icon=":material/upload_file:", width="stretch"
    )
    c3.button("New blank case", key="case_new", on_click=_new_case, icon=":material/note_add:", width="stretch")
    about = examples[ss["case_example"]].get("about", {})
    if about:
        point = "" if verdicts_hidden(ss["case_example"]) else f" {about.get('teaching_point', '')}"
        st.caption(f"{about.get('source', '').rstrip('.')}.{point}")
    with st.expander("Open or save a case file (JSON)"):
        u1, u2 = st.columns(2)
        u1.file_uploader(
            "Open a case file",
            type=["json"],
            key="case_upload",
            on_change=_on_upload,
            help="A b12-case/1 JSON document, up to 2 MB.",
        )
        u2.download_button(
            "Download this case (JSON)",
            data=json.dumps(current_doc(), indent=2, ensure_ascii=False),
            file_name="cobalt-case.json",
            mime="application/json",
            key="case_download",
            icon=":material/download:",
        )
        st.text_area("Or paste a case document", key="case_paste", height=120)
        st.button("Load pasted case", key="case_load_paste", on_click=_on_paste)
    if ss["case_import_errors"]:
        st.error(
            "The case was not loaded; nothing was changed:\n\n"
            + "\n".join(f"- {esc(m)}" for m in ss["case_import_errors"]),
            icon=":material/error:",
        )

errors = pending_errors()
if errors:
    st.warning(
        f"{len(errors)} entr{'y is' if len(errors) == 1 else 'ies are'} not applied until corrected "
        "(marked below). Everything else is saved in the case.",
        icon=":material/edit_off:",
    )


def _field_error(key: str) -> None:
    if key in errors:
        st.error(esc(errors[key]), icon=":material/error:")


st.subheader("Patient")
p1, p2, p3, p4, p5 = st.columns([3, 1, 2, 2, 2])
p1.text_input("Case label", key="case_label", on_change=_on_patient, args=("label",), max_chars=120, disabled=RO)
p2.number_input(
    "Age (years)", key="case_age", min_value=0, max_value=125, step=1, on_change=_on_patient, args=("age",), disabled=RO
)
p3.radio("Sex", SEX, key="case_sex", horizontal=True, on_change=_on_patient, args=("sex",), disabled=RO)
p4.date_input(
    "Symptom onset",
    key="case_symptom_onset",
    on_change=_on_patient,
    args=("symptom_onset",),
    help=f"Used to warn when deficiency has gone untreated for more than {_T['delay_months']:g} months.",
    format="YYYY-MM-DD",
    disabled=RO,
)
p5.date_input(
    "B12 treatment started",
    key="case_treatment_start",
    on_change=_on_patient,
    args=("treatment_start",),
    format="YYYY-MM-DD",
    help="Results on or before this date are the baseline; later ones are the recovery course.",
    disabled=RO,
)
for key in ("label", "age", "sex", "symptom_onset", "treatment_start"):
    _field_error(key)

st.subheader("History")
st.caption("Unknown is not no: anything left unknown is reported as a range or as not enough data.")
hist_cols = st.columns(3)
for i, flag in enumerate(HISTORY_FLAGS):
    with hist_cols[i % 3]:
        st.radio(
            HISTORY_LABELS[flag],
            TRI,
            key=f"case_hist_{flag}",
            horizontal=True,
            on_change=_on_history,
            args=(flag,),
            disabled=RO,
        )
        _field_error(flag)
with hist_cols[len(HISTORY_FLAGS) % 3]:
    st.number_input(
        HISTORY_LABELS["ileal_resection_cm"],
        key="case_hist_ileal_resection_cm",
        min_value=0.0,
        max_value=700.0,
        step=5.0,
        on_change=_on_patient,
        args=("ileal_resection_cm",),
        help=f"Leave empty when not known. More than {_T['ileal_resection_lifelong_above_cm']:g} cm means "
        "lifelong B12.",
        disabled=RO,
    )
    _field_error("ileal_resection_cm")

st.subheader("Baseline labs")
st.page_link("app_pages/record.py", label="Or fetch them from the hospital record", icon=":material/local_hospital:")
l1, l2 = st.columns([1, 2])
l1.date_input(
    "Date of these results",
    key="case_draw_date",
    format="YYYY-MM-DD",
    help="Values you type are recorded on this date.",
    disabled=RO,
)
l2.radio(
    "Units",
    ("Conventional", "SI"),
    key="case_units",
    horizontal=True,
    on_change=_on_unit_system,
    help="Switching converts the values shown; the quantity stays the same.",
    disabled=RO,
)
if case_start := current_case().treatment_start:
    if _draw_date() > case_start:
        st.warning(
            f"Results typed here are dated {_draw_date().isoformat()}, after the treatment start "
            f"({case_start.isoformat()}): they count as the recovery course, not the baseline. Change the "
            "date above for pre-treatment results.",
            icon=":material/event:",
        )
st.caption("Type a number, or a censored value such as <8. Leave a field empty if not measured.")
case = current_case()
base = case.baseline()
specs = analytes()
for group, title in LAB_GROUPS.items():
    names = [n for n, s in specs.items() if s["group"] == group and not is_boolean(n)]
    with st.expander(title, expanded=group in ("b12", "cbc")):
        cols = st.columns(3)
        for i, name in enumerate(names):
            with cols[i % 3]:
                v, u = st.columns([3, 2], vertical_alignment="bottom")
                v.text_input(specs[name]["label"], key=f"case_lab_{name}", on_change=_on_lab, args=(name,), disabled=RO)
                units = allowed_units(name)
                u.selectbox(
                    "Unit",
                    units,
                    key=f"case_unit_{name}",
                    on_change=_on_lab,
                    args=(name,),
                    label_visibility="collapsed",
                    disabled=RO or len(units) < 2,
                )
                obs = base.get(name)
                if obs is not None and obs.date != _draw_date() and name not in errors:
                    st.caption(f"from {obs.date.isoformat()}")
                _field_error(name)
with st.expander("Blood film", expanded=True):
    f1, f2, f3 = st.columns(3)
    f1.radio(
        specs["schistocytes_seen"]["label"],
        FILM,
        key="case_film_schistocytes_seen",
        horizontal=True,
        on_change=_on_film,
        args=("schistocytes_seen",),
        disabled=RO,
    )
    f2.radio(
        specs["hypersegmented_neutrophils"]["label"],
        FILM,
        key="case_film_hypersegmented_neutrophils",
        horizontal=True,
        on_change=_on_film,
        args=("hypersegmented_neutrophils",),
        disabled=RO,
    )
    with f3:
        v, u = st.columns([3, 2], vertical_alignment="bottom")
        v.text_input(
            specs["schistocytes_pct"]["label"],
            key="case_lab_schistocytes_pct",
            on_change=_on_lab,
            args=("schistocytes_pct",),
            disabled=RO,
        )
        u.selectbox("Unit", ["%"], key="case_unit_schistocytes_pct", disabled=True, label_visibility="collapsed")
        _field_error("schistocytes_pct")

st.subheader("All results on file")
if case.observations:
    rows = [
        {
            "Date": o.date,
            "Test": o.label,
            "Result": o.display(),
            "Course": "baseline"
            if base.get(o.analyte) is o
            else ("recovery" if case.treatment_start and o.date > case.treatment_start else "earlier"),
        }
        for o in sorted(case.observations, key=lambda o: (o.date, o.index))
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", height=min(400, 38 + 35 * len(rows)))
else:
    st.caption("No results yet.")
