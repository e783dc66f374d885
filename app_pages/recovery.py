"""Recovery page: doses and the platelet and reticulocyte course on one time axis, against what to expect.

Renders logic.recovery; the lab series is edited as a table (logic.series parses it) and kept in the case.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date

import pandas as pd
import streamlit as st

from logic.case import CaseError, parse_case
from logic.recovery import response
from logic.regimen import (
    RegimenError,
    build_regimen,
    build_schedule,
    dose_entry,
    due,
    next_pending,
    regimen_for_case,
    routes,
    unrecorded,
)
from logic.series import SERIES, apply_series_rows, column, series_rows
from ui.charts import recovery_chart
from ui.common import DISCLAIMER, alert_box, esc, teaching_gate, why
from ui.session import ChosenPlan, chosen_plan, current_case, current_doc, is_read_only, set_doc, state, thresholds_id

ss = st.session_state
VERDICT = {
    "too_early": ("too early to judge", "gray"),
    "adequate": ("responding", "green"),
    "delayed": ("not yet", "orange"),
    "absent": ("no response", "red"),
    "unknown": ("no data", "gray"),
    "normal": ("normal", "green"),
    "rising": ("rising", "green"),
    "flat": ("flat", "orange"),
    "falling": ("falling", "red"),
}

case = current_case()
tid = thresholds_id()
st.title("Recovery")
teaching_gate("rec")
RO = is_read_only()
st.caption(f"{esc(case.label) or 'Unnamed case'} · platelets and reticulocytes after B12, against what to expect")


def _set_start() -> None:
    doc = json.loads(json.dumps(current_doc()))
    doc["treatment_start"] = ss["rec_start"].isoformat()
    set_doc(doc)


if case.treatment_start is None:
    st.info(
        "The case has no treatment start. Set it here (or on the Case page) to follow the recovery.",
        icon=":material/event:",
    )
    st.date_input(
        "B12 treatment started",
        value=None,
        key="rec_start",
        on_change=_set_start,
        format="YYYY-MM-DD",
        disabled=is_read_only(),
        help="Teaching cases are read-only: copy one to your cases first.",
    )
    st.stop()

last = case.last_date() or case.treatment_start
default_as_of = date.today() if (date.today() - last).days <= 60 else max(last, case.treatment_start)
as_of = st.columns([1, 3])[0].date_input(
    "As of",
    value=default_as_of,
    key="rec_as_of",
    format="YYYY-MM-DD",
    help="Today by default; for an old or teaching case, the date of its latest result.",
)
resp = response(case, as_of, tid)

# the plan: the one chosen on the Regimen page this session, else the suggestion for the case
chosen = chosen_plan()
try:
    regimen = build_regimen(chosen.preset, **chosen.knobs) if chosen else regimen_for_case(case, tid).regimen
except RegimenError:
    regimen = regimen_for_case(case, tid).regimen
planned = build_schedule(regimen, case.treatment_start)
next_dose = next_pending(planned, case.doses, as_of)
next_draw = resp.next_draw
not_recorded = unrecorded(planned, case.doses, as_of)
due_dose = due(planned, case.doses, as_of)  # never a future dose

m = st.columns(5)
m[0].metric("Day of treatment", resp.day)
m[1].metric(
    "Next injection",
    next_dose.date.isoformat() if next_dose else "—",
    help=f"{regimen.name}; a late or missed dose moves the rest of the plan",
)
m[2].metric(
    "Next blood test", next_draw.date.isoformat() if next_draw else "—", help=next_draw.what if next_draw else None
)
for col, title, verdict in ((m[3], "Reticulocytes", resp.reticulocytes), (m[4], "Platelets", resp.platelets)):
    text, colour = VERDICT[verdict]
    with col:
        st.markdown(f"**{title}**")
        st.badge(text, color=colour)

if not_recorded:
    st.warning(
        f"{len(not_recorded)} planned dose{'s' if len(not_recorded) > 1 else ''} before {as_of.isoformat()} "
        f"{'are' if len(not_recorded) > 1 else 'is'} not recorded as given (first: "
        f"{not_recorded[0].date.isoformat()}). Record the doses given below; a late dose moves the rest of the "
        "plan.",
        icon=":material/event_busy:",
    )

left, right = st.columns([3, 2])
with left:
    extra = st.pills(
        "Also show",
        ["hemoglobin", "ldh"],
        selection_mode="multi",
        key="rec_extra",
        format_func=lambda k: {"hemoglobin": "Haemoglobin", "ldh": "LDH"}[k],
    )
    plan = asdict(chosen or ChosenPlan(regimen.id, dict(regimen.knobs)))
    fig = recovery_chart(
        json.dumps(current_doc(), sort_keys=True), as_of, tid, tuple(extra or ()), json.dumps(plan, sort_keys=True)
    )
    st.plotly_chart(fig, key="rec_chart", width="stretch", config={"displayModeBar": False})
    st.caption(
        "Shaded: days 3-10, when the reticulocyte rise is expected. No expected platelet band is drawn: "
        "no published recovery rate exists. Filled dots are doses recorded as given; open dots are planned."
    )
with right:
    st.subheader("How it is going")
    st.markdown(f"**Reticulocytes:** {resp.reticulocytes_reason.text}")
    st.markdown(f"**Platelets:** {resp.platelets_reason.text}")
    why(resp.reticulocytes_reason.refs + resp.platelets_reason.refs, key="why_verdicts")
    for a in resp.alerts:
        alert_box(a, key="rec")
    st.subheader("Monitoring plan")
    tasks = pd.DataFrame(
        [
            {
                "date": t.date,
                "day": t.day,
                "test": t.what,
                "status": "done" if t.done else ("overdue" if t.overdue else "due"),
            }
            for t in resp.tasks
        ]
    )
    st.dataframe(tasks, hide_index=True, width="stretch", height=250)
    why([ref for t in resp.tasks for ref in t.refs], key="why_tasks")

st.subheader("Lab results over time")
st.caption(
    "One row per draw. Type or paste from a spreadsheet (date first); censored values such as <8 are fine. "
    "Changes apply when you press Apply; a bad cell is named and nothing is lost."
)
rows = series_rows(case)
frame = pd.DataFrame(rows, columns=["Date", *[column(a, u) for a, u in SERIES]]).fillna("")
edited = st.data_editor(
    frame,
    key=f"rec_editor_{state().revision}",
    num_rows="dynamic",
    hide_index=True,
    width="stretch",
    disabled=RO,
    column_config={
        "Date": st.column_config.TextColumn("Date", help="YYYY-MM-DD", required=True),
        **{column(a, u): st.column_config.TextColumn(column(a, u)) for a, u in SERIES},
    },
)
if st.button("Apply lab changes", key="rec_apply", disabled=RO, icon=":material/check:"):
    new_doc, problems = apply_series_rows(current_doc(), edited.to_dict("records"))
    if problems:
        ss["rec_problems"] = [str(p) for p in problems]
    else:
        ss["rec_problems"] = []
        set_doc(new_doc)
        st.rerun()
for msg in ss.get("rec_problems", []):
    st.error(esc(msg), icon=":material/error:")

st.subheader("Doses given")
given = pd.DataFrame(
    [{"date": d.date.isoformat(), "dose_mcg": d.dose_mcg, "route": d.route} for d in case.doses],
    columns=["date", "dose_mcg", "route"],
)
edited_doses = st.data_editor(
    given,
    key=f"rec_doses_{state().revision}",
    num_rows="dynamic",
    hide_index=True,
    disabled=RO,
    column_config={
        "date": st.column_config.TextColumn("Date", required=True),
        "dose_mcg": st.column_config.NumberColumn("Dose (mcg)", min_value=1, max_value=10000),
        "route": st.column_config.SelectboxColumn("Route", options=[str(r) for r in routes()], default="IM"),
    },
)
d1, d2 = st.columns(2)
if d1.button("Apply dose changes", key="rec_apply_doses", disabled=RO):
    doc = json.loads(json.dumps(current_doc()))
    doc["doses"] = [
        {k: v for k, v in rec.items() if v is not None and v == v}
        for rec in edited_doses.to_dict("records")
        if rec.get("date")
    ]
    try:
        parse_case(doc)
    except CaseError as exc:
        ss["rec_dose_problems"] = [str(p) for p in exc.problems]
    else:
        ss["rec_dose_problems"] = []
        set_doc(doc)
        st.rerun()
if due_dose and d2.button(f"Record the {due_dose.date.isoformat()} dose as given", key="rec_give_next", disabled=RO):
    doc = json.loads(json.dumps(current_doc()))
    doc.setdefault("doses", []).append(dose_entry(due_dose))
    set_doc(doc)
    st.rerun()
for msg in ss.get("rec_dose_problems", []):
    st.error(esc(msg), icon=":material/error:")
st.caption(DISCLAIMER)
