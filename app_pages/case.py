"""Case page: the patient, the history checklist and the baseline labs.

Every edit is validated as a whole case document (dates after today refused); an entry that does not validate is kept
on screen with its message, its section stays open, and it is not applied (nothing is partly applied). One text field
per test takes a value with an optional unit ("35" in the case's unit system, or "35 umol/L"), so Tab runs from value
to value across a row; the unit and the value in the other unit are shown beside it, and a value that reads as a unit
slip is questioned at the field.
"""

from __future__ import annotations

import json
from datetime import timedelta

import streamlit as st

from logic.case import ADDED_FLAGS, HISTORY_FLAGS, HISTORY_LABELS, CaseError, parse_case
from logic.case_rules import ANTIBODY_FLAGS
from logic.convert import MAX_UPLOAD_BYTES
from logic.entry import (
    CONVENTIONAL,
    SI,
    conversion_text,
    day_words,
    display_unit,
    field_text,
    parse_day,
    parse_value_and_unit,
    printed_unit,
    set_observation,
)
from logic.plausibility import prompt, unit_slip
from logic.reference import analytes, example_cases, threshold_set
from logic.units import is_boolean
from ui.callbacks import kept
from ui.common import case_title, esc, focus_field, results_table, teaching_title, uploaded_text
from ui.downloads import download_button
from ui.session import (
    current_case,
    current_doc,
    is_read_only,
    load_example,
    new_case,
    open_document,
    pending_errors,
    set_doc,
    set_pending_errors,
    set_unit_system,
    state,
    teaching_mode,
    thresholds_id,
    today,
    unit_system,
    verdicts_hidden,
)

TRI, TRI_AB = ("Unknown", "Yes", "No"), ("Unknown", "Positive", "Negative")
TRI_VALUE = {"Unknown": None, "Yes": True, "No": False, "Positive": True, "Negative": False}
FILM, DAT = ("Not examined", "Seen", "Not seen"), ("Not done", "Positive", "Negative")
SEX = ("Not recorded", "Female", "Male")
ANTIBODIES = set(ANTIBODY_FLAGS)
HISTORY_GROUPS = {
    "Causes": ("pernicious_anemia", "intrinsic_factor_antibodies", "parietal_cell_antibodies", "crohns_ileal",
               "gastric_surgery", "vegan_or_vegetarian", "alcohol_excess"),
    "Drugs and exposures": ("metformin", "acid_suppression", "nitrous_oxide", "sulfasalazine", "methotrexate"),
    "Presentation": ("neurological_symptoms", "neurological_signs", "fever", "active_cancer", "transplant"),
}
LAB_GROUPS = {"b12": "B12 and folate", "cbc": "Blood count", "hemolysis": "Haemolysis",
              "other": "Kidney, clotting and other"}
OPEN = ("b12", "cbc", "film")  # the result sections open when the page is first shown
DATES = {"symptom_onset": "history", "treatment_start": None, "adamts13_sent": "history"}
UNITS = {SI: "SI, as UK laboratories print", CONVENTIONAL: "Conventional (US)"}
ss = st.session_state
ss.setdefault("case_drafts", {})  # field -> the text typed, kept while it is not applied
ss.setdefault("case_import_errors", [])
SPECS = analytes()
SYSTEM, TID = unit_system(), thresholds_id()
_T = threshold_set(TID)  # the set in use: its cut-offs are quoted in the help texts


def shown_unit(name: str) -> str | None:
    return printed_unit(name, SYSTEM, TID)


def other_unit(name: str) -> str | None:
    """The unit the value is also shown in: the other system's, else strict SI (B12 ng/L -> pmol/L)."""
    other = printed_unit(name, CONVENTIONAL if SYSTEM == SI else SI, TID)
    return SPECS[name].get("si") if other == shown_unit(name) else other


def _tri_label(value: bool | None, flag: str) -> str:
    options = TRI_AB if flag in ANTIBODIES else TRI
    return options[{None: 0, True: 1, False: 2}[value]]


def _draw_day():
    """The date typed results go to: the field's date when valid, else today."""
    try:
        return parse_day(ss.get("case_draw_date")) or today()
    except ValueError:
        return today()


# -- widget <-> document -----------------------------------------------------------


def _sync_widgets(force: bool = False) -> None:
    """Set widget state from the current case (all of it when ``force``, else only missing keys); a draft
    (text typed and not applied) is shown instead of the document's value."""
    case, doc = current_case(), current_doc()
    base = case.baseline()
    values = {
        "case_label": case_title(case) if verdicts_hidden() else (doc.get("label") or ""),
        "case_age": case.patient.age_years,
        "case_sex": {None: "Not recorded", "female": "Female", "male": "Male"}[case.patient.sex],
        "case_hist_ileal_resection_cm": case.history.ileal_resection_cm,
        "case_units": SYSTEM,
    }
    for name in DATES:
        day = case.treatment_start if name == "treatment_start" else getattr(case.history, name)
        values[f"case_date_{name}"] = day.isoformat() if day else ""
    start = case.treatment_start
    default_draw = max((o.date for o in base.values()), default=None) or (
        start - timedelta(days=1) if start else today())
    values["case_draw_date"] = default_draw.isoformat()
    for flag in HISTORY_FLAGS + ADDED_FLAGS:
        values[f"case_hist_{flag}"] = _tri_label(case.history.flag(flag), flag)
    for name in SPECS:
        obs = base.get(name)
        if is_boolean(name):
            options = DAT if name == "dat_positive" else FILM
            values[f"case_bool_{name}"] = options[0] if obs is None else options[1 if obs.value else 2]
        else:
            values[f"case_lab_{name}"] = "" if obs is None else field_text(
                float(obs.value), obs.comparator, obs.unit, shown_unit(name), name)
    if state().source in example_cases():
        values["case_example"] = state().source  # the picker shows the teaching case that is open
    for key, text in ss["case_drafts"].items():
        if not force:
            values[key] = text
    folded = {n for n, spec in SPECS.items() if not ss.get(f"case_grp_{spec['group']}", spec["group"] in OPEN)}
    for key, value in values.items():
        if key.removeprefix("case_lab_").removeprefix("case_bool_") in folded and key not in ss["case_drafts"]:
            ss.pop(key, None)  # not drawn while its section is folded: set when it opens (fewer keys, cheaper widgets)
        elif force or key not in ss:
            ss[key] = value
    if force:
        ss["case_drafts"] = {}
        set_pending_errors({})
        ss["case_opened"] = state().opened  # the fields now show the case opened last


def _set_error(field: str, message: str | None, key: str | None = None) -> None:
    """Record (or, with None, clear) the problem of an entry that is not applied; keep what was typed."""
    errors = pending_errors()
    if message is None:
        errors.pop(field, None)
        ss["case_drafts"].pop(key or "", None)
    else:
        errors[field] = message
        if key:
            ss["case_drafts"][key] = ss.get(key)
            ss["case_focus"] = key
        group = SPECS[field]["group"] if field in SPECS else None
        if group in LAB_GROUPS:
            ss[f"case_grp_{group}"] = True  # its section stays open
    set_pending_errors(errors)


def _commit(doc: dict, field: str, key: str | None = None) -> bool:
    """Make ``doc`` the case if it validates; otherwise record the problems against ``field``."""
    try:
        set_doc(doc)
    except CaseError as exc:
        _set_error(field, "; ".join(p.message if f"({field}," in f"({p.where}," else str(p) for p in exc.problems), key)
        return False
    _set_error(field, None, key)
    return True


def _copy() -> dict:
    return json.loads(json.dumps(current_doc()))


def _on_patient(field: str) -> None:
    doc, value = _copy(), ss[f"case_{field}"]
    if field == "label":
        doc["label"] = value.strip() or None
    elif field == "age":
        doc.setdefault("patient", {})["age_years"] = value
    elif field == "sex":
        doc.setdefault("patient", {})["sex"] = {"Female": "female", "Male": "male"}.get(value)
    elif field == "ileal_resection_cm":
        doc.setdefault("history", {})["ileal_resection_cm"] = value
    _commit(doc, field, f"case_{field}")


def _on_date(name: str) -> None:
    key = f"case_date_{name}"
    try:
        day = parse_day(ss[key])
    except ValueError as exc:
        _set_error(name, str(exc), key)
        return
    doc = _copy()
    target = doc.setdefault("history", {}) if DATES[name] == "history" else doc
    target[name] = day.isoformat() if day else None
    if _commit(doc, name, key) and name == "treatment_start":
        _sync_widgets(force=True)  # the baseline moves with the treatment start


def _on_draw_date() -> None:
    try:
        day = parse_day(ss["case_draw_date"])
        if day is not None and day > today():
            raise ValueError(f"{day.isoformat()} is after today ({today().isoformat()}); check the year")
    except ValueError as exc:
        _set_error("draw_date", str(exc), "case_draw_date")
        return
    _set_error("draw_date", None, "case_draw_date")


def _on_history(flag: str) -> None:
    doc = _copy()
    doc.setdefault("history", {})[flag] = TRI_VALUE[ss[f"case_hist_{flag}"]]
    _commit(doc, flag)


def _apply_lab(name: str, value: float | None, comp: str | None, unit: str | None) -> None:
    key = f"case_lab_{name}"
    if value is not None and value.is_integer():
        value = int(value)
    if _commit(set_observation(current_doc(), _draw_day(), name, value, unit, comp), name, key):
        ss[key] = "" if value is None else field_text(float(value), comp, unit, shown_unit(name), name)


def _on_lab(name: str) -> None:
    key = f"case_lab_{name}"
    try:
        parsed = parse_value_and_unit(ss[key], name, shown_unit(name))
    except ValueError as exc:
        _set_error(name, str(exc), key)
        return
    _apply_lab(name, *(parsed or (None, None, None)))


def _slip_of(name: str, errors: dict[str, str] | None = None):
    """The unit slip of the field: its refused draft (``errors``: the pending ones), else the value on file."""
    key = f"case_lab_{name}"
    if name in (pending_errors() if errors is None else errors):
        try:
            parsed = parse_value_and_unit(ss.get(key), name, shown_unit(name))
        except ValueError:
            return None
        return None if parsed is None else unit_slip(name, parsed[0], parsed[2], parsed[1])
    obs = current_case().baseline().get(name)
    if obs is None or isinstance(obs.value, bool):
        return None
    return unit_slip(name, float(obs.value), obs.unit, obs.comparator)


def _switch_unit(name: str) -> None:
    slip = _slip_of(name)
    if slip is not None:
        _apply_lab(name, float(slip.value), slip.comparator, slip.suggested)


def _on_bool(name: str) -> None:
    options = DAT if name == "dat_positive" else FILM
    value = {options[0]: None, options[1]: True, options[2]: False}[ss[f"case_bool_{name}"]]
    _commit(set_observation(current_doc(), _draw_day(), name, value), name)


def _on_units() -> None:
    """The unit system of the case (and this browser): values keep their units; the fields follow."""
    try:
        set_unit_system(ss["case_units"])
    except CaseError as exc:
        _set_error("units", "; ".join(str(p) for p in exc.problems))
        return
    drafts = dict(ss["case_drafts"])
    for name in SPECS:
        ss.pop(f"case_lab_{name}", None)  # shown again in the new system's units on this run
    ss["case_drafts"] = drafts


_on_patient, _on_date, _on_draw_date, _on_history, _on_lab, _switch_unit, _on_bool, _on_units = map(kept, (
    _on_patient, _on_date, _on_draw_date, _on_history, _on_lab, _switch_unit, _on_bool, _on_units))


def _load_example() -> None:
    if ss.get("case_example") not in example_cases():
        return  # a stale title: the next run reads it back to its id
    load_example(ss["case_example"])
    ss["case_import_errors"] = []
    _sync_widgets(force=True)


def _new_case() -> None:
    new_case()
    ss["case_import_errors"] = []
    _sync_widgets(force=True)


def _import_text(text: str, source: str) -> None:
    try:
        doc = json.loads(text)
        parse_case(doc, today=today())
        open_document(doc)
    except json.JSONDecodeError as exc:
        ss["case_import_errors"] = [f"{source}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"]
        return
    except CaseError as exc:
        ss["case_import_errors"] = [f"{source}: {p}" for p in exc.problems]
        return
    except (ValueError, RecursionError) as exc:  # nested too deep, a number too long, ...
        ss["case_import_errors"] = [f"{source}: not a case document this app can read ({type(exc).__name__})"]
        return
    ss["case_import_errors"] = []
    _sync_widgets(force=True)


def _on_upload() -> None:
    if (file := ss.get("case_upload")) is not None:
        text, problem = uploaded_text(file, MAX_UPLOAD_BYTES)
        if problem:
            ss["case_import_errors"] = [problem]
        else:
            _import_text(text, file.name)


# -- page ---------------------------------------------------------------------------

_sync_widgets(force=ss.get("case_opened") != state().opened)  # all fields anew when another case was opened
ss["case_units"] = SYSTEM  # the case's units (its own, else this browser's, else the reference set's)
examples = example_cases()
RO = is_read_only()
errors = pending_errors()

st.title("Case")
st.caption("Pseudonymous: give a label such as a bed or teaching number, never a name, record number or birth date.")

titles = {k: teaching_title(k) if teaching_mode() and verdicts_hidden(k) else d.get("label", k)
          for k, d in examples.items()}  # in teaching mode, no title gives a diagnosis away
if ss.get("case_example") not in examples:
    # a kept title (teaching mode changed the titles): back to its id, never shown or loaded as it is
    by_title = {t: k for k, d in examples.items() for t in (d.get("label", k), teaching_title(k))}
    ss["case_example"] = by_title.get(ss.get("case_example"), next(iter(examples)))
with st.container(border=True):
    c1, c2, c3 = st.columns([3, 1, 1], vertical_alignment="bottom")
    c1.selectbox("Example case", list(examples), key="case_example", format_func=titles.get)
    c2.button(
        "Load example", key="case_load_example", on_click=_load_example, icon=":material/upload_file:", width="stretch"
    )
    c3.button("New blank case", key="case_new", on_click=_new_case, icon=":material/note_add:", width="stretch")
    about = examples[ss["case_example"]].get("about", {})
    if about and verdicts_hidden(ss["case_example"]):
        st.caption("Teaching mode: the source and the teaching point are shown after the presenter reveals.")
    elif about:
        st.caption(f"{about.get('source', '').rstrip('.')}. {about.get('teaching_point', '')}")
    with st.expander("Open or save a case file (JSON)"):
        u1, u2 = st.columns(2)
        u1.file_uploader("Open a case file", type=["json"], key="case_upload", on_change=_on_upload,
                         help=f"A b12-case/1 JSON document, up to {MAX_UPLOAD_BYTES // (1024 * 1024)} MB.")
        download_button("Download this case (JSON)",
                        lambda d=current_doc(): json.dumps(d, indent=2, ensure_ascii=False),
                        file_name="cobalt-case.json", mime="application/json", key="case_download", audit="case-json",
                        where=u2, icon=":material/download:")  # made on the click, audited (ui/downloads.py)
        st.text_area("Or paste a case document", key="case_paste", height=120)
        st.button("Load pasted case", key="case_load_paste",
                  on_click=lambda: _import_text(ss.get("case_paste", ""), "pasted text"))
    if ss["case_import_errors"]:
        st.error("The case was not loaded; nothing was changed:\n\n"
                 + "\n".join(f"- {esc(m)}" for m in ss["case_import_errors"]), icon=":material/error:")

if errors:
    st.warning(
        f"{len(errors)} entr{'y is' if len(errors) == 1 else 'ies are'} not applied until corrected "
        "(marked below, kept as typed). Everything else is saved in the case.", icon=":material/edit_off:")


def _field_error(field: str) -> None:
    if field in errors:
        st.error(esc(errors[field]), icon=":material/error:")


def _date_field(col, name: str, label: str, help_text: str) -> None:
    with col:
        st.text_input(label, key=f"case_date_{name}", on_change=_on_date, args=(name,), disabled=RO,
                      placeholder="2026-11-02 or 2/11/2026", help=help_text)
        if name not in errors and (day := getattr(current_case().history, name, current_case().treatment_start)):
            st.caption(day_words(day))  # the date read back, so a day/month mix-up shows
        _field_error(name)


st.subheader("Patient")
p1, p2, p3 = st.columns([3, 1, 2])
p1.text_input("Case label", key="case_label", on_change=_on_patient, args=("label",), max_chars=120,
              disabled=RO or verdicts_hidden())
p2.number_input("Age (years)", key="case_age", min_value=0, max_value=125, step=1, on_change=_on_patient,
                args=("age",), disabled=RO)
p3.radio("Sex", SEX, key="case_sex", horizontal=True, on_change=_on_patient, args=("sex",), disabled=RO)
for key in ("label", "age", "sex"):
    _field_error(key)
d1, d2, d3 = st.columns(3)
_date_field(d1, "symptom_onset", "Symptom onset", "Used to warn when deficiency has gone untreated for more than "
            f"{_T['delay_months']:g} months. Not after the treatment start, not after today.")
_date_field(d2, "treatment_start", "B12 treatment started",
            "Results on or before this date are the baseline; later ones are the recovery course.")
_date_field(d3, "adamts13_sent", "ADAMTS13 sent on",
            "The day the sample went; the result counts as pending until an ADAMTS13 activity dated on or after it.")
if (sent := current_case().history.adamts13_sent) is not None:
    result = [o for o in current_case().series("adamts13_activity") if o.date >= sent]
    d3.caption(f"Result on file: {result[-1].dated()}" if result else f"ADAMTS13 pending since {sent.isoformat()}")

st.subheader("History")
st.caption("Unknown is not no: anything left unknown is reported as a range or as not enough data.")
for title, flags in HISTORY_GROUPS.items():
    st.markdown(f"**{title}**")
    items = [*flags, "ileal_resection_cm"] if title == "Causes" else list(flags)
    for row in range(0, len(items), 3):  # row by row, so Tab runs across a row
        for col, flag in zip(st.columns(3), items[row : row + 3], strict=False):
            with col:
                if flag == "ileal_resection_cm":
                    st.number_input(HISTORY_LABELS[flag], key="case_hist_ileal_resection_cm", min_value=0.0,
                                    max_value=700.0, step=5.0, on_change=_on_patient, args=("ileal_resection_cm",),
                                    help=f"Leave empty when not known. More than "
                                    f"{_T['ileal_resection_lifelong_above_cm']:g} cm means lifelong B12.",
                                    disabled=RO)
                else:
                    st.radio(HISTORY_LABELS[flag], TRI_AB if flag in ANTIBODIES else TRI, key=f"case_hist_{flag}",
                             horizontal=True, on_change=_on_history, args=(flag,), disabled=RO)
                _field_error(flag)

st.subheader("Baseline labs")
st.page_link("app_pages/record.py", label="Or fetch them from the hospital record", icon=":material/local_hospital:")
l1, l2 = st.columns([1, 2])
l1.text_input("Date of these results", key="case_draw_date", on_change=_on_draw_date, disabled=RO,
              placeholder="2026-11-02 or 2/11/2026", help="Values you type are recorded on this date.")
l2.radio("Units", list(UNITS), key="case_units", format_func=UNITS.get, horizontal=True, on_change=_on_units,
         disabled=RO, help="How results are shown and typed (kept with the case and for this browser). A value "
         "can always carry its own unit: type 35 umol/L.")
with l1:
    _field_error("draw_date")
_field_error("units")
if (case_start := current_case().treatment_start) and _draw_day() > case_start:
    st.warning(
        f"Results typed here are dated {_draw_day().isoformat()}, after the treatment start "
        f"({case_start.isoformat()}): they count as the recovery course, not the baseline. Change the "
        "date above for pre-treatment results.", icon=":material/event:")
st.caption("Type a number (in the unit shown), a number with its unit (35 umol/L), or a censored value such as <8; "
           "for 'undetectable' type the detection limit, such as <10. Leave a field empty if not measured.")
case = current_case()
base = case.baseline()


def _lab_field(name: str) -> None:
    unit = shown_unit(name)
    row = st.container(horizontal=True, vertical_alignment="bottom", wrap=False)  # value, unit: one line at 390 px
    row.text_input(SPECS[name]["label"], key=f"case_lab_{name}", on_change=_on_lab, args=(name,), disabled=RO,
                   placeholder=display_unit(unit) or None)
    row.markdown(display_unit(unit) or "—", help=SPECS[name].get("note"), width="content")  # units from data
    obs = base.get(name)
    if obs is not None and name not in errors:
        beside = [conversion_text(name, float(obs.value), obs.comparator, obs.unit, unit, other_unit(name))]
        beside.append(f"from {obs.date.isoformat()}" if obs.date != _draw_day() else "")
        if any(beside):
            st.caption(" · ".join(b for b in beside if b))
    _field_error(name)
    slip = None if RO else _slip_of(name, errors)
    if slip is not None:
        st.warning(prompt(slip), icon=":material/straighten:")
        st.button(f"Use {display_unit(slip.suggested)}", key=f"case_slip_{name}", on_click=_switch_unit, args=(name,))


def _bool_field(name: str) -> None:
    options = DAT if name == "dat_positive" else FILM
    label = "Direct antiglobulin test (DAT)" if name == "dat_positive" else SPECS[name]["label"]
    st.radio(label, options, key=f"case_bool_{name}", horizontal=True, on_change=_on_bool, args=(name,), disabled=RO)
    _field_error(name)


for group, title in {**LAB_GROUPS, "film": "Blood film"}.items():
    names = [n for n, s in SPECS.items() if s["group"] == group]
    names.sort(key=is_boolean)  # values first, then the yes/no findings
    has_error = any(n in errors for n in names)
    if has_error:
        ss[f"case_grp_{group}"] = True
    box = st.expander(title, expanded=group in OPEN or has_error, key=f"case_grp_{group}", on_change="rerun")
    if box.open is False:  # folded: its fields are drawn when it is opened (which reruns the page)
        continue
    with box:
        for row in range(0, len(names), 3):  # row by row, so Tab runs across a row
            cols = st.columns(3)
            for col, name in zip(cols, names[row : row + 3], strict=False):
                with col:
                    (_bool_field if is_boolean(name) else _lab_field)(name)

focus_field(ss.pop("case_focus", None))  # after a refused entry: the cursor back in its field

st.subheader("All results on file")
results_table(case)
