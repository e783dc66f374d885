"""Case page: where the case comes from, the patient, the history checklist and the baseline labs, then every
result on file. Each section is a module of ``app_pages/case_sections/`` that owns its widgets and callbacks.

Every edit is validated as a whole case document (dates after today refused); an entry that does not validate is
kept on screen with its message, its section stays open, and it is not applied (nothing is partly applied).
"""

from __future__ import annotations

import streamlit as st

from app_pages.case_sections import fields, history, labs, patient, printout, source
from ui.common import focus_field, results_table
from ui.session import current_case

form = fields.begin()

st.title("Case")
st.caption("Pseudonymous: give a label such as a bed or teaching number, never a name, record number or birth date.")
labs.draw_units(form)  # at the top: every value below is shown and typed in these units
source.draw(form)
printout.draw(form)
# A message that appears above a field moves it, and a field the browser draws anew loses the focus (the user's
# next keystrokes went nowhere): the notice has a place that is always there, and each section is a keyed
# container, which the browser keeps whatever appears above it.
notice = st.container()
if form.errors:
    n = len(form.errors)
    notice.warning(
        f"{n} entr{'y is' if n == 1 else 'ies are'} not applied until corrected "
        "(marked below, kept as typed). Everything else is saved in the case.", icon=":material/edit_off:")
for name, section in (("patient", patient), ("history", history), ("labs", labs)):
    with st.container(key=f"case_section_{name}"):
        section.draw(form)
focus_field(st.session_state.pop("case_focus", None))  # after a refused entry: the cursor back in its field

st.subheader("All results on file")
results_table(current_case())
