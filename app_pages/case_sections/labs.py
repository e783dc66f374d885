"""The results: the date they were drawn, the unit system, and one text field per test taking a value with an
optional unit ("35" in the case's unit system, or "35 umol/L"), so Tab runs from value to value across a row;
the unit and the value in the other unit beside it, and a value that reads as a unit slip questioned at the
field with a one-click switch."""

from __future__ import annotations

import streamlit as st

from app_pages.case_sections.fields import (
    DAT,
    FILM,
    LAB_GROUPS,
    OPEN,
    SPECS,
    Form,
    commit,
    draw_day,
    field_error,
    other_unit,
    set_error,
    shown_unit,
)
from logic.case import CaseError
from logic.case.entry import (
    CONVENTIONAL,
    SI,
    conversion_text,
    display_unit,
    entered_text,
    field_text,
    parse_day,
    parse_value_and_unit,
    set_observation,
)
from logic.case.plausibility import prompt, unit_slip
from logic.case.units import is_boolean
from ui.callbacks import kept
from ui.session import current_case, current_doc, pending_errors, set_unit_system, today

UNITS = {SI: "SI, as UK laboratories print", CONVENTIONAL: "Conventional (US)"}
ss = st.session_state


@kept
def _on_draw_date() -> None:
    try:
        day = parse_day(ss["case_draw_date"])
        if day is not None and day > today():
            raise ValueError(f"{day.isoformat()} is after today ({today().isoformat()}); check the year")
    except ValueError as exc:
        set_error("draw_date", str(exc), "case_draw_date")
        return
    set_error("draw_date", None, "case_draw_date")


def _apply_lab(name: str, value: float | None, comp: str | None, unit: str | None) -> None:
    key = f"case_lab_{name}"
    if value is not None and value.is_integer():
        value = int(value)
    if commit(set_observation(current_doc(), draw_day(), name, value, unit, comp), name, key):
        ss[key] = "" if value is None else field_text(float(value), comp, unit, shown_unit(name), name)


@kept
def _on_lab(name: str) -> None:
    key = f"case_lab_{name}"
    try:
        parsed = parse_value_and_unit(ss[key], name, shown_unit(name))
    except ValueError as exc:
        set_error(name, str(exc), key)
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


@kept
def _switch_unit(name: str) -> None:
    slip = _slip_of(name)
    if slip is not None:
        _apply_lab(name, float(slip.value), slip.comparator, slip.suggested)


@kept
def _on_bool(name: str) -> None:
    options = DAT if name == "dat_positive" else FILM
    value = {options[0]: None, options[1]: True, options[2]: False}[ss[f"case_bool_{name}"]]
    commit(set_observation(current_doc(), draw_day(), name, value), name)


@kept
def _on_units() -> None:
    """The unit system of the case: values keep the unit they were entered in; the fields show them in the new
    system's units."""
    try:
        set_unit_system(ss["case_units"])
    except CaseError as exc:
        set_error("units", "; ".join(str(p) for p in exc.problems))
        return
    drafts = dict(ss["case_drafts"])
    for name in SPECS:
        ss.pop(f"case_lab_{name}", None)  # shown again in the new system's units on this run
    ss["case_drafts"] = drafts


def _lab_field(form: Form, name: str, base: dict) -> None:
    unit = shown_unit(name)
    row = st.container(horizontal=True, vertical_alignment="bottom", wrap=False)  # value, unit: one line at 390 px
    row.text_input(SPECS[name]["label"], key=f"case_lab_{name}", on_change=_on_lab, args=(name,),
                   disabled=form.read_only, placeholder=display_unit(unit) or None)
    row.markdown(display_unit(unit) or "—", help=SPECS[name].get("note"), width="content")  # units from data
    obs = base.get(name)
    if obs is not None and name not in form.errors:
        value = float(obs.value)  # shown in the field's unit; what was entered, or the value in the other unit
        beside = [entered_text(value, obs.comparator, obs.unit, unit, name)
                  or conversion_text(name, value, obs.comparator, obs.unit, unit, other_unit(name))]
        beside.append(f"from {obs.date.isoformat()}" if obs.date != draw_day() else "")
        if any(beside):
            st.caption(" · ".join(b for b in beside if b))
    field_error(form, name)
    slip = None if form.read_only else _slip_of(name, form.errors)
    if slip is not None:
        st.warning(prompt(slip), icon=":material/straighten:")
        st.button(f"Use {display_unit(slip.suggested)}", key=f"case_slip_{name}", on_click=_switch_unit, args=(name,))


def _seen_from_count(base: dict) -> str | None:
    """"Schistocytes seen on film" as the schistocyte count on file says it: Seen for a count above 0, Not seen
    for 0; None when there is no count, or a censored one (<1 %) that does not say (issue 21: 2 % typed left
    the finding at "Not examined")."""
    count = base.get("schistocytes_pct")
    if count is None or count.comparator in ("<", "<="):
        return None
    return FILM[1] if float(count.canonical) > 0 else FILM[2]


def _bool_field(form: Form, name: str, base: dict) -> None:
    options = DAT if name == "dat_positive" else FILM
    label = "Direct antiglobulin test (DAT)" if name == "dat_positive" else SPECS[name]["label"]
    derived = _seen_from_count(base) if name == "schistocytes_seen" and "schistocytes_pct" not in form.errors else None
    if derived is not None:  # derived, as the assessment derives it: the count is the finer record
        ss[f"case_bool_{name}"] = derived
    st.radio(label, options, key=f"case_bool_{name}", horizontal=True, on_change=_on_bool, args=(name,),
             disabled=form.read_only or derived is not None)
    if derived is not None:
        st.caption(f"From the schistocyte count ({base['schistocytes_pct'].display()}); clear the count to set "
                   "this by hand.")
    field_error(form, name)


def draw_units(form: Form) -> None:
    """The case's unit system, at the top of the page: chosen per case (a new case starts in the reference set's)."""
    st.radio("Units of this case", list(UNITS), key="case_units", format_func=UNITS.get, horizontal=True,
             on_change=_on_units,  # a read-only teaching case too: it keeps the choice for this session
             help="How this case's results are shown and typed, kept with the case; a new case starts in the units "
             "of the reference set chosen in the sidebar. A value can always carry its own unit: type 35 umol/L.")
    field_error(form, "units")


def draw(form: Form) -> None:
    st.subheader("Baseline labs")
    st.page_link("app_pages/record.py", label="Or fetch them from the hospital record",
                 icon=":material/local_hospital:")
    l1, _ = st.columns([1, 2])
    l1.text_input("Date of these results", key="case_draw_date", on_change=_on_draw_date, disabled=form.read_only,
                  placeholder="2026-11-02 or 2/11/2026", help="Values you type are recorded on this date.")
    with l1:
        field_error(form, "draw_date")
    if (case_start := current_case().treatment_start) and draw_day() > case_start:
        st.warning(
            f"Results typed here are dated {draw_day().isoformat()}, after the treatment start "
            f"({case_start.isoformat()}): they count as the recovery course, not the baseline. Change the "
            "date above for pre-treatment results.", icon=":material/event:")
    st.caption("Type a number (in the unit shown), a number with its unit (35 umol/L), or a censored value such as "
               "<8; for 'undetectable' type the detection limit, such as <10. Leave a field empty if not measured.")
    base = current_case().baseline()
    for group, title in {**LAB_GROUPS, "film": "Blood film"}.items():
        names = [n for n, s in SPECS.items() if s["group"] == group]
        names.sort(key=is_boolean)  # values first, then the yes/no findings
        has_error = any(n in form.errors for n in names)
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
                        (_bool_field if is_boolean(name) else _lab_field)(form, name, base)
