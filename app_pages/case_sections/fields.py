"""What the Case page's sections share: the open case's values put into the widgets, an entry applied to the
document (or kept as typed with its message, its section left open), and the units a field shows.

Every edit is validated as a whole case document (dates after today refused); an entry that does not validate
is kept on screen with its message and not applied (nothing is partly applied).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta

import streamlit as st

from logic.case import CaseError
from logic.case.entry import CONVENTIONAL, SI, field_text, parse_day, printed_unit
from logic.case.rules import ANTIBODY_FLAGS
from logic.case.units import is_boolean
from logic.reference import ThresholdSet, analytes, example_cases, threshold_set
from ui.banner import case_title
from ui.common import esc
from ui.session import (
    current_case,
    current_doc,
    is_read_only,
    pending_errors,
    set_doc,
    set_pending_errors,
    state,
    thresholds_id,
    today,
    unit_system,
    verdicts_hidden,
)

FILM, DAT = ("Not examined", "Seen", "Not seen"), ("Not done", "Positive", "Negative")
SEX = ("Not recorded", "Female", "Male")
ANTIBODIES = set(ANTIBODY_FLAGS)
LAB_GROUPS = {"b12": "B12 and folate", "cbc": "Blood count", "hemolysis": "Haemolysis",
              "other": "Kidney, clotting and other"}
OPEN = ("b12", "cbc", "film")  # the result sections open when the page is first shown
DATES = {"symptom_onset": "history", "treatment_start": None, "adamts13_sent": "history"}
#: The history checklist by group (key part, title, flags): one list of the items answered yes (or positive) and one
#: of those answered no (or negative) per group; an item in neither is unknown.
HISTORY_GROUPS = {
    "causes": ("Causes", ("pernicious_anemia", "intrinsic_factor_antibodies", "parietal_cell_antibodies",
                          "crohns_ileal", "gastric_surgery", "vegan_or_vegetarian", "alcohol_excess")),
    "drugs": ("Drugs and exposures", ("metformin", "acid_suppression", "nitrous_oxide", "sulfasalazine",
                                      "methotrexate")),
    "presentation": ("Presentation", ("neurological_symptoms", "neurological_signs", "fever", "active_cancer",
                                      "transplant")),
}
SPECS = analytes()
ss = st.session_state


@dataclass(frozen=True)
class Form:
    """What one run of the Case page reads once: the unit system and reference set in use, whether the case
    is read-only, and the entries not applied (field -> message)."""

    system: str
    tid: str
    t: ThresholdSet
    read_only: bool
    errors: dict[str, str]


def begin() -> Form:
    """The run's Form, after the widgets are set from the case (all anew when another case was opened)."""
    ss.setdefault("case_drafts", {})  # field -> the text typed, kept while it is not applied
    ss.setdefault("case_import_errors", [])
    sync_widgets(force=ss.get("case_opened") != state().opened)
    system, tid = unit_system(), thresholds_id()
    ss["case_units"] = system  # the case's units (its own, else this browser's, else the reference set's)
    return Form(system, tid, threshold_set(tid), is_read_only(), pending_errors())


def shown_unit(name: str) -> str | None:
    """The unit a field shows and reads a bare number in: the case's unit system, as its laboratory prints."""
    return printed_unit(name, unit_system(), thresholds_id())


def other_unit(name: str) -> str | None:
    """The unit the value is also shown in: the other system's, else strict SI (B12 ng/L -> pmol/L)."""
    system = unit_system()
    other = printed_unit(name, CONVENTIONAL if system == SI else SI, thresholds_id())
    return SPECS[name].get("si") if other == shown_unit(name) else other


def answer_key(group: str, answer: bool) -> str:
    """The session key of a history group's list of items answered yes (``True``) or no (``False``)."""
    return f"case_hist_{group}_{'yes' if answer else 'no'}"


def draw_day() -> date:
    """The date typed results go to: the field's date when valid, else today."""
    try:
        return parse_day(ss.get("case_draw_date")) or today()
    except ValueError:
        return today()


def sync_widgets(force: bool = False, results_only: bool = False) -> None:
    """Set widget state from the current case (all of it when ``force``, else only missing keys); a draft
    (text typed and not applied) is shown instead of the document's value. ``results_only``: the result fields
    and their date anew (the baseline moved with the treatment start), every other field, draft and pending
    entry as it is (a field being typed in is not overwritten)."""
    case, doc = current_case(), current_doc()
    base = case.baseline()
    values = {
        "case_label": case_title(case) if verdicts_hidden() else (doc.get("label") or ""),
        "case_age": case.patient.age_years,
        "case_sex": {None: "Not recorded", "female": "Female", "male": "Male"}[case.patient.sex],
        "case_hist_ileal_resection_cm": case.history.ileal_resection_cm,
        "case_units": unit_system(),
    }
    for name in DATES:
        day = case.treatment_start if name == "treatment_start" else getattr(case.history, name)
        values[f"case_date_{name}"] = day.isoformat() if day else ""
    start = case.treatment_start
    default_draw = max((o.date for o in base.values()), default=None) or (
        start - timedelta(days=1) if start else today())
    values["case_draw_date"] = default_draw.isoformat()
    for group, (_title, flags) in HISTORY_GROUPS.items():
        for answer in (True, False):
            values[answer_key(group, answer)] = [f for f in flags if case.history.flag(f) is answer]
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
    if results_only:
        values = {k: v for k, v in values.items()
                  if k.startswith(("case_lab_", "case_bool_", "case_draw_date")) and k not in ss["case_drafts"]}
        force = False
        for key in values:
            ss.pop(key, None)  # set anew below
    for key, value in values.items():
        if key.removeprefix("case_lab_").removeprefix("case_bool_") in folded and key not in ss["case_drafts"]:
            ss.pop(key, None)  # not drawn while its section is folded: set when it opens (fewer keys, cheaper widgets)
        elif force or key not in ss:
            ss[key] = value
    if force:
        ss["case_drafts"] = {}
        set_pending_errors({})
        ss["case_opened"] = state().opened  # the fields now show the case opened last


def set_error(field: str, message: str | None, key: str | None = None) -> None:
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


def commit(doc: dict, field: str, key: str | None = None) -> bool:
    """Make ``doc`` the case if it validates; otherwise record the problems against ``field``."""
    try:
        set_doc(doc)
    except CaseError as exc:
        set_error(field, "; ".join(p.message if f"({field}," in f"({p.where}," else str(p) for p in exc.problems), key)
        return False
    set_error(field, None, key)
    return True


def doc_copy() -> dict:
    """A deep copy of the open document, to change and commit."""
    return json.loads(json.dumps(current_doc()))


def field_error(form: Form, field: str) -> None:
    """The message of an entry that is not applied, under its field."""
    if field in form.errors:
        st.error(esc(form.errors[field]), icon=":material/error:")
