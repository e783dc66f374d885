"""The history checklist: tri-state (unknown, yes, no; antibodies unknown, positive, negative), by group, row by
row so that Tab runs across a row; the length of ileal resection."""

from __future__ import annotations

import streamlit as st

from app_pages.case_sections.fields import ANTIBODIES, TRI, TRI_AB, Form, commit, doc_copy, field_error
from logic.case import HISTORY_LABELS
from logic.reference import statements
from ui.callbacks import kept
from ui.common import why

TRI_VALUE = {"Unknown": None, "Yes": True, "No": False, "Positive": True, "Negative": False}
HISTORY_GROUPS = {
    "Causes": ("pernicious_anemia", "intrinsic_factor_antibodies", "parietal_cell_antibodies", "crohns_ileal",
               "gastric_surgery", "vegan_or_vegetarian", "alcohol_excess"),
    "Drugs and exposures": ("metformin", "acid_suppression", "nitrous_oxide", "sulfasalazine", "methotrexate"),
    "Presentation": ("neurological_symptoms", "neurological_signs", "fever", "active_cancer", "transplant"),
}
ss = st.session_state


@kept
def _on_history(flag: str) -> None:
    doc = doc_copy()
    doc.setdefault("history", {})[flag] = TRI_VALUE[ss[f"case_hist_{flag}"]]
    commit(doc, flag)


@kept
def _on_resection() -> None:
    doc = doc_copy()
    doc.setdefault("history", {})["ileal_resection_cm"] = ss["case_hist_ileal_resection_cm"]
    commit(doc, "ileal_resection_cm", "case_hist_ileal_resection_cm")


def draw(form: Form) -> None:
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
                                        max_value=700.0, step=5.0, on_change=_on_resection,
                                        help=f"Leave empty when not known. More than "
                                        f"{form.t['ileal_resection_lifelong_above_cm']:g} cm means lifelong B12.",
                                        disabled=form.read_only)
                    else:
                        st.radio(HISTORY_LABELS[flag], TRI_AB if flag in ANTIBODIES else TRI, key=f"case_hist_{flag}",
                                 horizontal=True, on_change=_on_history, args=(flag,), disabled=form.read_only)
                    field_error(form, flag)
        if title == "Presentation":  # which of the two neurological questions the regimen uses: both
            neuro = statements.say("regimen.neurological_either")
            st.caption(neuro.text)
            why(neuro.refs, key="why_case_neurological")
