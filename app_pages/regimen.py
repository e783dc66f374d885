"""Regimen page: the injection plan from the case, every knob the evidence allows, compare, export.

Renders logic.regimen; the what-if controls sit in a fragment so moving a knob redraws only the plan.
The plan's knobs (never patient data) are mirrored in the address bar so a teacher can share it.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pandas as pd
import streamlit as st

from logic.assess import assess
from logic.exports import patient_sheet_html, to_csv, to_ics
from logic.regimen import (
    RegimenError,
    StoreParams,
    build_regimen,
    build_schedule,
    checkpoint_observations,
    estimate_stores,
    loss_choices,
    preset,
    preset_ids,
    project,
    regimen_for_case,
    summary,
)
from logic.tma import regimen_caveat
from ui.charts import regimen_chart
from ui.clinic import weekend_option
from ui.common import DISCLAIMER, esc, teaching_gate, why
from ui.pdf_buttons import patient_pdf_button
from ui.session import current_case, set_chosen_plan, thresholds_id

ss = st.session_state
case = current_case()
tid = thresholds_id()
suggestion = regimen_for_case(case, tid)
fits = {s.preset_id: s for s in suggestion.suitability}
today = date.today()


def _init_from_url() -> None:
    """Widget state from a shared link (?preset=...&knob=value), once per session."""
    if ss.get("reg_url_read"):
        return
    ss["reg_url_read"] = True
    qp = st.query_params
    pid = qp.get("preset")
    if pid in preset_ids():
        ss["reg_preset"] = pid
        for spec in preset(pid).knobs:
            raw = qp.get(spec.key)
            if raw is not None and raw.lstrip("-").isdigit() and spec.problem(int(raw)) is None:
                ss[f"reg_{pid}_{spec.key}"] = int(raw)


def _knob_widget(pid: str, spec) -> int:
    key = f"reg_{pid}_{spec.key}"
    ss.setdefault(key, spec.default)
    label = f"{spec.label} ({spec.unit})" + (" · clinician's choice" if spec.clinician_choice else "")
    if spec.choices is not None:
        value = st.segmented_control(label, list(spec.choices), key=key, format_func=str)
        return spec.default if value is None else value
    step = 100 if spec.unit == "mcg" and spec.max and spec.max >= 500 else 1
    return st.slider(label, spec.min, spec.max, key=key, step=step)


_init_from_url()
st.title("Regimen")
teaching_gate("reg")
st.caption(f"{esc(case.label) or 'Unnamed case'} · a plan to discuss, not an order")
picture = assess(case, thresholds=tid)
caveat = regimen_caveat(picture.b12_status, picture.leaning, tid)
if caveat is not None:  # no clear indication: said first, and carried by every export below
    st.warning(caveat.text, icon=":material/report:")
    why(caveat.refs, key="why_reg_caveat")
caveat_text = caveat.text if caveat else None

with st.expander("Why this plan is suggested", expanded=False):
    for note in suggestion.reasons:
        st.markdown(f"- {note.text}")
    st.markdown(f"- {suggestion.platelet.text}")
    why([r for n in suggestion.reasons for r in n.refs] + list(suggestion.platelet.refs), key="why_suggestion")


@st.fragment
def planner() -> None:
    ids = list(preset_ids())
    ss.setdefault("reg_preset", suggestion.preset_id)
    c1, c2 = st.columns([3, 1])
    pid = c1.selectbox("Schedule", ids, key="reg_preset", format_func=lambda i: preset(i).name)
    start = c2.date_input("First dose", value=case.treatment_start or today, key="reg_start", format="YYYY-MM-DD")
    p = preset(pid)
    fit = fits.get(pid)
    if fit is not None and fit.status == "refused":
        st.error(f"{fit.text}", icon=":material/block:")
        why(fit.refs, key=f"why_refused_{pid}")
        return
    elif fit is not None and fit.status == "not_known":
        st.warning(f"{fit.text}", icon=":material/help:")
    st.caption(p.source_text)
    why(p.refs + (fit.refs if fit else ()), key=f"why_preset_{pid}")

    cols = st.columns(3)
    knobs = {}
    for i, spec in enumerate(p.knobs):
        with cols[i % 3]:
            knobs[spec.key] = _knob_widget(pid, spec)
    with st.expander("Store-estimate assumptions (a model, not a measurement)"):
        a1, a2 = st.columns(2)
        initial = a1.slider(
            "Body stores at the start (mg)",
            0.0,
            5.0,
            1.0,
            0.25,
            key="reg_store_initial",
            help="Healthy adults hold about 1-5 mg (Hunt, BMJ 2014); a deficient patient holds less.",
        )
        losses = loss_choices()
        loss = a2.radio(
            "Daily loss from stores", list(losses), key="reg_store_loss", format_func=lambda k: f"{losses[k].label}"
        )
        why([r for lc in losses.values() for r in lc.refs], key="why_store")
    params = StoreParams(initial_store_mcg=initial * 1000, daily_loss=loss)
    try:
        regimen = build_regimen(pid, **knobs)
    except RegimenError as exc:
        for problem in exc.problems:
            st.error(esc(problem))
        return
    sched = weekend_option(build_schedule(regimen, start), key="reg_no_weekends")  # ui/clinic.py
    set_chosen_plan(pid, knobs)  # the Recovery page follows this plan
    est = estimate_stores(sched, params, step_days=7)
    proj = project(sched, today)
    st.query_params.from_dict({"preset": pid, **{k: str(v) for k, v in knobs.items()}})

    m = st.columns(5)
    m[0].metric("Injections", proj.injections)
    m[1].metric("Clinic visits", proj.visits)
    m[2].metric("Total dose", f"{proj.total_mcg / 1000:g} mg")
    m[3].metric(
        "End of loading",
        proj.end_of_loading.isoformat() if proj.end_of_loading else "—",
        help="Last dose before maintenance",
    )
    nd = proj.next_due
    m[4].metric("Next due", nd.date.isoformat() if nd else "plan finished", help="The first dose on or after today")
    life = {
        True: "for life (permanent cause)",
        False: "not necessarily for life (no permanent cause recorded)",
        None: "for life? not enough data yet",
    }[suggestion.lifelong]
    st.caption(f"Maintenance shown for the chosen months; in this case: {life}.")

    plans = [("this plan", sched, est)]
    pinned = ss.get("reg_pinned")
    if pinned:
        try:
            p_sched = build_schedule(build_regimen(pinned["preset"], **pinned["knobs"]), start)
            plans.append(("pinned", p_sched, estimate_stores(p_sched, params, step_days=7)))
        except RegimenError:
            ss.pop("reg_pinned", None)
    drawn = [["this plan", pid, knobs]] + ([["pinned", pinned["preset"], pinned["knobs"]]] if len(plans) > 1 else [])
    st.plotly_chart(
        regimen_chart(json.dumps(drawn, sort_keys=True), start, initial * 1000, loss),
        key="reg_chart",
        width="stretch",
        config={"displayModeBar": False},
    )
    st.caption(est.label + ". " + " ".join(n.text for n in est.assumptions))

    b1, b2 = st.columns([1, 3])
    if b1.button("Pin this plan to compare", key="reg_pin", icon=":material/push_pin:"):
        ss["reg_pinned"] = {"preset": pid, "knobs": dict(knobs)}
        st.rerun(scope="fragment")
    if pinned and b2.button("Unpin", key="reg_unpin"):
        ss.pop("reg_pinned", None)
        st.rerun(scope="fragment")
    if len(plans) > 1:
        rows = [summary(s, params, today) | {"plan": name} for name, s, _ in plans]
        table = pd.DataFrame(rows).set_index("plan")[
            [
                "regimen",
                "injections",
                "visits",
                "total_mcg",
                "days_to_end_of_loading",
                "store_1m_mcg",
                "store_3m_mcg",
                "store_12m_mcg",
            ]
        ]
        st.dataframe(
            table.rename(
                columns={
                    "total_mcg": "total (mcg)",
                    "days_to_end_of_loading": "days of loading",
                    "store_1m_mcg": "store 1 mo (mcg)",
                    "store_3m_mcg": "store 3 mo (mcg)",
                    "store_12m_mcg": "store 12 mo (mcg)",
                }
            ),
            width="stretch",
        )

    if sched.checkpoints:
        st.subheader("Checkpoints")
        for cp in sched.checkpoints:
            seen = checkpoint_observations(cp, case)
            have = "; ".join(f"{o.label} {o.display()} ({o.date.isoformat()})" for o in seen[-3:])
            st.markdown(
                f"**{cp.date.isoformat()} · {cp.title}**: {cp.text}"
                + (f"  \nOn file: {have}" if have else "  \nNo reticulocyte or haemoglobin result on file yet.")
            )
        why([r for cp in sched.checkpoints for r in cp.refs], key="why_checkpoints")

    st.subheader("Dates")
    dates = pd.DataFrame(
        [
            {"date": i.date, "day": i.date.strftime("%a"), "dose (mcg)": i.dose_mcg, "route": i.route, "phase": i.phase}
            for i in sched.injections
        ]
    )
    st.dataframe(dates, hide_index=True, width="stretch", height=260)

    label = case.label or "B12 plan"
    e1, e2, e3 = st.columns(3)
    e1.download_button(
        "Calendar (.ics)",
        lambda: to_ics(sched, label=label, stamp=datetime.now(UTC), clinic=True, caveat=caveat_text),  # on click
        file_name="b12-plan.ics",
        mime="text/calendar",
        key="reg_ics",
        icon=":material/event:",
    )
    e2.download_button(
        "Dates (.csv)",
        lambda: to_csv(sched, clinic=True, caveat=caveat_text),
        file_name="b12-plan.csv",
        mime="text/csv",
        key="reg_csv",
        icon=":material/table:",
    )
    e3.download_button(
        "Patient sheet (print)",
        lambda: patient_sheet_html(sched, label, unconfirmed=caveat is not None),
        file_name="b12-plan.html",
        mime="text/html",
        key="reg_sheet",
        icon=":material/print:",
    )
    patient_pdf_button(sched, key="reg_pdf", unconfirmed=caveat is not None)  # ui/pdf_buttons.py: built on click
    st.caption("The address bar now holds this plan's settings (no patient data): copy it to share the plan.")


planner()
st.caption(DISCLAIMER)
