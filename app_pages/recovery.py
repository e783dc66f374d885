"""Recovery page: doses and the platelet and reticulocyte course on one time axis, against what to expect.

Renders logic.recovery; the lab series is edited as a table (logic.case.series parses it, in the case's unit
system) and kept in the case. The plan followed is the regimen chosen for the case (kept in the case
document), else the suggestion. Table edits not yet applied survive other actions on the page and a
visit to another page (kept as a draft and shown again); a row the case cannot store is refused by name.
"""

from __future__ import annotations

import hashlib
import json

import pandas as pd
import streamlit as st

from logic.case import CaseError
from logic.case.entry import parse_day
from logic.case.series import DRAWN, apply_series_rows, column, draw_moves, series_for, series_rows
from logic.recovery import response
from logic.regimen import (
    RegimenError,
    build_schedule,
    dose_entry,
    due,
    next_pending,
    plan_for_case,
    regimen_for_case,
    routes,
    unrecorded,
)
from ui.banner import case_title, pending_notice, teaching_gate
from ui.charts import recovery_chart
from ui.common import DISCLAIMER, alert_box, esc, why
from ui.session import (
    chosen_plan,
    current_case,
    current_doc,
    is_read_only,
    set_doc,
    state,
    thresholds_id,
    today,
    unit_system,
)

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
st.caption(f"{esc(case_title(case))} · platelets and reticulocytes after B12, against what to expect")
pending_notice("rec")  # entries on the Case page not applied, near the answer (ui/banner.py)


def _set_start() -> None:
    """A text field, as on the Case page: it takes effect on Enter or Tab (a date picker only on a click
    elsewhere), and takes 2026-11-02 or 2/11/2026."""
    try:
        day = parse_day(ss.get("rec_start"))
    except ValueError as exc:
        ss["rec_start_problem"] = str(exc)
        return
    doc = json.loads(json.dumps(current_doc()))
    doc["treatment_start"] = day.isoformat() if day else None
    try:
        set_doc(doc)
    except CaseError as exc:
        ss["rec_start_problem"] = "; ".join(str(p) for p in exc.problems)
    else:
        ss["rec_start_problem"] = None


def _store(doc: dict, problems_key: str) -> bool:
    """Save ``doc`` as the case, or keep its problems (dates after today included) to show them."""
    try:
        set_doc(doc)
    except CaseError as exc:
        ss[problems_key] = [str(p) for p in exc.problems]
        return False
    ss[problems_key] = []
    return True


if case.treatment_start is None:
    st.info(
        "The case has no treatment start. Set it here (or on the Case page) to follow the recovery.",
        icon=":material/event:",
    )
    st.columns([1, 3])[0].text_input(
        "B12 treatment started",
        key="rec_start",
        on_change=_set_start,
        placeholder="2026-11-02 or 2/11/2026",
        disabled=is_read_only(),
        help="Teaching cases are read-only: copy one to your cases first.",
    )
    if ss.get("rec_start_problem"):
        st.error(esc(ss["rec_start_problem"]), icon=":material/error:")
    st.stop()

last = case.last_date() or case.treatment_start
default_as_of = today() if (today() - last).days <= 60 else max(last, case.treatment_start)
as_of = st.columns([1, 3])[0].date_input(
    "As of",
    value=default_as_of,
    key="rec_as_of",
    format="YYYY-MM-DD",
    help="Today by default; for an old or teaching case, the date of its latest result.",
)
resp = response(case, as_of, tid)

# the plan: the regimen chosen for the case (in its document), else the suggestion for the case
chosen = chosen_plan()
stale = None
try:
    regimen = plan_for_case(case, chosen.preset, tid, **chosen.knobs) if chosen else regimen_for_case(case, tid).regimen
except RegimenError as exc:
    stale = f"The plan chosen for this case no longer validates ({exc}); the suggestion is shown instead."
    regimen, chosen = regimen_for_case(case, tid).regimen, None
first_dose = (chosen.start if chosen else None) or case.treatment_start
planned = build_schedule(regimen, first_dose)
next_dose = next_pending(planned, case.doses, as_of)
next_draw = resp.next_draw
not_recorded = unrecorded(planned, case.doses, as_of)
due_dose = due(planned, case.doses, as_of)  # never a future dose

st.caption(
    f"Plan followed: **{esc(regimen.name)}**, "
    + ("chosen for this case." if chosen else "the suggestion (choose a plan on the Regimen page to keep it).")
)
if stale:
    st.warning(esc(stale), icon=":material/event_repeat:")
m = st.columns([1, 1.5, 1.5, 1, 1])  # the dates wider: a whole YYYY-MM-DD at 1280 px
m[0].metric("Day of treatment", resp.day if resp.day >= 0 else "not started",
            help=None if resp.day >= 0 else f"{-resp.day} days before the treatment start")
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



@st.fragment
def course_chart(doc_json: str, plan_json: str) -> None:
    """The "Also show" toggles and the chart: a toggle reruns only this, not the tables below."""
    extra = st.pills(
        "Also show",
        ["hemoglobin", "ldh"],
        selection_mode="multi",
        key="rec_extra",
        format_func=lambda k: {"hemoglobin": "Haemoglobin", "ldh": "LDH"}[k],
    )
    fig = recovery_chart(doc_json, as_of, tid, tuple(extra or ()), plan_json)
    st.plotly_chart(fig, key="rec_chart", width="stretch", config={"displayModeBar": False})
    st.caption(
        "Shaded: days 3-10, when the reticulocyte rise is expected. No expected platelet band is drawn: "
        "no published recovery rate exists. Filled dots are doses recorded as given; open dots are planned."
    )


left, right = st.columns([3, 2])
with left:
    plan = {"preset": regimen.id, "knobs": dict(regimen.knobs), "start": first_dose.isoformat()}
    course_chart(json.dumps(current_doc(), sort_keys=True), json.dumps(plan, sort_keys=True))
with right:
    st.subheader("How it is going")
    st.markdown(  # one block (was a markdown each)
        f"**Reticulocytes:** {resp.reticulocytes_reason.text}\n\n**Platelets:** {resp.platelets_reason.text}"
    )
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
    # a data grid here (st.table wrapped each date in this narrow column); the page loads one anyway for the
    # editable tables below
    st.dataframe(tasks, hide_index=True, width="stretch", height=250, placeholder="")
    why([ref for t in resp.tasks for ref in t.refs], key="why_tasks")

st.subheader("Lab results over time")
st.caption(
    "One row per draw, in this case's units. Type or paste from a spreadsheet (date first, 2026-11-02); censored "
    "values such as <8 are fine. Changes apply when you press Apply; a bad cell or a row without a date is named "
    "and nothing is lost: edits not yet applied stay here, across other actions and pages."
)


def _digest(rows: list) -> str:
    return hashlib.sha256(json.dumps(rows, sort_keys=True, default=str).encode()).hexdigest()[:12]


def _table(name: str, rows: list[dict], columns: list[str], config: dict):
    """An editable table whose unapplied edits survive reruns, other actions and page visits: keyed on what
    the case holds (not on every change of the case), its edited rows kept as a draft that a new table (after
    a visit to another page) starts from."""
    base = _digest(rows)
    key = f"rec_{name}_{state().opened}_{base}"
    made = ss.get(f"rec_made_{name}")
    if key in ss and made and made["key"] == key:
        shown = made["rows"]  # the rows this table was made from: its edits apply to them
    else:
        draft = ss.get(f"rec_draft_{name}")
        shown = draft["rows"] if draft and draft["key"] == key else rows
        ss[f"rec_made_{name}"] = {"key": key, "rows": shown}
    if _digest(shown) != base:
        st.caption(":material/edit_note: Edits not yet applied are shown; press Apply to save them.")
    frame = pd.DataFrame(shown, columns=columns, dtype=object)  # cells as given, None for empty (6 ms less a run)
    edited = st.data_editor(frame, key=key, num_rows="dynamic", hide_index=True, width="stretch", disabled=RO,
                            column_config=config, placeholder="")  # an empty cell is empty, not "None"
    records = [{k: (None if v != v else v) for k, v in r.items()} for r in edited.to_dict("records")]
    if _digest(records) != base:
        ss[f"rec_draft_{name}"] = {"key": key, "rows": records}
    else:
        ss.pop(f"rec_draft_{name}", None)
    return records


system = unit_system()
series = series_for(system)
lab_columns = ["Date", *[column(a, u) for a, u in series], DRAWN]
lab_rows = [{c: r.get(c) for c in lab_columns} for r in series_rows(case, system)]
edited = _table(
    "labs",
    lab_rows,
    lab_columns,
    {
        "Date": st.column_config.TextColumn("Date", help="YYYY-MM-DD"),
        **{column(a, u): st.column_config.TextColumn(column(a, u)) for a, u in series},
        DRAWN: None,  # hidden: the draw a row came from, so that it moves whole (logic/case/series.py)
    },
)


def _apply_labs(split_ok: bool) -> None:
    """Apply the table; a change that splits a draw is named and applied only when confirmed."""
    moves = draw_moves(current_doc(), edited, system)
    splits = [m.text() for m in moves if m.splits]
    if splits and not split_ok:
        ss["rec_splits"] = {"rows": _digest(edited), "texts": splits}
        return
    ss.pop("rec_splits", None)
    new_doc, problems = apply_series_rows(current_doc(), edited, system, today())
    if problems:
        ss["rec_problems"] = [str(p) for p in problems]
    elif _store(new_doc, "rec_problems"):
        ss.pop("rec_draft_labs", None)
        ss["rec_moved"] = [m.text() for m in moves if m.others and not m.splits]
        st.rerun()


if st.button("Apply lab changes", key="rec_apply", disabled=RO, icon=":material/check:"):
    _apply_labs(split_ok=False)
asked = ss.get("rec_splits")
if asked and asked["rows"] == _digest(edited):  # the edit that splits a draw, still as it was: ask
    st.warning("\n\n".join(esc(t) for t in asked["texts"]), icon=":material/call_split:")
    if st.button("Apply anyway, leaving them on their date", key="rec_apply_split", disabled=RO):
        _apply_labs(split_ok=True)
for msg in ss.pop("rec_moved", []):
    st.info(esc(msg), icon=":material/move_down:")
for msg in ss.get("rec_problems", []):
    st.error(esc(msg), icon=":material/error:")

st.subheader("Doses given")
dose_rows = [{"date": d.date.isoformat(), "dose_mcg": d.dose_mcg, "route": str(d.route)} for d in case.doses]
edited_doses = _table(
    "doses",
    dose_rows,
    ["date", "dose_mcg", "route"],
    {
        "date": st.column_config.TextColumn("Date", help="YYYY-MM-DD"),
        "dose_mcg": st.column_config.NumberColumn("Dose (mcg)", min_value=1, max_value=10000),
        "route": st.column_config.SelectboxColumn("Route", options=[str(r) for r in routes()], default="IM"),
    },
)
d1, d2 = st.columns(2)
if d1.button("Apply dose changes", key="rec_apply_doses", disabled=RO):
    doc = json.loads(json.dumps(current_doc()))
    kept = {(d.date.isoformat(), d.dose_mcg, str(d.route)): d.product for d in case.doses}
    undated = [i for i, rec in enumerate(edited_doses, 1) if not rec.get("date") and any(rec.values())]
    doc["doses"] = [
        {k: v for k, v in rec.items() if v is not None}
        | ({"product": p} if (p := kept.get((rec.get("date"), rec.get("dose_mcg"), rec.get("route")))) else {})
        for rec in edited_doses
        if rec.get("date")
    ]
    if undated:
        ss["rec_dose_problems"] = [f"row {i}: has a dose but no date; type the date it was given (YYYY-MM-DD)"
                                   for i in undated]
    elif _store(doc, "rec_dose_problems"):
        ss.pop("rec_draft_doses", None)
        st.rerun()
if due_dose and d2.button(f"Record the {due_dose.date.isoformat()} dose as given", key="rec_give_next", disabled=RO):
    doc = json.loads(json.dumps(current_doc()))
    doc.setdefault("doses", []).append(dose_entry(due_dose))  # with the plan's route (oral for an oral plan)
    if _store(doc, "rec_dose_problems"):
        st.rerun()
for msg in ss.get("rec_dose_problems", []):
    st.error(esc(msg), icon=":material/error:")
st.caption(DISCLAIMER)
