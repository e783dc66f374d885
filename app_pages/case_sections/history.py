"""The history checklist: tri-state (unknown, yes, no; antibodies unknown, positive, negative), by group: in each
group one list of the items answered yes (or positive) and one of those answered no (or negative), each typed or
picked with the keyboard; an item in neither list is unknown, and the unknown ones are named under the group.
Then the length of ileal resection.

Six lists, not one radio per item (17): Streamlit's radio copies the whole session state each time it is drawn,
so seventeen radios were a fifth of the Case page's server time (README, "Performance")."""

from __future__ import annotations

import streamlit as st

from app_pages.case_sections.fields import (
    ANTIBODIES,
    HISTORY_GROUPS,
    Form,
    answer_key,
    commit,
    doc_copy,
    field_error,
)
from logic.case import HISTORY_LABELS
from logic.reference import statements
from ui.callbacks import kept
from ui.common import why
from ui.session import current_case

ss = st.session_state


def _yes(flag: str) -> str:
    return HISTORY_LABELS[flag] + (": positive" if flag in ANTIBODIES else "")


def _no(flag: str) -> str:
    return HISTORY_LABELS[flag] + (": negative" if flag in ANTIBODIES else "")


@kept
def _on_answers(group: str, answer: bool) -> None:
    """A group's yes (or no) list changed: the items in it take that answer, an item taken out of it becomes unknown
    (never the other answer), and an item moved here from the other list leaves that list."""
    chosen = set(ss.get(answer_key(group, answer)) or ())
    doc = doc_copy()
    history = doc.setdefault("history", {})
    changed = []
    for flag in HISTORY_GROUPS[group][1]:
        now = history.get(flag)
        new = answer if flag in chosen else (None if now is answer else now)
        if new is not now:
            history[flag] = new
            changed.append(flag)
    other = answer_key(group, not answer)
    ss[other] = [f for f in ss.get(other) or () if f not in chosen]
    commit(doc, changed[0] if changed else HISTORY_GROUPS[group][1][0])


@kept
def _on_resection() -> None:
    doc = doc_copy()
    doc.setdefault("history", {})["ileal_resection_cm"] = ss["case_hist_ileal_resection_cm"]
    commit(doc, "ileal_resection_cm", "case_hist_ileal_resection_cm")


def _group(form: Form, group: str) -> None:
    title, flags = HISTORY_GROUPS[group]
    antibodies = any(f in ANTIBODIES for f in flags)
    yes_col, no_col = st.columns(2)
    for col, answer, word, fmt in ((yes_col, True, "yes", _yes), (no_col, False, "no", _no)):
        col.multiselect(
            f"{title}: {word}" + (" (antibodies: " + ("positive)" if answer else "negative)") if antibodies else ""),
            flags, key=answer_key(group, answer), format_func=fmt, on_change=_on_answers, args=(group, answer),
            placeholder=f"Items answered {word}", disabled=form.read_only, wrap=True,
            help=f"Type or pick the items answered {word}; take one out to make it unknown. An item in neither list is "
            "unknown, and unknown is not no.")
    history = current_case().history
    unknown = [HISTORY_LABELS[f] for f in flags if history.flag(f) is None]
    st.caption(f"Unknown: {'; '.join(unknown)}." if unknown else "Every item answered.")
    for flag in flags:
        field_error(form, flag)


def draw(form: Form) -> None:
    st.subheader("History")
    st.caption("Unknown is not no: anything left unknown is reported as a range or as not enough data.")
    _group(form, "causes")
    st.number_input(HISTORY_LABELS["ileal_resection_cm"], key="case_hist_ileal_resection_cm", min_value=0.0,
                    max_value=700.0, step=5.0, on_change=_on_resection, width=320,
                    help=f"Leave empty when not known. More than {form.t['ileal_resection_lifelong_above_cm']:g} cm "
                    "means lifelong B12.", disabled=form.read_only)
    field_error(form, "ileal_resection_cm")
    _group(form, "drugs")
    _group(form, "presentation")
    neuro = statements.say("regimen.neurological_either")  # which of the two neurological questions the regimen uses
    st.caption(neuro.text)
    why(neuro.refs, key="why_case_neurological")
